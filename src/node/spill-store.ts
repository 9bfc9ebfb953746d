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

  async write(bytes: Uint8Array, position: number): Promise<void> {
    const handle = this.live();
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  }

  async seal(): Promise<void> {
    this.live();
  }

  async read(into: Uint8Array, position: number): Promise<number> {
    const handle = this.live();
    let done = 0;
    while (done < into.length) {
      const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
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
