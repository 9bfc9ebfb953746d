import type { MemorySegment } from './segment.js';

/**
 * What `allocatePages(owner, n)` returns: for a literal `n` from 0 to 16, a
 * tuple of exactly `n` segments, so `const [a, b] = allocatePages(owner, 2)`
 * is safe under `noUncheckedIndexedAccess`; for any other count,
 * `MemorySegment[]`. `Acc` only carries the recursion; leave it out.
 */
export type AllocatedPages<N extends number, Acc extends MemorySegment[] = []> = N extends number
  ? number extends N
    ? MemorySegment[]
    : Acc['length'] extends N
      ? Acc
      : Acc['length'] extends 16
        ? MemorySegment[]
        : AllocatedPages<N, [...Acc, MemorySegment]>
  : never;
