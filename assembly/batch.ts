// Batch kernels of the external sort: work over many fixed-size records in
// one call, where the per-record path made a JS call (or several) for each.
// The TypeScript twin is src/kernels/js-batch.ts; a test holds both builds to
// the bytes the per-record path writes.
//
// Both read the sorter's control block (assembly/sort.ts). While records are
// added, its counts area (free between sorts) holds the key plan:
//
//   ctl + 32   offsets[K]   u16: where key byte j is read in the record
//   ctl + 96   masks[K]     u8:  what it is xor-ed with (0x80 on a sign byte, 0xff descending)
//
// so that key byte j of an index entry is record[offsets[j]] ^ masks[j]:
// the normalized key of int, bigint and fixed-bytes fields, which are
// stored big-endian.
//
// A spill entry (src/sort/spill-format.ts):
//
//   [ varuint: record bytes ][ key prefix: K bytes ][ record ]

import { copyShort } from './bulk';
import { entryAt, field, SORT_ENTRY_SHIFT, SORT_KEY_BYTES, SORT_LIST, SORT_PAGE_SHIFT } from './sort';

export const PLAN_OFFSETS: u32 = 32;
export const PLAN_MASKS: u32 = 96;

/**
 * Index entries for `count` records of `recordBytes` each, back to back at
 * `records`, into consecutive entries from `entries`; the first record's
 * pointer is `pointer`, each next one `recordBytes` further.
 */
export function sortIndexFixed(ctl: usize, records: usize, count: u32, recordBytes: u32, entries: usize, pointer: u32): void {
  const keyBytes = field(ctl, SORT_KEY_BYTES);
  const es = field(ctl, SORT_ENTRY_SHIFT);
  const entry: u32 = 1 << es;
  let rec = records;
  let e = entries;
  for (let r: u32 = 0; r < count; r++) {
    for (let j: u32 = 0; j < keyBytes; j++) {
      store<u8>(e + j, load<u8>(rec + load<u16>(ctl + PLAN_OFFSETS + (j << 1))) ^ load<u8>(ctl + PLAN_MASKS + j));
    }
    for (let j = keyBytes; j < entry - 4; j++) store<u8>(e + j, 0);
    store<u32>(e + entry - 4, pointer);
    pointer += recordBytes;
    rec += recordBytes;
    e += entry;
  }
}

/** Where the gather's touched bytes go, so that the loads stay. */
let gatherTouched: u32 = 0;

/** Bytes of `n` as a varuint. */
// @ts-ignore: decorator
@inline function varUintBytes(n: u32): u32 {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/**
 * Writes spill entries for index entries from `from` up to `to`, whose
 * records of `recordBytes` each lie in record pages of 1 << `pageShift`
 * bytes listed (u32 addresses) at `table`, at `dst` on, as many as fit before
 * `dstEnd`; returns how many it wrote.
 */
export function sortGatherFixed(ctl: usize, from: u32, to: u32, table: usize, pageShift: u32, recordBytes: u32, dst: usize, dstEnd: usize): u32 {
  const keyBytes = field(ctl, SORT_KEY_BYTES);
  const es = field(ctl, SORT_ENTRY_SHIFT);
  const ps = field(ctl, SORT_PAGE_SHIFT);
  const list = <usize>field(ctl, SORT_LIST);
  const pointerAt: u32 = (1 << es) - 4;
  const pageMask: u32 = (1 << pageShift) - 1;
  const step = <usize>(varUintBytes(recordBytes) + keyBytes + recordBytes);
  // How many fit, then two passes over them: the first touches every cache
  // line of every record (a byte every 64 and the last; independent loads,
  // so their cache misses overlap), the second copies them from the cache.
  // Copying straight from memory cost 540-620 ms for 2.58 million records
  // gathered from 64 MiB runs, the two passes 245-265 ms (Node 20,
  // --cpu-prof, loaded machine); touching a few records ahead inside the
  // copy loop did not pay (616-765). Touching only the first and last byte
  // left the middle line of a 104-byte record that spans three (61 % of them).
  const room = dstEnd > dst ? (dstEnd - dst) / step : 0;
  const end = to - from < <u32>room ? to : from + <u32>room;
  let touched: u32 = 0;
  for (let j = from; j < end; j++) {
    const p = load<u32>(entryAt(list, j, ps, es) + pointerAt);
    const offset = p & pageMask;
    const at = <usize>load<u32>(table + (<usize>(p >> pageShift) << 2)) + offset;
    // Only within the record's page (a page may end the memory).
    const inPage = recordBytes < pageMask + 1 - offset ? recordBytes : pageMask + 1 - offset;
    for (let t: u32 = 0; t < inPage; t += 64) touched += load<u8>(at + t);
    if (inPage > 1) touched += load<u8>(at + inPage - 1);
  }
  gatherTouched += touched;
  let i = from;
  while (i < end) {
    const e = entryAt(list, i, ps, es);
    let n = recordBytes;
    while (n >= 0x80) {
      store<u8>(dst++, (n & 0x7f) | 0x80);
      n >>= 7;
    }
    store<u8>(dst++, n);
    copyShort(dst, e, keyBytes);
    dst += keyBytes;
    let p = load<u32>(e + pointerAt);
    let left = recordBytes;
    while (left > 0) {
      const offset = p & pageMask;
      const room = pageMask + 1 - offset;
      const take = left < room ? left : room;
      copyShort(dst, <usize>load<u32>(table + (<usize>(p >> pageShift) << 2)) + offset, take);
      dst += take;
      p += take;
      left -= take;
    }
    i++;
  }
  return i - from;
}
