import { ChannelClosedError, IllegalStateError, InvalidArgumentError } from '../errors.js';
import type { GateMetrics, MetricsSource } from '../network/metrics.js';
import { NetworkBufferPool } from '../network/network-buffer-pool.js';
import { checkInstance, checkInteger, checkOptionsObject } from '../util/checks.js';
import { render } from '../util/render.js';
import { MAX_CHANNELS } from './frame.js';
import { GateBuffers } from './gate-buffers.js';
import { type ChannelOwner, type GateItem, InputChannel, LocalInputChannel } from './input-channel.js';
import { GateConnection, RemoteInputChannel } from './remote-input-channel.js';
import { ResultPartition } from './result-partition.js';
import { checkTransport, type Transport } from './transport.js';

/** Options of an InputGate reading a partition of the same runtime. */
export interface LocalGateOptions {
  /** The partition whose subpartitions the gate reads, one channel each. */
  partition: ResultPartition;
  /** The subpartitions to read (default: all); channel i reads subpartitions[i]. */
  subpartitions?: readonly number[];
}

/** Options of an InputGate fed over a transport (the producer connected its partition to the other end). */
export interface RemoteGateOptions {
  /** The connection to the producer. */
  transport: Transport;
  /** Channels: the producer's subpartitions 0 to numChannels − 1. */
  numChannels: number;
  /** Buffers each channel keeps to receive into (default 2). */
  exclusiveBuffersPerChannel?: number;
  /** Buffers the channels borrow from while their producer has a backlog (default 8). */
  floatingBuffers?: number;
}

/** Default exclusive buffers per remote channel (as Flink's buffers-per-channel). */
export const DEFAULT_EXCLUSIVE_BUFFERS = 2;
/** Default floating buffers per gate (as Flink's floating-buffers-per-gate). */
export const DEFAULT_FLOATING_BUFFERS = 8;

interface Waiter {
  resolve(item: GateItem | null): void;
  reject(error: unknown): void;
}

/**
 * The consuming side: one InputChannel per subpartition read. next() yields
 * buffers, events and each channel's end, in order per channel (channels
 * with data take turns); after every channel's end it resolves null. A
 * buffer is the reader's: recycle it when done, which is what frees credit
 * (remote) or the producer's buffer (local).
 *
 * A failure of any channel (a broken frame, a lost connection, a producer
 * that released early) fails the gate: every buffer it holds goes back,
 * waiting and later next() calls reject with the error.
 */
export class InputGate implements MetricsSource, ChannelOwner {
  /** Its name, unique among the runtime's partitions and gates ('gate-0', ...). */
  readonly id: string;
  /** One per subpartition read. */
  readonly channels: readonly InputChannel[];
  private readonly networkBufferPool: NetworkBufferPool;
  private readonly buffers: GateBuffers | null = null;
  private readonly connection: GateConnection | null = null;
  private readonly floating: number;
  private readonly available: InputChannel[] = [];
  private readonly waiters: Waiter[] = [];
  private serveScheduled = false;
  private endedChannels = 0;
  private failure: Error | null = null;
  private released = false;

  /** A gate over a local partition or a transport; throws InsufficientBuffersError when a remote gate's buffers do not fit. */
  constructor(networkBufferPool: NetworkBufferPool, options: LocalGateOptions | RemoteGateOptions) {
    options = checkOptionsObject(options, 'InputGate: options');
    this.networkBufferPool = checkInstance(networkBufferPool, NetworkBufferPool, 'NetworkBufferPool', 'InputGate');
    if ('partition' in options) {
      const partition = options.partition;
      if (!(partition instanceof ResultPartition)) throw new InvalidArgumentError(`InputGate: partition must be a ResultPartition, got ${render(partition)}`);
      if (partition.networkBufferPool !== networkBufferPool) throw new InvalidArgumentError("InputGate: the partition belongs to another runtime's network buffer pool; connect the two over a transport");
      const indices = options.subpartitions === undefined ? partition.subpartitions.map((sp) => sp.index) : checkIndices(options.subpartitions, partition.numSubpartitions);
      const sources = indices.map((i) => partition.subpartition(i, 'InputGate'));
      const taken = sources.find((sp) => sp.hasReader());
      if (taken !== undefined) throw new IllegalStateError(`InputGate: subpartition ${taken.index} of ${partition.id} already has a reader (a subpartition is read by one channel)`);
      if (partition.isReleased()) throw new ChannelClosedError(`InputGate: ${partition.id} has been released`);
      this.floating = 0;
      const channels = sources.map((sp, i) => new LocalInputChannel(this, i, sp));
      this.channels = channels;
      this.id = networkBufferPool.metrics.add(this, 'gate');
      sources.forEach((sp, i) => sp.setReader(channels[i]!, 'InputGate'));
      return;
    }
    const { transport } = options;
    checkTransport(transport, 'InputGate');
    const n = checkInteger(options.numChannels, 'InputGate: numChannels', 1, MAX_CHANNELS);
    const exclusive = options.exclusiveBuffersPerChannel === undefined ? DEFAULT_EXCLUSIVE_BUFFERS : checkInteger(options.exclusiveBuffersPerChannel, 'InputGate: exclusiveBuffersPerChannel', 1, 1 << 16);
    const floating = options.floatingBuffers === undefined ? DEFAULT_FLOATING_BUFFERS : checkInteger(options.floatingBuffers, 'InputGate: floatingBuffers', 0, 1 << 20);
    const size = n * exclusive + floating;
    const pool = networkBufferPool.createBufferPool({ minSize: size, maxSize: size });
    this.floating = floating;
    this.buffers = new GateBuffers(pool);
    const connection = new GateConnection(this, transport, n, networkBufferPool.memorySegmentSize);
    this.connection = connection;
    for (let i = 0; i < n; i++) connection.channels.push(new RemoteInputChannel(this, i, connection, this.buffers, exclusive, exclusive + floating));
    this.channels = connection.channels;
    this.id = networkBufferPool.metrics.add(this, 'gate');
    connection.open();
    for (const channel of connection.channels) channel.start();
  }

  /** Channels in the gate. */
  get numChannels(): number {
    return this.channels.length;
  }

  /** True after release() (or a failure). */
  isReleased(): boolean {
    return this.released;
  }

  /**
   * The next buffer, event or end of a channel; null after every channel's
   * end. Rejects with the gate's failure (ERR_PROTOCOL, ERR_CHANNEL_CLOSED),
   * and with ERR_CHANNEL_CLOSED once the gate is released before its end.
   */
  next(): Promise<GateItem | null> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.released) {
      return this.endedChannels === this.channels.length ? Promise.resolve(null) : Promise.reject(new ChannelClosedError(`next: ${this.id} has been released`));
    }
    if (this.waiters.length === 0) {
      const item = this.poll();
      if (item !== null) return Promise.resolve(item);
      if (this.endedChannels === this.channels.length) return Promise.resolve(null);
      if (this.failure !== null) return Promise.reject(this.failure);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The next item if one is there now, else null (without waiting). */
  poll(): GateItem | null {
    const available = this.available;
    while (available.length > 0 && this.failure === null) {
      const channel = available[0]!;
      const item = channel.poll();
      if (item === null || !channel.hasNext()) {
        available.shift();
        channel.queued = false;
      } else if (available.length > 1) {
        // Channels with more take turns.
        available.push(available.shift()!);
      }
      if (item === null) continue;
      if (item.kind === 'end') this.endedChannels += 1;
      return item;
    }
    return null;
  }

  /** Iterates until every channel has ended; leaving the loop early releases the gate. */
  async *[Symbol.asyncIterator](): AsyncGenerator<GateItem, void, undefined> {
    let done = false;
    try {
      for (;;) {
        const item = await this.next();
        if (item === null) {
          done = true;
          return;
        }
        yield item;
      }
    } finally {
      if (!done) this.release();
    }
  }

  /**
   * Releases the gate: buffers queued go back, channels that had not ended
   * cancel their producer, the gate's pool is destroyed (buffers the reader
   * still holds go back when recycled). Idempotent.
   */
  release(): void {
    this.shutDown(null);
  }

  /** A channel failed: the gate fails with `error`, releasing everything. @internal */
  fail(error: Error): void {
    if (this.failure !== null || this.released) return;
    this.failure = error;
    this.shutDown(error);
  }

  /** @internal */
  notifyChannel(channel: InputChannel): void {
    if (!channel.queued) {
      channel.queued = true;
      this.available.push(channel);
    }
    if (this.waiters.length > 0 && !this.serveScheduled) {
      this.serveScheduled = true;
      queueMicrotask(() => this.serve());
    }
  }

  /** A fresh plain-data snapshot of the gate. */
  metricsSnapshot(): GateMetrics {
    const channels = this.channels.map((c) => c.metrics());
    return {
      kind: 'gate',
      id: this.id,
      floatingPoolSize: this.floating,
      floatingInUse: channels.reduce((sum, c) => sum + c.floatingBuffers, 0),
      channels,
    };
  }

  private serve(): void {
    this.serveScheduled = false;
    const waiters = this.waiters;
    while (waiters.length > 0) {
      if (this.failure !== null) {
        for (const w of waiters.splice(0)) w.reject(this.failure);
        return;
      }
      const item = this.poll();
      if (item === null) {
        if (this.failure !== null) continue;
        if (this.endedChannels === this.channels.length) for (const w of waiters.splice(0)) w.resolve(null);
        return;
      }
      waiters.shift()!.resolve(item);
    }
  }

  private shutDown(error: Error | null): void {
    if (this.released) return;
    this.released = true;
    try {
      for (const channel of this.channels) channel.release();
      const complete = this.channels.every((c) => c.ended || (c instanceof RemoteInputChannel && c.endReceived));
      this.connection?.close(error ?? (complete ? null : new ChannelClosedError(`${this.id}: the consumer released its input gate`)));
    } finally {
      this.buffers?.release();
      this.buffers?.pool.lazyDestroy();
      this.networkBufferPool.metrics.delete(this);
      this.available.length = 0;
      const waiters = this.waiters.splice(0);
      for (const w of waiters) {
        if (error !== null) w.reject(error);
        else w.resolve(null);
      }
    }
  }
}

function checkIndices(indices: unknown, n: number): number[] {
  if (!Array.isArray(indices) || indices.length === 0) throw new InvalidArgumentError(`InputGate: subpartitions must be a non-empty array of indices, got ${render(indices)}`);
  const list = Array.prototype.slice.call(indices) as unknown[];
  const seen = new Set<number>();
  return list.map((value) => {
    const i = checkInteger(value, 'InputGate: subpartition', 0, n - 1);
    if (seen.has(i)) throw new InvalidArgumentError(`InputGate: subpartition ${i} is listed twice`);
    seen.add(i);
    return i;
  });
}
