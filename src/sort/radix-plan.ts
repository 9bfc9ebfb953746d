/**
 * The order in which the radix kernels (assembly/radix.ts, or their twin in
 * src/kernels/js-radix.ts) sort an index, shared by both builds: MSD first,
 * LSD in cache.
 *
 * A range of entries larger than LEAF_BYTES gets one counting pass over its
 * most significant undecided key byte, which splits it into up to 256 ranges
 * (a byte equal in the whole range is skipped without moving anything); a
 * range that fits in LEAF_BYTES is finished by one sortLeaf call, whose LSD
 * passes then run in cache. Plain LSD over 1e6 entries made every one of its
 * passes stream the whole index through main memory; after one MSD pass the
 * remaining passes touch 30-600 KiB at a time (measured figures beside
 * LEAF_BYTES).
 *
 * The plan is a generator so that a sort can stop between slices of bounded
 * work: sort() runs it straight through, sortAsync() yields to the event loop
 * between slices. Whatever ends it (an abort, an error thrown by a progress
 * callback), its `finally` puts every pending range back into the list, so
 * the index again holds every entry once.
 */
import type { Kernels } from '../kernels/kernels.js';

/**
 * Ranges up to this many bytes of entries are finished in cache by LSD
 * passes; larger ones are split by an MSD pass first.
 */
export const LEAF_BYTES = 256 * 1024;

/** About this many entry visits (a count, a move) run between two slice ends. */
export const SLICE_WORK = 1 << 18;

/** Entries [lo, hi), equal in the key bytes before `digit`, in the spare list when `inSpare` is 1. */
interface Range {
  readonly lo: number;
  readonly hi: number;
  readonly digit: number;
  readonly inSpare: number;
}

/** What the plan needs to know of one index. */
export interface RadixIndex {
  /** The sort kernels of the index's memory. */
  readonly kernels: Kernels;
  /** Address of the sort control block. */
  readonly ctl: number;
  /** The control block's 256 histogram counters. */
  readonly counts: Uint32Array;
  /** Entries in the index. */
  readonly n: number;
  /** Bytes of the normalized-key prefix. */
  readonly keyBytes: number;
  /** log2 of an entry's bytes. */
  readonly entryShift: number;
  /** False once the index's pages may no longer be touched (released underneath the sorter): nothing is restored then. */
  readonly usable: () => boolean;
}

/**
 * Sorts the index, yielding after each slice of about SLICE_WORK entry visits
 * the number of entries already in their final place (0 to n, never
 * decreasing). Done when the generator returns; stopped early, the index is
 * left holding every entry in the list, in no particular order.
 */
export function* radixPlan(index: RadixIndex): Generator<number, void, undefined> {
  const { kernels: k, ctl, counts, n, keyBytes, entryShift } = index;
  const leafEntries = LEAF_BYTES >>> entryShift;
  const pending: Range[] = [{ lo: 0, hi: n, digit: 0, inSpare: 0 }];
  let current: Range | undefined;
  let placed = 0;
  let work = 0;
  try {
    while ((current = pending.pop()) !== undefined) {
      const { lo, hi, digit, inSpare } = current;
      const size = hi - lo;
      if (size <= leafEntries || digit >= keyBytes) {
        k.sortLeaf(ctl, lo, hi, digit, inSpare);
        placed += size;
        work += size * Math.max(1, 2 * (keyBytes - digit));
      } else {
        counts.fill(0);
        for (let from = lo; from < hi; from += SLICE_WORK) {
          k.sortCount(ctl, digit, from, Math.min(hi, from + SLICE_WORK), inSpare);
          if ((work += Math.min(SLICE_WORK, hi - from)) >= SLICE_WORK) {
            work = 0;
            yield placed;
          }
        }
        if (k.sortPlace(ctl, lo, size) === 1) {
          pending.push({ lo, hi, digit: digit + 1, inSpare });
        } else {
          for (let from = lo; from < hi; from += SLICE_WORK) {
            k.sortScatter(ctl, digit, from, Math.min(hi, from + SLICE_WORK), inSpare);
            if ((work += Math.min(SLICE_WORK, hi - from)) >= SLICE_WORK) {
              work = 0;
              yield placed;
            }
          }
          // The counters now hold where each byte value's range ends; the first one is pushed last, to be sorted first.
          const moved = inSpare ^ 1;
          for (let v = 255; v >= 0; v--) {
            const start = v === 0 ? lo : counts[v - 1]!;
            const end = counts[v]!;
            if (end > start) pending.push({ lo: start, hi: end, digit: digit + 1, inSpare: moved });
          }
        }
      }
      current = undefined;
      if (work >= SLICE_WORK) {
        work = 0;
        yield placed;
      }
    }
  } finally {
    // Stopped early: every range still waiting goes back to the list, where the sorter expects every entry.
    if (current !== undefined) pending.push(current);
    if (pending.length > 0 && index.usable()) {
      for (const r of pending) if (r.inSpare === 1) k.sortRestore(ctl, r.lo, r.hi);
    }
  }
}
