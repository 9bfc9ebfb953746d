// Sort kernels over the index of an in-memory sorter: fixed-size entries of a
// normalized-key prefix and a record pointer, spread over pages the sorter
// owns, described by a control block in another of its pages. No JS object
// is touched; the TypeScript twin is src/kernels/js-sort.ts, and a test holds
// both builds to identical orders.
//
// Control block (u32 fields, `ctl` 4-byte aligned; src/kernels/sort-layout.ts
// names the same offsets):
//
//   ctl +  0   n             entries
//       +  4   entryShift    log2(entry bytes): 3, 4 or 5 (8, 16, 32 bytes)
//       +  8   pageShift     log2(entries per page)
//       + 12   keyBytes      K, 1..28
//       + 16   flags         bit 0: stable (compare the record pointer after the key)
//       + 20   capacity      page addresses each list can hold
//       + 24   list          address of the page list holding the entries
//       + 28   spare         address of the other list (radix scratch pages)
//       + 32   counts[256]   histogram of one digit
//       + 1056 lists         two lists of `capacity` u32 page addresses
//
// While a radix sort runs, the page past the spare list's used entries holds
// the leaf's histogram tables (assembly/radix.ts, leafHistograms).
//
// An entry (E = 1 << entryShift bytes):
//
//   [ key prefix: K bytes, big-endian normalized ][ zeros ][ pointer: u32 LE ]
//   0                                            K         E-4              E
//
// Entry i lives at list[i >> pageShift] + ((i & (perPage - 1)) << entryShift).
//
// Why radix sort (assembly/radix.ts) with introsort beside it: radix sort
// touches each entry twice per key byte (count, scatter) and needs a scratch
// copy of the index; introsort needs no scratch but does ~40 paged compares
// and swaps per entry. Measured by `node bench/sort.mjs --kernels` (figures
// beside RADIX_MIN_ENTRIES in src/kernels/sort-layout.ts): radix sort wins
// from 64 entries up, 7x at 1e6; introsort serves smaller indexes and sorters
// that cannot get scratch pages. This file holds the entry helpers, introsort
// and the scans for runs of equal prefixes.

export const SORT_N: u32 = 0;
export const SORT_ENTRY_SHIFT: u32 = 4;
export const SORT_PAGE_SHIFT: u32 = 8;
export const SORT_KEY_BYTES: u32 = 12;
export const SORT_FLAGS: u32 = 16;
export const SORT_CAPACITY: u32 = 20;
export const SORT_LIST: u32 = 24;
export const SORT_SPARE: u32 = 28;
export const SORT_COUNTS: u32 = 32;
export const SORT_LISTS: u32 = 1056;

/** Below this many entries a range is insertion-sorted. */
// @ts-ignore: decorator
@inline export const INSERTION_MAX: i32 = 16;

/** A u32 field of the control block. */
// @ts-ignore: decorator
@inline export function field(ctl: usize, offset: u32): u32 { return load<u32>(ctl + offset); }

/** Address of entry `i` of the list at `list`. */
// @ts-ignore: decorator
@inline export function entryAt(list: usize, i: u32, pageShift: u32, entryShift: u32): usize {
  return <usize>load<u32>(list + (<usize>(i >> pageShift) << 2)) + (<usize>(i & ((1 << pageShift) - 1)) << entryShift);
}

/** Copies one entry. */
// @ts-ignore: decorator
@inline export function copyEntry(dst: usize, src: usize, entryShift: u32): void {
  if (entryShift == 3) store<u64>(dst, load<u64>(src));
  else {
    v128.store(dst, v128.load(src));
    if (entryShift == 5) v128.store(dst + 16, v128.load(src + 16));
  }
}

/** Order of two entries by their key bytes (and padding, all zero), then, when stable, their pointers: -1, 0 or 1. */
// @ts-ignore: decorator
@inline function compareEntries(a: usize, b: usize, entryShift: u32, stable: bool): i32 {
  let words = ((<usize>1 << entryShift) - 4) >> 2;
  for (let w: usize = 0; w < words; ++w) {
    let x = bswap<u32>(load<u32>(a + (w << 2)));
    let y = bswap<u32>(load<u32>(b + (w << 2)));
    if (x != y) return select<i32>(-1, 1, x < y);
  }
  if (!stable) return 0;
  let p = load<u32>(a + (words << 2));
  let q = load<u32>(b + (words << 2));
  return select<i32>(-1, select<i32>(1, 0, p > q), p < q);
}

/** Exchanges two entries. */
// @ts-ignore: decorator
@inline function swapEntries(a: usize, b: usize, entryShift: u32): void {
  if (entryShift == 3) {
    let x = load<u64>(a);
    store<u64>(a, load<u64>(b));
    store<u64>(b, x);
  } else {
    let x = v128.load(a);
    v128.store(a, v128.load(b));
    v128.store(b, x);
    if (entryShift == 5) {
      let y = v128.load(a + 16);
      v128.store(a + 16, v128.load(b + 16));
      v128.store(b + 16, y);
    }
  }
}

/** Insertion sort of entries [lo, hi] of `list`; stable (an entry moves only past greater ones). */
export function insertionSort(list: usize, lo: i32, hi: i32, ps: u32, es: u32, stable: bool): void {
  for (let i = lo + 1; i <= hi; ++i) {
    for (let j = i; j > lo; --j) {
      let a = entryAt(list, <u32>(j - 1), ps, es);
      let b = entryAt(list, <u32>j, ps, es);
      if (compareEntries(a, b, es, stable) <= 0) break;
      swapEntries(a, b, es);
    }
  }
}

/** Heap sort of entries [lo, hi]: introsort's way out of a quadratic partitioning. */
function heapSort(list: usize, lo: i32, hi: i32, ps: u32, es: u32, stable: bool): void {
  let n = hi - lo + 1;
  for (let i = (n >> 1) - 1; i >= 0; --i) siftDown(list, lo, i, n, ps, es, stable);
  for (let end = n - 1; end > 0; --end) {
    swapEntries(entryAt(list, <u32>lo, ps, es), entryAt(list, <u32>(lo + end), ps, es), es);
    siftDown(list, lo, 0, end, ps, es, stable);
  }
}

function siftDown(list: usize, lo: i32, root: i32, n: i32, ps: u32, es: u32, stable: bool): void {
  for (;;) {
    let child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && compareEntries(entryAt(list, <u32>(lo + child), ps, es), entryAt(list, <u32>(lo + child + 1), ps, es), es, stable) < 0) child += 1;
    let r = entryAt(list, <u32>(lo + root), ps, es);
    let c = entryAt(list, <u32>(lo + child), ps, es);
    if (compareEntries(r, c, es, stable) >= 0) return;
    swapEntries(r, c, es);
    root = child;
  }
}

/** Median-of-three Hoare partition of entries [lo, hi] (more than INSERTION_MAX of them): returns where the pivot ends, every entry before it not greater, every one after not smaller. */
function partition(list: usize, lo: i32, hi: i32, ps: u32, es: u32, stable: bool): i32 {
  let mid = lo + ((hi - lo) >> 1);
  let a = entryAt(list, <u32>lo, ps, es);
  let m = entryAt(list, <u32>mid, ps, es);
  let z = entryAt(list, <u32>hi, ps, es);
  if (compareEntries(m, a, es, stable) < 0) swapEntries(m, a, es);
  if (compareEntries(z, a, es, stable) < 0) swapEntries(z, a, es);
  if (compareEntries(z, m, es, stable) < 0) swapEntries(z, m, es);
  // lo <= mid <= hi now; the median goes to lo and stays there while the rest is partitioned.
  swapEntries(a, m, es);
  let i = lo + 1;
  let j = hi;
  for (;;) {
    while (compareEntries(entryAt(list, <u32>i, ps, es), a, es, stable) < 0) ++i;
    while (compareEntries(entryAt(list, <u32>j, ps, es), a, es, stable) > 0) --j;
    if (i >= j) break;
    swapEntries(entryAt(list, <u32>i, ps, es), entryAt(list, <u32>j, ps, es), es);
    ++i;
    --j;
  }
  swapEntries(a, entryAt(list, <u32>j, ps, es), es);
  return j;
}

/** Introsort of entries [lo, hi]: median-of-three quicksort, heap sort below `depth`, insertion sort for small ranges. */
function introSort(list: usize, lo: i32, hi: i32, depth: i32, ps: u32, es: u32, stable: bool): void {
  while (hi - lo + 1 > INSERTION_MAX) {
    if (depth == 0) {
      heapSort(list, lo, hi, ps, es, stable);
      return;
    }
    depth -= 1;
    let j = partition(list, lo, hi, ps, es, stable);
    // Recurse into the smaller side, loop on the larger: the stack stays O(log n).
    if (j - lo < hi - j) {
      introSort(list, lo, j - 1, depth, ps, es, stable);
      lo = j + 1;
    } else {
      introSort(list, j + 1, hi, depth, ps, es, stable);
      hi = j - 1;
    }
  }
  insertionSort(list, lo, hi, ps, es, stable);
}

/** The depth below which introsort of n entries turns to heap sort. */
// @ts-ignore: decorator
@inline function depthLimit(n: i32): i32 { return 2 * (32 - clz<i32>(n)); }

/** Sorts all n entries of `list` in place by introsort (no scratch pages). */
export function sortInPlace(ctl: usize): void {
  let n = <i32>field(ctl, SORT_N);
  if (n < 2) return;
  introSort(<usize>field(ctl, SORT_LIST), 0, n - 1, depthLimit(n), field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT), (field(ctl, SORT_FLAGS) & 1) != 0);
}

/**
 * Introsort of entries [lo, hi] of the list with `depth` partitions left
 * before heap sort: one range of sortInPlace, whose first steps a caller may
 * take itself (sortPartition) to sort a large index in slices.
 */
export function sortInPlaceRange(ctl: usize, lo: i32, hi: i32, depth: i32): void {
  introSort(<usize>field(ctl, SORT_LIST), lo, hi, depth, field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT), (field(ctl, SORT_FLAGS) & 1) != 0);
}

/** One introsort partition of entries [lo, hi] of the list (more than 16 of them), as sortInPlace makes it: returns the pivot's final index. */
export function sortPartition(ctl: usize, lo: i32, hi: i32): i32 {
  return partition(<usize>field(ctl, SORT_LIST), lo, hi, field(ctl, SORT_PAGE_SHIFT), field(ctl, SORT_ENTRY_SHIFT), (field(ctl, SORT_FLAGS) & 1) != 0);
}

/** Whether two entries hold the same key bytes (and padding, all zero): one SIMD compare of the bytes before the pointer. */
// @ts-ignore: decorator
@inline function sameKey(a: usize, b: usize, entryShift: u32): bool {
  if (entryShift == 3) return load<u32>(a) == load<u32>(b);
  // The last four bytes of an entry are its pointer: lanes 0-2 of its last 16 bytes hold key bytes.
  let keyLanes = i32x4(-1, -1, -1, 0);
  let x = v128.xor(v128.load(a), v128.load(b));
  if (entryShift == 4) return !v128.any_true(v128.and(x, keyLanes));
  let y = v128.xor(v128.load(a, 16), v128.load(b, 16));
  return !v128.any_true(v128.or(x, v128.and(y, keyLanes)));
}

/**
 * First index i >= from whose entry has the same key as entry i + 1 (the
 * start of a run of equal prefixes), or n. The scan is inlined once per entry
 * size, so that sameKey's choice and the entry step are constants (a shift by
 * a variable costs V8 several instructions).
 */
export function sortNextTie(ctl: usize, from: u32): u32 {
  let es = field(ctl, SORT_ENTRY_SHIFT);
  if (es == 3) return nextTie(ctl, from, 3);
  if (es == 4) return nextTie(ctl, from, 4);
  return nextTie(ctl, from, 5);
}

// @ts-ignore: decorator
@inline function nextTie(ctl: usize, from: u32, es: u32): u32 {
  let n = field(ctl, SORT_N);
  let ps = field(ctl, SORT_PAGE_SHIFT);
  let list = <usize>field(ctl, SORT_LIST);
  if (from >= n) return n;
  let prev = entryAt(list, from, ps, es);
  // Page run by page run: one page address per run instead of one per entry.
  let i = from + 1;
  while (i < n) {
    let first = (i >> ps) << ps;
    let end = min<u32>(n, first + (<u32>1 << ps));
    let base = <usize>load<u32>(list + (<usize>(i >> ps) << 2));
    for (let k = i - first, m = end - first; k < m; ++k) {
      let e = base + (<usize>k << es);
      if (sameKey(prev, e, es)) return first + k - 1;
      prev = e;
    }
    i = end;
  }
  return n;
}

/** First index after `start` whose key differs from entry `start`'s, or n. */
export function sortRunEnd(ctl: usize, start: u32): u32 {
  let n = field(ctl, SORT_N);
  let es = field(ctl, SORT_ENTRY_SHIFT);
  let ps = field(ctl, SORT_PAGE_SHIFT);
  let list = <usize>field(ctl, SORT_LIST);
  let first = entryAt(list, start, ps, es);
  let i = start + 1;
  while (i < n && sameKey(first, entryAt(list, i, ps, es), es)) ++i;
  return i;
}
