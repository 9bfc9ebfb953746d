/**
 * The page table kernels in TypeScript: the twin of assembly/pages.ts, over
 * the same bytes in the same layout (src/kernels/page-table-layout.ts), so
 * either build's kernels can run a table the other laid out.
 */
import type { Kernels } from './kernels.js';
import {
  PT_BYTES_AVAILABLE,
  PT_FREE_COUNT,
  PT_FREE_SLOTS,
  PT_PAGE_COUNT,
  PT_PAGE_SHIFT,
  PT_PAGES_BASE,
  PT_ZERO_ON_RELEASE,
  pageTableArrays,
  pageTableBytes,
} from './page-table-layout.js';

/** The page-table members of Kernels. */
export type PageTableKernels = Pick<
  Kernels,
  'pageTableBytes' | 'pagesInit' | 'pagesAllocate' | 'pagesRelease' | 'pagesReleaseAll' | 'budgetReserve' | 'budgetRelease' | 'slotAcquire' | 'slotRelease'
>;

/** Page-table kernels over `buffer`. */
export function createJsPageTable(buffer: ArrayBufferLike): PageTableKernels {
  const u8 = new Uint8Array(buffer);
  // Whole-buffer views take their length from the buffer: `byteLength >>> 2`
  // would be 0 for a memory of exactly 2^32 bytes.
  const i32 = new Int32Array(buffer);
  const u32 = new Uint32Array(buffer);

  /** A header field (u32). */
  const get = (table: number, field: number): number => u32[(table + field) >>> 2]!;
  const set = (table: number, field: number, value: number): void => {
    u32[(table + field) >>> 2] = value;
  };

  /** Int32 indices of a table's arrays. */
  const arrays = (table: number) => {
    const pageCount = get(table, PT_PAGE_COUNT);
    const at = pageTableArrays(pageCount);
    return {
      pageCount,
      stack: (table + at.freeStack) >>> 2,
      owners: (table + at.owners) >>> 2,
      io: (table + at.io) >>> 2,
      slots: (table + at.slots) >>> 2,
    };
  };

  const pagesInit = (table: number, pageCount: number, pageShift: number, pagesBase: number, zero: number): void => {
    set(table, PT_PAGE_COUNT, pageCount);
    set(table, PT_FREE_COUNT, pageCount);
    set(table, PT_PAGE_SHIFT, pageShift);
    set(table, PT_PAGES_BASE, pagesBase);
    set(table, PT_ZERO_ON_RELEASE, zero);
    set(table, PT_BYTES_AVAILABLE, pageCount * 2 ** pageShift);
    set(table, PT_FREE_SLOTS, pageCount);
    const { stack, owners, slots } = arrays(table);
    for (let i = 0; i < pageCount; i++) {
      i32[stack + i] = pageCount - 1 - i;
      i32[slots + i] = pageCount - 1 - i;
      i32[owners + i] = 0;
    }
  };

  const pagesAllocate = (table: number, slot: number, n: number): number => {
    let free = get(table, PT_FREE_COUNT);
    const bytes = n * 2 ** get(table, PT_PAGE_SHIFT);
    const available = get(table, PT_BYTES_AVAILABLE);
    if (n > free || n < 0 || bytes > available) return -1;
    const { stack, owners, io } = arrays(table);
    const mark = slot + 1;
    for (let i = 0; i < n; i++) {
      const page = i32[stack + --free]!;
      i32[owners + page] = mark;
      i32[io + i] = page;
    }
    set(table, PT_FREE_COUNT, free);
    set(table, PT_BYTES_AVAILABLE, available - bytes);
    return n;
  };

  /** Pushes `page` on the free stack at depth `free`, zeroing it first when the table says so. */
  const freePage = (table: number, stack: number, page: number, free: number): void => {
    i32[stack + free] = page;
    if (get(table, PT_ZERO_ON_RELEASE) !== 0) {
      const size = 2 ** get(table, PT_PAGE_SHIFT);
      const start = get(table, PT_PAGES_BASE) + page * size;
      u8.fill(0, start, start + size);
    }
  };

  const returnToBudget = (table: number, count: number): void => {
    set(table, PT_BYTES_AVAILABLE, get(table, PT_BYTES_AVAILABLE) + count * 2 ** get(table, PT_PAGE_SHIFT));
  };

  const pagesRelease = (table: number, n: number): number => {
    const { pageCount, stack, owners, io } = arrays(table);
    let free = get(table, PT_FREE_COUNT);
    let released = 0;
    for (let i = 0; i < n; i++) {
      const page = i32[io + i]!;
      if (page >>> 0 >= pageCount || i32[owners + page] === 0) continue;
      i32[owners + page] = 0;
      freePage(table, stack, page, free++);
      released++;
    }
    set(table, PT_FREE_COUNT, free);
    returnToBudget(table, released);
    return released;
  };

  const pagesReleaseAll = (table: number, slot: number): number => {
    // No list links an owner's pages: a scan of ownerOf finds them, in page order (assembly/pages.ts).
    const { pageCount, stack, owners, io } = arrays(table);
    const mark = slot + 1;
    let free = get(table, PT_FREE_COUNT);
    let count = 0;
    for (let page = 0; page < pageCount; page++) {
      if (i32[owners + page] !== mark) continue;
      i32[owners + page] = 0;
      freePage(table, stack, page, free++);
      i32[io + count++] = page;
    }
    set(table, PT_FREE_COUNT, free);
    returnToBudget(table, count);
    return count;
  };

  const budgetReserve = (table: number, bytes: number): number => {
    const available = get(table, PT_BYTES_AVAILABLE);
    if (bytes > available) return 0;
    set(table, PT_BYTES_AVAILABLE, available - bytes);
    return 1;
  };

  const budgetRelease = (table: number, bytes: number): void => set(table, PT_BYTES_AVAILABLE, get(table, PT_BYTES_AVAILABLE) + bytes);

  const slotAcquire = (table: number): number => {
    const count = get(table, PT_FREE_SLOTS);
    if (count === 0) return -1;
    set(table, PT_FREE_SLOTS, count - 1);
    return i32[arrays(table).slots + count - 1]!;
  };

  const slotRelease = (table: number, slot: number): void => {
    const count = get(table, PT_FREE_SLOTS);
    i32[arrays(table).slots + count] = slot;
    set(table, PT_FREE_SLOTS, count + 1);
  };

  return { pageTableBytes, pagesInit, pagesAllocate, pagesRelease, pagesReleaseAll, budgetReserve, budgetRelease, slotAcquire, slotRelease };
}
