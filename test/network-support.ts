// Shared by the network suites: small runtimes with network memory, error
// assertions by code, and a way to let pending promise reactions run.
import { expect } from 'vitest';
import type { Build } from './builds.js';
import type { LocalBufferPool, NetworkBuffer, Runtime, SegmemErrorCode } from '../src/index.js';

export const PAGE = 4096;

/** A runtime with `buffers` network buffers of 4 KiB (and a little managed memory). */
export function netRuntime(init: Build['init'], buffers: number, pageSize = PAGE): Promise<Runtime> {
  return init({ managedMemory: 4 * pageSize, networkMemory: buffers * pageSize, offHeapMemory: '64kb', pageSize });
}

// One way to assert a thrown error's code, shared with the segment suites.
export { expectCode, thrown } from './oracle.js';

/** Asserts the promise rejects with a segmem error with `code` and returns it. */
export async function expectRejectCode(lib: Build, promise: Promise<unknown>, code: SegmemErrorCode): Promise<Error> {
  let caught: unknown;
  await promise.then(
    () => {
      throw new Error(`expected a rejection with ${code}`);
    },
    (err: unknown) => {
      caught = err;
    },
  );
  const err = caught as Error & { code?: string };
  expect(err.code, err.message).toBe(code);
  expect(err).toBeInstanceOf(lib.SegmemError);
  return err;
}

/** Lets every queued promise reaction run (no timers involved, so fake timers do not matter). */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** Records whether a promise settled, without awaiting it. */
export function track<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

/** Requests `n` buffers, failing when one is missing. */
export function takeBuffers(pool: LocalBufferPool, n: number): NetworkBuffer[] {
  const out: NetworkBuffer[] = [];
  for (let i = 0; i < n; i++) {
    const b = pool.requestBuffer();
    expect(b, `buffer ${i} of ${n}`).not.toBeNull();
    out.push(b!);
  }
  return out;
}

/** Values that are not a count: each must be refused with a message naming it. */
export const NOT_COUNTS: readonly [unknown, string][] = [
  [-1, '-1'],
  [1.5, '1.5'],
  [Number.NaN, 'NaN'],
  [Infinity, 'Infinity'],
  [2n, '2n'],
  ['3', "'3'"],
  [Symbol('x'), 'Symbol(x)'],
  [null, 'null'],
];
