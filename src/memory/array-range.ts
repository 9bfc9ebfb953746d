/**
 * The checks of a range of a caller's array, shared by the segment's and the
 * views' bulk calls so that a bad offset or length reads the same everywhere.
 */
import { checkUint8Array } from '../util/checks.js';
import { outOfBounds } from './segment-errors.js';

/**
 * The default length of a range starting at `offset`: what is left of `total`.
 * An invalid offset gives 0, so that the range check names the offset, not a
 * length the caller never passed.
 */
export function remaining(total: number, offset: number): number {
  return typeof offset === 'number' && offset >>> 0 === offset && offset <= total ? total - offset : 0;
}

/** Checks that [offset, offset + length) lies inside `array`. */
export function checkArrayRange(array: Uint8Array, name: string, offset: number, length: number): void {
  checkUint8Array(array, name);
  if (typeof offset === 'number' && typeof length === 'number' && offset >>> 0 === offset && length >>> 0 === length && offset + length <= array.length) return;
  throw outOfBounds(`${name} offset`, offset, length, array.length, `${name} array`);
}
