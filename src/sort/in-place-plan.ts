/**
 * Introsort in place, in slices: the plan an index follows when the sorter
 * cannot get scratch pages for radix sort. The first partitions of a large
 * index are taken one kernel call at a time (sortPartition), exactly as the
 * kernel's own introsort would take them, and every range of IN_PLACE_SLICE
 * entries or fewer is finished by one sortInPlaceRange call, so the order is
 * the one a single sortInPlace call gives. Entries only ever swap places, so
 * the index holds every entry whenever the plan is suspended or stopped.
 */
import type { Kernels } from '../kernels/kernels.js';
import { SLICE_WORK } from './radix-plan.js';

/** Ranges of at most this many entries are introsorted by one kernel call (about 0.5 ms in the wasm build, 2 ms in pure JS). */
export const IN_PLACE_SLICE = 1 << 13;

/** Entries [lo, hi] with `depth` partitions left before heap sort. */
type Range = readonly [lo: number, hi: number, depth: number];

/**
 * Sorts the n entries of the index at `ctl` in place, yielding after each
 * slice of about SLICE_WORK entry visits the number of entries in their final
 * place (never decreasing); done when the generator returns.
 */
export function* inPlacePlan(kernels: Kernels, ctl: number, n: number): Generator<number, void, undefined> {
  if (n < 2) return;
  const pending: Range[] = [[0, n - 1, 2 * (32 - Math.clz32(n))]];
  let placed = 0;
  let work = 0;
  for (let range = pending.pop(); range !== undefined; range = pending.pop()) {
    const [lo, hi, depth] = range;
    const size = hi - lo + 1;
    if (size <= IN_PLACE_SLICE || depth === 0) {
      kernels.sortInPlaceRange(ctl, lo, hi, depth);
      placed += size;
      // About log2(size) compares and moves per entry.
      work += size * (32 - Math.clz32(size));
    } else {
      const pivot = kernels.sortPartition(ctl, lo, hi);
      placed += 1;
      work += size;
      // The lower side is pushed last, to be sorted first; an empty side is no range at all.
      if (pivot < hi) pending.push([pivot + 1, hi, depth - 1]);
      if (pivot > lo) pending.push([lo, pivot - 1, depth - 1]);
    }
    if (work >= SLICE_WORK) {
      work = 0;
      yield placed;
    }
  }
}
