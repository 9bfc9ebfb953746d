/**
 * The merge kernel and the block checksum in TypeScript: the twins of
 * assembly/merge.ts (state layout drawn there, offsets in merge-layout.ts)
 * and assembly/checksum.ts, the same steps over the same memory, so both
 * builds merge into the same bytes.
 */
import { checksumBytes } from './js-checksum.js';
import type { Kernels } from './kernels.js';
import {
  MERGE_DONE,
  MERGE_END,
  MERGE_ENTRIES,
  MERGE_FULL,
  MERGE_K,
  MERGE_KEY_BYTES,
  MERGE_RUN_BYTES,
  MERGE_SERVICE,
  MERGE_STATE_BYTES,
  MERGE_STOP,
  RUN_DONE,
  RUN_KEY_AT,
  RUN_LEFT,
  RUN_LENGTH,
  RUN_PAYLOAD_END,
} from './merge-layout.js';

/** The merge members of Kernels. */
export type MergeKernels = Pick<Kernels, 'mergeRuns' | 'spillChecksum'>;

/** Merge kernels over `buffer`. */
export function createJsMerge(buffer: ArrayBufferLike): MergeKernels {
  const u8 = new Uint8Array(buffer);
  const u32 = new Uint32Array(buffer);
  const at32 = (address: number): number => u32[address >>> 2]!;
  const put32 = (address: number, value: number): void => void (u32[address >>> 2] = value);

  /** Copies `n` bytes: a loop for a key or a short record, copyWithin beyond (as the copy kernel chooses). */
  const copy = (dst: number, src: number, n: number): void => {
    if (n > 64) u8.copyWithin(dst, src, src + n);
    else for (let i = 0; i < n; i++) u8[dst + i] = u8[src + i]!;
  };

  /** True when run a's current entry goes before run b's; a done run after every other. */
  const before = (runs: number, a: number, b: number, keyBytes: number): boolean => {
    const ra = runs + a * MERGE_RUN_BYTES;
    const rb = runs + b * MERGE_RUN_BYTES;
    if (at32(ra + RUN_DONE) !== 0) return false;
    if (at32(rb + RUN_DONE) !== 0) return true;
    const x = at32(ra + RUN_KEY_AT);
    const y = at32(rb + RUN_KEY_AT);
    for (let i = 0; i < keyBytes; i++) {
      const p = u8[x + i]!;
      const q = u8[y + i]!;
      if (p !== q) return p < q;
    }
    return a < b;
  };

  const mergeRuns = (state: number, dst: number, dstEnd: number): number => {
    const k = at32(state + MERGE_K);
    const keyBytes = at32(state + MERGE_KEY_BYTES);
    const entries = at32(state + MERGE_ENTRIES) !== 0;
    const tree = state + MERGE_STATE_BYTES;
    const runs = tree + 4 * k;
    let count = 0;
    let stop = MERGE_DONE;
    for (;;) {
      const w = at32(tree);
      const r = runs + w * MERGE_RUN_BYTES;
      if (at32(r + RUN_DONE) !== 0) break;
      const keyAt = at32(r + RUN_KEY_AT);
      const length = at32(r + RUN_LENGTH);
      const lengthBytes = length < 0x80 ? 1 : length < 0x4000 ? 2 : length < 0x200000 ? 3 : length < 0x10000000 ? 4 : 5;
      if (dst + (entries ? lengthBytes + keyBytes + length : length) > dstEnd) {
        stop = MERGE_FULL;
        break;
      }
      if (entries) {
        let n = length;
        while (n >= 0x80) {
          u8[dst++] = (n & 0x7f) | 0x80;
          n >>>= 7;
        }
        u8[dst++] = n;
        copy(dst, keyAt, keyBytes);
        dst += keyBytes;
      }
      const record = keyAt + keyBytes;
      copy(dst, record, length);
      dst += length;
      count++;
      // Step the run when its next entry lies whole in this block.
      const left = at32(r + RUN_LEFT);
      const payloadEnd = at32(r + RUN_PAYLOAD_END);
      let pos = record + length;
      if (left === 0 || pos >= payloadEnd) {
        stop = MERGE_SERVICE;
        break;
      }
      let next = u8[pos++]!;
      let whole = true;
      if (next >= 0x80) {
        next &= 0x7f;
        for (let shift = 7; ; shift += 7) {
          if (pos >= payloadEnd || shift > 28) {
            whole = false;
            break;
          }
          const b = u8[pos++]!;
          // A length of 2^32 or more: the reader's own step reports it.
          if (shift === 28 && b > 0x0f) {
            whole = false;
            break;
          }
          next = (next + ((b & 0x7f) << shift)) >>> 0;
          if (b < 0x80) break;
        }
      }
      if (!whole || pos + keyBytes + next > payloadEnd) {
        stop = MERGE_SERVICE;
        break;
      }
      put32(r + RUN_KEY_AT, pos);
      put32(r + RUN_LENGTH, next);
      put32(r + RUN_LEFT, left - 1);
      // Replay: one match per level on the winner's path.
      let winner = w;
      for (let node = (w + k) >> 1; node > 0; node >>= 1) {
        const loser = at32(tree + 4 * node);
        if (before(runs, loser, winner, keyBytes)) {
          put32(tree + 4 * node, winner);
          winner = loser;
        }
      }
      put32(tree, winner);
    }
    put32(state + MERGE_STOP, stop);
    put32(state + MERGE_END, dst);
    return count;
  };

  return { mergeRuns, spillChecksum: (at, length, seed) => checksumBytes(u8, at, length, seed) };
}
