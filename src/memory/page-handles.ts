import type { MemorySegment } from './segment.js';

/**
 * Under leak detection, the handle of every page a MemoryManager handed out,
 * held weakly so that a dropped handle can be collected and reported, for
 * releaseAll() and shutdown() to mark each live one freed. Handles are per
 * realm; the page table itself lives in the linear memory. Without leak
 * detection each owner keeps its handles instead (owner-handles.ts), which
 * spares a store into this long-lived array per page.
 */
export class PageHandles {
  /** The handle of each page, as a WeakRef; null when none. */
  private readonly byPage: (WeakRef<MemorySegment> | null)[];

  constructor(pageCount: number) {
    this.byPage = new Array<WeakRef<MemorySegment> | null>(pageCount).fill(null);
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
    return handle === null || handle === undefined ? undefined : handle.deref();
  }
}
