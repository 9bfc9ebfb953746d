import { EndOfInputError } from '../errors.js';
import type { MemorySegment } from '../memory/segment.js';
import type { NetworkBuffer } from '../network/network-buffer.js';
import { checkFunctionOption, checkInstance, checkOptionsObject } from '../util/checks.js';
import type { GateItem } from './input-channel.js';
import { InputGate } from './input-gate.js';
import { LENGTH_PREFIX_BYTES } from './subpartition.js';

/** Options of a RecordReader. */
export interface RecordReaderOptions {
  /** Called with each user event, in its place among the records of its channel (default: events are skipped). */
  onEvent?: (channel: number, payload: Uint8Array) => void;
}

/**
 * The records of one channel, cut from its buffers as they come: a u32
 * little-endian length, then that many bytes, either spanning buffers.
 *
 *   buffers: [ len | record | len | rec ][ ord | len | record ][ ... ]
 *                                   ^ a record across two buffers is gathered in `spill`
 *
 * A record inside one buffer is cut as a range of the buffer's bytes (no
 * copy); one across buffers is gathered into a scratch array reused for the
 * next such record. Either stays valid until the next record is asked for:
 * the buffer is recycled then.
 */
class ChannelRecords {
  private buffer: NetworkBuffer | null = null;
  private segment: MemorySegment | null = null;
  private position = 0;
  private limit = 0;
  /** A read-out buffer kept until the next call (its last record may still be in use). */
  private retired: NetworkBuffer | null = null;
  private readonly lengthBytes = new Uint8Array(LENGTH_PREFIX_BYTES);
  private lengthFilled = 0;
  /** The record being gathered across buffers: its length, and how much of it is there; -1 when none. */
  private spillLength = -1;
  private spillFilled = 0;
  private spill = new Uint8Array(0);

  constructor(readonly channel: number) {}

  /** True when no record is half read. */
  get atBoundary(): boolean {
    return this.lengthFilled === 0 && this.spillLength < 0;
  }

  /** The next buffer of the channel (the previous one is read out). */
  setBuffer(buffer: NetworkBuffer): void {
    this.recycleRetired();
    this.buffer = buffer;
    this.segment = buffer.memorySegment;
    this.position = buffer.memorySegmentOffset + buffer.readerIndex;
    this.limit = buffer.memorySegmentOffset + buffer.size;
  }

  /**
   * Cuts the next whole record into `span` (its bytes, offset and length);
   * false when the buffer is read out (then it is recycled on the next call).
   */
  next(span: RecordSpan): boolean {
    this.recycleRetired();
    const segment = this.segment;
    if (segment === null) return false;
    const remaining = this.limit - this.position;
    if (this.spillLength < 0) {
      let length: number;
      if (this.lengthFilled === 0 && remaining >= LENGTH_PREFIX_BYTES) {
        length = segment.getIntLittleEndian(this.position) >>> 0;
        this.position += LENGTH_PREFIX_BYTES;
      } else {
        const n = Math.min(LENGTH_PREFIX_BYTES - this.lengthFilled, remaining);
        for (let i = 0; i < n; i++) this.lengthBytes[this.lengthFilled + i] = segment.get(this.position + i);
        this.position += n;
        this.lengthFilled += n;
        if (this.lengthFilled < LENGTH_PREFIX_BYTES) return this.readOut();
        const b = this.lengthBytes;
        length = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
        this.lengthFilled = 0;
      }
      if (this.limit - this.position >= length) {
        const bytes = segment.bytes;
        span.bytes = bytes;
        span.offset = segment.address + this.position;
        span.length = length;
        this.position += length;
        if (this.position === this.limit) this.retire();
        return true;
      }
      this.spillLength = length;
      this.spillFilled = 0;
      if (this.spill.length < length) this.spill = new Uint8Array(Math.max(length, this.spill.length * 2));
    }
    const n = Math.min(this.spillLength - this.spillFilled, this.limit - this.position);
    segment.getBytes(this.position, this.spill, this.spillFilled, n);
    this.position += n;
    this.spillFilled += n;
    if (this.spillFilled < this.spillLength) return this.readOut();
    span.bytes = this.spill;
    span.offset = 0;
    span.length = this.spillLength;
    this.spillLength = -1;
    if (this.position === this.limit) this.retire();
    return true;
  }

  /** Recycles every buffer it holds. */
  release(): void {
    this.recycleRetired();
    this.buffer?.recycleBuffer();
    this.buffer = null;
    this.segment = null;
  }

  private readOut(): false {
    this.retire();
    this.recycleRetired();
    return false;
  }

  private retire(): void {
    this.retired = this.buffer;
    this.buffer = null;
    this.segment = null;
  }

  /** Recycles the buffer its last record came from, once that record is no longer in use. */
  recycleRetired(): void {
    const retired = this.retired;
    if (retired === null) return;
    this.retired = null;
    retired.recycleBuffer();
  }
}

/**
 * Where the last record is, without a view made for it: `length` bytes of
 * `bytes` from `offset`, from `channel`. A RecordReader has one, updated in
 * place by pollSpan() and nextSpan(), so reading records this way allocates
 * nothing per record (a view per record cost about a third of a local
 * channel's 1 KiB-record throughput, its allocation and the GC it drives).
 * Valid until the next record is asked for.
 */
export class RecordSpan {
  /** The bytes the record is in (a pool buffer's memory, or the reader's scratch array for a record that spanned buffers). */
  bytes: Uint8Array = new Uint8Array(0);
  /** Where the record starts in `bytes`. */
  offset = 0;
  /** The record's length in bytes. */
  length = 0;
  /** The channel the record came from. */
  channel = -1;

  /** @internal Spans are made by a RecordReader. */
  constructor() {}

  /** The record as a Uint8Array over `bytes` (a view, not a copy, made on each call; valid as long as the span). */
  toUint8Array(): Uint8Array {
    // A view made with the constructor: subarray() looks up Symbol.species (see array-ops.ts).
    const bytes = this.bytes;
    return new Uint8Array(bytes.buffer, bytes.byteOffset + this.offset, this.length);
  }
}

const viewOf = (span: RecordSpan | null): Uint8Array | null => (span === null ? null : span.toUint8Array());
const spanOf = (span: RecordSpan | null): RecordSpan | null => span;

/** A record and the channel it came from. */
export interface ChannelRecord {
  /** The channel. */
  readonly channel: number;
  /** The record's bytes: valid until the next record is asked for. */
  readonly record: Uint8Array;
}

/**
 * Length-prefixed records (as a RecordWriter writes them) from every channel
 * of a gate, in order per channel. next() resolves with the next record (a
 * view valid until the following call) or null when every channel has
 * ended; `channel` tells which channel the last record came from.
 */
export class RecordReader {
  /** The gate read from. */
  readonly gate: InputGate;
  private readonly channels: ChannelRecords[];
  private current: ChannelRecords | null = null;
  /** Where the last record came from: kept here, not read back from the span, whose fields a caller can write. */
  private last: ChannelRecords | null = null;
  private readonly span = new RecordSpan();
  private readonly onEvent: ((channel: number, payload: Uint8Array) => void) | undefined;

  /** A reader of `gate`'s records. */
  constructor(gate: InputGate, options: RecordReaderOptions = {}) {
    this.gate = checkInstance(gate, InputGate, 'InputGate', 'RecordReader');
    this.onEvent = checkFunctionOption(checkOptionsObject<RecordReaderOptions>(options, 'RecordReader: options').onEvent, 'RecordReader: onEvent');
    this.channels = gate.channels.map((c) => new ChannelRecords(c.index));
  }

  /** The channel of the record last returned (-1 before the first). */
  get channel(): number {
    return this.last === null ? -1 : this.last.channel;
  }

  /** The next record, or null after every channel's end; rejects with the gate's failure, or EndOfInputError when a channel ends inside a record. */
  next(): Promise<Uint8Array | null> {
    return this.settle(viewOf);
  }

  /** The next record from what has arrived, or null when the gate has nothing now (without waiting). */
  poll(): Uint8Array | null {
    return this.pollSpan()?.toUint8Array() ?? null;
  }

  /** Like next(), but the record comes as the reader's one RecordSpan, updated in place: nothing is allocated per record. */
  nextSpan(): Promise<RecordSpan | null> {
    return this.settle(spanOf);
  }

  /** Like poll(), but the record comes as the reader's one RecordSpan, updated in place: nothing is allocated per record. */
  pollSpan(): RecordSpan | null {
    const span = this.span;
    this.last?.recycleRetired();
    for (;;) {
      const current = this.current;
      if (current !== null) {
        if (current.next(span)) {
          span.channel = current.channel;
          this.last = current;
          return span;
        }
        this.current = null;
      }
      const item = this.gate.poll();
      if (item === null) return null;
      this.take(item);
    }
  }

  /** Iterates over { channel, record } until every channel has ended; leaving early releases the gate. */
  async *[Symbol.asyncIterator](): AsyncGenerator<ChannelRecord, void, undefined> {
    let done = false;
    try {
      for (;;) {
        const record = await this.next();
        if (record === null) {
          done = true;
          return;
        }
        yield { channel: this.span.channel, record };
      }
    } finally {
      if (!done) this.release();
    }
  }

  /** Releases the buffers it holds and the gate. */
  release(): void {
    for (const c of this.channels) c.release();
    this.current = null;
    this.gate.release();
  }

  /** The next record as `take` makes it: at once when one has arrived (no Promise chain), else once the gate has one. */
  private settle<T>(take: (span: RecordSpan | null) => T): Promise<T> {
    let span: RecordSpan | null;
    try {
      span = this.pollSpan();
    } catch (error) {
      return Promise.reject(error);
    }
    return span !== null ? Promise.resolve(take(span)) : this.nextFromGate().then(take);
  }

  private async nextFromGate(): Promise<RecordSpan | null> {
    for (;;) {
      const item = await this.gate.next();
      if (item === null) return null;
      this.take(item);
      const span = this.pollSpan();
      if (span !== null) return span;
    }
  }

  private take(item: GateItem): void {
    const channel = this.channels[item.channel]!;
    if (item.kind === 'buffer') {
      channel.setBuffer(item.buffer);
      this.current = channel;
    } else if (item.kind === 'event') {
      this.onEvent?.(item.channel, item.payload);
    } else {
      channel.release();
      if (!channel.atBoundary) throw new EndOfInputError(`RecordReader: channel ${item.channel} ended inside a record`);
    }
  }
}
