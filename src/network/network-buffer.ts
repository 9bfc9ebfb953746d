import { IllegalReferenceCountError, IllegalStateError, InvalidArgumentError, SegmentOutOfBoundsError } from '../errors.js';
import { MemorySegment } from '../memory/segment.js';
import { remaining } from '../memory/array-range.js';
import { render } from '../util/render.js';

/** Takes a buffer's segment back when the buffer's last reference is released. */
export interface BufferRecycler {
  /** Called once per hand-out, when the reference count reaches zero; `channel` is the one the buffer was requested for (-1: none). */
  recycle(segment: MemorySegment, channel: number): void;
}

/** What a buffer carries: records, or an event between them. */
export type BufferDataType = 'data' | 'event';

/** Implemented by pools, which refuse a segment that is not theirs before any count changes. @internal */
export interface OwningRecycler extends BufferRecycler {
  /** Throws when `segment` was not handed out by this recycler. */
  checkOwnSegment(segment: MemorySegment, operation: string): void;
}

function isOwningRecycler(recycler: BufferRecycler): recycler is OwningRecycler {
  return typeof (recycler as Partial<OwningRecycler>).checkOwnSegment === 'function';
}

/**
 * A reference-counted view of a network segment: a reader index, a size
 * (the writer index) and a capacity. A new buffer holds one reference;
 * `retainBuffer()` adds one, `recycleBuffer()` drops one, and the segment
 * goes back to its recycler when the count reaches zero. Once it has, every
 * use throws ERR_REFERENCE_COUNT; recycling again never returns the segment
 * twice.
 *
 * `readOnlySlice()` makes a buffer over part of this one that shares its
 * reference count without taking a reference (a BufferConsumer's `build()`
 * retains the slices it returns). One class serves buffers and slices, so
 * call sites stay monomorphic.
 *
 *   segment: [ ....... | ===== readable ===== | .... writable .... ]
 *            ^ offset  ^ offset + readerIndex  ^ offset + size      ^ offset + maxCapacity
 */
export class NetworkBuffer {
  /** @internal */ segment: MemorySegment;
  /** @internal */ recycler: BufferRecycler;
  /** The buffer holding the reference count: this one, or the parent of a slice. @internal */
  root: NetworkBuffer;
  /** References (meaningful on the root only). @internal */
  refs: number;
  /** Start of this buffer in the segment (0 except for slices). @internal */
  offset: number;
  /** @internal */ reader: number;
  /** @internal */ writer: number;
  /** @internal */ capacity: number;
  /** Records or an event. */
  readonly dataType: BufferDataType;
  /** The channel the buffer was requested for; -1 for none. @internal */
  channel: number;

  /**
   * A buffer over `segment` holding one reference, `size` bytes written; its
   * segment goes to `recycler` when the last reference is released. Pools
   * make their own buffers; this is for segments of the caller's own. (The
   * parameters after `size` are for pools and slices. @internal)
   */
  constructor(
    segment: MemorySegment,
    recycler: BufferRecycler,
    dataType: BufferDataType = 'data',
    size = 0,
    root?: NetworkBuffer | null,
    offset = 0,
    capacity = 0,
    channel = -1,
  ) {
    // undefined: a caller's buffer, checked (all of its segment); null: a pool's own, trusted; a buffer: a slice of it.
    if (root === undefined) {
      checkArguments(segment, recycler, dataType, size);
      capacity = segment.size;
    }
    this.segment = segment;
    this.recycler = recycler;
    this.root = root ?? this;
    this.refs = 1;
    this.offset = offset;
    this.reader = 0;
    this.writer = size;
    this.capacity = capacity;
    this.dataType = dataType;
    this.channel = channel;
  }

  /** The segment under the buffer. */
  get memorySegment(): MemorySegment {
    return this.segment;
  }

  /** Where this buffer's byte 0 lies in `memorySegment` (0 except for slices), for reading through the segment's accessors. */
  get memorySegmentOffset(): number {
    return this.offset;
  }

  /** Where reading continues, from 0 to `size`. */
  get readerIndex(): number {
    return this.reader;
  }

  /** Moves the reader index; throws ERR_REFERENCE_COUNT once recycled, ERR_SEGMENT_OUT_OF_BOUNDS outside [0, size]. */
  set readerIndex(index: number) {
    this.checkLive('readerIndex');
    if (!(typeof index === 'number' && Number.isInteger(index) && index >= 0 && index <= this.writer)) {
      throw new SegmentOutOfBoundsError(`readerIndex ${render(index)} is outside 0 to ${this.writer} (the buffer's size)`);
    }
    this.reader = index;
  }

  /** Bytes written (the writer index). */
  get size(): number {
    return this.writer;
  }

  /** Sets the number of bytes written, from readerIndex to maxCapacity; slices are read-only. */
  setSize(size: number): void {
    this.checkLive('setSize');
    if (this.root !== this) throw new IllegalStateError('setSize: a read-only slice cannot change its size');
    if (!(typeof size === 'number' && Number.isInteger(size) && size >= this.reader && size <= this.capacity)) {
      throw new SegmentOutOfBoundsError(`setSize: size ${render(size)} is outside ${this.reader} (readerIndex) to ${this.capacity} (maxCapacity)`);
    }
    this.writer = size;
  }

  /** Bytes the buffer can hold. */
  get maxCapacity(): number {
    return this.capacity;
  }

  /** size − readerIndex. */
  readableBytes(): number {
    return this.writer - this.reader;
  }

  /** True for a data buffer, false for an event. */
  isBuffer(): boolean {
    return this.dataType === 'data';
  }

  /** Adds a reference; returns this buffer. Throws ERR_REFERENCE_COUNT once the count has reached zero. */
  retainBuffer(): this {
    const root = this.root;
    if (root.refs <= 0) throw this.recycledError('retainBuffer');
    root.refs += 1;
    return this;
  }

  /** Drops a reference; the last one gives the segment back. Throws ERR_REFERENCE_COUNT once the count has reached zero. */
  recycleBuffer(): void {
    const root = this.root;
    const refs = root.refs;
    if (refs > 1) {
      root.refs = refs - 1;
      return;
    }
    if (refs !== 1) throw this.recycledError('recycleBuffer');
    root.refs = 0;
    root.recycler.recycle(root.segment, root.channel);
  }

  /** True once the count has reached zero. */
  isRecycled(): boolean {
    return this.root.refs <= 0;
  }

  /** The shared reference count. */
  refCnt(): number {
    return this.root.refs;
  }

  /**
   * A read-only buffer over `length` bytes from `index` (default: the
   * readable bytes). It shares this buffer's reference count without adding
   * to it: retain it to keep it past this buffer's release.
   */
  readOnlySlice(index: number = this.reader, length: number = remaining(this.writer, index)): NetworkBuffer {
    this.checkLive('readOnlySlice');
    const size = this.writer;
    if (!(typeof index === 'number' && typeof length === 'number' && index >>> 0 === index && length >>> 0 === length && index + length <= size)) {
      throw new SegmentOutOfBoundsError(`readOnlySlice: index ${render(index)}, length ${render(length)} is outside the buffer's ${size} bytes`);
    }
    const root = this.root;
    return new NetworkBuffer(this.segment, root.recycler, this.dataType, length, root, this.offset + index, length, root.channel);
  }

  /** A view of the readable bytes; it shares the memory and must not be used after the buffer is recycled. */
  bytes(): Uint8Array {
    this.checkLive('bytes');
    return this.segment.wrap(this.offset + this.reader, this.writer - this.reader);
  }

  /** Releases this reference, if the count has not already reached zero. */
  [Symbol.dispose](): void {
    if (this.root.refs > 0) this.recycleBuffer();
  }

  private checkLive(operation: string): void {
    if (this.root.refs <= 0) throw this.recycledError(operation);
  }

  private recycledError(operation: string): IllegalReferenceCountError {
    return new IllegalReferenceCountError(
      `${operation}: the buffer (${this.writer} of ${this.capacity} bytes) was already recycled; its reference count is ${this.root.refs}, and a buffer cannot be used, retained or recycled at 0`,
    );
  }
}

/** The checks of the public constructor. */
function checkArguments(segment: MemorySegment, recycler: BufferRecycler, dataType: BufferDataType, size: number): void {
  if (!(segment instanceof MemorySegment)) throw new InvalidArgumentError(`NetworkBuffer: expected a MemorySegment, got ${render(segment)}`);
  if (typeof recycler !== 'object' || recycler === null || typeof recycler.recycle !== 'function') {
    throw new InvalidArgumentError(`NetworkBuffer: recycler must have a recycle(segment, channel) method, got ${render(recycler)}`);
  }
  if (dataType !== 'data' && dataType !== 'event') throw new InvalidArgumentError(`NetworkBuffer: dataType ${render(dataType)} is not 'data' or 'event'`);
  if (!(Number.isInteger(size) && size >= 0 && size <= segment.size)) {
    throw new InvalidArgumentError(`NetworkBuffer: size ${render(size)} is not a whole number from 0 to ${segment.size}`);
  }
  // A pool's segment goes back only to that pool (not to another pool, nor another runtime's).
  if (segment.owner !== recycler && isOwningRecycler(recycler)) recycler.checkOwnSegment(segment, 'NetworkBuffer');
}
