/**
 * The batch kernels of the external sort in TypeScript: the twin of
 * assembly/batch.ts (layouts drawn there), the same steps over the same
 * control block, so both builds write the same index entries and spill
 * entries.
 */
import type { Kernels } from './kernels.js';
import { PLAN_MASKS, PLAN_OFFSETS, SORT_ENTRY_SHIFT, SORT_KEY_BYTES, SORT_LIST, SORT_PAGE_SHIFT } from './sort-layout.js';

/** The batch members of Kernels. */
export type BatchKernels = Pick<Kernels, 'sortIndexFixed' | 'sortGatherFixed'>;

/** Batch kernels over `buffer`. */
export function createJsBatch(buffer: ArrayBufferLike): BatchKernels {
  const u8 = new Uint8Array(buffer);
  const u32 = new Uint32Array(buffer);
  const dv = new DataView(buffer);
  const field = (ctl: number, offset: number): number => u32[(ctl + offset) >>> 2]!;
  /** Where the gather's touched bytes go, so that the loads stay. */
  let gatherTouched = 0;

  /** Copies `n` bytes: a loop for a key or a short record, copyWithin beyond (as the copy kernel chooses). */
  const copy = (dst: number, src: number, n: number): void => {
    if (n > 64) u8.copyWithin(dst, src, src + n);
    else for (let i = 0; i < n; i++) u8[dst + i] = u8[src + i]!;
  };

  const sortIndexFixed = (ctl: number, records: number, count: number, recordBytes: number, entries: number, pointer: number): void => {
    const keyBytes = field(ctl, SORT_KEY_BYTES);
    const entry = 1 << field(ctl, SORT_ENTRY_SHIFT);
    const offsets = new Array<number>(keyBytes);
    const masks = new Array<number>(keyBytes);
    for (let j = 0; j < keyBytes; j++) {
      offsets[j] = dv.getUint16(ctl + PLAN_OFFSETS + 2 * j, true);
      masks[j] = u8[ctl + PLAN_MASKS + j]!;
    }
    let rec = records;
    let e = entries;
    for (let r = 0; r < count; r++) {
      for (let j = 0; j < keyBytes; j++) u8[e + j] = u8[rec + offsets[j]!]! ^ masks[j]!;
      for (let j = keyBytes; j < entry - 4; j++) u8[e + j] = 0;
      u32[(e + entry - 4) >>> 2] = pointer;
      pointer = (pointer + recordBytes) >>> 0;
      rec += recordBytes;
      e += entry;
    }
  };

  const sortGatherFixed = (ctl: number, from: number, to: number, table: number, pageShift: number, recordBytes: number, dst: number, dstEnd: number): number => {
    const keyBytes = field(ctl, SORT_KEY_BYTES);
    const es = field(ctl, SORT_ENTRY_SHIFT);
    const ps = field(ctl, SORT_PAGE_SHIFT);
    const list = field(ctl, SORT_LIST) >>> 2;
    const pointerAt = (1 << es) - 4;
    const pageMask = (1 << pageShift) - 1;
    const lengthBytes = recordBytes < 0x80 ? 1 : recordBytes < 0x4000 ? 2 : recordBytes < 0x200000 ? 3 : recordBytes < 0x10000000 ? 4 : 5;
    const step = lengthBytes + keyBytes + recordBytes;
    // How many fit, then two passes (as the wasm kernel): touch every cache line of every record, then copy them.
    const end = Math.min(to, from + Math.max(0, Math.floor((dstEnd - dst) / step)));
    let touched = 0;
    for (let j = from; j < end; j++) {
      const p = u32[(u32[list + (j >>> ps)]! + ((j & ((1 << ps) - 1)) << es) + pointerAt) >>> 2]!;
      const offset = p & pageMask;
      const at = u32[(table >>> 2) + (p >>> pageShift)]! + offset;
      // Every cache line of the record within its page (as the wasm kernel).
      const inPage = Math.min(recordBytes, pageMask + 1 - offset);
      for (let t = 0; t < inPage; t += 64) touched += u8[at + t]!;
      if (inPage > 1) touched += u8[at + inPage - 1]!;
    }
    gatherTouched = (gatherTouched + touched) | 0;
    let i = from;
    while (i < end) {
      const e = u32[list + (i >>> ps)]! + ((i & ((1 << ps) - 1)) << es);
      let n = recordBytes;
      while (n >= 0x80) {
        u8[dst++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      u8[dst++] = n;
      copy(dst, e, keyBytes);
      dst += keyBytes;
      let p = u32[(e + pointerAt) >>> 2]!;
      let left = recordBytes;
      while (left > 0) {
        const offset = p & pageMask;
        const take = Math.min(left, pageMask + 1 - offset);
        copy(dst, u32[(table >>> 2) + (p >>> pageShift)]! + offset, take);
        dst += take;
        p += take;
        left -= take;
      }
      i++;
    }
    return i - from;
  };

  return { sortIndexFixed, sortGatherFixed };
}
