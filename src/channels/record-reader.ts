import { EndOfInputError, InvalidArgumentError } from '../errors.js';
import type { MemorySegment } from '../memory/segment.js';
import type { NetworkBuffer } from '../network/network-buffer.js';
import { checkFunctionOption } from '../util/checks.js';
import { render } from '../util/render.js';
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
 * A record inside one buffer is returned as a view of the buffer (no copy);
 * one across buffers is gathered into a scratch array reused for the next
 * such record. Either stays valid until the next record is asked for: the
 * buffer is recycled then.
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

  /** The next whole record, or null when the buffer is read out (then it is recycled on the next call). */
  next(): Uint8Array | null {
    this.recycleRetired();
    const segment = this.segment;
    if (segment === null) return null;
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
        // A view made with the constructor: wrap()'s subarray() looks up Symbol.species (see array-ops.ts).
        const bytes = segment.bytes;
        const record = new Uint8Array(bytes.buffer, bytes.byteOffset + segment.address + this.position, length);
        this.position += length;
        if (this.position === this.limit) this.retire();
        return record;
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
    const record = this.spill.subarray(0, this.spillLength);
    this.spillLength = -1;
    if (this.position === this.limit) this.retire();
    return record;
  }

  /** Recycles every buffer it holds. */
  release(): void {
    this.recycleRetired();
    this.buffer?.recycleBuffer();
    this.buffer = null;
    this.segment = null;
  }

  private readOut(): null {
    this.retire();
    this.recycleRetired();
    return null;
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
  private last = -1;
  private readonly onEvent: ((channel: number, payload: Uint8Array) => void) | undefined;

  /** A reader of `gate`'s records. */
  constructor(gate: InputGate, options: RecordReaderOptions = {}) {
    if (!(gate instanceof InputGate)) throw new InvalidArgumentError(`RecordReader: expected an InputGate, got ${render(gate)}`);
    this.gate = gate;
    this.onEvent = checkFunctionOption(options.onEvent, 'RecordReader: onEvent');
    this.channels = gate.channels.map((c) => new ChannelRecords(c.index));
  }

  /** The channel of the record last returned (-1 before the first). */
  get channel(): number {
    return this.last;
  }

  /** The next record, or null after every channel's end; rejects with the gate's failure, or EndOfInputError when a channel ends inside a record. */
  next(): Promise<Uint8Array | null> {
    let record: Uint8Array | null;
    try {
      record = this.poll();
    } catch (error) {
      return Promise.reject(error);
    }
    return record !== null ? Promise.resolve(record) : this.nextFromGate();
  }

  /** The next record from what has arrived, or null when the gate has nothing now (without waiting). */
  poll(): Uint8Array | null {
    if (this.last >= 0) this.channels[this.last]!.recycleRetired();
    for (;;) {
      const current = this.current;
      if (current !== null) {
        const record = current.next();
        if (record !== null) {
          this.last = current.channel;
          return record;
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
        yield { channel: this.last, record };
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

  private async nextFromGate(): Promise<Uint8Array | null> {
    for (;;) {
      const item = await this.gate.next();
      if (item === null) return null;
      this.take(item);
      const record = this.poll();
      if (record !== null) return record;
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
