import { IllegalStateError, InvalidArgumentError, SegmentOutOfBoundsError } from '../errors.js';
import { MemorySegment } from '../memory/segment.js';
import { remaining } from '../memory/array-range.js';
import { render } from '../util/render.js';
import { checkCount } from './checks.js';
import { type BufferDataType, type BufferRecycler, NetworkBuffer } from './network-buffer.js';

/**
 * Below this many bytes a loop copies faster than TypedArray.set, whose call
 * (and, for part of an array, the subarray it needs) costs more than the copy.
 */
const SMALL_APPEND = 32;

/** Copies `n` bytes of `src` from `from` into `dst` at `to` (ranges already checked; never the same array). */
function copyInto(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  if (n <= SMALL_APPEND) {
    for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
  } else if (from === 0 && n === src.length) {
    dst.set(src, to);
  } else {
    dst.set(src.subarray(from, from + n), to);
  }
}

/**
 * The writing side of one segment: appends bytes at its position, which a
 * consumer sees only once they are committed. One builder, at most one
 * consumer (and its copies); the builder holds one reference to the
 * segment's buffer, the consumer and every buffer it builds hold one each,
 * and the segment goes back to its pool when all of them are released.
 */
export class BufferBuilder {
  /** The segment's buffer; the builder's own reference is released by close(). @internal */
  readonly buffer: NetworkBuffer;
  private readonly segment: MemorySegment;
  /** Where the next append writes. */
  private position = 0;
  /** Bytes a consumer may read. @internal */
  committed = 0;
  /** @internal */
  finished = false;
  private limit: number;
  private consumerCreated = false;
  private closed = false;

  /** @internal Builders come from a LocalBufferPool (requestBufferBuilder). */
  constructor(segment: MemorySegment, recycler: BufferRecycler, channel = -1, dataType: BufferDataType = 'data') {
    this.segment = segment;
    this.buffer = new NetworkBuffer(segment, recycler, dataType, 0, null, 0, segment.size, channel);
    this.limit = segment.size;
  }

  /** Bytes that still fit. */
  get writableBytes(): number {
    return this.limit - this.position;
  }

  /** Bytes the segment can take in all (after trim(), fewer). */
  get maxCapacity(): number {
    return this.limit;
  }

  /** Bytes appended so far, committed or not. */
  get writtenBytes(): number {
    return this.position;
  }

  /**
   * Appends as much of `src` (from `srcOffset`, `length` bytes; default: the
   * rest of it) as fits, uncommitted; returns the number of bytes appended.
   */
  append(src: Uint8Array, srcOffset = 0, length: number = src instanceof Uint8Array ? remaining(src.length, srcOffset) : 0): number {
    if (!(src instanceof Uint8Array)) throw new InvalidArgumentError(`append: expected a Uint8Array, got ${render(src)}`);
    if (this.finished || this.closed) throw this.stateError('append');
    if (!(typeof srcOffset === 'number' && typeof length === 'number' && srcOffset >>> 0 === srcOffset && length >>> 0 === length && srcOffset + length <= src.length)) {
      throw new SegmentOutOfBoundsError(`append: srcOffset ${render(srcOffset)}, length ${render(length)} is outside the source's ${src.length} bytes`);
    }
    const position = this.position;
    const room = this.limit - position;
    const n = length < room ? length : room;
    if (n === 0) return 0;
    const segment = this.segment;
    if (segment.address > segment.addressLimit) segment.putBytes(position, src, srcOffset, n); // freed: its error
    else copyInto(src, srcOffset, segment.bytes, segment.address + position, n);
    this.position = position + n;
    return n;
  }

  /**
   * Appends as much of `length` bytes of `source` from `offset` as fits,
   * uncommitted, segment to segment (inside the linear memory, one kernel
   * copy; no intermediate JavaScript array). Returns the bytes appended.
   */
  appendFrom(source: MemorySegment, offset: number, length: number): number {
    if (!(source instanceof MemorySegment)) throw new InvalidArgumentError(`appendFrom: expected a MemorySegment, got ${render(source)}`);
    if (this.finished || this.closed) throw this.stateError('appendFrom');
    checkCount(offset, 'offset', 'appendFrom');
    checkCount(length, 'length', 'appendFrom');
    if (offset + length > source.size) {
      throw new InvalidArgumentError(`appendFrom: offset ${offset} + length ${length} is beyond the source segment's ${source.size} bytes`);
    }
    const room = this.limit - this.position;
    const n = length < room ? length : room;
    if (n === 0) return 0;
    source.copyTo(offset, this.segment, this.position, n);
    this.position += n;
    return n;
  }

  /**
   * Appends `src` after its length as a u32 little-endian and commits, when
   * both fit with a byte to spare (the builder is then never full after it);
   * returns false, appending nothing, otherwise. One check and one copy for
   * the record writer's common case. @internal
   */
  appendLengthPrefixed(src: Uint8Array): boolean {
    const position = this.position;
    const length = src.length;
    if (this.finished || this.closed || this.limit - position <= length + 4) return false;
    const segment = this.segment;
    const at = segment.address + position;
    if (segment.address > segment.addressLimit) return false; // freed: the general path gives its error
    segment.view.setUint32(at, length, true);
    copyInto(src, 0, segment.bytes, at + 4, length);
    this.position = position + 4 + length;
    this.committed = this.position;
    return true;
  }

  /** Appends what fits and commits it; returns the number of bytes appended. */
  appendAndCommit(src: Uint8Array): number {
    const n = this.append(src);
    this.committed = this.position;
    return n;
  }

  /** Makes everything appended so far visible to the consumer. */
  commit(): void {
    this.committed = this.position;
  }

  /** Commits and marks the builder finished (no more appends); returns the bytes written. */
  finish(): number {
    this.committed = this.position;
    this.finished = true;
    return this.position;
  }

  /** True after finish(): nothing more can be appended. */
  isFinished(): boolean {
    return this.finished;
  }

  /** True when no more bytes fit. */
  isFull(): boolean {
    return this.position >= this.limit;
  }

  /** The consumer, reading from the current committed position on. One per builder. */
  createBufferConsumer(): BufferConsumer {
    return this.newConsumer(this.committed, 'createBufferConsumer');
  }

  /** The consumer, reading from the first byte. One per builder. */
  createBufferConsumerFromBeginning(): BufferConsumer {
    return this.newConsumer(0, 'createBufferConsumerFromBeginning');
  }

  /** Lowers the capacity to `size` (never below what is written, never above the segment). */
  trim(size: number): void {
    checkCount(size, 'size', 'trim');
    const segmentSize = this.segment.size;
    this.limit = Math.min(Math.max(size, this.position), segmentSize);
  }

  /** Releases the builder's reference; the segment goes back once the consumer and every built buffer are released too. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.recycleBuffer();
  }

  /** Closes it: `using` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  private newConsumer(from: number, operation: string): BufferConsumer {
    if (this.consumerCreated) throw new IllegalStateError(`${operation}: this builder already has a consumer; a builder has one consumer (use its copy() for more readers)`);
    this.buffer.retainBuffer();
    this.consumerCreated = true;
    return new BufferConsumer(this, this.buffer, from);
  }

  private stateError(operation: string): IllegalStateError {
    return new IllegalStateError(`${operation}: the builder is ${this.closed ? 'closed' : 'finished'} (${this.position} of ${this.limit} bytes written)`);
  }
}

/**
 * The reading side of a builder's segment: `build()` returns the bytes
 * committed since the last build as a retained read-only buffer.
 */
export class BufferConsumer {
  private readonly builder: BufferBuilder;
  private readonly buffer: NetworkBuffer;
  private reader: number;
  private closed = false;

  /** @internal Consumers come from a BufferBuilder. */
  constructor(builder: BufferBuilder, buffer: NetworkBuffer, from: number) {
    this.builder = builder;
    this.buffer = buffer;
    this.reader = from;
  }

  /** The committed bytes not yet built, as a retained read-only buffer (possibly empty); release it with recycleBuffer(). */
  build(): NetworkBuffer {
    if (this.closed) throw this.closedError('build');
    const start = this.reader;
    const end = this.builder.committed;
    this.reader = end;
    const buffer = this.buffer;
    buffer.retainBuffer();
    return new NetworkBuffer(buffer.segment, buffer.recycler, buffer.dataType, end - start, buffer, start, end - start, buffer.channel);
  }

  /** True once the builder is finished (there may still be committed bytes to build). */
  isFinished(): boolean {
    return this.builder.finished;
  }

  /** True when committed bytes wait to be built. */
  isDataAvailable(): boolean {
    return this.reader < this.builder.committed;
  }

  /** True for a data buffer, false for an event. */
  isBuffer(): boolean {
    return this.buffer.dataType === 'data';
  }

  /** Bytes committed by the builder. */
  get writtenBytes(): number {
    return this.builder.committed;
  }

  /** Where the next build() starts. */
  get currentReaderPosition(): number {
    return this.reader;
  }

  /** Another consumer at the same position, holding a reference of its own. */
  copy(): BufferConsumer {
    if (this.closed) throw this.closedError('copy');
    this.buffer.retainBuffer();
    return new BufferConsumer(this.builder, this.buffer, this.reader);
  }

  /** Skips `n` committed bytes without building them. */
  skip(n: number): void {
    if (this.closed) throw this.closedError('skip');
    const readable = this.builder.committed - this.reader;
    checkCount(n, 'n', 'skip', 0, readable);
    this.reader += n;
  }

  /** Releases the consumer's reference. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.recycleBuffer();
  }

  /** True after close(). */
  isClosed(): boolean {
    return this.closed;
  }

  /** Closes it: `using` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  private closedError(operation: string): IllegalStateError {
    return new IllegalStateError(`${operation}: the consumer is closed`);
  }
}
