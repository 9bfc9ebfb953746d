import type { MemorySegment } from './segment.js';

/**
 * The live handle of every page a MemoryManager handed out, so that
 * releaseAll() and shutdown() can mark each one freed. Handles are per realm;
 * the page table itself lives in the linear memory.
 *
 * One slot per page. Storing a new handle into this long-lived array costs a
 * write barrier (old space pointing at a young object): in W7 (1000 pages)
 * about 8 ns of 42 per page. Registering whole batches instead (a copy of the
 * result array, two Int32Array entries per page) measured 1 ns faster, within
 * the noise, so the simpler form stays (node 20, in-process A/B, CPU time).
 */
export class PageHandles {
  /** The handle of each page; a WeakRef under leak detection; null when none. */
  private readonly byPage: (MemorySegment | WeakRef<MemorySegment> | null)[];

  constructor(pageCount: number) {
    this.byPage = new Array<MemorySegment | null>(pageCount).fill(null);
  }

  /** Registers the `n` handles of one allocation; `pages[i]` is the page of `segments[i]`. */
  add(segments: readonly MemorySegment[], pages: Int32Array, n: number): void {
    const byPage = this.byPage;
    for (let i = 0; i < n; i++) byPage[pages[i]!] = segments[i]!;
  }

  /** Registers a handle watched for leaks: held weakly, so that it can be collected. */
  addWeak(page: number, ref: WeakRef<MemorySegment>): void {
    this.byPage[page] = ref;
  }

  /** True while `page` is registered with exactly `ref`. */
  holdsWeak(page: number, ref: WeakRef<MemorySegment>): boolean {
    return this.byPage[page] === ref;
  }

  /** Forgets the handle of `page` (its page went back). */
  forget(page: number): void {
    this.byPage[page] = null;
  }

  /** The handle of `page`, forgotten; undefined when none is registered or a weak one was collected. */
  take(page: number): MemorySegment | undefined {
    const handle = this.byPage[page];
    this.byPage[page] = null;
    if (handle === null || handle === undefined) return undefined;
    return handle instanceof WeakRef ? handle.deref() : handle;
  }
}
