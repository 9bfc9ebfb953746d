/**
 * A SpillStore in the browser's Origin Private File System: one directory of
 * the origin's private root, one file per run. Writing goes through a
 * FileSystemWritableFileStream (positional writes, committed by `seal`);
 * reading through the sealed File's slices. Both work on the main thread as
 * in workers; a worker's synchronous access handle would save the copies,
 * but the main thread has none.
 */
import { InvalidArgumentError, SpillStoreError } from '../errors.js';
import { render } from '../util/render.js';
import type { SpillFile, SpillStore } from './spill-store.js';

let created = 0;

/** Spill files in a directory of the Origin Private File System. */
export class OpfsSpillStore implements SpillStore {
  /** 'OPFS:/' and the directory's name. */
  readonly location: string;
  private readonly directoryName: string;
  private directory: Promise<FileSystemDirectoryHandle> | null = null;

  /** A store in directory `directoryName` of the origin's private root (made when the first file is); ERR_INVALID_ARGUMENT for a name that is not a plain file name. */
  constructor(directoryName = 'segmem-spill') {
    if (typeof directoryName !== 'string' || !/^[\w.-]{1,100}$/.test(directoryName) || directoryName === '.' || directoryName === '..') {
      throw new InvalidArgumentError(`the OPFS directory name must be 1 to 100 letters, digits, '.', '-' or '_', got ${render(directoryName)}`);
    }
    this.directoryName = directoryName;
    this.location = `OPFS:/${directoryName}`;
  }

  /** True where the engine has an Origin Private File System (navigator.storage.getDirectory). */
  static isAvailable(): boolean {
    const nav = (globalThis as { navigator?: { storage?: { getDirectory?: unknown } } }).navigator;
    return typeof nav?.storage?.getDirectory === 'function';
  }

  /** A new file in the directory; ERR_SPILL_STORE where there is no OPFS or it refuses. */
  async create(hint: string): Promise<SpillFile> {
    if (!OpfsSpillStore.isAvailable()) throw new SpillStoreError(`${this.location}: this engine has no Origin Private File System`);
    const name = `${hint}-${Date.now().toString(36)}-${(created++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      this.directory ??= navigator.storage.getDirectory().then((root) => root.getDirectoryHandle(this.directoryName, { create: true }));
      const directory = await this.directory;
      const handle = await directory.getFileHandle(name, { create: true });
      return new OpfsFile(directory, handle, await handle.createWritable(), name);
    } catch (err) {
      this.directory = null;
      throw new SpillStoreError(`${this.location}: cannot create spill file '${name}'`, err);
    }
  }
}

/** One file of an OpfsSpillStore. */
class OpfsFile implements SpillFile {
  private file: File | null = null;
  private deleted = false;

  constructor(
    private readonly directory: FileSystemDirectoryHandle,
    private readonly handle: FileSystemFileHandle,
    private writable: FileSystemWritableFileStream | null,
    readonly name: string,
  ) {}

  async write(chunks: readonly Uint8Array[], position: number): Promise<void> {
    if (this.writable === null) throw new SpillStoreError(`${this.name}: written after it was sealed or deleted`);
    // One copy of the chunks: the stream may queue it past the sorter's reuse of its pages.
    const data = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
    await this.writable.write({ type: 'write', position, data });
  }

  async seal(): Promise<void> {
    const writable = this.writable;
    if (writable === null) return;
    this.writable = null;
    await writable.close();
    this.file = await this.handle.getFile();
  }

  async read(into: readonly Uint8Array[], position: number): Promise<number> {
    if (this.file === null) throw new SpillStoreError(`${this.name}: read before it was sealed, or after it was deleted`);
    const total = into.reduce((n, c) => n + c.length, 0);
    const bytes = new Uint8Array(await this.file.slice(position, position + total).arrayBuffer());
    let at = 0;
    for (const c of into) {
      const n = Math.min(c.length, bytes.length - at);
      if (n <= 0) break;
      c.set(bytes.subarray(at, at + n));
      at += n;
    }
    return bytes.length;
  }

  async delete(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    const writable = this.writable;
    this.writable = null;
    this.file = null;
    try {
      await writable?.abort();
    } finally {
      await this.directory.removeEntry(this.name);
    }
  }
}
