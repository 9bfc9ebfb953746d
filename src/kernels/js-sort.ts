/**
 * The sort kernels in TypeScript: the twin of assembly/sort.ts, the same
 * algorithms step for step (same pivots, same swaps) over the same control
 * block and entries (src/kernels/sort-layout.ts), so both builds put every
 * index in the same order.
 */
import type { Kernels } from './kernels.js';
import { createJsRadix, type RadixKernels } from './js-radix.js';
import { SORT_ENTRY_SHIFT, SORT_FLAGS, SORT_LIST, SORT_N, SORT_PAGE_SHIFT } from './sort-layout.js';

/** The sort members of Kernels. */
export type SortKernels = Pick<Kernels, 'sortInPlace' | 'sortInPlaceRange' | 'sortPartition' | 'sortNextTie' | 'sortRunEnd'> & RadixKernels;

/** Below this many entries a range is insertion-sorted (as in assembly/sort.ts). */
const INSERTION_MAX = 16;

/** Sort kernels over `buffer`. */
export function createJsSort(buffer: ArrayBufferLike): SortKernels {
  const u32 = new Uint32Array(buffer);
  const dv = new DataView(buffer);

  const field = (ctl: number, offset: number): number => u32[(ctl + offset) >>> 2]!;

  /** Address of entry `i` of the list at `list`. */
  const entryAt = (list: number, i: number, ps: number, es: number): number => u32[(list >>> 2) + (i >>> ps)]! + ((i & ((1 << ps) - 1)) << es);

  /** Order by key bytes (and zero padding), then, when stable, by pointer. */
  const compareEntries = (a: number, b: number, es: number, stable: boolean): number => {
    const words = ((1 << es) - 4) >>> 2;
    for (let w = 0; w < words; w++) {
      const x = dv.getUint32(a + (w << 2), false);
      const y = dv.getUint32(b + (w << 2), false);
      if (x !== y) return x < y ? -1 : 1;
    }
    if (!stable) return 0;
    const p = u32[(a >>> 2) + words]!;
    const q = u32[(b >>> 2) + words]!;
    return p < q ? -1 : p > q ? 1 : 0;
  };

  const swapEntries = (a: number, b: number, es: number): void => {
    const words = 1 << (es - 2);
    let i = a >>> 2;
    let j = b >>> 2;
    for (let w = 0; w < words; w++, i++, j++) {
      const x = u32[i]!;
      u32[i] = u32[j]!;
      u32[j] = x;
    }
  };

  const insertionSort = (list: number, lo: number, hi: number, ps: number, es: number, stable: boolean): void => {
    for (let i = lo + 1; i <= hi; i++) {
      for (let j = i; j > lo; j--) {
        const a = entryAt(list, j - 1, ps, es);
        const b = entryAt(list, j, ps, es);
        if (compareEntries(a, b, es, stable) <= 0) break;
        swapEntries(a, b, es);
      }
    }
  };

  const siftDown = (list: number, lo: number, root: number, n: number, ps: number, es: number, stable: boolean): void => {
    for (;;) {
      let child = 2 * root + 1;
      if (child >= n) return;
      if (child + 1 < n && compareEntries(entryAt(list, lo + child, ps, es), entryAt(list, lo + child + 1, ps, es), es, stable) < 0) child++;
      const r = entryAt(list, lo + root, ps, es);
      const c = entryAt(list, lo + child, ps, es);
      if (compareEntries(r, c, es, stable) >= 0) return;
      swapEntries(r, c, es);
      root = child;
    }
  };

  const heapSort = (list: number, lo: number, hi: number, ps: number, es: number, stable: boolean): void => {
    const n = hi - lo + 1;
    for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(list, lo, i, n, ps, es, stable);
    for (let end = n - 1; end > 0; end--) {
      swapEntries(entryAt(list, lo, ps, es), entryAt(list, lo + end, ps, es), es);
      siftDown(list, lo, 0, end, ps, es, stable);
    }
  };

  const partition = (list: number, lo: number, hi: number, ps: number, es: number, stable: boolean): number => {
    const mid = lo + ((hi - lo) >> 1);
    const a = entryAt(list, lo, ps, es);
    const m = entryAt(list, mid, ps, es);
    const z = entryAt(list, hi, ps, es);
    if (compareEntries(m, a, es, stable) < 0) swapEntries(m, a, es);
    if (compareEntries(z, a, es, stable) < 0) swapEntries(z, a, es);
    if (compareEntries(z, m, es, stable) < 0) swapEntries(z, m, es);
    swapEntries(a, m, es);
    let i = lo + 1;
    let j = hi;
    for (;;) {
      while (compareEntries(entryAt(list, i, ps, es), a, es, stable) < 0) i++;
      while (compareEntries(entryAt(list, j, ps, es), a, es, stable) > 0) j--;
      if (i >= j) break;
      swapEntries(entryAt(list, i, ps, es), entryAt(list, j, ps, es), es);
      i++;
      j--;
    }
    swapEntries(a, entryAt(list, j, ps, es), es);
    return j;
  };

  const introSort = (list: number, lo: number, hi: number, depth: number, ps: number, es: number, stable: boolean): void => {
    while (hi - lo + 1 > INSERTION_MAX) {
      if (depth === 0) {
        heapSort(list, lo, hi, ps, es, stable);
        return;
      }
      depth--;
      const j = partition(list, lo, hi, ps, es, stable);
      if (j - lo < hi - j) {
        introSort(list, lo, j - 1, depth, ps, es, stable);
        lo = j + 1;
      } else {
        introSort(list, j + 1, hi, depth, ps, es, stable);
        hi = j - 1;
      }
    }
    insertionSort(list, lo, hi, ps, es, stable);
  };

  /** The index's list, page shift, entry shift and stable flag, as the in-place kernels read them. */
  const inPlaceArgs = (ctl: number): [number, number, number, boolean] => [field(ctl, SORT_LIST), field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT), (field(ctl, SORT_FLAGS) & 1) !== 0];

  const sortInPlace = (ctl: number): void => {
    const n = field(ctl, SORT_N);
    if (n < 2) return;
    const [list, ps, es, stable] = inPlaceArgs(ctl);
    introSort(list, 0, n - 1, 2 * (32 - Math.clz32(n)), ps, es, stable);
  };

  const sortInPlaceRange = (ctl: number, lo: number, hi: number, depth: number): void => {
    const [list, ps, es, stable] = inPlaceArgs(ctl);
    introSort(list, lo, hi, depth, ps, es, stable);
  };

  const sortPartition = (ctl: number, lo: number, hi: number): number => {
    const [list, ps, es, stable] = inPlaceArgs(ctl);
    return partition(list, lo, hi, ps, es, stable);
  };

  /** Whether two entries hold the same key bytes (and zero padding): word by word, no byte order needed for equality. */
  const sameKey = (a: number, b: number, es: number): boolean => {
    const words = ((1 << es) - 4) >>> 2;
    let i = a >>> 2;
    let j = b >>> 2;
    for (let w = 0; w < words; w++) if (u32[i++] !== u32[j++]) return false;
    return true;
  };

  const sortNextTie = (ctl: number, from: number): number => {
    const n = field(ctl, SORT_N);
    const es = field(ctl, SORT_ENTRY_SHIFT);
    const ps = field(ctl, SORT_PAGE_SHIFT);
    const list = field(ctl, SORT_LIST);
    if (from >= n) return n;
    let prev = entryAt(list, from, ps, es);
    for (let i = from + 1; i < n; ) {
      const first = (i >>> ps) << ps;
      const end = Math.min(n, first + (1 << ps));
      const base = u32[(list >>> 2) + (i >>> ps)]!;
      for (let k = i - first, m = end - first; k < m; k++) {
        const e = base + (k << es);
        if (sameKey(prev, e, es)) return first + k - 1;
        prev = e;
      }
      i = end;
    }
    return n;
  };

  const sortRunEnd = (ctl: number, start: number): number => {
    const n = field(ctl, SORT_N);
    const es = field(ctl, SORT_ENTRY_SHIFT);
    const ps = field(ctl, SORT_PAGE_SHIFT);
    const list = field(ctl, SORT_LIST);
    const first = entryAt(list, start, ps, es);
    let i = start + 1;
    while (i < n && sameKey(first, entryAt(list, i, ps, es), es)) i++;
    return i;
  };

  return { sortInPlace, sortInPlaceRange, sortPartition, sortNextTie, sortRunEnd, ...createJsRadix(buffer, insertionSort, INSERTION_MAX) };
}
