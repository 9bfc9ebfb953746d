/**
 * A SpillStore in a directory of the local file system, through Node's
 * asynchronous `fs` (a FileHandle per file, positional reads and writes).
 * Files are created exclusively with a name of their own, so several sorters
 * and processes can share one directory.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, SpillStoreError } from '../errors.js';
import type { SpillFile, SpillStore } from '../sort/spill-store.js';
import { errorText } from '../util/error-text.js';
import { render } from '../util/render.js';

let created = 0;

/** Spill files in a directory of the file system. */
export class NodeSpillStore implements SpillStore {
  /** The directory's absolute path. */
  readonly location: string;
  /** Files of this store open now (created and not yet deleted). */
  get openFiles(): number {
    return this.open.size;
  }
  private readonly open = new Set<NodeSpillFile>();

  /** A store in `directory` (default: the system's temporary directory), which must exist; ERR_INVALID_ARGUMENT for a non-string. */
  constructor(directory: string = tmpdir()) {
    if (typeof directory !== 'string' || directory === '') throw new InvalidArgumentError(`the spill directory must be a path, got ${render(directory)}`);
    this.location = resolve(directory);
  }

  /** A new file `segmem-<hint>-…` in the directory; ERR_SPILL_STORE when it cannot be created (missing or unwritable directory). */
  async create(hint: string): Promise<SpillFile> {
    const name = join(this.location, `segmem-${hint}-${process.pid}-${(created++).toString(36)}-${Math.random().toString(36).slice(2, 8)}.spill`);
    let handle: FileHandle;
    try {
      handle = await open(name, 'wx+');
    } catch (err) {
      throw new SpillStoreError(`cannot create spill file ${name}: ${errorText(err)}`, err);
    }
    const file = new NodeSpillFile(name, handle, () => this.open.delete(file));
    this.open.add(file);
    return file;
  }
}

/** One file of a NodeSpillStore. */
class NodeSpillFile implements SpillFile {
  private handle: FileHandle | null;
  private deleting: Promise<void> | null = null;

  constructor(
    readonly name: string,
    handle: FileHandle,
    private readonly onDeleted: () => void,
  ) {
    this.handle = handle;
  }

  async write(chunks: readonly Uint8Array[], position: number): Promise<void> {
    const handle = this.live();
    const { bytesWritten } = await handle.writev(chunks as Uint8Array[], position);
    // A short vectored write (rare): the rest chunk by chunk.
    let skip = bytesWritten;
    for (const chunk of chunks) {
      const from = Math.min(skip, chunk.length);
      skip -= from;
      for (let done = from; done < chunk.length; ) {
        const { bytesWritten: n } = await handle.write(chunk, done, chunk.length - done, position + done);
        done += n;
      }
      position += chunk.length;
    }
  }

  async seal(): Promise<void> {
    this.live();
  }

  async read(into: readonly Uint8Array[], position: number): Promise<number> {
    const handle = this.live();
    const { bytesRead } = await handle.readv(into as Uint8Array[], position);
    // A short vectored read: the rest array by array, until the end of the file.
    let total = bytesRead;
    let skip = bytesRead;
    for (const chunk of into) {
      const from = Math.min(skip, chunk.length);
      skip -= from;
      if (from === chunk.length) {
        position += chunk.length;
        continue;
      }
      for (let done = from; done < chunk.length; ) {
        const { bytesRead: n } = await handle.read(chunk, done, chunk.length - done, position + done);
        if (n === 0) return total;
        done += n;
        total += n;
      }
      position += chunk.length;
    }
    return total;
  }

  delete(): Promise<void> {
    return (this.deleting ??= this.remove());
  }

  private async remove(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    try {
      await handle?.close();
    } finally {
      await rm(this.name, { force: true });
      this.onDeleted();
    }
  }

  private live(): FileHandle {
    if (this.handle === null) throw new SpillStoreError(`spill file ${this.name} was deleted`);
    return this.handle;
  }
}
