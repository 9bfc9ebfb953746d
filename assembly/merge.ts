// The merge kernel of the external sort: the k-way merge's inner loop over
// the runs' current blocks, in one call. The TypeScript twin is
// src/kernels/js-merge.ts; src/sort/merge-drain.ts fills the state from the
// run readers and the loser tree (src/sort/merger.ts), and takes it back.
//
//   merge state (u32 little-endian)
//      0  k              runs
//      4  keyBytes       bytes of every entry's normalized key
//      8  entries        1: write spill entries (length, key, record); 0: records only
//     12  stop           out: why the call returned (MERGE_FULL, MERGE_SERVICE, MERGE_DONE)
//     16  end            out: address after the last byte written
//     32  tree           k × u32: the loser tree, tree[0] the winner
//     32 + 4k  runs      k × 20: keyAt, recordLength, payloadEnd, left, done
//
//   keyAt         address of the run's current entry's key (its record follows)
//   payloadEnd    address past the payload of the block holding it
//   left          entries of the run after the current one
//
// A call copies the winner's entry, steps its run to the next entry when
// that lies whole in the same block, and replays the winner's path, until
// the output has no room for the next record (MERGE_FULL, nothing of it
// written), the winner's run must leave its block or ends (MERGE_SERVICE:
// its entry was copied, the run not stepped: the caller steps it and
// replays), or every run is done (MERGE_DONE). Keys compare as unsigned
// bytes, a tie in run order: the merge is stable across runs made in input
// order. Only for keys the normalized prefix decides.

import { copyShort } from './bulk';

export const MERGE_STATE_BYTES: u32 = 32;
export const MERGE_RUN_BYTES: u32 = 20;
export const MERGE_FULL: u32 = 0;
export const MERGE_SERVICE: u32 = 1;
export const MERGE_DONE: u32 = 2;

/** True when run a's current entry goes before run b's; a done run after every other. */
// @ts-ignore: decorator
@inline function before(runs: usize, a: u32, b: u32, keyBytes: u32): bool {
  const ra = runs + <usize>a * MERGE_RUN_BYTES;
  const rb = runs + <usize>b * MERGE_RUN_BYTES;
  if (load<u32>(ra, 16) != 0) return false;
  if (load<u32>(rb, 16) != 0) return true;
  let x = <usize>load<u32>(ra);
  let y = <usize>load<u32>(rb);
  let n = keyBytes;
  while (n >= 8) {
    const p = bswap<u64>(load<u64>(x));
    const q = bswap<u64>(load<u64>(y));
    if (p != q) return p < q;
    x += 8;
    y += 8;
    n -= 8;
  }
  if (n >= 4) {
    const p = bswap<u32>(load<u32>(x));
    const q = bswap<u32>(load<u32>(y));
    if (p != q) return p < q;
    x += 4;
    y += 4;
    n -= 4;
  }
  while (n > 0) {
    const p = load<u8>(x);
    const q = load<u8>(y);
    if (p != q) return p < q;
    x++;
    y++;
    n--;
  }
  return a < b;
}

/** Merges into `dst` up to `dstEnd` as described above; returns the entries written. */
export function mergeRuns(state: usize, dst: usize, dstEnd: usize): u32 {
  const k = load<u32>(state);
  const keyBytes = load<u32>(state, 4);
  const entries = load<u32>(state, 8) != 0;
  const tree = state + MERGE_STATE_BYTES;
  const runs = tree + (<usize>k << 2);
  let count: u32 = 0;
  let stop = MERGE_DONE;
  while (true) {
    const w = load<u32>(tree);
    const r = runs + <usize>w * MERGE_RUN_BYTES;
    if (load<u32>(r, 16) != 0) break;
    const keyAt = <usize>load<u32>(r);
    const length = load<u32>(r, 4);
    const lengthBytes: u32 = length < 0x80 ? 1 : length < 0x4000 ? 2 : length < 0x200000 ? 3 : length < 0x10000000 ? 4 : 5;
    const need = <usize>(entries ? lengthBytes + keyBytes + length : length);
    if (dst + need > dstEnd) {
      stop = MERGE_FULL;
      break;
    }
    if (entries) {
      let n = length;
      while (n >= 0x80) {
        store<u8>(dst++, (n & 0x7f) | 0x80);
        n >>= 7;
      }
      store<u8>(dst++, n);
      copyShort(dst, keyAt, keyBytes);
      dst += keyBytes;
    }
    const record = keyAt + keyBytes;
    copyShort(dst, record, length);
    dst += length;
    count++;
    // Step the run when its next entry lies whole in this block.
    const left = load<u32>(r, 12);
    const payloadEnd = <usize>load<u32>(r, 8);
    let pos = record + length;
    if (left == 0 || pos >= payloadEnd) {
      stop = MERGE_SERVICE;
      break;
    }
    let next: u32 = load<u8>(pos++);
    let whole = true;
    if (next >= 0x80) {
      next &= 0x7f;
      for (let shift: u32 = 7; ; shift += 7) {
        if (pos >= payloadEnd || shift > 28) {
          whole = false;
          break;
        }
        const b = <u32>load<u8>(pos++);
        // A length of 2^32 or more: the reader's own step reports it.
        if (shift == 28 && b > 0x0f) {
          whole = false;
          break;
        }
        next += (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    if (!whole || pos + keyBytes + next > payloadEnd) {
      stop = MERGE_SERVICE;
      break;
    }
    store<u32>(r, <u32>pos);
    store<u32>(r, next, 4);
    store<u32>(r, left - 1, 12);
    // Replay: one match per level on the winner's path.
    let winner = w;
    for (let node = (w + k) >> 1; node > 0; node >>= 1) {
      const at = tree + (<usize>node << 2);
      const loser = load<u32>(at);
      if (before(runs, loser, winner, keyBytes)) {
        store<u32>(at, winner);
        winner = loser;
      }
    }
    store<u32>(tree, winner);
  }
  store<u32>(state, stop, 12);
  store<u32>(state, <u32>dst, 16);
  return count;
}
