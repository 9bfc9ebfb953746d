import { InvalidArgumentError } from '../errors.js';
import { checkInteger } from '../util/checks.js';
import { render } from '../util/render.js';

/** Throws unless `owner` is a value (not null or undefined). */
export function checkOwner(owner: unknown, operation: string): void {
  if (owner === null || owner === undefined) throw new InvalidArgumentError(`${operation}: owner must not be ${String(owner)}`);
}

/** Checks a byte count: a whole number, at least 0. */
export function checkBytes(bytes: number, operation: string): void {
  checkInteger(bytes, `${operation}: bytes`);
}

/** Checks a fraction of the managed memory: within (0, 1]. */
export function checkFraction(fraction: number, operation: string): void {
  if (!(typeof fraction === 'number' && fraction > 0 && fraction <= 1)) {
    throw new InvalidArgumentError(`${operation}: fraction ${render(fraction)} is not within (0, 1]`);
  }
}
