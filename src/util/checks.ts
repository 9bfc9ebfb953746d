/**
 * The argument checks every part shares, so a wrong argument reads the same
 * everywhere: what was expected, what came (rendered by `render`), and the limit.
 */
import { IllegalConfigurationError, InvalidArgumentError, type SegmemError } from '../errors.js';
import { render } from './render.js';

/** A whole number from `min` to `max`, or throws InvalidArgumentError naming `what`. */
export function checkInteger(value: unknown, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value + 0;
  throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}, got ${render(value)}`);
}

/** A Uint8Array, or throws InvalidArgumentError naming `what`. */
export function checkUint8Array(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new InvalidArgumentError(`${what} must be a Uint8Array, got ${render(value)}`);
}

/** An option that takes one of `allowed` (undefined gives `fallback`), or throws IllegalConfigurationError. */
export function checkOption<T>(value: unknown, what: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (allowed.includes(value as T)) return value as T;
  throw new IllegalConfigurationError(`${what} must be ${allowed.map(render).join(' or ')}, got ${render(value)}`);
}

/** An option that takes a function (undefined gives undefined), or throws IllegalConfigurationError. */
export function checkFunctionOption<F>(value: unknown, what: string): F | undefined {
  if (value === undefined || typeof value === 'function') return value as F | undefined;
  throw new IllegalConfigurationError(`${what} must be a function, got ${render(value)}`);
}

/**
 * An options argument: an object that is not an array (undefined gives `{}`),
 * or throws `error` (InvalidArgumentError unless said) naming `what`.
 */
export function checkOptionsObject<T extends object>(value: unknown, what: string, error: new (message: string) => SegmemError = InvalidArgumentError): T {
  if (value === undefined) return {} as T;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as T;
  throw new error(`${what} must be an object, got ${render(value)}`);
}

/** An instance of `type` (named `typeName` in the message: class names do not survive a minifier), or throws InvalidArgumentError naming `what`. */
export function checkInstance<T>(value: unknown, type: abstract new (...args: never[]) => T, typeName: string, what: string): T {
  if (value instanceof type) return value;
  throw new InvalidArgumentError(`${what}: expected ${/^[AEIOU]/.test(typeName) ? 'an' : 'a'} ${typeName}, got ${render(value)}`);
}
