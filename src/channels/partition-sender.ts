import { ChannelClosedError, IllegalStateError, InvalidArgumentError } from '../errors.js';
import { render } from '../util/render.js';
import { NetworkBuffer } from '../network/network-buffer.js';
import { ALL_CHANNELS, FRAME_DATA, FRAME_END, FRAME_EVENT, cancelFrame, header } from './frame.js';
import { FrameDecoder, type FrameSink } from './frame-decoder.js';
import type { PartitionConnection, ResultPartition } from './result-partition.js';
import type { Subpartition, SubpartitionReader } from './subpartition.js';
import { checkTransport, type Transport, type TransportHandlers } from './transport.js';

/**
 * The producer's end of a connection: sends each subpartition's buffers as
 * DATA frames, one per credit the consumer announced, and events and END
 * as they come in the queue (they need no credit, but never overtake data).
 * A buffer goes back to the partition's pool once the transport has sent
 * it. Work is batched: a change schedules one pass over the subpartitions
 * per task, which stops while the transport is full.
 */
export class PartitionSender implements FrameSink, TransportHandlers, PartitionConnection, SubpartitionReader {
  private readonly subpartitions: readonly Subpartition[];
  private readonly sequence: Uint32Array;
  private readonly decoder: FrameDecoder;
  private writable = true;
  private scheduled = false;
  private closed = false;
  private next = 0;

  /** @internal Made by connectPartition(). */
  constructor(
    private readonly partition: ResultPartition,
    /** The connection to the consumer. */
    readonly transport: Transport,
  ) {
    this.subpartitions = partition.subpartitions;
    this.sequence = new Uint32Array(this.subpartitions.length);
    this.decoder = new FrameDecoder(this, 'producer', this.subpartitions.length, 0);
    for (const sp of this.subpartitions) sp.setReader(this, 'connectPartition');
    for (const sp of this.subpartitions) sp.credit = 0;
    partition.connections.add(this);
    transport.open(this);
  }

  /** @internal */
  notifyAvailable(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    queueMicrotask(() => this.pump());
  }

  /** Sends what credit and the transport allow, taking the subpartitions in turns. */
  private pump(): void {
    this.scheduled = false;
    const sps = this.subpartitions;
    const n = sps.length;
    let idle = 0;
    while (!this.closed && this.writable && idle < n) {
      const sp = sps[this.next]!;
      this.next = this.next + 1 === n ? 0 : this.next + 1;
      const kind = sp.headKind();
      if (kind === null || (kind === 'buffer' && sp.credit <= 0)) {
        idle += 1;
        continue;
      }
      idle = 0;
      this.send(sp);
    }
  }

  private send(sp: Subpartition): void {
    const item = sp.poll();
    if (item === null) return;
    const i = sp.index;
    const transport = this.transport;
    if (item instanceof NetworkBuffer) {
      sp.credit -= 1;
      const bytes = item.bytes();
      transport.write(header(FRAME_DATA, i, this.sequence[i]++, bytes.length, sp.backlog), null);
      this.writable = transport.write(bytes, () => item.recycleBuffer());
    } else if (item.payload !== null) {
      transport.write(header(FRAME_EVENT, i, this.sequence[i]++, item.payload.length, sp.backlog), null);
      this.writable = transport.write(item.payload, null);
    } else {
      this.writable = transport.write(header(FRAME_END, i, this.sequence[i]++, 0, 0), null);
    }
  }

  // ---------------------------------------------------------------- PartitionConnection

  /** @internal */
  partitionReleased(error: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (error !== null) this.transport.write(cancelFrame(ALL_CHANNELS, (error as { code?: string }).code ?? 'ERR_CHANNEL_CLOSED', error.message), null);
    } finally {
      this.transport.close();
    }
  }

  // ---------------------------------------------------------------- TransportHandlers

  /** @internal */
  onData(chunk: Uint8Array): void {
    if (this.closed) return;
    try {
      this.decoder.push(chunk);
    } catch (error) {
      this.partition.fail(error as Error);
    }
  }

  /** @internal */
  onDrain(): void {
    this.writable = true;
    this.notifyAvailable();
  }

  /** @internal */
  onClose(error: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    if (this.subpartitions.every((sp) => sp.delivered)) return;
    this.partition.fail(new ChannelClosedError('the consumer closed the connection before it had the whole partition', { cause: error ?? undefined }));
  }

  // ---------------------------------------------------------------- FrameSink (the consumer sends credit and cancel)

  /** @internal */
  credit(channel: number, credit: number): void {
    const sp = this.subpartitions[channel]!;
    sp.credit += credit;
    this.notifyAvailable();
  }

  /** @internal */
  cancel(channel: number, code: string, message: string): void {
    const which = channel === ALL_CHANNELS ? 'the connection' : `channel ${channel}`;
    this.closed = true;
    this.transport.close();
    this.partition.fail(new ChannelClosedError(`the consumer cancelled ${which}: ${code}: ${message}`, { remoteCode: code }));
  }

  /** @internal */
  dataTarget(): never {
    throw new IllegalStateError('a DATA frame reached the producer side (the decoder refuses them)');
  }

  /** @internal */
  data(): void {}

  /** @internal */
  event(): void {}

  /** @internal */
  end(): void {}
}

/** Connects `partition` to a consumer at the other end of `transport`: every subpartition is sent to the gate there (channel i reads subpartition i). */
export function connectPartition(partition: ResultPartition, transport: Transport): PartitionSender {
  if (typeof partition !== 'object' || partition === null || !Array.isArray((partition as Partial<ResultPartition>).subpartitions)) {
    throw new InvalidArgumentError(`connectPartition: expected a ResultPartition, got ${render(partition)}`);
  }
  checkTransport(transport, 'connectPartition');
  if (partition.isReleased()) throw new ChannelClosedError(`connectPartition: ${partition.id} has been released`);
  const taken = partition.subpartitions.find((sp) => sp.hasReader());
  if (taken !== undefined) throw new IllegalStateError(`connectPartition: subpartition ${taken.index} of ${partition.id} already has a reader (a subpartition is read by one channel)`);
  return new PartitionSender(partition, transport);
}
