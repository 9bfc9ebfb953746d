/**
 * The sort control block's layout in linear memory, as byte offsets: drawn in
 * assembly/sort.ts, whose exported SORT_* constants a test holds these to.
 * Every field is a u32.
 */

/** Entries in the index. */
export const SORT_N = 0;
/** log2 of an entry's bytes: 3, 4 or 5. */
export const SORT_ENTRY_SHIFT = 4;
/** log2 of entries per page. */
export const SORT_PAGE_SHIFT = 8;
/** Bytes of the normalized-key prefix. */
export const SORT_KEY_BYTES = 12;
/** Bit 0: stable (the record pointer breaks ties). */
export const SORT_FLAGS = 16;
/** Page addresses each of the two lists can hold. */
export const SORT_CAPACITY = 20;
/** Address of the page list holding the entries. */
export const SORT_LIST = 24;
/** Address of the other page list (the radix sort's scratch pages). */
export const SORT_SPARE = 28;
/** The 256 u32 counts of one radix digit. */
export const SORT_COUNTS = 32;
/** The key plan of the batch kernels (assembly/batch.ts), in the counts area while records are added: u16 source offset per key byte. */
export const PLAN_OFFSETS = 32;
/** The key plan's u8 xor mask per key byte. */
export const PLAN_MASKS = 96;
/** Where the two page lists start. */
export const SORT_LISTS = 1056;

/** Page addresses a control block in a page of `pageSize` bytes holds per list. */
export const sortListCapacity = (pageSize: number): number => Math.floor((pageSize - SORT_LISTS) / 8);

/**
 * Indexes of fewer entries than this are introsorted even when scratch pages
 * could be had; both builds use the same cut-off, so their orders stay
 * identical. Measured with `node bench/sort.mjs --kernels` (random int32
 * keys, 8-byte entries, ns per entry, wall clock, Node 20, 2-core Xeon shared
 * with other work, 2026-12-01; second run, load average 1.9), radix / introsort:
 *
 *   entries   16          32          64          128         1024        65536       1e6
 *   wasm      111 / 64.8  66.8 / 74.8 44.0 / 83.8 30.6 / 93.5 12.9 / 94.6 20.1 / 191  21.4 / 206
 *   pure JS   212 / 66.6  129  / 76.0 88.0 / 83.0 67.0 / 92.4 39.4 / 124  37.8 / 200  59.2 / 256
 *
 * (The first run, at load average 4, put the crossovers at the same places.)
 * Radix sort wins in the wasm build from 32 entries on and in the pure-JS
 * build from about 64; 64 costs the wasm build ~10 % at 32-63 entries and the
 * pure-JS build ~6 % at 64.
 *
 * Re-measured after the radix sort became MSD first, LSD in cache (the same
 * command, now through src/sort/radix-plan.ts; load average 6-8, so only
 * the crossovers mean anything), radix / introsort:
 *
 *   entries   16          32          64          128         1024        65536       1e6
 *   wasm      98.3 / 56.0 69.6 / 57.4 74.0 / 77.6 27.3 / 77.6 20.2 / 111  21.5 / 246  27.5 / 284
 *   pure JS   328  / 217  245  / 153  229  / 202  159  / 183  71.5 / 284  107  / 600  127  / 790
 *
 * The crossovers stayed at 64 (wasm) and 64-128 (pure JS), so the cut-off did too.
 */
export const RADIX_MIN_ENTRIES = 64;
