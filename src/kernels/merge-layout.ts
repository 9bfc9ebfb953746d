/**
 * The merge kernel's state in linear memory, as byte offsets: drawn in
 * assembly/merge.ts, whose exported MERGE_* constants a test holds these to.
 * Every field is a u32.
 */

/** Runs merged. */
export const MERGE_K = 0;
/** Bytes of every entry's normalized key. */
export const MERGE_KEY_BYTES = 4;
/** 1: the kernel writes spill entries; 0: records only. */
export const MERGE_ENTRIES = 8;
/** Out: why the call returned (MERGE_FULL, MERGE_SERVICE or MERGE_DONE). */
export const MERGE_STOP = 12;
/** Out: the address after the last byte written. */
export const MERGE_END = 16;
/** Where the loser tree starts (k u32), the runs' fields after it. */
export const MERGE_STATE_BYTES = 32;
/** Bytes per run: keyAt, recordLength, payloadEnd, left, done. */
export const MERGE_RUN_BYTES = 20;
/** Run field: address of the current entry's key. */
export const RUN_KEY_AT = 0;
/** Run field: bytes of the current entry's record. */
export const RUN_LENGTH = 4;
/** Run field: address past the payload of the current block. */
export const RUN_PAYLOAD_END = 8;
/** Run field: entries of the run after the current one. */
export const RUN_LEFT = 12;
/** Run field: 1 once the run is done. */
export const RUN_DONE = 16;

/** Stop: the output has no room for the next record (nothing of it written). */
export const MERGE_FULL = 0;
/** Stop: the winner's entry was written, but its run must leave its block or ends: step it, then replay. */
export const MERGE_SERVICE = 1;
/** Stop: every run is done. */
export const MERGE_DONE = 2;

/** Bytes of a merge state for `k` runs. */
export const mergeStateBytes = (k: number): number => MERGE_STATE_BYTES + 4 * k + MERGE_RUN_BYTES * k;
