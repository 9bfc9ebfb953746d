import { ProtocolError } from '../errors.js';
import type { MemorySegment } from '../memory/segment.js';
import { render } from '../util/render.js';
import {
  ALL_CHANNELS,
  FRAME_CANCEL,
  FRAME_CREDIT,
  FRAME_DATA,
  FRAME_END,
  FRAME_EVENT,
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  MAX_CANCEL_BYTES,
  MAX_CREDIT,
  MAX_EVENT_BYTES,
  frameTypeName,
  parseCancel,
} from './frame.js';

/** What the decoder hands decoded frames to (one side of a connection). @internal */
export interface FrameSink {
  /** The segment a DATA frame of `length` bytes on `channel` is written into, from byte 0; throws ProtocolError 'no-credit' when the channel has none. */
  dataTarget(channel: number, length: number): MemorySegment;
  /** The DATA frame's payload is in the segment dataTarget() gave. */
  data(channel: number, segment: MemorySegment, length: number, backlog: number): void;
  /** A user event (its own copy of the payload). */
  event(channel: number, payload: Uint8Array, backlog: number): void;
  /** End of the partition on `channel`. */
  end(channel: number): void;
  /** The receiver granted `credit` more buffers on `channel`. */
  credit(channel: number, credit: number): void;
  /** The other side cancelled `channel` (ALL_CHANNELS: the connection). */
  cancel(channel: number, code: string, message: string): void;
}

/** Which frames a side receives: the consumer gets data, the producer credit. */
export type DecoderRole = 'consumer' | 'producer';

const READING_HEADER = 0;
const READING_PAYLOAD = 1;
const FAILED = 2;

/**
 * Decodes frames from chunks as they come, of any size and split anywhere.
 * A DATA payload is written straight into the segment its channel gives
 * (the receiver's own pool buffer): no JavaScript array per frame. Every
 * rule of the framing is checked before anything is handed on; the first
 * broken one throws a ProtocolError and the decoder stays failed (later
 * chunks are ignored).
 */
export class FrameDecoder {
  private readonly head = new Uint8Array(FRAME_HEADER_BYTES);
  private readonly headView = new DataView(this.head.buffer);
  private headFilled = 0;
  private state = READING_HEADER;
  private type = 0;
  private channel = 0;
  private length = 0;
  private backlog = 0;
  private filled = 0;
  /** Where the current payload goes: a receiver's segment (DATA) or a copy (EVENT, CANCEL). */
  private target: MemorySegment | null = null;
  private copy: Uint8Array | null = null;
  /** The next sequence number expected, per channel. */
  private readonly expected: Uint32Array;
  private readonly ended: Uint8Array;

  constructor(
    private readonly sink: FrameSink,
    private readonly role: DecoderRole,
    private readonly numChannels: number,
    /** Largest DATA payload: the receiver's buffer size. */
    private readonly maxDataBytes: number,
  ) {
    this.expected = new Uint32Array(numChannels);
    this.ended = new Uint8Array(numChannels);
  }

  /** True between frames: nothing of a frame is pending. */
  get atFrameBoundary(): boolean {
    return this.state === READING_HEADER && this.headFilled === 0;
  }

  /** Decodes `chunk` (valid only during the call). Throws ProtocolError on the first broken rule. */
  push(chunk: Uint8Array): void {
    let at = 0;
    const end = chunk.length;
    try {
      while (at < end && this.state !== FAILED) {
        if (this.state === READING_HEADER) {
          const n = Math.min(FRAME_HEADER_BYTES - this.headFilled, end - at);
          if (n === FRAME_HEADER_BYTES) this.head.set(chunk.subarray(at, at + n));
          else for (let i = 0; i < n; i++) this.head[this.headFilled + i] = chunk[at + i]!;
          this.headFilled += n;
          at += n;
          if (this.headFilled === FRAME_HEADER_BYTES) this.beginFrame();
        } else {
          const n = Math.min(this.length - this.filled, end - at);
          if (this.target !== null) this.target.putBytes(this.filled, chunk, at, n);
          else this.copy!.set(chunk.subarray(at, at + n), this.filled);
          this.filled += n;
          at += n;
          if (this.filled === this.length) this.endFrame();
        }
      }
    } catch (error) {
      this.fail();
      throw error;
    }
  }

  /** The stream ended: a frame cut short is a ProtocolError 'truncated'. */
  finish(): void {
    if (this.state === FAILED || this.atFrameBoundary) return;
    const where = this.state === READING_HEADER ? `${this.headFilled} of ${FRAME_HEADER_BYTES} header bytes` : `${this.filled} of ${this.length} payload bytes of a ${frameTypeName(this.type)} frame`;
    this.fail();
    throw new ProtocolError('truncated', `the connection ended inside a frame: ${where} arrived`);
  }

  /** Stops decoding for good. */
  fail(): void {
    this.state = FAILED;
    this.target = null;
    this.copy = null;
  }

  private beginFrame(): void {
    const view = this.headView;
    const type = view.getUint8(0);
    const version = view.getUint8(1);
    const channel = view.getUint16(2, true);
    const sequence = view.getUint32(4, true);
    const length = view.getUint32(8, true);
    const backlog = view.getUint32(12, true);
    if (version !== FRAME_VERSION) throw malformed(`version ${render(version)} (expected ${FRAME_VERSION}) in a ${frameTypeName(type)} frame`);
    this.type = type;
    this.channel = channel;
    this.length = length;
    this.backlog = backlog;
    this.filled = 0;
    this.target = null;
    this.copy = null;
    if (type === FRAME_CANCEL) {
      if (channel !== ALL_CHANNELS && channel >= this.numChannels) throw this.badChannel(channel);
      if (length > MAX_CANCEL_BYTES) throw new ProtocolError('too-large', `a CANCEL frame of ${length} bytes is above the limit of ${MAX_CANCEL_BYTES}`);
      this.copy = new Uint8Array(length);
    } else {
      const consumerFrame = type === FRAME_DATA || type === FRAME_EVENT || type === FRAME_END;
      if (!(this.role === 'consumer' ? consumerFrame : type === FRAME_CREDIT)) throw malformed(`a frame of ${frameTypeName(type)} cannot reach the ${this.role} side`);
      if (channel >= this.numChannels) throw this.badChannel(channel);
      if (this.ended[channel] === 1) throw malformed(`a ${frameTypeName(type)} frame on channel ${channel} after its END`);
      const expected = this.expected[channel]!;
      if (sequence !== expected) {
        throw new ProtocolError('sequence-gap', `channel ${channel}: ${frameTypeName(type)} frame number ${sequence} arrived where number ${expected} was expected`);
      }
      this.expected[channel] = expected + 1;
      if (type === FRAME_DATA) {
        if (length > this.maxDataBytes) throw new ProtocolError('too-large', `channel ${channel}: a DATA frame of ${length} bytes does not fit a buffer of ${this.maxDataBytes} bytes`);
        this.target = this.sink.dataTarget(channel, length);
      } else if (type === FRAME_EVENT) {
        if (length > MAX_EVENT_BYTES) throw new ProtocolError('too-large', `channel ${channel}: an EVENT frame of ${length} bytes is above the limit of ${MAX_EVENT_BYTES}`);
        this.copy = new Uint8Array(length);
      } else if (length !== 0) {
        throw malformed(`channel ${channel}: a ${frameTypeName(type)} frame carries ${length} payload bytes (it has none)`);
      } else if (type === FRAME_CREDIT && (backlog === 0 || backlog > MAX_CREDIT)) {
        throw malformed(`channel ${channel}: a CREDIT frame grants ${backlog} buffers (from 1 to ${MAX_CREDIT})`);
      }
    }
    this.state = READING_PAYLOAD;
    if (length === 0) this.endFrame();
  }

  private endFrame(): void {
    const { sink, channel, type } = this;
    this.state = READING_HEADER;
    this.headFilled = 0;
    const copy = this.copy;
    const target = this.target;
    this.copy = null;
    this.target = null;
    switch (type) {
      case FRAME_DATA:
        sink.data(channel, target!, this.length, this.backlog);
        break;
      case FRAME_EVENT:
        sink.event(channel, copy!, this.backlog);
        break;
      case FRAME_END:
        this.ended[channel] = 1;
        sink.end(channel);
        break;
      case FRAME_CREDIT:
        sink.credit(channel, this.backlog);
        break;
      default: {
        const { code, message } = parseCancel(copy!);
        sink.cancel(channel, code, message);
      }
    }
  }

  private badChannel(channel: number): ProtocolError {
    return malformed(`channel ${channel} in a ${frameTypeName(this.headView.getUint8(0))} frame; the connection has channels 0 to ${this.numChannels - 1}`);
  }
}

function malformed(what: string): ProtocolError {
  return new ProtocolError('malformed', `malformed frame: ${what}`);
}
