// Spill stores for the external sort's tests: one in memory (runs in Node and
// Chromium alike, and lets a test reach into the files), and a wrapper that
// injects faults into any store through the SpillStore interface.
import type { SpillFile, SpillStore } from '../src/index.js';

/** A spill file held in memory. */
export class MemoryFile implements SpillFile {
  data = new Uint8Array(0);
  size = 0;
  sealed = false;

  constructor(
    readonly name: string,
    private readonly store: MemoryStore,
  ) {}

  async write(chunks: readonly Uint8Array[], position: number): Promise<void> {
    if (this.sealed) throw new Error(`${this.name}: write after seal`);
    await Promise.resolve();
    for (const c of chunks) {
      const end = position + c.length;
      if (end > this.data.length) {
        const grown = new Uint8Array(Math.max(end, this.data.length * 2));
        grown.set(this.data.subarray(0, this.size));
        this.data = grown;
      }
      this.data.set(c, position);
      this.size = Math.max(this.size, end);
      position = end;
    }
  }

  async seal(): Promise<void> {
    this.sealed = true;
  }

  async read(into: readonly Uint8Array[], position: number): Promise<number> {
    await Promise.resolve();
    let total = 0;
    for (const c of into) {
      const n = Math.max(0, Math.min(c.length, this.size - position));
      c.set(this.data.subarray(position, position + n));
      total += n;
      position += c.length;
    }
    return total;
  }

  async delete(): Promise<void> {
    this.store.files.delete(this.name);
  }
}

/** Spill files in memory; `files` holds those not yet deleted. */
export class MemoryStore implements SpillStore {
  readonly location = 'memory:';
  readonly files = new Map<string, MemoryFile>();
  /** Files ever created. */
  created = 0;

  async create(hint: string): Promise<SpillFile> {
    const file = new MemoryFile(`${hint}-${this.created++}`, this);
    this.files.set(file.name, file);
    return file;
  }
}

/** Which store call a fault hits: the n-th call (counting from 0) of any operation, or of one. */
export interface Fault {
  readonly op?: 'create' | 'write' | 'read' | 'seal' | 'delete';
  readonly at: number;
  /** Throws this (default: an ENOSPC-like error), or runs this instead of failing. */
  readonly error?: () => unknown;
  readonly run?: () => void;
}

/** Wraps a store, counting every call and failing (or acting) at the fault given. */
export class FaultyStore implements SpillStore {
  readonly location: string;
  calls = 0;
  readonly counts = { create: 0, write: 0, read: 0, seal: 0, delete: 0 };

  constructor(
    private readonly inner: SpillStore,
    private readonly fault: Fault | null,
  ) {
    this.location = `faulty ${inner.location}`;
  }

  /** Counts a call and fails it when the fault says so. */
  hit(op: keyof FaultyStore['counts']): void {
    const n = this.fault?.op === undefined ? this.calls : this.counts[op];
    this.calls++;
    this.counts[op]++;
    const f = this.fault;
    if (f === null || (f.op !== undefined && f.op !== op) || n !== f.at) return;
    if (f.run) return f.run();
    throw f.error ? f.error() : enospc();
  }

  async create(hint: string): Promise<SpillFile> {
    this.hit('create');
    const file = await this.inner.create(hint);
    return {
      name: file.name,
      write: async (chunks, position) => {
        this.hit('write');
        return file.write(chunks, position);
      },
      seal: async () => {
        this.hit('seal');
        return file.seal();
      },
      read: async (into, position) => {
        this.hit('read');
        return file.read(into, position);
      },
      delete: async () => {
        this.hit('delete');
        return file.delete();
      },
    };
  }
}

/** An error as Node's fs gives it when the disk is full. */
export function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}
