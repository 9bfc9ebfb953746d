/**
 * The Kernels interface: every whole-loop operation over the runtime's one
 * memory, by address and byte count. The wasm build passes the AssemblyScript
 * module's exports straight through (no adapter, so a call costs one crossing);
 * the pure-JS build implements the same functions in TypeScript. Callers have
 * checked every range; kernels never check bounds.
 *
 * Booleans and orderings come back as numbers because that is what a wasm
 * export returns: `equal` is 1 or 0, `compare` is -1, 0 or 1.
 */
export interface Kernels {
  /** First address not used by the kernels' own static data. */
  heapBase(): number;

  /** Copies `n` bytes from `src` to `dst` (memmove semantics). */
  copy(dst: number, src: number, n: number): void;
  /** Sets `n` bytes at `dst` to `value`. */
  fill(dst: number, value: number, n: number): void;
  /** Unsigned lexicographic comparison of `n` bytes: -1, 0 or 1. */
  compare(a: number, b: number, n: number): number;
  /** 1 when the `n` bytes at `a` and `b` are equal, else 0. */
  equal(a: number, b: number, n: number): number;
  /** Exchanges `n` bytes between two non-overlapping ranges. */
  swap(a: number, b: number, n: number): void;

  /** Reverses the bytes of every 16-bit value in `n` bytes at `addr`. */
  byteSwap16(addr: number, n: number): void;
  /** Reverses the bytes of every 32-bit value in `n` bytes at `addr`. */
  byteSwap32(addr: number, n: number): void;
  /** Reverses the bytes of every 64-bit value in `n` bytes at `addr`. */
  byteSwap64(addr: number, n: number): void;

  /** Bytes a page table for `pageCount` pages occupies (layout in assembly/pages.ts). */
  pageTableBytes(pageCount: number): number;
  /** Lays out an empty page table at `table`: every page and owner slot free, the whole budget available. */
  pagesInit(table: number, pageCount: number, pageShift: number, pagesBase: number, zeroOnRelease: number): void;
  /** Takes `n` pages for owner `slot`, all or none, from the free stack and the budget; page indices land in the io area. Returns n or -1. */
  pagesAllocate(table: number, slot: number, n: number): number;
  /** Frees the `n` pages listed in the io area, skipping free ones, back to the budget; returns how many were freed. */
  pagesRelease(table: number, n: number): number;
  /** Frees every page of owner `slot`, listing them in the io area; returns the count. */
  pagesReleaseAll(table: number, slot: number): number;
  /** Takes `bytes` (below 2^32) from the budget: 1, or 0 when fewer are available. */
  budgetReserve(table: number, bytes: number): number;
  /** Gives `bytes` back to the budget. */
  budgetRelease(table: number, bytes: number): void;
  /** Takes a free owner slot: its number, or -1 when none is free. */
  slotAcquire(table: number): number;
  /** Gives an owner slot back (it holds no page). */
  slotRelease(table: number, slot: number): void;

  /** Lays out an empty off-heap area of `areaBytes` (at least 32) bytes at `area` (layout in assembly/offheap.ts). */
  offHeapInit(area: number, areaBytes: number): void;
  /** Carves a block for a segment of `size` bytes by first fit: the segment's address, or 0 when none fits (the wasm build returns addresses from 2^31 as negative numbers: `>>> 0`). */
  offHeapAllocate(area: number, size: number): number;
  /** Frees the block of the segment at `address`, merging free neighbours: the block's bytes, or 0 when it is not handed out. */
  offHeapFree(area: number, address: number): number;
  /** Bytes the largest free block could give a segment; 0 when none is free. */
  offHeapLargestFree(area: number): number;
  /** Bytes the network pool's free list for `segmentCount` segments occupies (layout in assembly/buffers.ts). */
  bufferTableBytes(segmentCount: number): number;
  /** Lays out a network free list at `table` with every segment free. */
  buffersInit(table: number, segmentCount: number, segmentShift: number, segmentsBase: number): void;
  /** Takes `n` network segments, all or none; their indices land in the list's io area. Returns n or -1. */
  buffersTake(table: number, n: number): number;
  /** Gives back the `n` network segments listed in the io area, skipping free ones; returns how many were given back. */
  buffersGive(table: number, n: number): number;

  /** Adds key byte `digit` of index entries [lo, hi) (of the spare list when `fromSpare` is 1) to the histogram of the sort control block `ctl` (layout in assembly/sort.ts). */
  sortCount(ctl: number, digit: number, lo: number, hi: number, fromSpare: number): void;
  /** Turns the histogram of the `n` entries from `lo` into start positions; 1 when one byte value holds them all. */
  sortPlace(ctl: number, lo: number, n: number): number;
  /** Moves entries [lo, hi) to the other list by key byte `digit`, to the positions the histogram holds. */
  sortScatter(ctl: number, digit: number, lo: number, hi: number, fromSpare: number): void;
  /** Finishes entries [lo, hi), equal before key byte `digit`, by LSD passes (insertion sort when few), leaving them in the list; returns the passes made. */
  sortLeaf(ctl: number, lo: number, hi: number, digit: number, fromSpare: number): number;
  /** Copies entries [lo, hi) from the spare list back to the list. */
  sortRestore(ctl: number, lo: number, hi: number): void;
  /** Introsort of the whole index in place, no scratch pages. */
  sortInPlace(ctl: number): void;
  /** Introsort of entries [lo, hi] in place with `depth` partitions left before heap sort. */
  sortInPlaceRange(ctl: number, lo: number, hi: number, depth: number): void;
  /** One introsort partition of entries [lo, hi] (more than 16); returns the pivot's final index. */
  sortPartition(ctl: number, lo: number, hi: number): number;
  /** First index i >= from whose key equals entry i + 1's, or n. */
  sortNextTie(ctl: number, from: number): number;
  /** First index after `start` whose key differs from entry `start`'s, or n. */
  sortRunEnd(ctl: number, start: number): number;

  /** Index entries, by the key plan in the control block `ctl` (layout in assembly/batch.ts), for `count` records of `recordBytes` back to back at `records`, into consecutive entries from `entries`; pointers from `pointer` on. */
  sortIndexFixed(ctl: number, records: number, count: number, recordBytes: number, entries: number, pointer: number): void;
  /** Spill entries for index entries [from, to) whose records of `recordBytes` lie in pages of 1 << `pageShift` bytes listed at `table`, written at `dst` while they fit before `dstEnd`; returns how many. */
  sortGatherFixed(ctl: number, from: number, to: number, table: number, pageShift: number, recordBytes: number, dst: number, dstEnd: number): number;

  /** The k-way merge's inner loop over the merge state at `state` (layout in assembly/merge.ts): writes the runs' records (or spill entries) in order at `dst` while they fit before `dstEnd`; returns how many. */
  mergeRuns(state: number, dst: number, dstEnd: number): number;
  /** The spill format's checksum of `length` bytes at `at`, seeded with `seed` (the wasm build returns values from 2^31 as negative numbers: `>>> 0`). */
  spillChecksum(at: number, length: number, seed: number): number;
}

/**
 * Int64 values as BigInt through wasm exports (assembly/longs.ts): the wasm
 * build's path for bigint longs on engines whose DataView BigInt path is slow.
 */
export interface LongKernels {
  getLong(addr: number): bigint;
  putLong(addr: number, value: bigint): void;
  getLongBigEndian(addr: number): bigint;
  putLongBigEndian(addr: number, value: bigint): void;
}

/*
 * Cut-offs between a JS loop in the segment (src/kernels/small-ops.ts) and one
 * kernel call: at or below each, a segment does the work in JavaScript in both
 * builds, because a call into wasm costs 4-5 ns on V8 11.3, about what the
 * work itself costs. Above, the wasm kernel wins at every length measured.
 * Measured with `node bench/cutoffs.mjs` (ns per op, wasm kernel / JS loop,
 * median of 15 rounds, 2-core Intel Xeon; where two figures are given, the
 * range over two runs each on Node 20 and Node 24): see each constant. Up to
 * 12 bytes the JS loop ties or wins for every operation, from 16 the kernel
 * wins for every one. At 12 bytes, with 8 as the cut-off, both builds side by
 * side read wasm / pure JS 1.07-1.26x for equalTo and 1.09-1.29x for copyTo
 * (`node bench/rows.mjs --side-by-side --rows 'sizes: equalTo 12 B,...'`).
 */

/** Copy: 8 B 11.1-16.5 / 9.8-10.7, 12 B 12.2-13.3 / 10.7-12.4, 16 B 10.8-12.2 / 11.9-13.2. */
export const COPY_IN_JS_MAX = 12;
/**
 * Compare: the segment compares up to this many leading bytes in JS, 8 at a
 * time, each step one exact difference of two big-endian word pairs with a
 * branch-free sign; only keys that tie there go on to the kernel (or, in the
 * pure-JS build, the JS loop), as random keys rarely do. With one such step
 * (8 bytes) before the kernel, W4, whose 16-byte keys tie on their first 8
 * bytes one time in four, ran 1.2-1.3x slower in the wasm build than in the
 * pure-JS one on Node 20 and 24 in a full run (0.97-0.99x in the one before):
 * those ties paid a kernel call for 8 bytes. With two steps W4 runs the same
 * JavaScript in both builds: wasm / pure JS 1.02x on Node 20 and 0.94x on
 * Node 24, against 1.02x and 1.13x just before with one step, and the wasm
 * build 1.16x and 0.94x its control (load average 1.1-1.4):
 * `node bench/rows.mjs --rows 'W4,compare 16-byte keys' --processes 3 --engine node,node24`.
 */
export const COMPARE_IN_JS_MAX = 16;
/**
 * Compare, past COMPARE_IN_JS_MAX: a rest below this many bytes JS compares,
 * from it on one kernel call does. The kernel compares 8 bytes per step, so
 * keys that tie on long prefixes take one predictable branch per 8 bytes
 * where the JS loop takes an unpredictable one per 4. W4-like random keys
 * (the first 8 bytes equal one time in four), wasm / JS loop: 4 B 11.4 /
 * 11.7, 8 B 8.1 / 20.2, 16 B 9.0 / 22.2 ns. (Equal ranges, the earlier
 * measure, favour JS below 16 B: 8 B 12.5 / 14.6.)
 */
export const COMPARE_KERNEL_MIN = 8;
/** Equality, equal ranges: 8 B 11.7-12.1 / 10.8-11.2, 12 B 13.7-14.2 / 12.4-12.7, 16 B 12.3-13.1 / 14.3-14.8. */
export const EQUAL_IN_JS_MAX = 12;
/** Swap: 8 B 11.4-18.2 / 10.6-18.3, 12 B 16.3-19.8 / 12.2-17.3, 16 B 11.2-16.2 / 13.9-21.1. */
export const SWAP_IN_JS_MAX = 12;

/** Which implementation a runtime runs on. */
export type KernelsKind = 'wasm' | 'js';
