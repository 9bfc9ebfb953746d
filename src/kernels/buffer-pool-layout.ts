/**
 * The network buffer pool's free list in linear memory, as byte offsets:
 * drawn in assembly/buffers.ts, whose exported NB_* constants a test holds
 * these to. Every field is a u32.
 */

/** Number of network segments. */
export const NB_SEGMENT_COUNT = 0;
/** Entries on the free stack: segments not handed out. */
export const NB_FREE_COUNT = 4;
/** log2(segment size). */
export const NB_SEGMENT_SHIFT = 8;
/** Address of segment 0. */
export const NB_SEGMENTS_BASE = 12;
/** 0; reserved for the threads build's lock. */
export const NB_LOCK = 16;
/** Bytes of the header; the arrays follow it. */
export const NB_HEADER_BYTES = 32;
/** Bytes per segment of the arrays after the header (free stack, out flags, io). */
export const NB_BYTES_PER_SEGMENT = 12;

/** Where each array of a list for `segmentCount` segments starts, in bytes from the table. */
export function bufferTableArrays(segmentCount: number) {
  return {
    freeStack: NB_HEADER_BYTES,
    out: NB_HEADER_BYTES + segmentCount * 4,
    io: NB_HEADER_BYTES + segmentCount * 8,
  };
}

/** Total bytes of a list for `segmentCount` segments. */
export const bufferTableBytes = (segmentCount: number): number => NB_HEADER_BYTES + segmentCount * NB_BYTES_PER_SEGMENT;

/** Shared runtimes: bumped after every give, so that realms waiting for a segment wake (Atomics.waitAsync). */
export const NB_EPOCH = 24;
/** Shared runtimes: realms waiting on NB_EPOCH; a give notifies only when some do. */
export const NB_WAITERS = 28;
