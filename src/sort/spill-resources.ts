/**
 * What an external sort holds besides its in-memory sorter: pages taken for
 * run writers, run readers and the output stage, and spill files. Each is
 * recorded when taken, so that `releaseAll` gives back exactly what is still
 * out, after letting the reads and writes in flight settle (they land in, or
 * read from, the pages).
 */
import { SpillStoreError } from '../errors.js';
import type { MemoryManager } from '../memory/memory-manager.js';
import type { MemorySegment } from '../memory/segment.js';
import { errorText } from '../util/error-text.js';
import { RunReader } from './run-reader.js';
import { RunWriter } from './run-writer.js';
import type { SpillFile, SpillStore } from './spill-store.js';

/**
 * Most pages one run reader takes: two groups of sixteen, each read with one
 * call. A read's call costs the main thread 25-30 µs whatever its size
 * (FileHandle.read, Node 20); groups of four made readBuffers 152 ms of the
 * merge of 256 MiB, groups of sixteen 76-108 ms (--cpu-prof, loaded machine).
 */
const MAX_READER_PAGES = 32;

/** Bytes moved through the spill files. @internal */
export interface SpillCounts {
  bytesWritten: number;
  bytesRead: number;
}

/** The pages and files of one external sort. @internal */
export class SpillResources {
  private readonly files = new Set<SpillFile>();
  private readonly held = new Set<MemorySegment[]>();
  private readonly pagesOf = new Map<RunReader | RunWriter, MemorySegment[]>();

  constructor(
    private readonly mm: MemoryManager,
    private readonly owner: unknown,
    private readonly store: SpillStore,
    private readonly keyBytes: number,
    private readonly fingerprint: number,
    private readonly counts: SpillCounts,
  ) {}

  /** `count` pages from the manager, recorded. */
  take(count: number): MemorySegment[] {
    const pages = this.mm.allocatePages(this.owner, count);
    this.held.add(pages);
    return pages;
  }

  /** Gives back pages taken with `take`. */
  release(pages: MemorySegment[]): void {
    if (!this.held.delete(pages)) return;
    if (!this.mm.isShutdown()) this.mm.release(pages);
  }

  /** A writer of a new run file over `pages` new pages. */
  async newWriter(pages: number): Promise<RunWriter> {
    const file = await this.createFile('run');
    const ring = this.take(pages);
    const writer = new RunWriter(file, ring, this.keyBytes, this.fingerprint, (n) => void (this.counts.bytesWritten += n));
    this.pagesOf.set(writer, ring);
    return writer;
  }

  /** Ends a run and gives its writer's pages back; resolves to its file. */
  async finishWriter(writer: RunWriter): Promise<SpillFile> {
    await writer.finish();
    this.give(writer);
    return writer.file;
  }

  /** Opens a reader per file, each with its share of `budget` pages (1 to 8); `between` runs after each open (an abort check). */
  async openReaders(files: readonly SpillFile[], budget: number, between: () => void): Promise<RunReader[]> {
    const each = Math.max(1, Math.min(MAX_READER_PAGES, Math.floor(budget / files.length)));
    const readers: RunReader[] = [];
    for (const file of files) {
      const pages = this.take(each);
      const reader = new RunReader(file, pages, this.keyBytes, this.fingerprint, (n) => void (this.counts.bytesRead += n));
      this.pagesOf.set(reader, pages);
      readers.push(reader);
      await reader.open();
      between();
    }
    return readers;
  }

  /** A page of `reader`'s: the linear memory it reads into. */
  pageOf(reader: RunReader): MemorySegment {
    return this.pagesOf.get(reader)![0]!;
  }

  /** Waits for a reader's reads, then gives its pages back. */
  async closeReader(reader: RunReader): Promise<void> {
    await reader.settle();
    this.give(reader);
  }

  /** Deletes a file no longer needed; ERR_SPILL_STORE when the store fails to. */
  async deleteFile(file: SpillFile): Promise<void> {
    this.files.delete(file);
    try {
      await file.delete();
    } catch (err) {
      throw storeError(err, `cannot delete spill file ${file.name}`);
    }
  }

  /** Gives back every page and deletes every file still out; ERR_SPILL_STORE (after all that) when a file could not be deleted. */
  async releaseAll(): Promise<void> {
    // Reads and writes in flight land in the pages: they settle before the pages go.
    for (const user of this.pagesOf.keys()) await user.settle().catch(() => {});
    this.pagesOf.clear();
    for (const pages of this.held) if (!this.mm.isShutdown()) this.mm.release(pages);
    this.held.clear();
    let failure: { file: SpillFile; err: unknown } | null = null;
    for (const file of this.files) {
      try {
        await file.delete();
      } catch (err) {
        failure ??= { file, err };
      }
    }
    this.files.clear();
    if (failure !== null) throw storeError(failure.err, `cannot delete spill file ${failure.file.name}`);
  }

  private async createFile(hint: string): Promise<SpillFile> {
    let file: SpillFile;
    try {
      file = await this.store.create(hint);
    } catch (err) {
      throw storeError(err, `cannot create a spill file in ${this.store.location}`);
    }
    this.files.add(file);
    return file;
  }

  /** Gives back the pages of a reader or writer whose I/O has settled. */
  private give(user: RunReader | RunWriter): void {
    const pages = this.pagesOf.get(user);
    this.pagesOf.delete(user);
    if (pages === undefined) return;
    this.held.delete(pages);
    if (!this.mm.isShutdown()) this.mm.release(pages);
  }
}

/** A store's failure as a SpillStoreError (kept as it is when it already is one). */
export function storeError(err: unknown, what: string): SpillStoreError {
  if (err instanceof SpillStoreError) return err;
  return new SpillStoreError(`${what}: ${errorText(err)}`, err);
}
