// Radix sort kernels over the sorter's index (control block and entries drawn
// in assembly/sort.ts); the TypeScript twin is src/kernels/js-radix.ts, and
// the plan that calls them is src/sort/radix-plan.ts.
//
// The sort is MSD first, LSD in cache: while a range of entries is larger than
// the cache holds, one counting pass on its most significant undecided byte
// (sortCount + sortScatter, over slices of the range) splits it into up to 256
// ranges; a range that fits is finished by sortLeaf with LSD passes over its
// remaining bytes, which then run out of L1/L2 instead of main memory.
//
//   list  (index pages)   [ range in order ][ range in order ][ pending … ]
//   spare (scratch pages) [ …             ][ …             ][ a split range ]
//
// Positions map to both lists alike (entry i at page i >> pageShift, slot
// i & mask), so a range [lo, hi) occupies the same positions in either list
// and moves between them page run by page run. Every finished range ends in
// the list; only pending ranges may sit in the spare pages.
//
// sortLeaf counts the histograms of up to LEAF_TABLES remaining key bytes
// before their passes (a range's histograms do not change as its passes
// reorder it; a group of bytes in one 8-byte word of the entry in one pass
// over the range, bytes across two words one pass per byte), into 1 KiB tables in the control page past the used part of the
// spare list:
//
//   ctl  [ fields | counts[256] | list: pages… free… | spare: pages… | hist[0] hist[1] … ] page end
//                                                                   ^ leafHistograms(ctl)
//
// As many tables as fit, LEAF_TABLES at most (a page of 4 KiB with a long
// list may hold none: then one table, the counts at SORT_COUNTS, and one
// counting pass per byte, as the MSD passes have it). A byte equal in the
// whole range is skipped without a scatter pass.

import { SORT_COUNTS, SORT_ENTRY_SHIFT, SORT_KEY_BYTES, SORT_LIST, SORT_N, SORT_PAGE_SHIFT, SORT_SPARE, INSERTION_MAX, copyEntry, entryAt, field, insertionSort } from './sort';

/** log2 of the default page size (32 KiB), for which the scatter loops are specialised. */
// @ts-ignore: decorator
@inline const DEFAULT_PAGE_SHIFT: u32 = 15;

/** Most key bytes whose histograms the leaf holds at once (an int32 key leaves at most 3; see countDigits). */
// @ts-ignore: decorator
@inline const LEAF_TABLES: u32 = 4;

/** The spare list when `spare` is non-zero, else the list. */
// @ts-ignore: decorator
@inline function listOf(ctl: usize, spare: u32): usize {
  return <usize>field(ctl, spare != 0 ? SORT_SPARE : SORT_LIST);
}

/** Adds byte `digit` of entries [lo, hi) of `list` to the histogram at `counts`. */
function countRange(counts: usize, list: usize, digit: u32, lo: u32, hi: u32, ps: u32, es: u32): void {
  let i = lo;
  while (i < hi) {
    let p = i >> ps;
    let first = p << ps;
    let end = min<u32>(hi, first + (<u32>1 << ps));
    // A pointer stepped by the entry size: a shift by the variable `es` per entry costs V8 several instructions.
    let step = <usize>1 << es;
    let e = <usize>load<u32>(list + (<usize>p << 2)) + <usize>digit + (<usize>(i - first) << es);
    for (let stop = e + (<usize>(end - i) << es); e < stop; e += step) {
      let c = counts + (<usize>load<u8>(e) << 2);
      store<u32>(c, load<u32>(c) + 1);
    }
    i = end;
  }
}

/**
 * Moves entries [lo, hi) of `src` to `dst`, each to the position its digit's
 * counter (at `counts`) holds, which then moves on. The loop is inlined once
 * per entry size, and once more for the default page of 32 KiB, so that its
 * shifts are by constants: V8 compiles a shift by a variable into several
 * instructions, and the leaf of 1479 16-byte entries took 41.1 ns per entry
 * with `es` a variable against 30.9 with it a constant (CPU, median of 15
 * rounds, load average 2.7, `node bench/sort-msd.mjs --n 1479 --reps 300
 * --key string --base <previous wasm>`). The pure-JS twin keeps one loop:
 * its 8-byte scatter with the page shift written as a literal took 36.1
 * against 38.5 ns per entry on the leaf of 3906 int keys, within the noise of
 * that run, and would be a second copy of the loop per page size.
 *
 * Tried and measured slower, so not done (1e6 entries, CPU ns per entry of
 * the MSD scatter, wasm, `node bench/sort-msd.mjs`, load average 1.6-2.2):
 * software write-combining into one 64-byte line per value in a page of its
 * own, flushed by v128 (or u64) stores: int keys 5.41 against 3.17 and 10.8
 * (12.0 with v128) against 6.9, 16-letter strings 14.2 against 6.4. Without
 * non-temporal stores, which wasm lacks, each flushed line is still read for
 * ownership as the direct stores' lines are, and the 256 lines being filled
 * fit in L1 either way; the buffer only adds its own copies and a branch
 * taken at random. A load touching each entry's destination two lines ahead
 * (12.5 against 7.8), touching the next range during the leaf's passes (17.5
 * against 14.4), counters turned into addresses for the leaf's 8-byte scatter
 * (9.82 against 8.77, 13.7 against 13.4) and a twofold unrolled loop (within
 * noise) did not pay either.
 */
function scatterRange(counts: usize, src: usize, dst: usize, digit: u32, lo: u32, hi: u32, ps: u32, es: u32): void {
  if (es == 3) {
    if (ps == DEFAULT_PAGE_SHIFT - 3) scatterEntries(counts, src, dst, digit, lo, hi, DEFAULT_PAGE_SHIFT - 3, 3);
    else scatterEntries(counts, src, dst, digit, lo, hi, ps, 3);
  } else if (es == 4) {
    if (ps == DEFAULT_PAGE_SHIFT - 4) scatterEntries(counts, src, dst, digit, lo, hi, DEFAULT_PAGE_SHIFT - 4, 4);
    else scatterEntries(counts, src, dst, digit, lo, hi, ps, 4);
  } else {
    if (ps == DEFAULT_PAGE_SHIFT - 5) scatterEntries(counts, src, dst, digit, lo, hi, DEFAULT_PAGE_SHIFT - 5, 5);
    else scatterEntries(counts, src, dst, digit, lo, hi, ps, 5);
  }
}

/**
 * scatterRange's loop for one entry size: the digit loaded as a byte beside
 * the entry's copy, which measured 5 % faster than shifting it out of the
 * loaded 8-byte entry (leaf of 3906 int keys: 9.04 against 9.61 and 10.9
 * against 11.6 ns per entry in two runs of 21 rounds, load average 1.5-1.7).
 * The pure-JS twin keeps the shift: a byte load there measured 33.2 against
 * 35.9 in one run and 39.9 against 35.3 in the next.
 */
// @ts-ignore: decorator
@inline function scatterEntries(counts: usize, src: usize, dst: usize, digit: u32, lo: u32, hi: u32, ps: u32, es: u32): void {
  let i = lo;
  let mask = (<u32>1 << ps) - 1;
  while (i < hi) {
    let p = i >> ps;
    let first = p << ps;
    let end = min<u32>(hi, first + (<u32>1 << ps));
    let base = <usize>load<u32>(src + (<usize>p << 2));
    for (let k = i - first, m = end - first; k < m; ++k) {
      let e = base + (<usize>k << es);
      let c = counts + (<usize>load<u8>(e + <usize>digit) << 2);
      let j = load<u32>(c);
      store<u32>(c, j + 1);
      copyEntry(<usize>load<u32>(dst + (<usize>(j >> ps) << 2)) + (<usize>(j & mask) << es), e, es);
    }
    i = end;
  }
}

/** Turns the histogram at `counts` of n entries into start positions from `lo`; true when one digit holds all n (nothing to move). */
function placeCounts(counts: usize, lo: u32, n: u32): bool {
  let sum = lo;
  let trivial = false;
  for (let d: usize = 0; d < 256; ++d) {
    let c = load<u32>(counts + (d << 2));
    if (c == n) trivial = true;
    store<u32>(counts + (d << 2), sum);
    sum += c;
  }
  return trivial;
}

/** Copies entries [lo, hi) from `src` to the same positions of `dst`, one page run at a time. */
function copyRange(dst: usize, src: usize, lo: u32, hi: u32, ps: u32, es: u32): void {
  let i = lo;
  while (i < hi) {
    let p = i >> ps;
    let first = p << ps;
    let end = min<u32>(hi, first + (<u32>1 << ps));
    let offset = <usize>(i - first) << es;
    memory.copy(<usize>load<u32>(dst + (<usize>p << 2)) + offset, <usize>load<u32>(src + (<usize>p << 2)) + offset, <usize>(end - i) << es);
    i = end;
  }
}

/** Adds byte `digit` of entries [lo, hi) (of the spare list when `fromSpare`) to the histogram at SORT_COUNTS. */
export function sortCount(ctl: usize, digit: u32, lo: u32, hi: u32, fromSpare: u32): void {
  countRange(ctl + SORT_COUNTS, listOf(ctl, fromSpare), digit, lo, hi, field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT));
}

/** Turns the histogram of the n entries from `lo` into their start positions; 1 when one digit holds them all, else 0. */
export function sortPlace(ctl: usize, lo: u32, n: u32): u32 {
  return placeCounts(ctl + SORT_COUNTS, lo, n) ? 1 : 0;
}

/** Moves entries [lo, hi) from one list to the other (spare to list when `fromSpare`) by byte `digit`, to the positions at SORT_COUNTS. */
export function sortScatter(ctl: usize, digit: u32, lo: u32, hi: u32, fromSpare: u32): void {
  scatterRange(ctl + SORT_COUNTS, listOf(ctl, fromSpare), listOf(ctl, fromSpare ^ 1), digit, lo, hi, field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT));
}

/**
 * Adds bytes digit to digit + g - 1 of entries [lo, hi) of `list` to the g
 * histograms from `hist` (1 KiB each). When they all lie in one 8-byte word
 * of the entry (always so for 8-byte entries, whose key has 4 bytes at
 * most), in one pass, the bytes shifted out of one 8-byte load per entry:
 * the leaf of 3906 int32 keys (3 bytes left) took 7.4 against 8.5 ns per
 * entry with a counting pass per byte (in cache, wasm, Node 20, load average
 * 4.7), and the leaf of 1479 16-byte entries (8 key bytes, counted as two
 * words of 4) 37.3 against 40.7 (`node bench/sort-msd.mjs --n 1479 --reps 300
 * --key string`, median of 15 rounds, CPU, load average 2.0). Bytes that
 * straddle two words get one counting pass per byte.
 */
function countDigits(hist: usize, list: usize, digit: u32, g: u32, lo: u32, hi: u32, ps: u32, es: u32): void {
  let i = lo;
  let word = digit >> 3;
  if (word == (digit + g - 1) >> 3) {
    let offset = <usize>word << 3;
    let shift = <u64>((digit & 7) << 3);
    while (i < hi) {
      let p = i >> ps;
      let first = p << ps;
      let end = min<u32>(hi, first + (<u32>1 << ps));
      let step = <usize>1 << es;
      let e = <usize>load<u32>(list + (<usize>p << 2)) + offset + (<usize>(i - first) << es);
      for (let stop = e + (<usize>(end - i) << es); e < stop; e += step) {
        let x = load<u64>(e) >> shift;
        let c = hist + (<usize>(x & 255) << 2);
        store<u32>(c, load<u32>(c) + 1);
        if (g > 1) {
          c = hist + 1024 + (<usize>((x >> 8) & 255) << 2);
          store<u32>(c, load<u32>(c) + 1);
          if (g > 2) {
            c = hist + 2048 + (<usize>((x >> 16) & 255) << 2);
            store<u32>(c, load<u32>(c) + 1);
            if (g > 3) {
              c = hist + 3072 + (<usize>((x >> 24) & 255) << 2);
              store<u32>(c, load<u32>(c) + 1);
            }
          }
        }
      }
      i = end;
    }
    return;
  }
  for (let t: u32 = 0; t < g; ++t) countRange(hist + (<usize>t << 10), list, digit + t, lo, hi, ps, es);
}

/**
 * Address of the leaf's histogram tables in the control page: past the spare
 * list's entries (at most one page per (1 << pageShift) entries, and one
 * more taken for a record refused), 16-byte aligned.
 */
// @ts-ignore: decorator
@inline function leafHistograms(ctl: usize, ps: u32): usize {
  let pages = (field(ctl, SORT_N) >> ps) + 1;
  return (<usize>field(ctl, SORT_SPARE) + (<usize>pages << 2) + 15) & ~<usize>15;
}

/**
 * Finishes entries [lo, hi), equal in key bytes before `digit`, of the spare
 * list when `fromSpare` or else the list: LSD passes over key bytes K-1 down
 * to `digit`, their histograms counted in one pass (as many as the control
 * page holds at once; a byte equal in all of them is skipped), or insertion
 * sort for INSERTION_MAX entries or fewer; the range ends in order in the
 * list. Returns the passes made.
 */
export function sortLeaf(ctl: usize, lo: u32, hi: u32, digit: u32, fromSpare: u32): u32 {
  let ps = field(ctl, SORT_PAGE_SHIFT);
  let es = field(ctl, SORT_ENTRY_SHIFT);
  let list = listOf(ctl, 0);
  let src = listOf(ctl, fromSpare);
  let dst = listOf(ctl, fromSpare ^ 1);
  let n = hi - lo;
  if (n <= <u32>INSERTION_MAX) {
    if (src != list) copyRange(list, src, lo, hi, ps, es);
    insertionSort(list, <i32>lo, <i32>hi - 1, ps, es, false);
    return 0;
  }
  let hist = leafHistograms(ctl, ps);
  let pageEnd = ctl + (<usize>1 << (ps + es));
  let room: u32 = 1;
  if (hist + 1024 <= pageEnd) room = min<u32>(LEAF_TABLES, <u32>((pageEnd - hist) >> 10));
  else hist = ctl + SORT_COUNTS;
  let passes: u32 = 0;
  let top = field(ctl, SORT_KEY_BYTES);
  while (top > digit) {
    let g = min<u32>(room, top - digit);
    let from = top - g;
    memory.fill(hist, 0, <usize>g << 10);
    countDigits(hist, src, from, g, lo, hi, ps, es);
    for (let d = top; d > from; ) {
      --d;
      let counts = hist + (<usize>(d - from) << 10);
      if (placeCounts(counts, lo, n)) continue;
      scatterRange(counts, src, dst, d, lo, hi, ps, es);
      let t = src;
      src = dst;
      dst = t;
      passes += 1;
    }
    top = from;
  }
  if (src != list) copyRange(list, src, lo, hi, ps, es);
  return passes;
}

/** Copies entries [lo, hi) from the spare list back to the list (an interrupted sort puts every pending range back). */
export function sortRestore(ctl: usize, lo: u32, hi: u32): void {
  copyRange(listOf(ctl, 0), listOf(ctl, 1), lo, hi, field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT));
}
