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
/** Where the two page lists start. */
export const SORT_LISTS = 1056;

/** Page addresses a control block in a page of `pageSize` bytes holds per list. */
export const sortListCapacity = (pageSize: number): number => Math.floor((pageSize - SORT_LISTS) / 8);

/**
 * Indexes of fewer entries than this are introsorted even when scratch pages
 * could be had; both builds use the same cut-off, so their orders stay
 * identical. Measured with `node bench/sort.mjs --kernels` (random int32
 * keys, 8-byte entries, ns per entry, wall clock, Node 20, 2-core Xeon shared
 * with other work, 2026-12-01), radix / introsort:
 *
 *   entries      64          128         256         1024        65536       1e6
 *   wasm         25.8 / 59.8 31.4 / 92.1 24.0 / 100  15.5 / 114  18.7 / 169  32.7 / 249
 *   pure JS      122  / 105  83.8 / 115  72.6 / 124  36.6 / 115  40.3 / 188  40.0 / 224
 *
 * Radix sort wins in the wasm build at every size measured and in the
 * pure-JS build from 128 entries on; at 64 the pure-JS build loses 15 % for
 * the wasm build's 2.3x.
 */
export const RADIX_MIN_ENTRIES = 64;
