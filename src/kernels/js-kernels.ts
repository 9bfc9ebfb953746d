import type { Kernels } from './kernels.js';
import { createJsOffHeap } from './js-off-heap.js';
import { createJsBufferPool } from './js-buffer-pool.js';
import { createJsPageTable } from './js-page-table.js';
import { createJsBatch } from './js-batch.js';
import { createJsMerge } from './js-merge.js';
import { createJsSort } from './js-sort.js';
import { byteSwapRange, compareRange, copyRange, equalRange, swapRange } from './small-ops.js';

/** Below this many bytes a loop beats `copyWithin` and `set`, whose call overhead dominates small ranges. */
const SMALL_RANGE = 64;

/**
 * The pure-JS kernels over one ArrayBuffer: the same functions, and the same
 * memory layout, as the AssemblyScript module, so everything above them is
 * shared code and the two builds can be measured side by side.
 */
export function createJsKernels(buffer: ArrayBufferLike): Kernels {
  const u8 = new Uint8Array(buffer);
  const dv = new DataView(buffer);
  let scratch = new Uint8Array(256);

  const copy = (dst: number, src: number, n: number): void => {
    if (n > SMALL_RANGE) u8.copyWithin(dst, src, src + n);
    else copyRange(dv, u8, dst, src, n);
  };

  const swap = (a: number, b: number, n: number): void => {
    if (n <= SMALL_RANGE) {
      swapRange(dv, u8, a, b, n);
      return;
    }
    if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
    scratch.set(u8.subarray(a, a + n));
    u8.copyWithin(a, b, b + n);
    u8.set(scratch.subarray(0, n), b);
  };

  const byteSwap16 = (addr: number, n: number): void => byteSwapRange(dv, addr, n, 2);
  const byteSwap32 = (addr: number, n: number): void => byteSwapRange(dv, addr, n, 4);
  const byteSwap64 = (addr: number, n: number): void => byteSwapRange(dv, addr, n, 8);

  return {
    heapBase: () => 0,
    copy,
    fill: (dst, value, n) => void u8.fill(value, dst, dst + n),
    compare: (a, b, n) => compareRange(dv, u8, a, b, n),
    equal: (a, b, n) => (equalRange(dv, u8, a, b, n) ? 1 : 0),
    swap,
    byteSwap16,
    byteSwap32,
    byteSwap64,
    ...createJsPageTable(buffer),
    ...createJsOffHeap(buffer),
    ...createJsSort(buffer),
    ...createJsBatch(buffer),
    ...createJsMerge(buffer),
    ...createJsBufferPool(buffer),
  };
}
