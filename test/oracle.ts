// Shared helpers of the MemorySegment suites: the table of typed accessors with
// a DataView oracle for each, error assertions, a seeded random source, and a
// plain model of a segment (a Uint8Array plus a DataView) that implements the
// documented semantics without any of segmem's code.
import { expect } from 'vitest';
import type { MemorySegment } from '../src/index.js';

/** A small runtime: 128 KiB of 4 KiB pages, no network pages, 64 KiB off-heap. */
export const SMALL_RUNTIME = { managedMemory: '128kb', networkMemory: 0, offHeapMemory: '64kb', pageSize: 4096 } as const;
export const SMALL_PAGE_SIZE = 4096;
export const SMALL_PAGE_COUNT = 32;
export const SMALL_OFF_HEAP = 65536;

// ------------------------------------------------------------------ calling by name

type Method = (...args: unknown[]) => unknown;

/** Calls `segment[name](...args)`; the suites address accessors by name so every one of them is covered. */
export function call(target: object, name: string, ...args: unknown[]): unknown {
  const method = (target as Record<string, Method | undefined>)[name];
  if (typeof method !== 'function') throw new Error(`no method ${name}`);
  return method.apply(target, args);
}

/**
 * The same object, seen as having methods that take anything (the suites pass
 * wrong arguments on purpose); results are `any` so that a loose call fits
 * wherever the real method's result would.
 */
export type Loose = { readonly [name: string]: (...args: unknown[]) => any };

export function loose(value: object): Loose {
  return value as Loose;
}

// ------------------------------------------------------------------ typed accessors

/** '' is the native order (little-endian); the other two are the suffixes of the accessor names. */
export type Order = '' | 'LittleEndian' | 'BigEndian';
export const ORDERS: readonly Order[] = ['', 'LittleEndian', 'BigEndian'];

export type TypeName = 'Byte' | 'Boolean' | 'Char' | 'Short' | 'Int' | 'Float' | 'Double' | 'Long' | 'LongNumber';

/** Thrown by the model with the code segmem must throw in the same situation. */
export class ModelError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const MAX_SAFE = 9007199254740991n;

/** Writes and reads one value type with a DataView: the oracle the segment is checked against. */
interface TypeCodec {
  readonly width: number;
  write(view: DataView, pos: number, value: unknown, littleEndian: boolean): void;
  read(view: DataView, pos: number, littleEndian: boolean): unknown;
}

/** A byte as a Uint8Array stores it: truncated, modulo 256 (NaN and ±Infinity give 0). */
export function toUint8(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return ((Math.trunc(value) % 256) + 256) % 256;
}

const CODECS: { readonly [K in TypeName]: TypeCodec } = {
  Byte: {
    width: 1,
    write: (view, pos, value) => view.setUint8(pos, toUint8(value as number)),
    read: (view, pos) => view.getUint8(pos),
  },
  Boolean: {
    width: 1,
    write: (view, pos, value) => view.setUint8(pos, value ? 1 : 0),
    read: (view, pos) => view.getUint8(pos) !== 0,
  },
  Char: {
    width: 2,
    write: (view, pos, value, le) => view.setUint16(pos, value as number, le),
    read: (view, pos, le) => view.getUint16(pos, le),
  },
  Short: {
    width: 2,
    write: (view, pos, value, le) => view.setInt16(pos, value as number, le),
    read: (view, pos, le) => view.getInt16(pos, le),
  },
  Int: {
    width: 4,
    write: (view, pos, value, le) => view.setInt32(pos, value as number, le),
    read: (view, pos, le) => view.getInt32(pos, le),
  },
  Float: {
    width: 4,
    write: (view, pos, value, le) => view.setFloat32(pos, value as number, le),
    read: (view, pos, le) => view.getFloat32(pos, le),
  },
  Double: {
    width: 8,
    write: (view, pos, value, le) => view.setFloat64(pos, value as number, le),
    read: (view, pos, le) => view.getFloat64(pos, le),
  },
  Long: {
    width: 8,
    write: (view, pos, value, le) => {
      if (typeof value !== 'bigint') throw new ModelError('ERR_INVALID_ARGUMENT');
      view.setBigInt64(pos, value, le);
    },
    read: (view, pos, le) => view.getBigInt64(pos, le),
  },
  LongNumber: {
    width: 8,
    write: (view, pos, value, le) => {
      if (!Number.isSafeInteger(value)) throw new ModelError('ERR_VALUE_OUT_OF_RANGE');
      view.setBigInt64(pos, BigInt(value as number), le);
    },
    read: (view, pos, le) => {
      const value = view.getBigInt64(pos, le);
      if (value > MAX_SAFE || value < -MAX_SAFE) throw new ModelError('ERR_VALUE_OUT_OF_RANGE');
      return Number(value);
    },
  },
};

/** One getter/setter pair of MemorySegment, by name, with its oracle. */
export interface Accessor {
  /** e.g. 'Int BigEndian', for test titles. */
  readonly label: string;
  readonly type: TypeName;
  readonly order: Order;
  readonly width: number;
  readonly getName: string;
  readonly putName: string;
  readonly littleEndian: boolean;
  /** A value every put of this type accepts. */
  readonly sample: unknown;
  get(segment: MemorySegment, index: unknown): unknown;
  put(segment: MemorySegment, index: unknown, value: unknown): void;
  /** Oracle: writes `value` at `pos` of `view` as the segment must. */
  write(view: DataView, pos: number, value: unknown): void;
  /** Oracle: reads at `pos` of `view` as the segment must. */
  read(view: DataView, pos: number): unknown;
}

const SAMPLES: { readonly [K in TypeName]: unknown } = {
  Byte: 0xab,
  Boolean: true,
  Char: 0xbeef,
  Short: -12345,
  Int: -123456789,
  Float: -1.5,
  Double: Math.PI,
  Long: -0x123456789abcdefn,
  LongNumber: -0x1234567890abc,
};

function accessor(type: TypeName, order: Order): Accessor {
  const codec = CODECS[type];
  const littleEndian = order !== 'BigEndian';
  const getName = type === 'Byte' ? 'get' : `get${type}${order}`;
  const putName = type === 'Byte' ? 'put' : `put${type}${order}`;
  return {
    label: order === '' ? type : `${type} ${order}`,
    type,
    order,
    width: codec.width,
    getName,
    putName,
    littleEndian,
    sample: SAMPLES[type],
    get: (segment, index) => call(segment, getName, index),
    put: (segment, index, value) => void call(segment, putName, index, value),
    write: (view, pos, value) => codec.write(view, pos, value, littleEndian),
    read: (view, pos) => codec.read(view, pos, littleEndian),
  };
}

/** Every single-value accessor: byte, boolean, and the seven typed ones in each of the three orders. */
export const ACCESSORS: readonly Accessor[] = [
  accessor('Byte', ''),
  accessor('Boolean', ''),
  ...(['Char', 'Short', 'Int', 'Float', 'Double', 'Long', 'LongNumber'] as const).flatMap((type) =>
    ORDERS.map((order) => accessor(type, order)),
  ),
];

// ------------------------------------------------------------------ errors

/** Runs `fn` and returns what it threw; fails the test when it returns normally. */
export function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  expect.fail('expected the call to throw');
}

/** The error classes of the build under test, to check `instanceof` against. */
export interface ErrorClasses {
  readonly SegmemError: abstract new (...args: never[]) => Error;
  readonly SegmentOutOfBoundsError: abstract new (...args: never[]) => Error;
  readonly SegmentFreedError: abstract new (...args: never[]) => Error;
}

/** Asserts `fn` throws ERR_SEGMENT_OUT_OF_BOUNDS as a RangeError and a SegmemError, naming every piece in its message. */
export function expectOutOfBounds(lib: ErrorClasses, fn: () => unknown, ...mentions: readonly unknown[]): void {
  const err = thrown(fn);
  expect(err.code, err.message).toBe('ERR_SEGMENT_OUT_OF_BOUNDS');
  expect(err).toBeInstanceOf(RangeError);
  expect(err).toBeInstanceOf(lib.SegmemError);
  expect(err).toBeInstanceOf(lib.SegmentOutOfBoundsError);
  for (const piece of mentions) expect(err.message).toContain(String(piece));
}

/** Asserts `fn` throws ERR_SEGMENT_FREED (and not an out-of-bounds error). */
export function expectFreed(lib: ErrorClasses, fn: () => unknown): void {
  const err = thrown(fn);
  expect(err.code, err.message).toBe('ERR_SEGMENT_FREED');
  expect(err).toBeInstanceOf(lib.SegmemError);
  expect(err).toBeInstanceOf(lib.SegmentFreedError);
  expect(err).not.toBeInstanceOf(RangeError);
}

/** Asserts `fn` throws a segmem error with `code`. */
export function expectCode(lib: ErrorClasses, fn: () => unknown, code: string): Error {
  const err = thrown(fn);
  expect(err.code, err.message).toBe(code);
  expect(err).toBeInstanceOf(lib.SegmemError);
  return err;
}

// ------------------------------------------------------------------ bytes

/** A deterministic pseudo-random byte source (mulberry32), so failures reproduce. */
export function randomBytes(seed: number): (n: number) => Uint8Array {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0xff;
  };
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = next();
    return out;
  };
}

/** A copy of the segment's bytes (the segment must not be freed). */
export function snapshot(segment: MemorySegment): Uint8Array {
  return segment.wrap(0, segment.size).slice();
}

/** Asserts two byte sequences are equal; compares in a loop and builds a readable diff only on a mismatch. */
export function expectBytes(actual: ArrayLike<number>, expected: ArrayLike<number>, message?: string): void {
  let same = actual.length === expected.length;
  for (let i = 0; same && i < actual.length; i++) same = actual[i] === expected[i];
  if (!same) expect(Array.from(actual), message).toEqual(Array.from(expected));
}

/** Overwrites the whole segment with `bytes`. */
export function load(segment: MemorySegment, bytes: Uint8Array): void {
  segment.putBytes(0, bytes, 0, segment.size);
}

/** A DataView over the segment's own bytes. */
export function viewOf(segment: MemorySegment): DataView {
  const bytes = segment.wrap(0, segment.size);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reverses every `width`-byte group of `bytes[offset, offset + length)` in place. */
export function reverseGroups(bytes: Uint8Array | number[], offset: number, length: number, width: number): void {
  for (let at = offset; at < offset + length; at += width) {
    for (let i = 0; i < width / 2; i++) {
      const t = bytes[at + i]!;
      bytes[at + i] = bytes[at + width - 1 - i]!;
      bytes[at + width - 1 - i] = t;
    }
  }
}

/** Unsigned lexicographic order of two byte sequences, the shorter first on a common prefix. */
export function lexicographic(a: ArrayLike<number>, b: ArrayLike<number>): -1 | 0 | 1 {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

// ------------------------------------------------------------------ a plain model of a segment

/** True for a number that can be an index, offset or length: a non-negative integer. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

const OUT_OF_BOUNDS = 'ERR_SEGMENT_OUT_OF_BOUNDS';

/**
 * The documented semantics of a MemorySegment over a plain array. Arguments
 * are checked in the order they are given: this segment's range first, then
 * the other segment's, then the array's; an access to a freed segment is
 * ERR_SEGMENT_FREED whatever the arguments.
 */
export class ModelSegment {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  freed = false;

  constructor(readonly size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  private checkIndex(index: unknown, width: number): number {
    if (this.freed) throw new ModelError('ERR_SEGMENT_FREED');
    if (!isCount(index) || index + width > this.size) throw new ModelError(OUT_OF_BOUNDS);
    return index;
  }

  private checkRange(offset: unknown, length: unknown): [number, number] {
    if (this.freed) throw new ModelError('ERR_SEGMENT_FREED');
    if (!isCount(offset) || !isCount(length) || offset + length > this.size) throw new ModelError(OUT_OF_BOUNDS);
    return [offset, length];
  }

  private static checkArray(array: Uint8Array, offset: unknown, length: number): number {
    if (!isCount(offset) || offset + length > array.length) throw new ModelError(OUT_OF_BOUNDS);
    return offset;
  }

  get(accessor: Accessor, index: unknown): unknown {
    return accessor.read(this.view, this.checkIndex(index, accessor.width));
  }

  put(accessor: Accessor, index: unknown, value: unknown): void {
    accessor.write(this.view, this.checkIndex(index, accessor.width), value);
  }

  getBytes(index: unknown, dst: Uint8Array, dstOffset?: unknown, length?: unknown): void {
    const start = dstOffset === undefined ? 0 : dstOffset;
    const count = length === undefined ? dst.length - (start as number) : length;
    const [pos, n] = this.checkRange(index, count);
    const at = ModelSegment.checkArray(dst, start, n);
    dst.set(this.bytes.slice(pos, pos + n), at);
  }

  putBytes(index: unknown, src: Uint8Array, srcOffset?: unknown, length?: unknown): void {
    const start = srcOffset === undefined ? 0 : srcOffset;
    const count = length === undefined ? src.length - (start as number) : length;
    const [pos, n] = this.checkRange(index, count);
    const at = ModelSegment.checkArray(src, start, n);
    this.bytes.set(src.slice(at, at + n), pos);
  }

  wrap(offset: unknown, length: unknown): number[] {
    const [pos, n] = this.checkRange(offset, length);
    return Array.from(this.bytes.subarray(pos, pos + n));
  }

  fill(value: number, offset?: unknown, length?: unknown): void {
    const start = offset === undefined ? 0 : offset;
    const count = length === undefined ? this.size - (start as number) : length;
    const [pos, n] = this.checkRange(start, count);
    this.bytes.fill(toUint8(value), pos, pos + n);
  }

  copyTo(offset: unknown, target: ModelSegment, targetOffset: unknown, numBytes: unknown): void {
    const [src, n] = this.checkRange(offset, numBytes);
    const [dst] = target.checkRange(targetOffset, numBytes);
    target.bytes.set(this.bytes.slice(src, src + n), dst);
  }

  compare(other: ModelSegment, offset1: unknown, offset2: unknown, len1: unknown, len2: unknown = len1): number {
    const [a, n1] = this.checkRange(offset1, len1);
    const [b, n2] = other.checkRange(offset2, len2);
    return lexicographic(this.bytes.subarray(a, a + n1), other.bytes.subarray(b, b + n2));
  }

  equalTo(other: ModelSegment, offset1: unknown, offset2: unknown, len: unknown): boolean {
    const [a, n] = this.checkRange(offset1, len);
    const [b] = other.checkRange(offset2, len);
    return lexicographic(this.bytes.subarray(a, a + n), other.bytes.subarray(b, b + n)) === 0;
  }

  /** this ← other's old bytes, then other ← this side's old bytes, in that order. */
  swapBytes(tempBuffer: Uint8Array, other: ModelSegment, offset1: unknown, offset2: unknown, len: unknown): void {
    const [a, n] = this.checkRange(offset1, len);
    const [b] = other.checkRange(offset2, len);
    if (tempBuffer.length < n) throw new ModelError(OUT_OF_BOUNDS);
    const mine = this.bytes.slice(a, a + n);
    const theirs = other.bytes.slice(b, b + n);
    this.bytes.set(theirs, a);
    other.bytes.set(mine, b);
  }

  byteSwap(offset: unknown, length: unknown, width: unknown): void {
    const [pos, n] = this.checkRange(offset, length);
    if ((width !== 2 && width !== 4 && width !== 8) || n % width !== 0) throw new ModelError('ERR_INVALID_ARGUMENT');
    reverseGroups(this.bytes, pos, n, width);
  }

  free(): void {
    this.freed = true;
  }
}

/** What an operation did: its value, or the code of what it threw. */
export type Outcome = { readonly value: unknown } | { readonly error: string };

/** Runs `fn` and records its outcome; typed arrays become plain arrays so that outcomes compare by content. */
export function outcome(fn: () => unknown): Outcome {
  try {
    const value = fn();
    return { value: value instanceof Uint8Array ? Array.from(value) : value };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { error: e.code ?? `${e.name}: ${e.message}` };
  }
}
