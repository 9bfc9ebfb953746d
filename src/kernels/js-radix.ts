/**
 * The radix sort kernels in TypeScript: the twin of assembly/radix.ts (MSD
 * counting passes while a range is larger than the cache, LSD passes to finish
 * it), step for step over the same control block and entries, so both builds
 * put every index in the same order.
 */
import type { Kernels } from './kernels.js';
import { SORT_COUNTS, SORT_ENTRY_SHIFT, SORT_KEY_BYTES, SORT_LIST, SORT_PAGE_SHIFT, SORT_SPARE } from './sort-layout.js';

/** The radix members of Kernels. */
export type RadixKernels = Pick<Kernels, 'sortCount' | 'sortPlace' | 'sortScatter' | 'sortLeaf' | 'sortRestore'>;

/** Insertion sort of entries [lo, hi] of a list, as js-sort.ts has it. */
type InsertionSort = (list: number, lo: number, hi: number, ps: number, es: number, stable: boolean) => void;

/** Radix kernels over `buffer`; ranges of at most `insertionMax` entries are insertion-sorted. */
export function createJsRadix(buffer: ArrayBufferLike, insertionSort: InsertionSort, insertionMax: number): RadixKernels {
  const u8 = new Uint8Array(buffer);
  const u32 = new Uint32Array(buffer);

  const field = (ctl: number, offset: number): number => u32[(ctl + offset) >>> 2]!;
  const listOf = (ctl: number, spare: number): number => field(ctl, spare !== 0 ? SORT_SPARE : SORT_LIST);

  const countRange = (ctl: number, list: number, digit: number, lo: number, hi: number, ps: number, es: number): void => {
    const counts = (ctl + SORT_COUNTS) >>> 2;
    for (let i = lo; i < hi; ) {
      const p = i >>> ps;
      const first = p << ps;
      const end = Math.min(hi, first + (1 << ps));
      const base = u32[(list >>> 2) + p]! + digit;
      for (let k = i - first, m = end - first; k < m; k++) u32[counts + u8[base + (k << es)]!]!++;
      i = end;
    }
  };

  const scatterRange = (ctl: number, src: number, dst: number, digit: number, lo: number, hi: number, ps: number, es: number): void => {
    const counts = (ctl + SORT_COUNTS) >>> 2;
    const words = 1 << (es - 2);
    const mask = (1 << ps) - 1;
    const dstList = dst >>> 2;
    if (es === 3) {
      // As assembly/radix.ts: the digit comes out of the key word that is copied anyway.
      const shift = digit << 3;
      for (let i = lo; i < hi; ) {
        const p = i >>> ps;
        const first = p << ps;
        const end = Math.min(hi, first + (1 << ps));
        const base = u32[(src >>> 2) + p]! >>> 2;
        for (let k = i - first, m = end - first; k < m; k++) {
          const from = base + (k << 1);
          const key = u32[from]!;
          const c = counts + ((key >>> shift) & 255);
          const j = u32[c]!;
          u32[c] = j + 1;
          const to = (u32[dstList + (j >>> ps)]! + ((j & mask) << 3)) >>> 2;
          u32[to] = key;
          u32[to + 1] = u32[from + 1]!;
        }
        i = end;
      }
      return;
    }
    for (let i = lo; i < hi; ) {
      const p = i >>> ps;
      const first = p << ps;
      const end = Math.min(hi, first + (1 << ps));
      const base = u32[(src >>> 2) + p]!;
      for (let k = i - first, m = end - first; k < m; k++) {
        const e = base + (k << es);
        const c = counts + u8[e + digit]!;
        const j = u32[c]!;
        u32[c] = j + 1;
        let to = (u32[dstList + (j >>> ps)]! + ((j & mask) << es)) >>> 2;
        let from = e >>> 2;
        for (let w = 0; w < words; w++) u32[to++] = u32[from++]!;
      }
      i = end;
    }
  };

  const placeCounts = (ctl: number, lo: number, n: number): boolean => {
    const counts = (ctl + SORT_COUNTS) >>> 2;
    let sum = lo;
    let trivial = false;
    for (let d = 0; d < 256; d++) {
      const c = u32[counts + d]!;
      if (c === n) trivial = true;
      u32[counts + d] = sum;
      sum += c;
    }
    return trivial;
  };

  const copyRange = (dst: number, src: number, lo: number, hi: number, ps: number, es: number): void => {
    for (let i = lo; i < hi; ) {
      const p = i >>> ps;
      const first = p << ps;
      const end = Math.min(hi, first + (1 << ps));
      const offset = (i - first) << es;
      const from = u32[(src >>> 2) + p]! + offset;
      u8.copyWithin(u32[(dst >>> 2) + p]! + offset, from, from + ((end - i) << es));
      i = end;
    }
  };

  const sortLeaf = (ctl: number, lo: number, hi: number, digit: number, fromSpare: number): number => {
    const ps = field(ctl, SORT_PAGE_SHIFT);
    const es = field(ctl, SORT_ENTRY_SHIFT);
    const list = listOf(ctl, 0);
    let src = listOf(ctl, fromSpare);
    let dst = listOf(ctl, fromSpare ^ 1);
    const n = hi - lo;
    if (n <= insertionMax) {
      if (src !== list) copyRange(list, src, lo, hi, ps, es);
      insertionSort(list, lo, hi - 1, ps, es, false);
      return 0;
    }
    const counts = (ctl + SORT_COUNTS) >>> 2;
    let passes = 0;
    for (let d = field(ctl, SORT_KEY_BYTES) - 1; d >= digit; d--) {
      u32.fill(0, counts, counts + 256);
      countRange(ctl, src, d, lo, hi, ps, es);
      if (placeCounts(ctl, lo, n)) continue;
      scatterRange(ctl, src, dst, d, lo, hi, ps, es);
      const t = src;
      src = dst;
      dst = t;
      passes++;
    }
    if (src !== list) copyRange(list, src, lo, hi, ps, es);
    return passes;
  };

  return {
    sortCount: (ctl, digit, lo, hi, fromSpare) => countRange(ctl, listOf(ctl, fromSpare), digit, lo, hi, field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT)),
    sortPlace: (ctl, lo, n) => (placeCounts(ctl, lo, n) ? 1 : 0),
    sortScatter: (ctl, digit, lo, hi, fromSpare) =>
      scatterRange(ctl, listOf(ctl, fromSpare), listOf(ctl, fromSpare ^ 1), digit, lo, hi, field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT)),
    sortLeaf,
    sortRestore: (ctl, lo, hi) => copyRange(listOf(ctl, 0), listOf(ctl, 1), lo, hi, field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT)),
  };
}
