import type { Kernels } from './kernels.js';
import { PAGE_TABLE_HEADER, ioOffset, nextOffset, ownersOffset, pageTableBytes, prevOffset } from './page-table-layout.js';

/** Below this many bytes a loop beats `copyWithin`, whose call overhead dominates small copies. */
const SMALL_COPY = 64;

/**
 * The pure-JS kernels over one ArrayBuffer: the same functions, and the same
 * memory layout, as the AssemblyScript module, so everything above them is
 * shared code and the two builds can be measured side by side.
 */
export function createJsKernels(buffer: ArrayBuffer): Kernels {
  const u8 = new Uint8Array(buffer);
  const dv = new DataView(buffer);
  const i32 = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
  let scratch = new Uint8Array(256);

  const copy = (dst: number, src: number, n: number): void => {
    if (n > SMALL_COPY || (dst > src && dst < src + n)) {
      u8.copyWithin(dst, src, src + n);
      return;
    }
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      dv.setInt32(dst + i, dv.getInt32(src + i, true), true);
      dv.setInt32(dst + i + 4, dv.getInt32(src + i + 4, true), true);
    }
    for (; i < n; i++) u8[dst + i] = u8[src + i]!;
  };

  const compare = (a: number, b: number, n: number): number => {
    let i = 0;
    // Four bytes at a time, read big-endian so the lowest address weighs most.
    for (; i + 4 <= n; i += 4) {
      const x = dv.getUint32(a + i, false);
      const y = dv.getUint32(b + i, false);
      if (x !== y) return x < y ? -1 : 1;
    }
    for (; i < n; i++) {
      const x = u8[a + i]!;
      const y = u8[b + i]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

  const equal = (a: number, b: number, n: number): number => {
    let i = 0;
    for (; i + 4 <= n; i += 4) if (dv.getInt32(a + i, true) !== dv.getInt32(b + i, true)) return 0;
    for (; i < n; i++) if (u8[a + i] !== u8[b + i]) return 0;
    return 1;
  };

  const swap = (a: number, b: number, n: number): void => {
    if (n > SMALL_COPY) {
      if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
      scratch.set(u8.subarray(a, a + n));
      u8.copyWithin(a, b, b + n);
      u8.set(scratch.subarray(0, n), b);
      return;
    }
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const x = dv.getInt32(a + i, true);
      dv.setInt32(a + i, dv.getInt32(b + i, true), true);
      dv.setInt32(b + i, x, true);
    }
    for (; i < n; i++) {
      const x = u8[a + i]!;
      u8[a + i] = u8[b + i]!;
      u8[b + i] = x;
    }
  };

  const byteSwap16 = (addr: number, n: number): void => {
    for (let i = addr, end = addr + n; i < end; i += 2) dv.setUint16(i, dv.getUint16(i, true), false);
  };
  const byteSwap32 = (addr: number, n: number): void => {
    for (let i = addr, end = addr + n; i < end; i += 4) dv.setUint32(i, dv.getUint32(i, true), false);
  };
  const byteSwap64 = (addr: number, n: number): void => {
    for (let i = addr, end = addr + n; i < end; i += 8) {
      const lo = dv.getUint32(i, true);
      dv.setUint32(i, dv.getUint32(i + 4, true), false);
      dv.setUint32(i + 4, lo, false);
    }
  };

  // The page table, in the layout drawn in assembly/pages.ts. Indices below
  // are in int32 units: `t` is the table address divided by four.

  /** Int32 indices of a table's arrays. */
  const arrays = (table: number) => {
    const pageCount = i32[table >>> 2]!;
    return {
      pageCount,
      stack: (table + PAGE_TABLE_HEADER) >>> 2,
      owners: (table + ownersOffset(pageCount)) >>> 2,
      next: (table + nextOffset(pageCount)) >>> 2,
      prev: (table + prevOffset(pageCount)) >>> 2,
      io: (table + ioOffset(pageCount)) >>> 2,
    };
  };
  const pagesInit = (table: number, pageCount: number, pageShift: number, arenaBase: number, zero: number): void => {
    const t = table >>> 2;
    i32[t] = pageCount;
    i32[t + 1] = pageCount;
    i32[t + 2] = pageShift;
    i32[t + 3] = arenaBase;
    i32[t + 4] = zero;
    const { stack, owners, next, prev } = arrays(table);
    for (let i = 0; i < pageCount; i++) {
      i32[stack + i] = pageCount - 1 - i;
      i32[owners + i] = 0;
    }
    for (let node = pageCount; node < 2 * pageCount; node++) {
      i32[next + node] = node;
      i32[prev + node] = node;
    }
  };

  const pagesAllocate = (table: number, slot: number, n: number): number => {
    const t = table >>> 2;
    let free = i32[t + 1]!;
    if (n > free || n < 0) return -1;
    const { pageCount, stack, owners, next, prev, io } = arrays(table);
    const sentinel = pageCount + slot;
    let first = i32[next + sentinel]!;
    for (let i = 0; i < n; i++) {
      const page = i32[stack + --free]!;
      i32[owners + page] = slot + 1;
      i32[next + page] = first;
      i32[prev + page] = sentinel;
      i32[prev + first] = page;
      first = page;
      i32[io + i] = page;
    }
    i32[next + sentinel] = first;
    i32[t + 1] = free;
    return n;
  };

  const releasePage = (t: number, page: number, free: number): void => {
    i32[t + (PAGE_TABLE_HEADER >>> 2) + free] = page;
    if (i32[t + 4] !== 0) {
      const shift = i32[t + 2]!;
      const start = i32[t + 3]! + page * 2 ** shift;
      u8.fill(0, start, start + 2 ** shift);
    }
  };

  const pagesRelease = (table: number, n: number): number => {
    const t = table >>> 2;
    const { pageCount, owners, next, prev, io } = arrays(table);
    let free = i32[t + 1]!;
    let released = 0;
    for (let i = 0; i < n; i++) {
      const page = i32[io + i]!;
      if (page >>> 0 >= pageCount || i32[owners + page] === 0) continue;
      i32[owners + page] = 0;
      const after = i32[next + page]!;
      const before = i32[prev + page]!;
      i32[next + before] = after;
      i32[prev + after] = before;
      releasePage(t, page, free++);
      released++;
    }
    i32[t + 1] = free;
    return released;
  };

  const pagesReleaseAll = (table: number, slot: number): number => {
    const t = table >>> 2;
    const { pageCount, owners, next, prev, io } = arrays(table);
    const sentinel = pageCount + slot;
    let free = i32[t + 1]!;
    let count = 0;
    for (let page = i32[next + sentinel]!; page !== sentinel; page = i32[next + page]!) {
      i32[owners + page] = 0;
      releasePage(t, page, free++);
      i32[io + count++] = page;
    }
    i32[next + sentinel] = sentinel;
    i32[prev + sentinel] = sentinel;
    i32[t + 1] = free;
    return count;
  };

  return {
    heapBase: () => 0,
    copy,
    fill: (dst, value, n) => void u8.fill(value, dst, dst + n),
    compare,
    equal,
    swap,
    byteSwap16,
    byteSwap32,
    byteSwap64,
    pageTableBytes,
    pagesInit,
    pagesAllocate,
    pagesRelease,
    pagesReleaseAll,
  };
}
