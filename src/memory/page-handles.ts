import type { MemorySegment } from './segment.js';

/**
 * Batches of this many pages or more are registered as one array; smaller
 * ones page by page. Storing each new segment into a long-lived per-page
 * array costs a write barrier per page (old space pointing at a young object):
 * in W7 (1000 pages) that store alone was about 11 ns of 36 per page. A
 * batch costs one such store, a copy of the young result array, and two
 * Int32Array entries per page.
 */
const BATCH_MIN = 8;

/**
 * The live handle of every page a MemoryManager handed out, so that
 * releaseAll() and shutdown() can mark each one freed. Handles are per realm;
 * the page table itself lives in the linear memory.
 *
 *   single[page]           the handle, for pages handed out in small batches (or a WeakRef under leak detection)
 *   batchOf[page]          index into `batches`, or -1
 *   indexInBatch[page]     where the handle sits in its batch
 *   batches[b]             a copy of one allocatePages() result; dropped once all its pages are released
 *   liveInBatch[b]         pages of batch b not yet released
 */
export class PageHandles {
  private readonly single: (MemorySegment | WeakRef<MemorySegment> | null)[];
  private readonly batchOf: Int32Array;
  private readonly indexInBatch: Int32Array;
  private readonly batches: (readonly MemorySegment[] | undefined)[];
  private readonly liveInBatch: Int32Array;
  /** Batch indices not in use; at most one batch per page can be live. */
  private readonly freeBatches: Int32Array;
  private freeBatchCount: number;

  constructor(pageCount: number) {
    this.single = new Array<MemorySegment | null>(pageCount).fill(null);
    this.batchOf = new Int32Array(pageCount).fill(-1);
    this.indexInBatch = new Int32Array(pageCount);
    this.batches = new Array<MemorySegment[] | undefined>(pageCount).fill(undefined);
    this.liveInBatch = new Int32Array(pageCount);
    this.freeBatches = new Int32Array(pageCount);
    for (let i = 0; i < pageCount; i++) this.freeBatches[i] = pageCount - 1 - i;
    this.freeBatchCount = pageCount;
  }

  /** Registers the `n` handles of one allocation; `pages[i]` is the page of `segments[i]`. */
  add(segments: readonly MemorySegment[], pages: Int32Array, n: number): void {
    if (n < BATCH_MIN) {
      for (let i = 0; i < n; i++) this.single[pages[i]!] = segments[i]!;
      return;
    }
    const batch = this.freeBatches[--this.freeBatchCount]!;
    this.batches[batch] = segments.slice(0, n);
    this.liveInBatch[batch] = n;
    const batchOf = this.batchOf;
    const indexInBatch = this.indexInBatch;
    for (let i = 0; i < n; i++) {
      const page = pages[i]!;
      batchOf[page] = batch;
      indexInBatch[page] = i;
    }
  }

  /** Registers a handle watched for leaks: held weakly, so that it can be collected. */
  addWeak(page: number, ref: WeakRef<MemorySegment>): void {
    this.single[page] = ref;
  }

  /** True while `page` is registered with exactly `ref`. */
  holdsWeak(page: number, ref: WeakRef<MemorySegment>): boolean {
    return this.single[page] === ref;
  }

  /** Forgets the handle of `page` (its page went back). */
  forget(page: number): void {
    const batch = this.batchOf[page]!;
    if (batch < 0) {
      this.single[page] = null;
      return;
    }
    this.batchOf[page] = -1;
    if (--this.liveInBatch[batch]! === 0) {
      this.batches[batch] = undefined;
      this.freeBatches[this.freeBatchCount++] = batch;
    }
  }

  /** The handle of `page`, forgotten; undefined when none is registered or a weak one was collected. */
  take(page: number): MemorySegment | undefined {
    const batch = this.batchOf[page]!;
    let handle: MemorySegment | WeakRef<MemorySegment> | null | undefined;
    if (batch < 0) handle = this.single[page];
    else handle = this.batches[batch]![this.indexInBatch[page]!];
    this.forget(page);
    if (handle === null || handle === undefined) return undefined;
    return handle instanceof WeakRef ? handle.deref() : handle;
  }
}
