/**
 * Where the external sorter keeps its sorted runs: a small interface over
 * temporary files, so that Node's file system (`NodeSpillStore` from
 * 'segmem/node'), the browser's Origin Private File System (`OpfsSpillStore`)
 * and a test's fault-injecting wrapper are interchangeable.
 *
 * A file is written with positional writes, then sealed, then read with
 * positional reads, then deleted. Every call may reject; the sorter turns a
 * rejection into a SpillStoreError that names the file and the operation, and
 * keeps the store's own error (an ENOSPC, say) as its `cause`.
 *
 * Reads and writes are vectored: a run's blocks are pages, not contiguous in
 * memory, and one call per few pages costs far less than one per page
 * (256 MiB written 32 KiB at a time took 245 ms of CPU, 256 KiB at a time
 * 105 ms, Node 20).
 *
 * The bytes handed to `write` and `read` are views of the sorter's pages:
 * the store must be done with them when its promise settles (copy them if it
 * keeps them), and never hold on to them after.
 */
import { SpillStoreError } from '../errors.js';
import { OpfsSpillStore } from './opfs-store.js';

/** A place to create temporary spill files. */
export interface SpillStore {
  /** Where the files go, for messages (a directory path, 'OPFS:/name'). */
  readonly location: string;
  /** A new, empty file open for writing; `hint` is a short name to make it recognizable. */
  create(hint: string): Promise<SpillFile>;
}

/** One temporary file of a SpillStore. */
export interface SpillFile {
  /** The file's name in its store, for messages. */
  readonly name: string;
  /** Writes all of `chunks`, one after the other, from byte `position` (one vectored write where the store has them). */
  write(chunks: readonly Uint8Array[], position: number): Promise<void>;
  /** Ends writing: afterwards only `read` and `delete` are called. */
  seal(): Promise<void>;
  /** Fills `into`, one array after the other, from byte `position`; resolves to the bytes read in all (fewer only at the end of the file). */
  read(into: readonly Uint8Array[], position: number): Promise<number>;
  /** Closes the file and removes it; idempotent, and allowed at any point. */
  delete(): Promise<void>;
}

/**
 * The store used when none is given: the Origin Private File System where the
 * engine has one; elsewhere (Node, an old browser) a SpillStoreError saying
 * that a spill directory is needed.
 */
export function defaultSpillStore(): SpillStore {
  if (OpfsSpillStore.isAvailable()) return new OpfsSpillStore();
  throw new SpillStoreError(
    "the external sorter needs a spill directory: this engine has no Origin Private File System, so pass { store } (in Node: new NodeSpillStore(directory) from 'segmem/node')",
  );
}
