/**
 * Why an access to a MemorySegment failed: the errors its checks throw, built
 * only once a check has failed (the cold path), so the accessors stay small.
 */
import { InvalidArgumentError, SegmentFreedError, SegmentOutOfBoundsError } from '../errors.js';
import { render } from '../util/render.js';
import type { MemorySegment } from './segment.js';

/** The error for a failed single-value access of `segment`. */
export function accessError(segment: MemorySegment, index: number, width: number): Error {
  if (segment.isFreed()) return freedError(segment, `index ${render(index)}`);
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    return new SegmentOutOfBoundsError(`index ${render(index)} is not a whole number from 0 to ${segment.size - width} (segment of ${segment.size} bytes)`);
  }
  return new SegmentOutOfBoundsError(
    `index ${index} with width ${width} is out of bounds for a segment of ${segment.size} bytes (valid: 0 to ${segment.size - width})`,
  );
}

/** The error for a failed range check of `segment`. */
export function rangeError(segment: MemorySegment, offset: number, length: number): Error {
  if (segment.isFreed()) return freedError(segment, `offset ${render(offset)}, length ${render(length)}`);
  return outOfBounds('offset', offset, length, segment.size, 'segment');
}

/** The error for an access to a freed segment. */
function freedError(segment: MemorySegment, what: string): SegmentFreedError {
  return new SegmentFreedError(`segment of ${segment.size} bytes was freed; cannot access ${what}`);
}

/** ToNumber as a DataView setter applies it, refusing a bigint or a Symbol with a typed error. */
export function toNumber(value: unknown): number {
  if (typeof value === 'bigint' || typeof value === 'symbol') {
    throw new InvalidArgumentError(`value ${render(value)} is not a number; longs take a bigint through putLong(), or a number through putLongNumber()`);
  }
  return Number(value);
}

/** The out-of-bounds error for a range of a segment or array. */
export function outOfBounds(what: string, offset: unknown, length: unknown, size: number, container: string): SegmentOutOfBoundsError {
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    return new SegmentOutOfBoundsError(`${what} ${render(offset)} is not a non-negative integer (${container} of ${size} bytes)`);
  }
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    return new SegmentOutOfBoundsError(`length ${render(length)} is not a non-negative integer (${container} of ${size} bytes)`);
  }
  return new SegmentOutOfBoundsError(
    `${what} ${offset} + length ${length} = ${offset + length} exceeds the ${container} size of ${size} bytes`,
  );
}
