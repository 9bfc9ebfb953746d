/**
 * Plain-data metrics of the network layer's moving parts, the contract
 * between what produces them (result partitions, input gates) and what shows
 * them (the inspector, a user's own dashboard).
 *
 * A part that has metrics registers itself with its NetworkBufferPool's
 * registry when it is made and removes itself when it is released, so that a
 * runtime snapshot finds every live partition and gate without the user
 * handing them over. A snapshot is plain, JSON-serializable data: numbers,
 * strings, booleans, arrays and objects of those, made fresh on every call.
 */
import type { BackPressureLevel } from './backpressure.js';

/** One subpartition of a result partition, as a snapshot. */
export interface SubpartitionMetrics {
  /** Its index in the partition. */
  readonly index: number;
  /** Finished buffers queued and not yet sent or taken (what the consumer is told as backlog). */
  readonly backlog: number;
  /** Credit the consumer has announced and the producer has not used yet (remote channels; Infinity for a local one). */
  readonly credit: number;
  /** Bytes written into this subpartition so far. */
  readonly bytesWritten: number;
  /** Buffers handed to the consumer so far. */
  readonly buffersSent: number;
}

/** A result partition (the producing side), as a snapshot. */
export interface PartitionMetrics {
  /** Always 'partition'. */
  readonly kind: 'partition';
  /** Its name, unique within the runtime. */
  readonly id: string;
  /** Milliseconds the producer has waited for a buffer in all. */
  readonly backPressuredTimeMs: number;
  /** Milliseconds of the last second the producer waited for a buffer. */
  readonly backPressuredTimeMsPerSecond: number;
  /** OK, LOW or HIGH from the per-second figure. */
  readonly level: BackPressureLevel;
  /** Buffers its pool holds in all, and of those, how many are out (written into or queued). */
  readonly poolSize: number;
  /** Of poolSize, the buffers out (written into or queued). */
  readonly poolInUse: number;
  /** Each subpartition's snapshot. */
  readonly subpartitions: readonly SubpartitionMetrics[];
}

/** One input channel of a gate, as a snapshot. */
export interface ChannelMetrics {
  /** Its index in the gate. */
  readonly index: number;
  /** Buffers it can receive into now, as last announced to the producer. */
  readonly credit: number;
  /** Backlog the producer last reported. */
  readonly backlog: number;
  /** Buffers received and not yet taken by the reader. */
  readonly buffersQueued: number;
  /** Buffers in flight: credit announced and not yet answered with data. */
  readonly buffersInFlight: number;
  /** Exclusive buffers it holds, and floating buffers borrowed from the gate's pool. */
  readonly exclusiveBuffers: number;
  /** Floating buffers borrowed from the gate's pool. */
  readonly floatingBuffers: number;
  /** Bytes received so far. */
  readonly bytesReceived: number;
  /** 'local', 'tcp', 'message-port', or a transport's own name. */
  readonly transport: string;
}

/** An input gate (the consuming side), as a snapshot. */
export interface GateMetrics {
  /** Always 'gate'. */
  readonly kind: 'gate';
  /** Its name, unique within the runtime. */
  readonly id: string;
  /** Buffers its floating pool holds in all, and of those, how many are lent to channels. */
  readonly floatingPoolSize: number;
  /** Of floatingPoolSize, the buffers lent to channels. */
  readonly floatingInUse: number;
  /** Each input channel's snapshot. */
  readonly channels: readonly ChannelMetrics[];
}

/** Either kind of snapshot. */
export type NetworkPartMetrics = PartitionMetrics | GateMetrics;

/** @internal A part that reports metrics. */
export interface MetricsSource {
  /** A fresh plain-data snapshot. */
  metricsSnapshot(): NetworkPartMetrics;
}

/** @internal The live metrics sources of one NetworkBufferPool. */
export class MetricsRegistry {
  private readonly sources = new Set<MetricsSource>();
  private nextId = 0;

  /** Registers a source; returns a name unique within the registry, made from `prefix`. */
  add(source: MetricsSource, prefix: string): string {
    this.sources.add(source);
    return `${prefix}-${this.nextId++}`;
  }

  /** Forgets a source (released or failed). */
  delete(source: MetricsSource): void {
    this.sources.delete(source);
  }

  /** Snapshots of every live source, in registration order. */
  snapshot(): NetworkPartMetrics[] {
    const out: NetworkPartMetrics[] = [];
    for (const source of this.sources) out.push(source.metricsSnapshot());
    return out;
  }
}
