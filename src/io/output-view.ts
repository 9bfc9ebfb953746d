/**
 * A DataOutputView over pages: bytes go to the current page and on into the
 * next one, so a value or a record may span page boundaries. Multi-byte values
 * are big-endian, as in Flink's views; strings are a varint byte length and
 * their UTF-8.
 *
 *   pages:  [ page 0 .......... ][ page 1 .......... ][ page 2 ..   ]
 *           ^ flat 0             ^ flat pageSize       ^ 2·pageSize  ^ position
 *
 * A flat position is pageIndex × pageSize + offset in the page. When the
 * current page is full the view asks its PageSource for the next one; if the
 * source has none it throws the source's MemoryAllocationError. A caller that
 * wrote part of a record then calls `truncate(start)`, and the view is as it
 * was before the record (the pages it took stay with it for later writes).
 */
import { InvalidArgumentError, SegmentFreedError, SegmentOutOfBoundsError, ValueOutOfRangeError } from '../errors.js';
import type { MemorySegment } from '../memory/segment.js';
import { copyBetween } from '../memory/array-ops.js';
import { checkArrayRange, remaining } from '../memory/array-range.js';
import { checkInteger, checkUint8Array } from '../util/checks.js';
import { render } from '../util/render.js';
import { DataInputView } from './input-view.js';
import type { PageSource } from './page-source.js';
import { encodeUtf8, utf8Length } from './utf8.js';

const TWO_POW_32 = 4294967296;
const EMPTY = new Uint8Array(0);

/** Writes values across pages from a PageSource; each value is written whole or, when the source has no page for it, not at all. */
export class DataOutputView {
  /** Bytes per page. */
  readonly pageSize: number;
  /** @internal */ pages: MemorySegment[] = [];
  /** @internal Index of the current page in `pages`; -1 before the first write. */
  pageIndex = -1;
  /** @internal The current page, its bytes and view. */
  seg: MemorySegment | null = null;
  /** @internal */ bytes: Uint8Array = EMPTY;
  /** @internal */ view: DataView = new DataView(EMPTY.buffer);
  /** @internal Address of the current page's byte 0 in `bytes`. */
  base = 0;
  /** @internal Address of the next byte to write. */
  pos = 0;
  /** @internal Address just past the current page. */
  end = 0;
  /** @internal Furthest flat position written before the last seek() (writes since then may have gone further). */
  high = 0;
  /** @internal Scratch for a value that spans two pages. */
  private readonly scratch = new DataView(new ArrayBuffer(8));
  private readonly scratchBytes = new Uint8Array(this.scratch.buffer);
  private encodeBuffer = new Uint8Array(64);

  /** A view writing to pages from `source`; throws ERR_INVALID_ARGUMENT when it is not a PageSource. */
  constructor(
    /** Where the pages come from. */
    readonly source: PageSource,
  ) {
    if (source === null || typeof source !== 'object' || typeof source.nextPage !== 'function') {
      throw new InvalidArgumentError(`expected a PageSource, got ${render(source)}`);
    }
    this.pageSize = checkInteger(source.pageSize, 'pageSize', 1);
  }

  /** Flat position of the next byte to write (the end of the data unless seek() moved back). */
  get position(): number {
    return this.pageIndex < 0 ? 0 : this.pageIndex * this.pageSize + (this.pos - this.base);
  }

  /** Bytes of data: the furthest position written, whatever seek() did since. */
  get size(): number {
    const position = this.position;
    return position > this.high ? position : this.high;
  }

  /**
   * Moves the write position back (or forward) to flat `position` within the
   * data, to overwrite bytes in place; writing past the end of the data then
   * extends it. ERR_SEGMENT_OUT_OF_BOUNDS outside 0 to size.
   */
  seek(position: number): void {
    const size = this.size;
    if (!(typeof position === 'number' && Number.isInteger(position) && position >= 0 && position <= size)) {
      throw new SegmentOutOfBoundsError(`seek: position ${render(position)} is not from 0 to the ${size} bytes written`);
    }
    this.high = size;
    this.moveTo(position);
  }

  /** Pages the view has taken so far (do not keep the array: it grows). */
  get pageList(): readonly MemorySegment[] {
    return this.pages;
  }

  /** Discards everything from flat `position` on (pages taken stay for later writes); ERR_SEGMENT_OUT_OF_BOUNDS past the end of the data. */
  truncate(position: number): void {
    const current = this.size;
    if (!(typeof position === 'number' && Number.isInteger(position) && position >= 0 && position <= current)) {
      throw new SegmentOutOfBoundsError(`truncate: position ${render(position)} is not from 0 to the ${current} bytes written`);
    }
    this.high = position;
    this.moveTo(position);
  }

  private moveTo(position: number): void {
    if (this.pageIndex < 0) return;
    // A position at a page boundary stays at the end of the page before it, as writing left it.
    let page = Math.floor(position / this.pageSize);
    if (page > 0 && page * this.pageSize === position) page--;
    this.enterPage(page);
    this.pos = this.base + (position - page * this.pageSize);
  }

  /** A view reading what was written, from flat position 0 to the end of the data. */
  toInputView(): DataInputView {
    const size = this.size;
    return new DataInputView(this.pages.slice(0, Math.max(this.pageIndex + 1, Math.ceil(size / this.pageSize))), size);
  }

  // ---------------------------------------------------------------- values

  /** Writes one byte (the value modulo 256); ERR_INVALID_ARGUMENT for a non-number, ERR_MEMORY_ALLOCATION when no page is left. */
  writeByte(value: number): void {
    const v = num(value);
    if (this.pos >= this.end || !this.live()) this.nextPage();
    this.bytes[this.pos++] = v;
  }

  /** Writes 1 or 0. */
  writeBoolean(value: boolean): void {
    this.writeByte(value ? 1 : 0);
  }

  /** Writes an int16 (modulo 2^16), big-endian. */
  writeShort(value: number): void {
    const v = num(value);
    if (this.pos + 2 <= this.end && this.live()) {
      this.view.setUint16(this.pos, v, false);
      this.pos += 2;
    } else {
      this.scratch.setUint16(0, v, false);
      this.spill(2);
    }
  }

  /** Writes an int32 (modulo 2^32), big-endian. */
  writeInt(value: number): void {
    const v = num(value);
    if (this.pos + 4 <= this.end && this.live()) {
      this.view.setUint32(this.pos, v, false);
      this.pos += 4;
    } else {
      this.scratch.setUint32(0, v, false);
      this.spill(4);
    }
  }

  /** Writes a float32, big-endian. */
  writeFloat(value: number): void {
    const v = num(value);
    if (this.pos + 4 <= this.end && this.live()) {
      this.view.setFloat32(this.pos, v, false);
      this.pos += 4;
    } else {
      this.scratch.setFloat32(0, v, false);
      this.spill(4);
    }
  }

  /** Writes a float64, big-endian. */
  writeDouble(value: number): void {
    const v = num(value);
    if (this.pos + 8 <= this.end && this.live()) {
      this.view.setFloat64(this.pos, v, false);
      this.pos += 8;
    } else {
      this.scratch.setFloat64(0, v, false);
      this.spill(8);
    }
  }

  /** Writes an int64 given as a bigint (modulo 2^64), big-endian; ERR_INVALID_ARGUMENT for anything but a bigint. */
  writeLong(value: bigint): void {
    if (typeof value !== 'bigint') throw new InvalidArgumentError(`a long must be a bigint, got ${render(value)}; use writeLongNumber() for numbers`);
    const hi = Number(BigInt.asIntN(32, value >> 32n));
    const lo = Number(BigInt.asUintN(32, value));
    this.writeLongParts(hi, lo);
  }

  /** Writes a safe integer as an int64, big-endian; ERR_VALUE_OUT_OF_RANGE for anything else. */
  writeLongNumber(value: number): void {
    if (!Number.isSafeInteger(value)) {
      if (typeof value !== 'number') throw new InvalidArgumentError(`a long number must be a number, got ${render(value)}`);
      throw new ValueOutOfRangeError(`value ${render(value)} is not an integer within ±(2^53 - 1); write it with writeLong() as a bigint`);
    }
    const hi = Math.floor(value / TWO_POW_32);
    this.writeLongParts(hi, value - hi * TWO_POW_32);
  }

  private writeLongParts(hi: number, lo: number): void {
    if (this.pos + 8 <= this.end && this.live()) {
      this.view.setUint32(this.pos, hi, false);
      this.view.setUint32(this.pos + 4, lo, false);
      this.pos += 8;
    } else {
      this.scratch.setUint32(0, hi, false);
      this.scratch.setUint32(4, lo, false);
      this.spill(8);
    }
  }

  /** Writes an unsigned integer below 2^32 in 1-5 bytes, 7 bits at a time, lowest first; ERR_VALUE_OUT_OF_RANGE beyond. */
  writeVarUint(value: number): void {
    if (!(typeof value === 'number' && value >>> 0 === value)) {
      throw new ValueOutOfRangeError(`a varint must be a whole number from 0 to ${TWO_POW_32 - 1}, got ${render(value)}`);
    }
    if (value < 0x80 && this.pos < this.end && this.live()) {
      this.bytes[this.pos++] = value;
      return;
    }
    this.reserve(varUintBytes(value));
    while (value >= 0x80) {
      this.writeByte((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    this.writeByte(value);
  }

  /** Writes `length` bytes of `src` from `offset`; ERR_SEGMENT_OUT_OF_BOUNDS for a range outside `src`. */
  writeBytes(src: Uint8Array, offset = 0, length: number = remaining(checkUint8Array(src, 'src').length, offset)): void {
    checkArrayRange(src, 'src', offset, length);
    if (this.pos + length > this.end) this.reserve(length);
    while (length > 0) {
      if (this.pos >= this.end || !this.live()) this.nextPage();
      const n = Math.min(length, this.end - this.pos);
      copyBetween(src, offset, this.bytes, this.pos, n);
      this.pos += n;
      offset += n;
      length -= n;
    }
  }

  /** Writes a string as its UTF-8 byte length (varint) and bytes; ERR_INVALID_ARGUMENT for a non-string or a lone surrogate. */
  writeString(value: string): void {
    const length = checkedUtf8Length(value);
    if (this.pos + 5 + length > this.end) this.reserve(varUintBytes(length) + length);
    this.writeVarUint(length);
    this.writeUtf8(value, length);
  }

  /** Writes the UTF-8 of a string already checked to be `length` bytes long. @internal */
  writeUtf8(value: string, length: number): void {
    if (this.pos + length <= this.end && this.live()) {
      this.pos = encodeUtf8(value, this.bytes, this.pos, length);
      return;
    }
    if (this.encodeBuffer.length < length) this.encodeBuffer = new Uint8Array(Math.max(length, this.encodeBuffer.length * 2));
    encodeUtf8(value, this.encodeBuffer, 0, length);
    this.writeBytes(this.encodeBuffer, 0, length);
  }

  // ---------------------------------------------------------------- pages

  /** True while the current page is not freed; throws ERR_SEGMENT_FREED when it was (its memory may be someone else's now). */
  private live(): boolean {
    const seg = this.seg;
    if (seg === null) return false;
    if (seg.address > seg.addressLimit) throw new SegmentFreedError(`page ${this.pageIndex} of the output view was freed; nothing more can be written`);
    return true;
  }

  /** Writes the first `n` scratch bytes across the page boundary, all or none. */
  private spill(n: number): void {
    this.reserve(n);
    for (let i = 0; i < n; i++) this.writeByte(this.scratchBytes[i]!);
  }

  /**
   * Takes from the source, before anything is written, every page that `n`
   * more bytes from the write position need, so that a value the source
   * cannot hold is refused whole (ERR_MEMORY_ALLOCATION) instead of being
   * half-written. Pages it did get stay with the view for later writes.
   */
  private reserve(n: number): void {
    const room = this.seg === null ? 0 : this.end - this.pos;
    if (room >= n) return;
    const needed = Math.ceil((n - room) / this.pageSize);
    while (this.pages.length < this.pageIndex + 1 + needed) this.pages.push(this.source.nextPage());
  }

  /** Moves to the next page, taking one from the source when none is left over from a truncate. */
  private nextPage(): void {
    if (this.seg !== null && this.pos < this.end) return; // live() said the page is fine and not full
    const next = this.pageIndex + 1;
    if (next >= this.pages.length) this.pages.push(this.source.nextPage());
    this.enterPage(next);
  }

  private enterPage(index: number): void {
    const seg = this.pages[index]!;
    if (seg.isFreed()) throw new SegmentFreedError(`page ${index} of the output view was freed; nothing more can be written`);
    this.pageIndex = index;
    this.seg = seg;
    this.bytes = seg.bytes;
    this.view = seg.view;
    this.base = seg.address;
    this.pos = seg.address;
    this.end = seg.address + seg.size;
  }
}

/** Bytes writeVarUint takes for `value`. */
function varUintBytes(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** The UTF-8 length of a string, or ERR_INVALID_ARGUMENT for a non-string or one with a lone surrogate. @internal */
export function checkedUtf8Length(value: unknown, what = 'string'): number {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${what} must be a string, got ${render(value)}`);
  const length = utf8Length(value);
  if (length < 0) {
    const at = -1 - length;
    throw new InvalidArgumentError(
      `${what} ${render(value)} has a lone surrogate 0x${value.charCodeAt(at).toString(16)} at index ${at}; UTF-8 cannot carry it`,
    );
  }
  return length;
}

/** A number as a DataView would store it; ERR_INVALID_ARGUMENT for a bigint or Symbol. */
function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || typeof value === 'symbol') throw new InvalidArgumentError(`value ${render(value)} is not a number`);
  return Number(value);
}
