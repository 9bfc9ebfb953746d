import type { MemorySegment } from './segment.js';

/**
 * The handles one owner was given, so that releaseAll() and shutdown() can
 * mark each live one freed without a registry entry per page.
 *
 * Each allocation adds a copy of its result array as one batch: the copy is
 * a young array filled from a young array, so the only write into long-lived
 * memory is the one batch pointer. A slot per page in a long-lived array
 * paid V8's old-to-new write barrier for every page instead (W7, 1000 pages:
 * about 8 ns of 63 per page, Node 20).
 *
 *   batches: [ [s0 s1 s2 ... s999] [s1000 s1001] [s1002] ... ]
 *              a batch per allocation; freed handles stay until the sweep
 *
 * A release only marks its handle freed; the batch keeps it. Marking a freed
 * handle again is harmless, so releasing everything marks every handle of
 * every batch. Freed handles are dropped when the owner holds nothing, or
 * swept out once they outnumber the live ones (so the batches stay within
 * twice the owner's pages plus a slack, whatever the pattern of calls).
 */
export class OwnerHandles {
  private batches: MemorySegment[][] = [];
  /** Handles in all batches, live and freed. */
  private count = 0;

  /** Adds the `n` handles of one allocation; `live` is the number the owner held before. */
  add(segments: readonly MemorySegment[], n: number, live: number): void {
    if (this.count - live > live + SWEEP_SLACK) this.sweep();
    this.batches.push(segments.slice(0, n));
    this.count += n;
  }

  /** Marks every handle freed (the owner's pages went back) and forgets them all. */
  freeAll(): void {
    const batches = this.batches;
    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b]!;
      for (let i = 0; i < batch.length; i++) batch[i]!.markFreed();
    }
    this.clear();
  }

  /** Forgets every handle (the owner holds nothing, so every one is freed already). */
  clear(): void {
    if (this.count === 0) return;
    this.batches = [];
    this.count = 0;
  }

  /** Keeps only the live handles, in one batch. */
  private sweep(): void {
    const live: MemorySegment[] = [];
    for (const batch of this.batches) for (const segment of batch) if (!segment.isFreed()) live.push(segment);
    this.batches = live.length === 0 ? [] : [live];
    this.count = live.length;
  }
}

/** Freed handles an owner may keep beyond its live ones before a sweep. */
const SWEEP_SLACK = 64;
