import type { Kernels } from './kernels.js';
import { createJsBufferPool } from './js-buffer-pool.js';
import { createJsPageTable } from './js-page-table.js';

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
    ...createJsPageTable(buffer),
    ...createJsBufferPool(buffer),
  };
}
