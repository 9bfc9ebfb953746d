/**
 * The radix sort kernels in TypeScript: the twin of assembly/radix.ts (MSD
 * counting passes while a range is larger than the cache, LSD passes to finish
 * it, every remaining byte's histogram counted in one pass), step for step
 * over the same control block and entries, so both builds put every index in
 * the same order.
 */
import type { Kernels } from './kernels.js';
import { SORT_COUNTS, SORT_ENTRY_SHIFT, SORT_KEY_BYTES, SORT_LIST, SORT_N, SORT_PAGE_SHIFT, SORT_SPARE } from './sort-layout.js';

/** Most key bytes the leaf counts in one pass, as in assembly/radix.ts. */
const LEAF_TABLES = 4;

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

  /** Adds byte `digit` of entries [lo, hi) to the histogram at byte address `at`. */
  const countRange = (at: number, list: number, digit: number, lo: number, hi: number, ps: number, es: number): void => {
    const counts = at >>> 2;
    for (let i = lo; i < hi; ) {
      const p = i >>> ps;
      const first = p << ps;
      const end = Math.min(hi, first + (1 << ps));
      const base = u32[(list >>> 2) + p]! + digit;
      for (let k = i - first, m = end - first; k < m; k++) u32[counts + u8[base + (k << es)]!]!++;
      i = end;
    }
  };

  const scatterRange = (at: number, src: number, dst: number, digit: number, lo: number, hi: number, ps: number, es: number): void => {
    const counts = at >>> 2;
    const words = 1 << (es - 2);
    const mask = (1 << ps) - 1;
    const dstList = dst >>> 2;
    if (es === 3) {
      // The digit shifted out of the key word that is copied anyway (assembly/radix.ts loads it as a byte; see scatterEntries there).
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

  const placeCounts = (at: number, lo: number, n: number): boolean => {
    const counts = at >>> 2;
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

  /**
   * Adds bytes digit to digit + g - 1 of entries [lo, hi) to the g histograms
   * from byte address `at` (256 counters each): in one pass, the bytes shifted
   * out of one u32 load per entry, when they all lie in one 4-byte word of the
   * entry (always so for 8-byte entries), else one counting pass per byte.
   */
  const countDigits = (at: number, list: number, digit: number, g: number, lo: number, hi: number, ps: number, es: number): void => {
    const hist = at >>> 2;
    const word = digit >>> 2;
    if (word === (digit + g - 1) >>> 2) {
      const shift = (digit & 3) << 3;
      const stride = es - 2;
      for (let i = lo; i < hi; ) {
        const p = i >>> ps;
        const first = p << ps;
        const end = Math.min(hi, first + (1 << ps));
        const base = (u32[(list >>> 2) + p]! >>> 2) + word;
        for (let k = i - first, m = end - first; k < m; k++) {
          const x = u32[base + (k << stride)]! >>> shift;
          u32[hist + (x & 255)]!++;
          if (g > 1) {
            u32[hist + 256 + ((x >>> 8) & 255)]!++;
            if (g > 2) {
              u32[hist + 512 + ((x >>> 16) & 255)]!++;
              if (g > 3) u32[hist + 768 + (x >>> 24)]!++;
            }
          }
        }
        i = end;
      }
      return;
    }
    for (let t = 0; t < g; t++) countRange(at + (t << 10), list, digit + t, lo, hi, ps, es);
  };

  /** As assembly/radix.ts: the leaf's histogram tables lie in the control page past the spare list's entries; 0 when not one fits. */
  const leafHistograms = (ctl: number, ps: number, es: number): number => {
    const pages = (field(ctl, SORT_N) >>> ps) + 1;
    const hist = (field(ctl, SORT_SPARE) + pages * 4 + 15) & ~15;
    return hist + 1024 <= ctl + 2 ** (ps + es) ? hist : 0;
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
    let hist = leafHistograms(ctl, ps, es);
    let room = 1;
    if (hist !== 0) room = Math.min(LEAF_TABLES, Math.floor((ctl + 2 ** (ps + es) - hist) / 1024));
    else hist = ctl + SORT_COUNTS;
    let passes = 0;
    for (let top = field(ctl, SORT_KEY_BYTES); top > digit; ) {
      const g = Math.min(room, top - digit);
      const from = top - g;
      u32.fill(0, hist >>> 2, (hist >>> 2) + (g << 8));
      countDigits(hist, src, from, g, lo, hi, ps, es);
      for (let d = top - 1; d >= from; d--) {
        const counts = hist + ((d - from) << 10);
        if (placeCounts(counts, lo, n)) continue;
        scatterRange(counts, src, dst, d, lo, hi, ps, es);
        const t = src;
        src = dst;
        dst = t;
        passes++;
      }
      top = from;
    }
    if (src !== list) copyRange(list, src, lo, hi, ps, es);
    return passes;
  };

  return {
    sortCount: (ctl, digit, lo, hi, fromSpare) => countRange(ctl + SORT_COUNTS, listOf(ctl, fromSpare), digit, lo, hi, field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT)),
    sortPlace: (ctl, lo, n) => (placeCounts(ctl + SORT_COUNTS, lo, n) ? 1 : 0),
    sortScatter: (ctl, digit, lo, hi, fromSpare) =>
      scatterRange(ctl + SORT_COUNTS, listOf(ctl, fromSpare), listOf(ctl, fromSpare ^ 1), digit, lo, hi, field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT)),
    sortLeaf,
    sortRestore: (ctl, lo, hi) => copyRange(listOf(ctl, 0), listOf(ctl, 1), lo, hi, field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT)),
  };
}
