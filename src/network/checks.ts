import { InvalidArgumentError } from '../errors.js';

import { render } from '../util/render.js';
import { checkOptionsObject } from '../util/checks.js';

/** Checks that `value` is a whole number in [min, max] (max may be Infinity) and returns it. */
export function checkCount(value: unknown, name: string, operation: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const limit = max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
  throw new InvalidArgumentError(`${operation}: ${name} ${render(value)} is not ${limit}`);
}

/** Options of a request that may wait. */
export interface WaitOptions {
  /** Gives up (rejecting with the signal's reason) when aborted. */
  signal?: AbortSignal;
  /** Gives up with a TimeoutError after this many milliseconds (default: waits without limit). */
  timeoutMs?: number;
}

/** The checked parts of WaitOptions. */
export interface Wait {
  readonly signal: AbortSignal | null;
  /** Infinity when the request waits without limit. */
  readonly timeoutMs: number;
}

const NO_WAIT_OPTIONS: Wait = { signal: null, timeoutMs: Infinity };

/** Checks WaitOptions: an AbortSignal and a non-negative number of milliseconds. */
export function checkWait(options: unknown, operation: string): Wait {
  if (options === undefined) return NO_WAIT_OPTIONS;
  const { signal, timeoutMs } = checkOptionsObject<WaitOptions>(options, `${operation}: options`);
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new InvalidArgumentError(`${operation}: signal must be an AbortSignal, got ${render(signal)}`);
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0)) {
    throw new InvalidArgumentError(`${operation}: timeoutMs ${render(timeoutMs)} is not a number of milliseconds of at least 0`);
  }
  return { signal: signal ?? null, timeoutMs: timeoutMs ?? Infinity };
}

function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof AbortSignal !== 'undefined' && value instanceof AbortSignal) return true;
  // A signal of another realm: the shape is what matters.
  const v = value as { aborted?: unknown; addEventListener?: unknown; removeEventListener?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.aborted === 'boolean' && typeof v.addEventListener === 'function' && typeof v.removeEventListener === 'function';
}

/** The reason an aborted signal gives, or a DOMException-like AbortError when it gives none. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('the request was aborted'), { name: 'AbortError' });
}
