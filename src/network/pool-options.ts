import { InvalidArgumentError } from '../errors.js';
import { render } from '../util/render.js';
import { checkCount } from './checks.js';
import { checkOptionsObject } from '../util/checks.js';

/** Options of NetworkBufferPool.createBufferPool(). */
export interface BufferPoolOptions {
  /** Segments the pool always has: taken when it is made. */
  minSize: number;
  /** Segments the pool may grow to (Infinity: no limit beyond the global pool). */
  maxSize: number;
  /** Its weight when spare segments are shared among resizable pools (default: minSize, at least 1). */
  expectedSize?: number;
  /** Channels (subpartitions) requests may name, 0 to numSubpartitions − 1 (default 0). */
  numSubpartitions?: number;
  /** Buffers one channel may hold before the pool reports itself unavailable (default: no limit). */
  maxBuffersPerChannel?: number;
  /** Buffers a non-blocking request may take beyond the pool's size while it is unavailable (default 0). */
  maxOverdraftBuffersPerGate?: number;
  /** What runtime snapshots and the inspector call the pool (default: `pool-<n>`, n counting the pools made). */
  name?: string;
}

/** BufferPoolOptions checked, every default filled in but the name's. @internal */
export type CheckedPoolOptions = Required<Omit<BufferPoolOptions, 'name'>> & { readonly name: string | undefined };

/** Longest pool name accepted: a name is for people reading a snapshot. */
const MAX_POOL_NAME = 200;

/** Checks the options of createBufferPool() on a global pool of `total` segments. @internal */
export function checkPoolOptions(options: BufferPoolOptions, total: number): CheckedPoolOptions {
  const op = 'createBufferPool';
  options = checkOptionsObject(options, `${op}: options`);
  const minSize = checkCount(options.minSize, 'minSize', op);
  const maxSize = options.maxSize === Infinity ? Infinity : checkCount(options.maxSize, 'maxSize', op, 1);
  if (minSize > maxSize) throw new InvalidArgumentError(`${op}: minSize ${minSize} is above maxSize ${maxSize}`);
  const expectedSize = options.expectedSize === undefined ? Math.max(minSize, 1) : checkCount(options.expectedSize, 'expectedSize', op, 1);
  const numSubpartitions = options.numSubpartitions === undefined ? 0 : checkCount(options.numSubpartitions, 'numSubpartitions', op, 0, 1 << 24);
  const maxBuffersPerChannel =
    options.maxBuffersPerChannel === undefined || options.maxBuffersPerChannel === Infinity ? Infinity : checkCount(options.maxBuffersPerChannel, 'maxBuffersPerChannel', op, 1);
  const name: unknown = options.name;
  if (name !== undefined && (typeof name !== 'string' || name.length === 0 || name.length > MAX_POOL_NAME)) {
    throw new InvalidArgumentError(`${op}: name must be a string of 1 to ${MAX_POOL_NAME} characters, got ${render(name)}`);
  }
  const maxOverdraftBuffersPerGate = options.maxOverdraftBuffersPerGate === undefined ? 0 : checkCount(options.maxOverdraftBuffersPerGate, 'maxOverdraftBuffersPerGate', op, 0, total);
  return { minSize, maxSize, expectedSize, numSubpartitions, maxBuffersPerChannel, maxOverdraftBuffersPerGate, name: name as string | undefined };
}
