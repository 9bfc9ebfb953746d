import { InvalidArgumentError, ValueOutOfRangeError } from '../errors.js';
import { COMPARE_IN_JS_MAX, COMPARE_KERNEL_MIN, COPY_IN_JS_MAX, EQUAL_IN_JS_MAX, SWAP_IN_JS_MAX } from '../kernels/kernels.js';
import { byteSwapRange, compareRange, copyRange, equalRange, swapRange } from '../kernels/small-ops.js';
import { checkUint8Array } from '../util/checks.js';
import { render } from '../util/render.js';
import type { MemoryRegion } from './region.js';
import { compareBetween, copyBetween, equalBetween } from './array-ops.js';
import { checkArrayRange, remaining } from './array-range.js';
import { accessError, rangeError, toNumber } from './segment-errors.js';

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
 * monomorphic: `bytes` is the whole runtime linear memory for an off-heap
 * segment, or the plain Uint8Array a heap segment wraps; `address` is where
 * the segment starts inside it. Segments are made by a MemoryRegion.
 *
 *   bytes: [ .......... | segment bytes ................ | .......... ]
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
 *
 * Signed values are written with the unsigned setters (setUint16/32), which
 * store the same bytes for every number: on Node 24 (V8 13.6) Maglev's
 * setInt8/16/32 deoptimize ("out of bounds") for an offset within the last 8
 * bytes of their buffer, and the code compiled after that stays generic:
 * putInt at a wrapped page's last word took 35-45 ns a call afterwards,
 * against 3.6-7 ns on Node 20 (the unsigned setters do not deoptimize).
 * Readers keep the signed getters, which are not affected.
 */
export class MemorySegment {
  /**
   * Backing bytes: the linear memory (off-heap) or the wrapped array. @internal
   * `bytes` and `view` are written once, in the constructor: V8 folds loads of
   * fields never written again, and a loop over a captured segment ran 5-7x
   * slower (W1n, Node 20) once free() also reset them.
   */
  bytes: Uint8Array;
  /** DataView over the same bytes. @internal */
  view: DataView;
  /** Start of the segment in `bytes`; past `addressLimit` once freed. @internal */
  address: number;
  /** End (exclusive) of the segment in `bytes`. @internal */
  readonly addressLimit: number;
  /** Size in bytes. */
  readonly size: number;
  /** Whoever the segment was allocated for (null when none was named). */
  readonly owner: unknown;
  /** The region the segment was carved from. @internal */
  readonly region: MemoryRegion;
  /** Where the memory goes back on free(); null when there is nothing to give back. @internal */
  releaser: SegmentReleaser | null;

  /** @internal Segments come from a MemoryRegion: use a MemorySegmentFactory, a MemoryManager or a buffer pool. */
  constructor(region: MemoryRegion, address: number, size: number, owner: unknown, releaser: SegmentReleaser | null) {
    this.bytes = region.bytes;
    this.view = region.view;
    this.address = address;
    this.addressLimit = address + size;
    this.size = size;
    this.owner = owner;
    this.region = region;
    this.releaser = releaser;
  }

  // ---------------------------------------------------------------- state

  /** True once `free()` was called (directly, by dispose, or by the segment's manager). */
  isFreed(): boolean {
    return this.address > this.addressLimit;
  }

  /** True when the segment lives in the runtime's linear memory. */
  isOffHeap(): boolean {
    return this.region.offHeap;
  }

  /** Frees the segment; every later access throws ERR_SEGMENT_FREED. Idempotent. */
  free(): void {
    if (this.address > this.addressLimit) return;
    const releaser = this.releaser;
    const address = this.markFreed();
    if (releaser !== null) releaser.segmentFreed(this, address);
  }

  /** Marks the segment freed without telling its releaser (the releaser itself is freeing it); returns its address. @internal */
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

  // Every accessor below checks its index in its own body, the same way:
  //
  //   typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - width
  //
  // typeof first (a bigint or a Symbol would make `>>>` and `+` throw a bare TypeError); a freed
  // segment's address is past its limit, so the same compare fails for it. Written once in a shared
  // helper, the check was a call inside each accessor, and Node 24's Maglev inlines one level of
  // calls only (functions of up to 27 bytecode bytes excepted; the helper has 69): in a loop that
  // Maglev inlined into its caller, each access then made two calls, not one (bench/rows.mjs, Node 24,
  // 3 processes, wasm: W1n 39.0 -> 6.67 ns a pair, 3.8-24 by process; W2 23.5 -> 12.7; Node 20 W1n
  // 5.49 -> 4.08, its control 4.26).

  /** Position of the range [offset, offset + length) in `bytes`, or throws. */
  private range(offset: number, length: number): number {
    if (typeof offset === 'number' && typeof length === 'number' && offset >>> 0 === offset && length >>> 0 === length) {
      const pos = this.address + offset;
      if (pos + length <= this.addressLimit) return pos;
    }
    throw rangeError(this, offset, length);
  }

  /** Checks that `other` is a segment and returns it. */
  private static checkSegment(other: unknown): MemorySegment {
    if (other instanceof MemorySegment) return other;
    throw new InvalidArgumentError(`expected a MemorySegment, got ${render(other)}`);
  }

  // ---------------------------------------------------------------- bytes and booleans

  /** Reads the unsigned byte at `index`; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index < size, ERR_SEGMENT_FREED after free(). */
  get(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 1)) throw accessError(this, index, 1);
    return this.bytes[this.address + index]!;
  }

  /** Writes `value` modulo 256 at `index`; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index < size, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  put(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 1)) throw accessError(this, index, 1);
    this.bytes[this.address + index] = num(value);
  }

  /** Reads the byte at `index` as a boolean (true unless 0); throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index < size, ERR_SEGMENT_FREED after free(). */
  getBoolean(index: number): boolean {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 1)) throw accessError(this, index, 1);
    return this.bytes[this.address + index] !== 0;
  }

  /** Writes a boolean as the byte 1 or 0 at `index`; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index < size, ERR_SEGMENT_FREED after free(). */
  putBoolean(index: number, value: boolean): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 1)) throw accessError(this, index, 1);
    this.bytes[this.address + index] = value ? 1 : 0;
  }

  // ---------------------------------------------------------------- char (UTF-16 code unit, 0..65535)

  /** Reads a char (UTF-16 code unit, 0 to 65535) at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getChar(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    return this.view.getUint16(this.address + index, true);
  }
  /** Writes `value` modulo 2^16 as a char at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putChar(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    this.view.setUint16(this.address + index, num(value), true);
  }
  /** Reads a char (UTF-16 code unit, 0 to 65535) at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getCharLittleEndian(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    return this.view.getUint16(this.address + index, true);
  }
  /** Writes `value` modulo 2^16 as a char at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putCharLittleEndian(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    this.view.setUint16(this.address + index, num(value), true);
  }
  /** Reads a char (UTF-16 code unit, 0 to 65535) at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getCharBigEndian(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    return this.view.getUint16(this.address + index, false);
  }
  /** Writes `value` modulo 2^16 as a char at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putCharBigEndian(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    this.view.setUint16(this.address + index, num(value), false);
  }

  // ---------------------------------------------------------------- short (int16)

  /** Reads an int16 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getShort(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    return this.view.getInt16(this.address + index, true);
  }
  /** Writes `value` modulo 2^16 as an int16 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putShort(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    this.view.setUint16(this.address + index, num(value), true);
  }
  /** Reads an int16 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getShortLittleEndian(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    return this.view.getInt16(this.address + index, true);
  }
  /** Writes `value` modulo 2^16 as an int16 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putShortLittleEndian(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    this.view.setUint16(this.address + index, num(value), true);
  }
  /** Reads an int16 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(). */
  getShortBigEndian(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    return this.view.getInt16(this.address + index, false);
  }
  /** Writes `value` modulo 2^16 as an int16 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 2, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putShortBigEndian(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 2)) throw accessError(this, index, 2);
    this.view.setUint16(this.address + index, num(value), false);
  }

  // ---------------------------------------------------------------- int (int32)

  /** Reads an int32 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getInt(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    return this.view.getInt32(this.address + index, true);
  }
  /** Writes `value` modulo 2^32 as an int32 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putInt(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    this.view.setUint32(this.address + index, num(value), true);
  }
  /** Reads an int32 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getIntLittleEndian(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    return this.view.getInt32(this.address + index, true);
  }
  /** Writes `value` modulo 2^32 as an int32 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putIntLittleEndian(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    this.view.setUint32(this.address + index, num(value), true);
  }
  /** Reads an int32 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getIntBigEndian(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    return this.view.getInt32(this.address + index, false);
  }
  /** Writes `value` modulo 2^32 as an int32 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putIntBigEndian(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    this.view.setUint32(this.address + index, num(value), false);
  }

  // ---------------------------------------------------------------- float (float32)

  /** Reads a float32 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getFloat(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    return this.view.getFloat32(this.address + index, true);
  }
  /** Writes `value` rounded to a float32 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putFloat(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    this.view.setFloat32(this.address + index, num(value), true);
  }
  /** Reads a float32 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getFloatLittleEndian(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    return this.view.getFloat32(this.address + index, true);
  }
  /** Writes `value` rounded to a float32 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putFloatLittleEndian(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    this.view.setFloat32(this.address + index, num(value), true);
  }
  /** Reads a float32 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(). */
  getFloatBigEndian(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    return this.view.getFloat32(this.address + index, false);
  }
  /** Writes `value` rounded to a float32 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 4, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putFloatBigEndian(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 4)) throw accessError(this, index, 4);
    this.view.setFloat32(this.address + index, num(value), false);
  }

  // ---------------------------------------------------------------- double (float64)

  /** Reads a float64 (double) at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getDouble(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    return this.view.getFloat64(this.address + index, true);
  }
  /** Writes `value` as a float64 (double) at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putDouble(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    this.view.setFloat64(this.address + index, num(value), true);
  }
  /** Reads a float64 (double) at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getDoubleLittleEndian(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    return this.view.getFloat64(this.address + index, true);
  }
  /** Writes `value` as a float64 (double) at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putDoubleLittleEndian(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    this.view.setFloat64(this.address + index, num(value), true);
  }
  /** Reads a float64 (double) at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getDoubleBigEndian(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    return this.view.getFloat64(this.address + index, false);
  }
  /** Writes `value` as a float64 (double) at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a bigint or Symbol value. */
  putDoubleBigEndian(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    this.view.setFloat64(this.address + index, num(value), false);
  }

  // ---------------------------------------------------------------- long (int64 as bigint)

  // Through the region's wasm exports where the engine's DataView BigInt path
  // is slow (src/wasm/backend.ts says which); the stored bytes are the same.

  /** Reads an int64 as a bigint at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLong(index: number): bigint {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    return this.longAt(this.address + index, true);
  }
  /** Writes a bigint modulo 2^64 as an int64 at `index` in native (little-endian) order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a non-bigint. */
  putLong(index: number, value: bigint): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    this.putLongAt(this.address + index, checkBigInt(value), true);
  }
  /** Reads an int64 as a bigint at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLongLittleEndian(index: number): bigint {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    return this.longAt(this.address + index, true);
  }
  /** Writes a bigint modulo 2^64 as an int64 at `index` in little-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a non-bigint. */
  putLongLittleEndian(index: number, value: bigint): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    this.putLongAt(this.address + index, checkBigInt(value), true);
  }
  /** Reads an int64 as a bigint at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLongBigEndian(index: number): bigint {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    return this.longAt(this.address + index, false);
  }
  /** Writes a bigint modulo 2^64 as an int64 at `index` in big-endian order; throws ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(), ERR_INVALID_ARGUMENT for a non-bigint. */
  putLongBigEndian(index: number, value: bigint): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    this.putLongAt(this.address + index, checkBigInt(value), false);
  }

  private longAt(pos: number, littleEndian: boolean): bigint {
    const longs = this.region.longs;
    if (longs === null) return this.view.getBigInt64(pos, littleEndian);
    return littleEndian ? longs.getLong(pos) : longs.getLongBigEndian(pos);
  }

  private putLongAt(pos: number, value: bigint, littleEndian: boolean): void {
    const longs = this.region.longs;
    if (longs === null) this.view.setBigInt64(pos, value, littleEndian);
    else if (littleEndian) longs.putLong(pos, value);
    else longs.putLongBigEndian(pos, value);
  }

  // ---------------------------------------------------------------- long as a number (exact up to 2^53)

  /** Reads an int64 as a number (cheaper than a bigint) in native (little-endian) order; throws ERR_VALUE_OUT_OF_RANGE beyond ±(2^53 − 1), ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLongNumber(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    // The common case in the body, not in longNumberAt (a call, Maglev's one level; see the checks above).
    const pos = this.address + index;
    const hi = this.view.getInt32(pos + 4, true);
    if ((hi + 0x1fffff) >>> 0 < 0x3fffff) return hi * TWO_POW_32 + this.view.getUint32(pos, true);
    return this.edgeLongNumber(pos, hi, this.view.getUint32(pos, true), true);
  }
  /** Writes a safe integer as an int64 in native (little-endian) order; throws ERR_VALUE_OUT_OF_RANGE for any other number, ERR_INVALID_ARGUMENT for a non-number, ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  putLongNumber(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    // An int32 in the body, not in putLongNumberAt (a call, Maglev's one level; see the checks above).
    if (typeof value === 'number' && (value | 0) === value) {
      this.view.setUint32(this.address + index + 4, value >> 31, true);
      this.view.setUint32(this.address + index, value, true);
    } else this.putLongNumberAt(this.address + index, value, true);
  }
  /** Reads an int64 as a number in little-endian order; throws ERR_VALUE_OUT_OF_RANGE beyond ±(2^53 − 1), ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLongNumberLittleEndian(index: number): number {
    return this.getLongNumber(index);
  }
  /** Writes a safe integer as an int64 in little-endian order; throws ERR_VALUE_OUT_OF_RANGE for any other number, ERR_INVALID_ARGUMENT for a non-number, ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  putLongNumberLittleEndian(index: number, value: number): void {
    this.putLongNumber(index, value);
  }
  /** Reads an int64 as a number in big-endian order; throws ERR_VALUE_OUT_OF_RANGE beyond ±(2^53 − 1), ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  getLongNumberBigEndian(index: number): number {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    return this.longNumberAt(this.address + index, false);
  }
  /** Writes a safe integer as an int64 in big-endian order; throws ERR_VALUE_OUT_OF_RANGE for any other number, ERR_INVALID_ARGUMENT for a non-number, ERR_SEGMENT_OUT_OF_BOUNDS unless 0 ≤ index ≤ size − 8, ERR_SEGMENT_FREED after free(). */
  putLongNumberBigEndian(index: number, value: number): void {
    if (!(typeof index === 'number' && index >>> 0 === index && this.address + index <= this.addressLimit - 8)) throw accessError(this, index, 8);
    this.putLongNumberAt(this.address + index, value, false);
  }

  private longNumberAt(pos: number, littleEndian: boolean): number {
    const view = this.view;
    const hi = view.getInt32(littleEndian ? pos + 4 : pos, littleEndian);
    const lo = view.getUint32(littleEndian ? pos : pos + 4, littleEndian);
    // One integer compare on the high half: -2^21 < hi < 2^21 is always safe.
    if ((hi + 0x1fffff) >>> 0 < 0x3fffff) return hi * TWO_POW_32 + lo;
    return this.edgeLongNumber(pos, hi, lo, littleEndian);
  }

  /** A long whose high half is -2^21 or beyond ±2^21: safe only from -(2^53 - 1) to -2^53 + 2^32 - 1. */
  private edgeLongNumber(pos: number, hi: number, lo: number, littleEndian: boolean): number {
    const value = hi * TWO_POW_32 + lo;
    // The sum may round only beyond ±2^53, where it lands outside the safe range anyway.
    if (value <= Number.MAX_SAFE_INTEGER && value >= -Number.MAX_SAFE_INTEGER) return value;
    throw new ValueOutOfRangeError(
      `long at index ${pos - this.address} is ${this.view.getBigInt64(pos, littleEndian)}, beyond ±(2^53 - 1); read it with getLong() as a bigint`,
    );
  }

  private putLongNumberAt(pos: number, value: number, littleEndian: boolean): void {
    const view = this.view;
    // An int32 (most longs) needs one check, and its high half is its sign.
    // typeof first: `|` would call a valueOf, or throw a bare TypeError for a bigint or Symbol.
    if (typeof value === 'number' && (value | 0) === value) {
      view.setUint32(littleEndian ? pos + 4 : pos, value >> 31, littleEndian);
      view.setUint32(littleEndian ? pos : pos + 4, value, littleEndian);
      return;
    }
    if (!Number.isSafeInteger(value)) {
      if (typeof value !== 'number') throw new InvalidArgumentError(`a long number must be a number, got ${render(value)}`);
      throw new ValueOutOfRangeError(`value ${render(value)} is not an integer within ±(2^53 - 1); write it with putLong() as a bigint`);
    }
    // ToUint32 is exact modulo 2^32 for every safe integer.
    const lo = value >>> 0;
    view.setUint32(littleEndian ? pos + 4 : pos, (value - lo) / TWO_POW_32, littleEndian);
    view.setUint32(littleEndian ? pos : pos + 4, lo, littleEndian);
  }

  // ---------------------------------------------------------------- bulk: arrays

  /** Copies `length` bytes at `index` into `dst` at `dstOffset` (default: as many as `dst` holds from there); throws ERR_SEGMENT_OUT_OF_BOUNDS for a range outside the segment or `dst`, ERR_INVALID_ARGUMENT unless `dst` is a Uint8Array, ERR_SEGMENT_FREED after free(). */
  getBytes(index: number, dst: Uint8Array, dstOffset = 0, length: number = remaining(checkUint8Array(dst, 'dst').length, dstOffset)): void {
    const pos = this.range(index, length);
    checkArrayRange(dst, 'dst', dstOffset, length);
    this.region.copyOut(pos, dst, dstOffset, length);
  }

  /** Copies `length` bytes of `src` from `srcOffset` (default: the rest of `src`) into the segment at `index`; throws ERR_SEGMENT_OUT_OF_BOUNDS for a range outside the segment or `src`, ERR_INVALID_ARGUMENT unless `src` is a Uint8Array, ERR_SEGMENT_FREED after free(). */
  putBytes(index: number, src: Uint8Array, srcOffset = 0, length: number = remaining(checkUint8Array(src, 'src').length, srcOffset)): void {
    const pos = this.range(index, length);
    checkArrayRange(src, 'src', srcOffset, length);
    copyBetween(src, srcOffset, this.bytes, pos, length);
  }

  /** A Uint8Array view of [offset, offset + length) that shares the memory and must not be used after free(); throws ERR_SEGMENT_OUT_OF_BOUNDS or ERR_SEGMENT_FREED. */
  wrap(offset: number, length: number): Uint8Array {
    const pos = this.range(offset, length);
    return this.bytes.subarray(pos, pos + length);
  }

  // ---------------------------------------------------------------- bulk: segments

  /** Sets `length` bytes from `offset` (default: to the end) to `value` modulo 256; throws ERR_SEGMENT_OUT_OF_BOUNDS or ERR_SEGMENT_FREED. */
  fill(value: number, offset = 0, length: number = remaining(this.size, offset)): void {
    const pos = this.range(offset, length);
    const kernels = this.region.kernels;
    const byte = num(value) & 0xff;
    if (kernels !== null) kernels.fill(pos, byte, length);
    else this.bytes.fill(byte, pos, pos + length);
  }

  /** Copies `numBytes` from this segment at `offset` to `target` at `targetOffset`; throws ERR_SEGMENT_OUT_OF_BOUNDS for a range outside either segment, ERR_SEGMENT_FREED if either is freed, ERR_INVALID_ARGUMENT unless `target` is a MemorySegment. */
  copyTo(offset: number, target: MemorySegment, targetOffset: number, numBytes: number): void {
    MemorySegment.checkSegment(target);
    const src = this.range(offset, numBytes);
    const dst = target.range(targetOffset, numBytes);
    const kernels = this.region.kernels;
    if (kernels === null || this.bytes !== target.bytes) copyBetween(this.bytes, src, target.bytes, dst, numBytes);
    else if (numBytes <= COPY_IN_JS_MAX) copyRange(this.view, this.bytes, dst, src, numBytes);
    else kernels.copy(dst, src, numBytes);
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
    const bytes = this.bytes;
    let c: number;
    if (bytes !== other.bytes) c = compareBetween(bytes, a, other.bytes, b, n);
    else {
      // The first COMPARE_IN_JS_MAX bytes in JS, 8 at a time (kernels.ts): most keys
      // differ there, and those never pay the kernel call (nor the load of the kernels).
      const view = this.view;
      let i = 0;
      for (const stop = (n < COMPARE_IN_JS_MAX ? n : COMPARE_IN_JS_MAX) - 7; i < stop; i += 8) {
        const d = (view.getUint32(a + i, false) - view.getUint32(b + i, false)) * TWO_POW_32 + (view.getUint32(a + i + 4, false) - view.getUint32(b + i + 4, false));
        // Branch-free sign: on random keys `d < 0 ? -1 : 1` mispredicts half the time.
        if (d !== 0) return +(d > 0) - +(d < 0);
      }
      const kernels = this.region.kernels;
      c = kernels === null || n - i < COMPARE_KERNEL_MIN ? compareRange(view, bytes, a + i, b + i, n - i) : kernels.compare(a + i, b + i, n - i);
    }
    if (c !== 0 || len1 === len2) return c;
    return len1 < len2 ? -1 : 1;
  }

  /** True when `len` bytes at `offset1` here equal `len` bytes at `offset2` in `other`; throws ERR_SEGMENT_OUT_OF_BOUNDS, ERR_SEGMENT_FREED or ERR_INVALID_ARGUMENT as compare() does. */
  equalTo(other: MemorySegment, offset1: number, offset2: number, len: number): boolean {
    MemorySegment.checkSegment(other);
    const a = this.range(offset1, len);
    const b = other.range(offset2, len);
    const kernels = this.region.kernels;
    if (kernels === null || this.bytes !== other.bytes) return equalBetween(this.bytes, a, other.bytes, b, len);
    if (len <= EQUAL_IN_JS_MAX) return equalRange(this.view, this.bytes, a, b, len);
    return kernels.equal(a, b, len) !== 0;
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
    const kernels = this.region.kernels;
    if (kernels !== null && this.bytes === other.bytes && (a + len <= b || b + len <= a)) {
      if (len <= SWAP_IN_JS_MAX) swapRange(this.view, this.bytes, a, b, len);
      else kernels.swap(a, b, len);
      return;
    }
    copyBetween(this.bytes, a, tempBuffer, 0, len);
    copyBetween(other.bytes, b, this.bytes, a, len);
    copyBetween(tempBuffer, 0, other.bytes, b, len);
  }

  /** Reverses the byte order of every `width`-byte value (2, 4 or 8) in [offset, offset + length); throws ERR_INVALID_ARGUMENT unless `width` is 2, 4 or 8 and divides `length`, ERR_SEGMENT_OUT_OF_BOUNDS or ERR_SEGMENT_FREED. */
  byteSwap(offset: number, length: number, width: 2 | 4 | 8): void {
    const pos = this.range(offset, length);
    if ((width !== 2 && width !== 4 && width !== 8) || length % width !== 0) {
      throw new InvalidArgumentError(`byteSwap: width must be 2, 4 or 8 and divide length; got width ${render(width)}, length ${length}`);
    }
    const kernels = this.region.kernels;
    if (kernels === null) byteSwapRange(this.view, pos, length, width);
    else if (width === 4) kernels.byteSwap32(pos, length);
    else if (width === 8) kernels.byteSwap64(pos, length);
    else kernels.byteSwap16(pos, length);
  }
}

/**
 * The number a setter stores: a number as it is; anything else but a bigint
 * or a Symbol converted as a DataView would (ToNumber). Inlined on the hot
 * path, where `typeof` of a number costs nothing measurable.
 */
function num(value: number): number {
  return typeof value === 'number' ? value : toNumber(value);
}

/** Checks that a long value is a bigint (DataView would throw a bare TypeError). */
function checkBigInt(value: bigint): bigint {
  if (typeof value === 'bigint') return value;
  throw new InvalidArgumentError(`a long value must be a bigint, got ${render(value)}; use putLongNumber() for numbers`);
}
