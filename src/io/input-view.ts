/**
 * A DataInputView over pages: reads what a DataOutputView wrote, values and
 * records spanning page boundaries included, with random access by
 * (page, offset) or by flat position (pageIndex × pageSize + offset).
 *
 * Reading past `limit` (the bytes written) throws EndOfInputError and leaves
 * the position where it was; it never returns bytes nobody wrote.
 */
import { EndOfInputError, InvalidArgumentError, SegmentFreedError, SegmentOutOfBoundsError, ValueOutOfRangeError } from '../errors.js';
import { copyBetween } from '../memory/array-ops.js';
import { checkArrayRange, remaining } from '../memory/array-range.js';
import { MemoryRegion } from '../memory/region.js';
import { MemorySegment } from '../memory/segment.js';
import { checkInteger, checkUint8Array } from '../util/checks.js';
import { render } from '../util/render.js';
import { decodeUtf8 } from './utf8.js';

const TWO_POW_32 = 4294967296;
/** The one page of an input view over no pages: one byte, never readable since the limit is 0. */
const NO_PAGE = MemoryRegion.ofArray(new Uint8Array(1)).segment(0, 1, null, null);

/** Reads values across a list of equal-size pages, up to a flat limit. */
export class DataInputView {
  /** Bytes per page. */
  readonly pageSize: number;
  /** Flat position of the end of the data. */
  readonly limit: number;
  /** @internal */ readonly pages: readonly MemorySegment[];
  /** @internal */ pageIndex = 0;
  /** @internal */ seg: MemorySegment;
  /** @internal */ bytes: Uint8Array;
  /** @internal */ view: DataView;
  /** @internal Address of the current page's byte 0. */
  base = 0;
  /** @internal Address of the next byte to read. */
  pos = 0;
  /** @internal Address past the last readable byte of the current page. */
  end = 0;
  private readonly scratch = new DataView(new ArrayBuffer(8));
  private readonly scratchBytes = new Uint8Array(this.scratch.buffer);
  private decodeBuffer = new Uint8Array(64);

  /** A view of `limit` bytes (default: all of them) over `pages` (none: an empty input); ERR_INVALID_ARGUMENT for non-segments or unequal sizes. */
  constructor(pages: readonly MemorySegment[], limit?: number) {
    if (!Array.isArray(pages)) throw new InvalidArgumentError(`expected an array of segments, got ${render(pages)}`);
    // No pages: an empty input (a view nothing was written to).
    if (pages.length === 0) pages = [NO_PAGE];
    for (let i = 0; i < pages.length; i++) {
      if (!(pages[i] instanceof MemorySegment)) throw new InvalidArgumentError(`pages[${i}] is not a MemorySegment: ${render(pages[i])}`);
      if (pages[i].size !== pages[0].size) throw new InvalidArgumentError(`pages[${i}] has ${pages[i].size} bytes; every page must have the ${pages[0].size} bytes of pages[0]`);
    }
    this.pages = pages.slice();
    this.pageSize = pages[0]!.size;
    const capacity = pages[0] === NO_PAGE ? 0 : this.pageSize * pages.length;
    this.limit = limit === undefined ? capacity : checkInteger(limit, 'limit', 0, capacity);
    this.seg = pages[0]!;
    this.bytes = this.seg.bytes;
    this.view = this.seg.view;
    this.enterPage(0, 0);
  }

  /** Flat position of the next byte to read. */
  get position(): number {
    return this.pageIndex * this.pageSize + (this.pos - this.base);
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.limit - this.position;
  }

  /** Moves to flat `position` (0 to limit); ERR_SEGMENT_OUT_OF_BOUNDS outside. */
  seek(position: number): void {
    if (!(typeof position === 'number' && Number.isInteger(position) && position >= 0 && position <= this.limit)) {
      throw new SegmentOutOfBoundsError(`seek: position ${render(position)} is not from 0 to the limit ${this.limit}`);
    }
    let page = Math.floor(position / this.pageSize);
    if (page >= this.pages.length) page = this.pages.length - 1;
    this.enterPage(page, position - page * this.pageSize);
  }

  /** Moves to `offset` in page `page`; ERR_SEGMENT_OUT_OF_BOUNDS when that lies outside the pages or past the limit. */
  seekTo(page: number, offset: number): void {
    if (!(Number.isInteger(page) && Number.isInteger(offset) && page >= 0 && page < this.pages.length && offset >= 0 && offset <= this.pageSize)) {
      throw new SegmentOutOfBoundsError(`seekTo: page ${render(page)}, offset ${render(offset)} is not within ${this.pages.length} pages of ${this.pageSize} bytes`);
    }
    const flat = page * this.pageSize + offset;
    if (flat > this.limit) throw new SegmentOutOfBoundsError(`seekTo: page ${page}, offset ${offset} (flat ${flat}) lies past the limit ${this.limit}`);
    this.enterPage(page, offset);
  }

  /** Skips `n` bytes; ERR_EOF (position unchanged) when fewer remain. */
  skipBytes(n: number): void {
    checkInteger(n, 'skipBytes: n');
    const target = this.position + n;
    if (target > this.limit) throw this.eof(n);
    if (this.pos + n <= this.end) this.pos += n;
    else this.seek(target);
  }

  // ---------------------------------------------------------------- values

  /** Reads one unsigned byte; ERR_EOF at the end. */
  readUnsignedByte(): number {
    if (this.pos >= this.end) this.turn(1);
    this.checkLive();
    return this.bytes[this.pos++]!;
  }

  /** Reads one signed byte; ERR_EOF at the end. */
  readByte(): number {
    return (this.readUnsignedByte() << 24) >> 24;
  }

  /** Reads a boolean: true for any non-zero byte; ERR_EOF at the end. */
  readBoolean(): boolean {
    return this.readUnsignedByte() !== 0;
  }

  /** Reads a big-endian int16; ERR_EOF when fewer than 2 bytes remain. */
  readShort(): number {
    if (this.pos + 2 <= this.end && this.live()) {
      const v = this.view.getInt16(this.pos, false);
      this.pos += 2;
      return v;
    }
    this.gather(2);
    return this.scratch.getInt16(0, false);
  }

  /** Reads a big-endian int32; ERR_EOF when fewer than 4 bytes remain. */
  readInt(): number {
    if (this.pos + 4 <= this.end && this.live()) {
      const v = this.view.getInt32(this.pos, false);
      this.pos += 4;
      return v;
    }
    this.gather(4);
    return this.scratch.getInt32(0, false);
  }

  /** Reads a big-endian float32; ERR_EOF when fewer than 4 bytes remain. */
  readFloat(): number {
    if (this.pos + 4 <= this.end && this.live()) {
      const v = this.view.getFloat32(this.pos, false);
      this.pos += 4;
      return v;
    }
    this.gather(4);
    return this.scratch.getFloat32(0, false);
  }

  /** Reads a big-endian float64; ERR_EOF when fewer than 8 bytes remain. */
  readDouble(): number {
    if (this.pos + 8 <= this.end && this.live()) {
      const v = this.view.getFloat64(this.pos, false);
      this.pos += 8;
      return v;
    }
    this.gather(8);
    return this.scratch.getFloat64(0, false);
  }

  /** Reads a big-endian int64 as a bigint; ERR_EOF when fewer than 8 bytes remain. */
  readLong(): bigint {
    const view = this.gatherLong();
    const at = view === this.scratch ? 0 : this.pos - 8;
    return (BigInt(view.getInt32(at, false)) << 32n) | BigInt(view.getUint32(at + 4, false));
  }

  /** Reads a big-endian int64 as a number; ERR_VALUE_OUT_OF_RANGE beyond ±(2^53 − 1) (position then unchanged), ERR_EOF at the end. */
  readLongNumber(): number {
    const start = this.position;
    const view = this.gatherLong();
    const at = view === this.scratch ? 0 : this.pos - 8;
    const value = view.getInt32(at, false) * TWO_POW_32 + view.getUint32(at + 4, false);
    if (value <= Number.MAX_SAFE_INTEGER && value >= -Number.MAX_SAFE_INTEGER) return value;
    const big = (BigInt(view.getInt32(at, false)) << 32n) | BigInt(view.getUint32(at + 4, false));
    this.seek(start);
    throw new ValueOutOfRangeError(`long at position ${start} is ${big}, beyond ±(2^53 - 1); read it with readLong() as a bigint`);
  }

  /** Reads an unsigned varint (1-5 bytes) as writeVarUint wrote it; ERR_EOF at the end. */
  readVarUint(): number {
    if (this.pos < this.end && this.live()) {
      const b = this.bytes[this.pos]!;
      if (b < 0x80) {
        this.pos++;
        return b;
      }
    }
    const start = this.position;
    let value = 0;
    let shift = 0;
    try {
      for (;;) {
        const b = this.readUnsignedByte();
        value += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) break;
        shift += 7;
        if (shift > 28) throw new InvalidArgumentError(`malformed varint at position ${start}: more than 5 bytes`);
      }
    } catch (err) {
      this.seek(start);
      throw err;
    }
    return value;
  }

  /** Fills `dst[offset, offset + length)` (default: to its end) with the next bytes; ERR_EOF (nothing read) when fewer remain. */
  readBytes(dst: Uint8Array, offset = 0, length: number = remaining(checkUint8Array(dst, 'dst').length, offset)): void {
    checkArrayRange(dst, 'dst', offset, length);
    if (this.pos + length <= this.end && this.live()) {
      copyBetween(this.bytes, this.pos, dst, offset, length);
      this.pos += length;
      return;
    }
    if (this.position + length > this.limit) throw this.eof(length);
    while (length > 0) {
      if (this.pos >= this.end) this.turn(1);
      this.checkLive();
      const n = Math.min(length, this.end - this.pos);
      copyBetween(this.bytes, this.pos, dst, offset, n);
      this.pos += n;
      offset += n;
      length -= n;
    }
  }

  /** Reads a string written by writeString; ERR_EOF (position unchanged) when it is cut short. */
  readString(): string {
    const start = this.position;
    const length = this.readVarUint();
    if (this.pos + length <= this.end && this.live()) {
      const s = decodeUtf8(this.bytes, this.pos, length);
      this.pos += length;
      return s;
    }
    if (this.position + length > this.limit) {
      const n = this.position - start + length;
      this.seek(start);
      throw this.eof(n);
    }
    if (this.decodeBuffer.length < length) this.decodeBuffer = new Uint8Array(Math.max(length, this.decodeBuffer.length * 2));
    this.readBytes(this.decodeBuffer, 0, length);
    return decodeUtf8(this.decodeBuffer, 0, length);
  }

  // ---------------------------------------------------------------- pages

  private gatherLong(): DataView {
    if (this.pos + 8 <= this.end && this.live()) {
      this.pos += 8;
      return this.view;
    }
    this.gather(8);
    return this.scratch;
  }

  /** Reads `n` bytes across a page boundary into the scratch view, or throws ERR_EOF with the position unchanged. */
  private gather(n: number): void {
    if (this.position + n > this.limit) throw this.eof(n);
    for (let i = 0; i < n; i++) this.scratchBytes[i] = this.readUnsignedByte();
  }

  /** At the end of a page: moves to the next one if `n` more bytes are there, else ERR_EOF. */
  private turn(n: number): void {
    const next = this.pageIndex + 1;
    if (this.position + n > this.limit || next >= this.pages.length) throw this.eof(n);
    this.enterPage(next, 0);
  }

  private live(): boolean {
    const seg = this.seg;
    if (seg.address > seg.addressLimit) throw this.freed();
    return true;
  }

  private checkLive(): void {
    if (this.seg.address > this.seg.addressLimit) throw this.freed();
  }

  private freed(): SegmentFreedError {
    return new SegmentFreedError(`page ${this.pageIndex} of the input view was freed; it cannot be read`);
  }

  private eof(n: number): EndOfInputError {
    return new EndOfInputError(`cannot read ${n} bytes at position ${this.position}: the input ends at ${this.limit}`);
  }

  private enterPage(index: number, offset: number): void {
    const seg = this.pages[index]!;
    this.pageIndex = index;
    this.seg = seg;
    this.bytes = seg.bytes;
    this.view = seg.view;
    this.base = seg.address;
    this.pos = seg.address + offset;
    const last = this.limit - index * this.pageSize;
    this.end = seg.address + (last < seg.size ? last : seg.size);
  }
}
