import { ChannelClosedError, InvalidArgumentError } from '../errors.js';
import type { LocalBufferPool } from '../network/local-buffer-pool.js';
import type { MetricsSource, PartitionMetrics } from '../network/metrics.js';
import { NetworkBufferPool } from '../network/network-buffer-pool.js';
import { checkInstance, checkInteger, checkOptionsObject, checkUint8Array } from '../util/checks.js';
import { MAX_CHANNELS, MAX_EVENT_BYTES } from './frame.js';
import { Subpartition } from './subpartition.js';

/** Options of a ResultPartition. */
export interface ResultPartitionOptions {
  /** Subpartitions, one per consuming channel (1 to 65535). */
  numSubpartitions: number;
  /** Buffers one subpartition may hold before the producer waits (default 10); the pool holds numSubpartitions + this many. */
  maxBuffersPerChannel?: number;
}

/** Buffers one subpartition may hold by default (as Flink's taskmanager.network.max-buffers-per-channel). */
export const DEFAULT_MAX_BUFFERS_PER_CHANNEL = 10;

/** What reads a partition's subpartitions for a remote consumer, told of the partition's release. @internal */
export interface PartitionConnection {
  /** The partition is released: close in order when everything was delivered, else cancel. */
  partitionReleased(error: Error | null): void;
}

/**
 * The producing side: N subpartitions written through a RecordWriter (or
 * the stream adapters), with buffers from a LocalBufferPool of its own of
 * numSubpartitions + 1 to numSubpartitions + maxBuffersPerChannel buffers.
 * Full buffers are queued per subpartition; a consumer reads each
 * subpartition through an InputGate, in process (by reference) or over a
 * transport (connect()). When every buffer is out, the writer waits: that
 * wait is the producer's back-pressured time.
 */
export class ResultPartition implements MetricsSource {
  /** Its name, unique among the runtime's partitions and gates ('partition-0', ...). */
  readonly id: string;
  /** Subpartitions it has. */
  readonly numSubpartitions: number;
  /** The buffer pool its writers draw from. */
  readonly bufferPool: LocalBufferPool;
  /** @internal */
  readonly subpartitions: readonly Subpartition[];
  /** @internal */
  readonly networkBufferPool: NetworkBufferPool;
  /** @internal The remote readers of its subpartitions. */
  readonly connections = new Set<PartitionConnection>();
  private released = false;
  private failure: Error | null = null;
  private finishing: Promise<void> | null = null;

  /** A partition over `networkBufferPool`; throws InsufficientBuffersError when its pool's minimum does not fit. */
  constructor(networkBufferPool: NetworkBufferPool, options: ResultPartitionOptions) {
    checkInstance(networkBufferPool, NetworkBufferPool, 'NetworkBufferPool', 'ResultPartition');
    options = checkOptionsObject(options, 'ResultPartition: options');
    const n = checkInteger(options.numSubpartitions, 'ResultPartition: numSubpartitions', 1, MAX_CHANNELS);
    const perChannel = options.maxBuffersPerChannel === undefined ? DEFAULT_MAX_BUFFERS_PER_CHANNEL : checkInteger(options.maxBuffersPerChannel, 'ResultPartition: maxBuffersPerChannel', 1, 1 << 20);
    this.numSubpartitions = n;
    this.networkBufferPool = networkBufferPool;
    this.bufferPool = networkBufferPool.createBufferPool({ minSize: n + 1, maxSize: n + perChannel, numSubpartitions: n, maxBuffersPerChannel: perChannel });
    const pool = this.bufferPool;
    this.subpartitions = Array.from({ length: n }, (_, i) => new Subpartition(i, pool));
    this.id = networkBufferPool.metrics.add(this, 'partition');
  }

  /** True after release() (or a failure). */
  isReleased(): boolean {
    return this.released;
  }

  /** Finished buffers queued in `subpartition` and not yet taken or sent. */
  backlog(subpartition: number): number {
    return this.subpartition(subpartition, 'backlog').backlog;
  }

  /** Queues a user event on `subpartition` after what was written to it (copied; at most 65536 bytes; needs no credit). */
  emitEvent(subpartition: number, payload: Uint8Array): void {
    const sp = this.subpartition(subpartition, 'emitEvent');
    sp.addEvent(checkEvent(payload, 'emitEvent'), 'emitEvent');
  }

  /** Queues a user event on every subpartition. */
  broadcastEvent(payload: Uint8Array): void {
    this.checkOpen();
    const copy = checkEvent(payload, 'broadcastEvent');
    // Every subpartition must take it, or none does.
    for (const sp of this.subpartitions) sp.checkWritable('broadcastEvent');
    for (const sp of this.subpartitions) sp.addEvent(copy, 'broadcastEvent');
  }

  /** Makes what is committed in the current buffer of `subpartition` (default: every one) available to its reader now, without waiting for the buffer to fill. */
  flush(subpartition?: number): void {
    if (subpartition === undefined) {
      this.checkOpen();
      for (const sp of this.subpartitions) sp.flush();
    } else this.subpartition(subpartition, 'flush').flush();
  }

  /**
   * Ends every subpartition (or only `subpartition`): END goes after what was
   * written, and the promise resolves when each END has been taken by its
   * reader (locally) or sent (remotely); it rejects when a channel fails
   * first. Release the partition afterwards.
   */
  finish(subpartition?: number): Promise<void> {
    try {
      if (subpartition !== undefined) return this.endOf(this.subpartition(subpartition, 'finish'));
      this.checkOpen();
      // Every subpartition must take its END, or none does (a write still waiting refuses it).
      for (const sp of this.subpartitions) if (!sp.ended) sp.checkWritable('finish');
      this.finishing ??= Promise.all(this.subpartitions.map((sp) => this.endOf(sp))).then(() => undefined);
      return this.finishing;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Queues END on `sp` (once) and settles when it is delivered. */
  private endOf(sp: Subpartition): Promise<void> {
    if (sp.failure !== null) return Promise.reject(sp.failure);
    if (!sp.ended) sp.addEvent(null, 'finish');
    if (sp.delivered) return Promise.resolve();
    sp.whenDelivered ??= new Promise<void>((resolve, reject) => {
      sp.onDelivered = resolve;
      sp.onFailed = reject;
    });
    return sp.whenDelivered;
  }

  /**
   * Releases the partition: what is still queued goes back to the pool, the
   * pool is destroyed (buffers a reader still holds go back when recycled),
   * remote readers are closed (cancelled when not everything was delivered),
   * further writes throw ERR_CHANNEL_CLOSED. Idempotent.
   */
  release(): void {
    this.fail(null);
  }

  /** Fails the partition with `error` (a lost connection, a broken frame): everything is released and every write, waiting or not, rejects with it. @internal */
  fail(error: Error | null): void {
    if (this.released) return;
    this.released = true;
    const delivered = this.subpartitions.every((sp) => sp.delivered);
    const reason = error ?? new ChannelClosedError(`${this.id}: the partition was released`);
    this.failure = reason;
    for (const sp of this.subpartitions) sp.fail(reason);
    try {
      for (const connection of [...this.connections]) connection.partitionReleased(error === null && delivered ? null : reason);
    } finally {
      this.connections.clear();
      this.bufferPool.lazyDestroy();
      this.networkBufferPool.metrics.delete(this);
    }
  }

  /** A fresh plain-data snapshot of the partition. */
  metricsSnapshot(): PartitionMetrics {
    const pool = this.bufferPool;
    return {
      kind: 'partition',
      id: this.id,
      backPressuredTimeMs: pool.backPressuredTimeMs,
      backPressuredTimeMsPerSecond: pool.backPressuredTimeMsPerSecond,
      level: pool.backPressureLevel,
      poolSize: pool.numBuffers,
      poolInUse: pool.numberOfRequestedMemorySegments - pool.numberOfAvailableMemorySegments,
      subpartitions: this.subpartitions.map((sp) => ({
        index: sp.index,
        backlog: sp.backlog,
        credit: sp.credit === Infinity ? null : sp.credit,
        bytesWritten: sp.bytesWritten,
        buffersSent: sp.buffersSent,
      })),
    };
  }

  /** The subpartition numbered `index`, checked. @internal */
  subpartition(index: number, operation: string): Subpartition {
    const i = checkInteger(index, `${operation}: subpartition`, 0, this.numSubpartitions - 1);
    return this.subpartitions[i]!;
  }

  private checkOpen(): void {
    if (this.failure !== null) throw this.failure;
  }
}

function checkEvent(payload: unknown, operation: string): Uint8Array {
  const bytes = checkUint8Array(payload, `${operation}: payload`);
  if (bytes.length > MAX_EVENT_BYTES) throw new InvalidArgumentError(`${operation}: an event of ${bytes.length} bytes is above the limit of ${MAX_EVENT_BYTES} bytes`);
  return bytes.slice();
}
