// Helpers of the threads suites.
import { expect } from 'vitest';
import type { Build } from '../builds.js';

/** Runs `fn`, expects a SegmemError with `code`, returns it. */
export function expectCode(lib: Build, fn: () => unknown, code: string): Error {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(lib.SegmemError);
  expect((error as { code: string }).code).toBe(code);
  return error as Error;
}
