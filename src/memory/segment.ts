import { InvalidArgumentError, SegmentFreedError, SegmentOutOfBoundsError, ValueOutOfRangeError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { byteSwapIn, compareBetween, copyBetween, equalBetween } from './array-ops.js';

/** Told when a segment it handed out is freed, so the memory goes back where it came from. @internal */
export interface SegmentReleaser {
  /** Called once, from `free()`, with the address the segment had. */
  segmentFreed(segment: MemorySegment, address: number): void;
}

const TWO_POW_32 = 4294967296;

/**
 * A fixed-size block of memory with typed, bounds-checked access.
 *
 * One class for every kind of backing memory, so every call site stays
 * monomorphic: `heap` is the whole runtime linear memory for an off-heap
 * segment, or the plain Uint8Array a heap segment wraps; `address` is where
 * the segment starts inside it.
 *
 *   heap:  [ .......... | segment bytes ................ | .......... ]
 *                       ^ address                         ^ addressLimit = address + size
 *
 * Every access is checked once: the index must be a whole number in
 * [0, 2^32) and `address + index + width <= addressLimit`. `free()` moves
 * `address` past `addressLimit`, so that same check fails for every access of
 * a freed segment at no extra cost; only the (cold) error path then asks
 * whether the segment was freed.
 *
 * Values are stored as a DataView stores them: numbers are converted modulo
 * 2^width (like typed arrays), bigints with BigInt.asIntN(64, v).
 */
export class MemorySegment {
  /** Backing bytes: the linear memory (off-heap) or the wrapped array. @internal */
  heap: Uint8Array;
  /** DataView over the same bytes as `heap`. @internal */
  view: DataView;
  /** Start of the segment in `heap`; past `addressLimit` once freed. @internal */
  address: number;
  /** End (exclusive) of the segment in `heap`. @internal */
  readonly addressLimit: number;
  /** Size in bytes. */
  readonly size: number;
  /** Whoever the segment was allocated for (null when none was named). */
  readonly owner: unknown;
  /** Kernels of the runtime whose linear memory holds the segment; null for heap segments. @internal */
  readonly kernels: Kernels | null;
  /** Where the memory goes back on free(); null when there is nothing to give back. @internal */
  releaser: SegmentReleaser | null;

  /** @internal Segments come from a MemorySegmentFactory, a MemoryManager or a buffer pool. */
  constructor(
    heap: Uint8Array,
    view: DataView,
    address: number,
    size: number,
    owner: unknown,
    kernels: Kernels | null,
    releaser: SegmentReleaser | null,
  ) {
    this.heap = heap;
    this.view = view;
    this.address = address;
    this.addressLimit = address + size;
    this.size = size;
    this.owner = owner;
    this.kernels = kernels;
    this.releaser = releaser;
  }

  // ---------------------------------------------------------------- state

  /** True once `free()` was called (directly, by dispose, or by the segment's manager). */
  isFreed(): boolean {
    return this.address > this.addressLimit;
  }

  /** True when the segment lives in the runtime's linear memory. */
  isOffHeap(): boolean {
    return this.kernels !== null;
  }

  /** Frees the segment; every later access throws ERR_SEGMENT_FREED. Idempotent. */
  free(): void {
    const address = this.address;
    if (address > this.addressLimit) return;
    this.address = this.addressLimit + 1;
    const releaser = this.releaser;
    if (releaser !== null) {
      this.releaser = null;
      releaser.segmentFreed(this, address);
    }
  }

  /** Marks the segment freed without telling its releaser (the releaser itself is freeing it). @internal */
  markFreed(): number {
    const address = this.address;
    this.address = this.addressLimit + 1;
    this.releaser = null;
    return address;
  }

  /** Frees the segment: `using seg = ...` releases it at the end of the block. */
  [Symbol.dispose](): void {
    this.free();
  }

  // ---------------------------------------------------------------- checks

  /** Position of `index` in `heap` for an access of `width` bytes, or throws. */
  private at(index: number, width: number): number {
    const pos = this.address + index;
    if (index >>> 0 === index && pos <= this.addressLimit - width) return pos;
    throw this.accessError(index, width);
  }

  /** Position of the range [offset, offset + length) in `heap`, or throws. */
  private range(offset: number, length: number): number {
    const pos = this.address + offset;
    if (offset >>> 0 === offset && length >>> 0 === length && pos + length <= this.addressLimit) return pos;
    throw this.rangeError(offset, length);
  }

  /** The error for a failed single-value access. */
  private accessError(index: number, width: number): Error {
    if (this.isFreed()) return this.freedError(`index ${String(index)}`);
    if (typeof index !== 'number' || !Number.isInteger(index)) {
      return new SegmentOutOfBoundsError(`index ${describe(index)} is not an integer (segment of ${this.size} bytes)`);
    }
    return new SegmentOutOfBoundsError(
      `index ${index} with width ${width} is out of bounds for a segment of ${this.size} bytes (valid: 0 to ${this.size - width})`,
    );
  }

  /** The error for a failed range check. */
  private rangeError(offset: number, length: number): Error {
    if (this.isFreed()) return this.freedError(`offset ${String(offset)}, length ${String(length)}`);
    return outOfBounds('offset', offset, length, this.size, 'segment');
  }

  /** The error for an access to this (freed) segment. */
  private freedError(what: string): SegmentFreedError {
    return new SegmentFreedError(`segment of ${this.size} bytes was freed; cannot access ${what}`);
  }

  /** Checks that `other` is a segment and returns it. */
  private static checkSegment(other: unknown): MemorySegment {
    if (other instanceof MemorySegment) return other;
    throw new InvalidArgumentError(`expected a MemorySegment, got ${describe(other)}`);
  }

  // ---------------------------------------------------------------- bytes and booleans

  /** Reads the unsigned byte at `index`; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index < size, ERR_SEGMENT_FREED after free(). */
  get(index: number): number {
    return this.heap[this.at(index, 1)]!;
  }

  /** Writes `value` modulo 256 at `index`; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index < size, ERR_SEGMENT_FREED after free(). */
  put(index: number, value: number): void {
    this.heap[this.at(index, 1)] = value;
  }

  /** Reads the byte at `index` as a boolean (true unless 0); throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index < size, ERR_SEGMENT_FREED after free(). */
  getBoolean(index: number): boolean {
    return this.heap[this.at(index, 1)] !== 0;
  }

  /** Writes a boolean as the byte 1 or 0 at `index`; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index < size, ERR_SEGMENT_FREED after free(). */
  putBoolean(index: number, value: boolean): void {
    this.heap[this.at(index, 1)] = value ? 1 : 0;
  }

  // ---------------------------------------------------------------- char (UTF-16 code unit, 0..65535)

  /** Reads a char (UTF-16 code unit, 0 to 65535) at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getChar(index: number): number { return this.view.getUint16(this.at(index, 2), true); }
  /** Writes `value` modulo 2^16 as a char at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  putChar(index: number, value: number): void { this.view.setUint16(this.at(index, 2), value, true); }
  /** Reads a char (UTF-16 code unit, 0 to 65535) at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getCharLittleEndian(index: number): number { return this.view.getUint16(this.at(index, 2), true); }
  /** Writes `value` modulo 2^16 as a char at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  putCharLittleEndian(index: number, value: number): void { this.view.setUint16(this.at(index, 2), value, true); }
  /** Reads a char (UTF-16 code unit, 0 to 65535) at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getCharBigEndian(index: number): number { return this.view.getUint16(this.at(index, 2), false); }
  /** Writes `value` modulo 2^16 as a char at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  putCharBigEndian(index: number, value: number): void { this.view.setUint16(this.at(index, 2), value, false); }

  // ---------------------------------------------------------------- short (int16)

  /** Reads an int16 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getShort(index: number): number { return this.view.getInt16(this.at(index, 2), true); }
  /** Writes `value` modulo 2^16 as an int16 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  putShort(index: number, value: number): void { this.view.setInt16(this.at(index, 2), value, true); }
  /** Reads an int16 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getShortLittleEndian(index: number): number { return this.view.getInt16(this.at(index, 2), true); }
  /** Writes `value` modulo 2^16 as an int16 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  putShortLittleEndian(index: number, value: number): void { this.view.setInt16(this.at(index, 2), value, true); }
  /** Reads an int16 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getShortBigEndian(index: number): number { return this.view.getInt16(this.at(index, 2), false); }
  /** Writes `value` modulo 2^16 as an int16 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  putShortBigEndian(index: number, value: number): void { this.view.setInt16(this.at(index, 2), value, false); }

  // ---------------------------------------------------------------- int (int32)

  /** Reads an int32 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getInt(index: number): number { return this.view.getInt32(this.at(index, 4), true); }
  /** Writes `value` modulo 2^32 as an int32 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  putInt(index: number, value: number): void { this.view.setInt32(this.at(index, 4), value, true); }
  /** Reads an int32 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getIntLittleEndian(index: number): number { return this.view.getInt32(this.at(index, 4), true); }
  /** Writes `value` modulo 2^32 as an int32 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  putIntLittleEndian(index: number, value: number): void { this.view.setInt32(this.at(index, 4), value, true); }
  /** Reads an int32 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getIntBigEndian(index: number): number { return this.view.getInt32(this.at(index, 4), false); }
  /** Writes `value` modulo 2^32 as an int32 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  putIntBigEndian(index: number, value: number): void { this.view.setInt32(this.at(index, 4), value, false); }

  // ---------------------------------------------------------------- float (float32)

  /** Reads a float32 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getFloat(index: number): number { return this.view.getFloat32(this.at(index, 4), true); }
  /** Writes `value` rounded to a float32 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  putFloat(index: number, value: number): void { this.view.setFloat32(this.at(index, 4), value, true); }
  /** Reads a float32 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getFloatLittleEndian(index: number): number { return this.view.getFloat32(this.at(index, 4), true); }
  /** Writes `value` rounded to a float32 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  putFloatLittleEndian(index: number, value: number): void { this.view.setFloat32(this.at(index, 4), value, true); }
  /** Reads a float32 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getFloatBigEndian(index: number): number { return this.view.getFloat32(this.at(index, 4), false); }
  /** Writes `value` rounded to a float32 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  putFloatBigEndian(index: number, value: number): void { this.view.setFloat32(this.at(index, 4), value, false); }

  // ---------------------------------------------------------------- double (float64)

  /** Reads a float64 (double) at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getDouble(index: number): number { return this.view.getFloat64(this.at(index, 8), true); }
  /** Writes `value` as a float64 (double) at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  putDouble(index: number, value: number): void { this.view.setFloat64(this.at(index, 8), value, true); }
  /** Reads a float64 (double) at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getDoubleLittleEndian(index: number): number { return this.view.getFloat64(this.at(index, 8), true); }
  /** Writes `value` as a float64 (double) at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  putDoubleLittleEndian(index: number, value: number): void { this.view.setFloat64(this.at(index, 8), value, true); }
  /** Reads a float64 (double) at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getDoubleBigEndian(index: number): number { return this.view.getFloat64(this.at(index, 8), false); }
  /** Writes `value` as a float64 (double) at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  putDoubleBigEndian(index: number, value: number): void { this.view.setFloat64(this.at(index, 8), value, false); }

  // ---------------------------------------------------------------- long (int64 as bigint)

  /** Reads an int64 as a bigint at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLong(index: number): bigint { return this.view.getBigInt64(this.at(index, 8), true); }
  /** Writes a bigint modulo 2^64 as an int64 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a non-bigint. */
  putLong(index: number, value: bigint): void { this.view.setBigInt64(this.at(index, 8), checkBigInt(value), true); }
  /** Reads an int64 as a bigint at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLongLittleEndian(index: number): bigint { return this.view.getBigInt64(this.at(index, 8), true); }
  /** Writes a bigint modulo 2^64 as an int64 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a non-bigint. */
  putLongLittleEndian(index: number, value: bigint): void { this.view.setBigInt64(this.at(index, 8), checkBigInt(value), true); }
  /** Reads an int64 as a bigint at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLongBigEndian(index: number): bigint { return this.view.getBigInt64(this.at(index, 8), false); }
  /** Writes a bigint modulo 2^64 as an int64 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a non-bigint. */
  putLongBigEndian(index: number, value: bigint): void { this.view.setBigInt64(this.at(index, 8), checkBigInt(value), false); }

  // ---------------------------------------------------------------- long as a number (exact up to 2^53)

  /** Reads an int64 as a number (cheaper than a bigint) in native (little-endian) order; throws ERR_VALUE_OUT_OF_RANGE beyond ±(2^53 − 1), ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLongNumber(index: number): number { return this.longNumberAt(this.at(index, 8), true); }
  /** Writes a safe integer as an int64 in native (little-endian) order; throws ERR_VALUE_OUT_OF_RANGE for any other number, ERR_INVALID_ARGUMENT for a non-number, ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  putLongNumber(index: number, value: number): void { this.putLongNumberAt(this.at(index, 8), value, true); }
  /** Reads an int64 as a number in little-endian order; throws ERR_VALUE_OUT_OF_RANGE beyond ±(2^53 − 1), ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLongNumberLittleEndian(index: number): number { return this.longNumberAt(this.at(index, 8), true); }
  /** Writes a safe integer as an int64 in little-endian order; throws ERR_VALUE_OUT_OF_RANGE for any other number, ERR_INVALID_ARGUMENT for a non-number, ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  putLongNumberLittleEndian(index: number, value: number): void { this.putLongNumberAt(this.at(index, 8), value, true); }
  /** Reads an int64 as a number in big-endian order; throws ERR_VALUE_OUT_OF_RANGE beyond ±(2^53 − 1), ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLongNumberBigEndian(index: number): number { return this.longNumberAt(this.at(index, 8), false); }
  /** Writes a safe integer as an int64 in big-endian order; throws ERR_VALUE_OUT_OF_RANGE for any other number, ERR_INVALID_ARGUMENT for a non-number, ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  putLongNumberBigEndian(index: number, value: number): void { this.putLongNumberAt(this.at(index, 8), value, false); }

  private longNumberAt(pos: number, littleEndian: boolean): number {
    const view = this.view;
    const hi = view.getInt32(littleEndian ? pos + 4 : pos, littleEndian);
    const lo = view.getUint32(littleEndian ? pos : pos + 4, littleEndian);
    const value = hi * TWO_POW_32 + lo;
    // |hi| < 2^21 keeps the sum exact; beyond it the sum lands outside the safe range anyway.
    if (value <= Number.MAX_SAFE_INTEGER && value >= -Number.MAX_SAFE_INTEGER) return value;
    throw new ValueOutOfRangeError(
      `long at index ${pos - this.address} is ${view.getBigInt64(pos, littleEndian)}, beyond ±(2^53 - 1); read it with getLong() as a bigint`,
    );
  }

  private putLongNumberAt(pos: number, value: number, littleEndian: boolean): void {
    if (!Number.isSafeInteger(value)) {
      if (typeof value !== 'number') throw new InvalidArgumentError(`a long number must be a number, got ${describe(value)}`);
      throw new ValueOutOfRangeError(`value ${describe(value)} is not an integer within ±(2^53 - 1); write it with putLong() as a bigint`);
    }
    const hi = Math.floor(value / TWO_POW_32);
    const lo = value - hi * TWO_POW_32;
    const view = this.view;
    view.setInt32(littleEndian ? pos + 4 : pos, hi, littleEndian);
    view.setUint32(littleEndian ? pos : pos + 4, lo, littleEndian);
  }

  // ---------------------------------------------------------------- bulk: arrays

  /** Copies `length` bytes at `index` into `dst` at `dstOffset` (default: as many as `dst` holds from there); throws ERR_SEGMENT_OUT_OF_BOUNDS for a range outside the segment or `dst`, ERR_INVALID_ARGUMENT unless `dst` is a Uint8Array, ERR_SEGMENT_FREED after free(). */
  getBytes(index: number, dst: Uint8Array, dstOffset = 0, length: number = remaining(checkArray(dst, 'dst').length, dstOffset)): void {
    const pos = this.range(index, length);
    checkArrayRange(dst, 'dst', dstOffset, length);
    copyBetween(this.heap, pos, dst, dstOffset, length);
  }

  /** Copies `length` bytes of `src` from `srcOffset` (default: the rest of `src`) into the segment at `index`; throws ERR_SEGMENT_OUT_OF_BOUNDS for a range outside the segment or `src`, ERR_INVALID_ARGUMENT unless `src` is a Uint8Array, ERR_SEGMENT_FREED after free(). */
  putBytes(index: number, src: Uint8Array, srcOffset = 0, length: number = remaining(checkArray(src, 'src').length, srcOffset)): void {
    const pos = this.range(index, length);
    checkArrayRange(src, 'src', srcOffset, length);
    copyBetween(src, srcOffset, this.heap, pos, length);
  }

  /** A Uint8Array view of [offset, offset + length) that shares the memory and must not be used after free(); throws ERR_SEGMENT_OUT_OF_BOUNDS or ERR_SEGMENT_FREED. */
  wrap(offset: number, length: number): Uint8Array {
    const pos = this.range(offset, length);
    return this.heap.subarray(pos, pos + length);
  }

  // ---------------------------------------------------------------- bulk: segments

  /** Sets `length` bytes from `offset` (default: to the end) to `value` modulo 256; throws ERR_SEGMENT_OUT_OF_BOUNDS or ERR_SEGMENT_FREED. */
  fill(value: number, offset = 0, length: number = remaining(this.size, offset)): void {
    const pos = this.range(offset, length);
    const kernels = this.kernels;
    if (kernels !== null) kernels.fill(pos, value & 0xff, length);
    else this.heap.fill(value, pos, pos + length);
  }

  /** Copies `numBytes` from this segment at `offset` to `target` at `targetOffset`; throws ERR_SEGMENT_OUT_OF_BOUNDS for a range outside either segment, ERR_SEGMENT_FREED if either is freed, ERR_INVALID_ARGUMENT unless `target` is a MemorySegment. */
  copyTo(offset: number, target: MemorySegment, targetOffset: number, numBytes: number): void {
    MemorySegment.checkSegment(target);
    const src = this.range(offset, numBytes);
    const dst = target.range(targetOffset, numBytes);
    const kernels = this.kernels;
    if (kernels !== null && this.heap === target.heap) kernels.copy(dst, src, numBytes);
    else copyBetween(this.heap, src, target.heap, dst, numBytes);
  }

  /**
   * Compares [offset1, +len1) of this segment with [offset2, +len2) of `other`
   * as unsigned bytes, the shorter range first on a common prefix: -1, 0 or 1.
   * Throws ERR_SEGMENT_OUT_OF_BOUNDS for a range outside either segment,
   * ERR_SEGMENT_FREED if either is freed, ERR_INVALID_ARGUMENT unless `other` is a MemorySegment.
   */
  compare(other: MemorySegment, offset1: number, offset2: number, len1: number, len2: number = len1): number {
    MemorySegment.checkSegment(other);
    const a = this.range(offset1, len1);
    const b = other.range(offset2, len2);
    const n = len1 < len2 ? len1 : len2;
    const kernels = this.kernels;
    const c =
      kernels !== null && this.heap === other.heap
        ? kernels.compare(a, b, n)
        : compareBetween(this.heap, a, other.heap, b, n);
    if (c !== 0 || len1 === len2) return c;
    return len1 < len2 ? -1 : 1;
  }

  /** True when `len` bytes at `offset1` here equal `len` bytes at `offset2` in `other`; throws ERR_SEGMENT_OUT_OF_BOUNDS, ERR_SEGMENT_FREED or ERR_INVALID_ARGUMENT as compare() does. */
  equalTo(other: MemorySegment, offset1: number, offset2: number, len: number): boolean {
    MemorySegment.checkSegment(other);
    const a = this.range(offset1, len);
    const b = other.range(offset2, len);
    const kernels = this.kernels;
    if (kernels !== null && this.heap === other.heap) return kernels.equal(a, b, len) !== 0;
    return equalBetween(this.heap, a, other.heap, b, len);
  }

  /**
   * Exchanges `len` bytes at `offset1` here with `len` bytes at `offset2` in
   * `other`. `tempBuffer` (at least `len` bytes) holds this side meanwhile;
   * the result is always: this ← other's old bytes, other ← this side's old
   * bytes, applied in that order when the ranges overlap. Throws
   * ERR_SEGMENT_OUT_OF_BOUNDS for a range outside either segment or a short
   * `tempBuffer`, ERR_SEGMENT_FREED if either is freed, ERR_INVALID_ARGUMENT
   * unless `other` is a MemorySegment and `tempBuffer` a Uint8Array.
   */
  swapBytes(tempBuffer: Uint8Array, other: MemorySegment, offset1: number, offset2: number, len: number): void {
    MemorySegment.checkSegment(other);
    const a = this.range(offset1, len);
    const b = other.range(offset2, len);
    checkArrayRange(tempBuffer, 'tempBuffer', 0, len);
    const kernels = this.kernels;
    if (kernels !== null && this.heap === other.heap && (a + len <= b || b + len <= a)) {
      kernels.swap(a, b, len);
      return;
    }
    copyBetween(this.heap, a, tempBuffer, 0, len);
    copyBetween(other.heap, b, this.heap, a, len);
    copyBetween(tempBuffer, 0, other.heap, b, len);
  }

  /** Reverses the byte order of every `width`-byte value (2, 4 or 8) in [offset, offset + length); throws ERR_INVALID_ARGUMENT unless `width` is 2, 4 or 8 and divides `length`, ERR_SEGMENT_OUT_OF_BOUNDS or ERR_SEGMENT_FREED. */
  byteSwap(offset: number, length: number, width: 2 | 4 | 8): void {
    const pos = this.range(offset, length);
    if ((width !== 2 && width !== 4 && width !== 8) || length % width !== 0) {
      throw new InvalidArgumentError(`byteSwap: width must be 2, 4 or 8 and divide length; got width ${describe(width)}, length ${length}`);
    }
    const kernels = this.kernels;
    if (kernels === null) byteSwapIn(this.heap, pos, length, width);
    else if (width === 4) kernels.byteSwap32(pos, length);
    else if (width === 8) kernels.byteSwap64(pos, length);
    else kernels.byteSwap16(pos, length);
  }
}

/** A short, safe rendering of a value for error messages. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  return Object.prototype.toString.call(value);
}

/** The out-of-bounds error for a range of a segment or array. */
function outOfBounds(what: string, offset: unknown, length: unknown, size: number, container: string): SegmentOutOfBoundsError {
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    return new SegmentOutOfBoundsError(`${what} ${describe(offset)} is not a non-negative integer (${container} of ${size} bytes)`);
  }
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    return new SegmentOutOfBoundsError(`length ${describe(length)} is not a non-negative integer (${container} of ${size} bytes)`);
  }
  return new SegmentOutOfBoundsError(
    `${what} ${offset} + length ${length} = ${offset + length} exceeds the ${container} size of ${size} bytes`,
  );
}

/**
 * The default length of a range starting at `offset`: what is left of `total`.
 * An invalid offset gives 0, so that the range check names the offset, not a
 * length the caller never passed.
 */
function remaining(total: number, offset: number): number {
  return offset >>> 0 === offset && offset <= total ? total - offset : 0;
}

/** Checks that `array` is a Uint8Array. */
function checkArray(array: unknown, name: string): Uint8Array {
  if (array instanceof Uint8Array) return array;
  throw new InvalidArgumentError(`${name} must be a Uint8Array, got ${describe(array)}`);
}

/** Checks that [offset, offset + length) lies inside `array`. */
function checkArrayRange(array: Uint8Array, name: string, offset: number, length: number): void {
  checkArray(array, name);
  if (offset >>> 0 === offset && length >>> 0 === length && offset + length <= array.length) return;
  throw outOfBounds(`${name} offset`, offset, length, array.length, `${name} array`);
}

/** Checks that a long value is a bigint (DataView would throw a bare TypeError). */
function checkBigInt(value: bigint): bigint {
  if (typeof value === 'bigint') return value;
  throw new InvalidArgumentError(`a long value must be a bigint, got ${describe(value)}; use putLongNumber() for numbers`);
}
