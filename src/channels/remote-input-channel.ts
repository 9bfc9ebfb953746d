import { ChannelClosedError, ProtocolError } from '../errors.js';
import type { MemorySegment } from '../memory/segment.js';
import type { ChannelMetrics } from '../network/metrics.js';
import { NetworkBuffer, type BufferRecycler } from '../network/network-buffer.js';
import { ALL_CHANNELS, FRAME_CREDIT, cancelFrame, header } from './frame.js';
import { FrameDecoder, type FrameSink } from './frame-decoder.js';
import type { GateBuffers, SegmentTaker } from './gate-buffers.js';
import { type ChannelOwner, type GateItem, InputChannel } from './input-channel.js';
import type { Transport, TransportHandlers } from './transport.js';

/** Credit held back while the producer has at least this much announced, to announce it in fewer frames. */
const CREDIT_BATCH = 4;

/**
 * A channel fed over a transport. Its credit is the segments it holds free
 * to receive into; each is announced to the producer once (CREDIT frames,
 * batched per task), and each DATA frame uses one. It keeps `exclusive`
 * segments for good and borrows floating ones from the gate while the
 * producer's backlog exceeds what it has free.
 *
 *   free: [ announced ........ | not yet announced ]   announced + unannounced = free.length
 *   (a segment a DATA frame is being written into has left `free` and its credit is used)
 */
export class RemoteInputChannel extends InputChannel implements BufferRecycler, SegmentTaker {
  /** @internal */ readonly free: MemorySegment[] = [];
  /** Segments it owns: free, queued, or with the reader. @internal */
  held = 0;
  /** Segments asked of the gate and not yet given. @internal */
  wanted = 0;
  /** Credit announced and not yet used by a DATA frame. @internal */
  announced = 0;
  /** @internal */ unannounced = 0;
  /** The producer's backlog as last reported. @internal */
  backlog = 0;
  /** END arrived (it may still be queued). @internal */
  endReceived = false;
  /** Sequence number of the next CREDIT frame. @internal */
  creditSequence = 0;
  /** The segment a DATA frame is being written into. @internal */
  receiving: MemorySegment | null = null;
  private readonly queue: GateItem[] = [];
  private buffersQueued = 0;
  private released = false;

  /** @internal */
  constructor(
    owner: ChannelOwner,
    index: number,
    private readonly connection: GateConnection,
    private readonly buffers: GateBuffers,
    /** Segments the channel keeps for good. */
    readonly exclusive: number,
    private readonly maxHeld: number,
  ) {
    super(index);
    this.owner = owner;
  }

  /** The transport's name. */
  get transport(): string {
    return this.connection.transport.name;
  }

  /** Asks for the exclusive segments. @internal */
  start(): void {
    this.request();
  }

  /** @internal */
  hasNext(): boolean {
    return this.queue.length > 0;
  }

  /** @internal */
  poll(): GateItem | null {
    const item = this.queue.shift();
    if (item === undefined) return null;
    if (item.kind === 'buffer') this.buffersQueued -= 1;
    else if (item.kind === 'end') this.ended = true;
    return item;
  }

  /** The segment the next DATA frame goes into; ProtocolError 'no-credit' when none was announced. @internal */
  dataTarget(length: number): MemorySegment {
    if (this.announced === 0) {
      throw new ProtocolError('no-credit', `channel ${this.index}: a DATA frame of ${length} bytes arrived without credit (${this.free.length} buffers free, none announced)`);
    }
    // Taken off the free list now: the reader may recycle buffers (pushing segments) while the payload arrives.
    const segment = this.free.pop()!;
    this.announced -= 1;
    this.receiving = segment;
    return segment;
  }

  /** A DATA frame is in the segment dataTarget() gave. @internal */
  received(segment: MemorySegment, length: number, backlog: number): void {
    this.receiving = null;
    if (this.unannounced > 0) this.connection.scheduleCredit(this);
    this.bytesReceived += length;
    this.backlog = backlog;
    this.push({ kind: 'buffer', channel: this.index, buffer: new NetworkBuffer(segment, this, 'data', length, null, 0, segment.size, -1) });
    this.buffersQueued += 1;
    this.request();
  }

  /** An event or END arrived. @internal */
  receivedItem(item: GateItem, backlog: number): void {
    this.backlog = backlog;
    if (item.kind === 'end') this.endReceived = true;
    this.push(item);
    this.request();
  }

  /** A buffer the reader recycled: the segment is free again, or goes back to the gate when not needed. @internal */
  recycle(segment: MemorySegment): void {
    if (this.released || (this.held > this.exclusive && this.free.length + this.wanted >= this.exclusive + this.backlog)) {
      this.held -= 1;
      this.buffers.giveBack(segment);
      return;
    }
    this.addFree(segment);
  }

  /** @internal */
  receiveSegment(segment: MemorySegment): void {
    this.wanted -= 1;
    this.held += 1;
    if (this.released) {
      this.held -= 1;
      this.buffers.giveBack(segment);
      return;
    }
    this.addFree(segment);
  }

  /** @internal */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const item of this.queue.splice(0)) if (item.kind === 'buffer') item.buffer.recycleBuffer();
    this.buffersQueued = 0;
    if (this.receiving !== null) this.free.push(this.receiving);
    this.receiving = null;
    for (const segment of this.free.splice(0)) {
      this.held -= 1;
      this.buffers.giveBack(segment);
    }
    this.announced = 0;
    this.unannounced = 0;
  }

  /** @internal */
  metrics(): ChannelMetrics {
    return {
      index: this.index,
      credit: this.free.length,
      backlog: this.backlog,
      buffersQueued: this.buffersQueued,
      buffersInFlight: this.announced,
      exclusiveBuffers: Math.min(this.held, this.exclusive),
      floatingBuffers: Math.max(0, this.held - this.exclusive),
      bytesReceived: this.bytesReceived,
      transport: this.transport,
    };
  }

  private push(item: GateItem): void {
    this.queue.push(item);
    this.owner.notifyChannel(this);
  }

  private addFree(segment: MemorySegment): void {
    this.free.push(segment);
    this.unannounced += 1;
    this.connection.scheduleCredit(this);
  }

  /** Asks for segments up to exclusive + backlog (the floating share), never beyond maxHeld. */
  private request(): void {
    if (this.released || this.endReceived) return;
    const target = Math.min(this.exclusive + this.backlog, this.maxHeld);
    while (this.held + this.wanted < this.exclusive || (this.free.length + this.wanted < target && this.held + this.wanted < this.maxHeld)) {
      this.wanted += 1;
      this.buffers.request(this);
    }
  }
}

/**
 * The consumer's end of a connection: decodes what arrives into the
 * channels' segments and sends their credit back. Any broken rule fails the
 * whole gate (the stream cannot be trusted past it) and tells the producer.
 * @internal
 */
export class GateConnection implements FrameSink, TransportHandlers {
  readonly channels: RemoteInputChannel[] = [];
  private readonly decoder: FrameDecoder;
  private readonly dirty: RemoteInputChannel[] = [];
  private creditScheduled = false;
  private closed = false;

  constructor(
    private readonly owner: ChannelOwner,
    readonly transport: Transport,
    numChannels: number,
    maxDataBytes: number,
  ) {
    this.decoder = new FrameDecoder(this, 'consumer', numChannels, maxDataBytes);
  }

  /** Opens the transport. */
  open(): void {
    this.transport.open(this);
  }

  /** Announces new credit of `channel` with the others, once the current task is done. */
  scheduleCredit(channel: RemoteInputChannel): void {
    if (this.closed) return;
    this.dirty.push(channel);
    if (this.creditScheduled) return;
    this.creditScheduled = true;
    queueMicrotask(() => this.sendCredit());
  }

  /** Closes the connection: in order when `error` is null, else after telling the producer why. */
  close(error: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    const transport = this.transport;
    try {
      if (error !== null) transport.write(cancelFrame(ALL_CHANNELS, (error as { code?: string }).code ?? 'ERR_CHANNEL_CLOSED', error.message), null);
    } finally {
      transport.close();
    }
  }

  // ---------------------------------------------------------------- TransportHandlers

  onData(chunk: Uint8Array): void {
    if (this.closed) return;
    try {
      this.decoder.push(chunk);
    } catch (error) {
      this.owner.fail(error as Error);
    }
  }

  onDrain(): void {}

  onClose(error: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    if (this.channels.every((c) => c.endReceived)) return;
    let failure: Error = new ChannelClosedError('the producer closed the connection before the end of its partition', { cause: error ?? undefined });
    try {
      this.decoder.finish();
    } catch (truncated) {
      failure = truncated as Error;
    }
    this.owner.fail(failure);
  }

  // ---------------------------------------------------------------- FrameSink

  dataTarget(channel: number, length: number): MemorySegment {
    return this.channels[channel]!.dataTarget(length);
  }

  data(channel: number, segment: MemorySegment, length: number, backlog: number): void {
    this.channels[channel]!.received(segment, length, backlog);
  }

  event(channel: number, payload: Uint8Array, backlog: number): void {
    this.channels[channel]!.receivedItem({ kind: 'event', channel, payload }, backlog);
  }

  end(channel: number): void {
    this.channels[channel]!.receivedItem({ kind: 'end', channel }, 0);
    // Every channel has ended: the partition is complete, and whatever follows on the connection is not read.
    if (this.channels.every((c) => c.endReceived)) {
      this.decoder.fail();
      this.closed = true;
      this.transport.close();
    }
  }

  credit(): void {
    // The decoder refuses CREDIT frames on the consumer side.
  }

  cancel(channel: number, code: string, message: string): void {
    const which = channel === ALL_CHANNELS ? 'the connection' : `channel ${channel}`;
    this.closed = true;
    this.owner.fail(new ChannelClosedError(`the producer cancelled ${which}: ${code}: ${message}`, { remoteCode: code }));
  }

  private sendCredit(): void {
    this.creditScheduled = false;
    const dirty = this.dirty.splice(0);
    if (this.closed) return;
    for (const channel of dirty) {
      const credit = channel.unannounced;
      // Credit goes out in batches while the producer still has plenty (fewer frames, and the producer sends
      // several buffers per write); at once when it would otherwise run low. The next DATA frame re-checks.
      if (credit === 0 || (credit < CREDIT_BATCH && channel.announced >= CREDIT_BATCH)) continue;
      channel.unannounced = 0;
      channel.announced += credit;
      this.transport.write(header(FRAME_CREDIT, channel.index, channel.creditSequence++, 0, credit), null);
    }
  }
}
