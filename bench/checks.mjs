/**
 * The checksum machinery of the reference workloads (bench-workloads.md):
 * FNV-1a 32, the xorshift32 stream that builds W4/W5's records, and a check
 * that throws a ChecksumError naming workload, build, value and expectation.
 * A workload whose checksum differs measured something else, so a mismatch
 * is never a warning: the row is not timed and the run exits non-zero.
 */

export const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32 over `bytes`, continuing from `hash` (so several ranges hash as one concatenation). */
export function fnv1a(bytes, hash = FNV_BASIS) {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** FNV-1a of segments laid end to end, read through `seg.wrap` (a view, so nothing is copied). */
export function fnv1aSegments(segments) {
  let h = FNV_BASIS;
  for (const seg of segments) h = fnv1a(seg.wrap(0, seg.size), h);
  return h;
}

/** xorshift32 with seed 0x12345678, one signed 32-bit word per call, as the workloads define it. */
export function xorshift32(seed = 0x12345678) {
  let x = seed | 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x;
  };
}

export const hex = (value) => '0x' + (value >>> 0).toString(16).padStart(8, '0');

/** Thrown when a workload does not reproduce its reference checksum. */
export class ChecksumError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ChecksumError';
  }
}

/**
 * Compares one checksum; `format` renders both sides (hex for hashes).
 * Returns a line for the report's record of what was verified.
 */
export function check(label, what, actual, expected, format = String) {
  if (!Object.is(actual, expected)) {
    throw new ChecksumError(`${label}: checksum mismatch: ${what} = ${format(actual)}, expected ${format(expected)}`);
  }
  return `${what} = ${format(actual)}`;
}
