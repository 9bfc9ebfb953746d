import type { ChannelMetrics } from '../network/metrics.js';
import { NetworkBuffer } from '../network/network-buffer.js';
import type { Subpartition, SubpartitionReader } from './subpartition.js';

/** What a gate yields: a buffer (the reader's to recycle), a user event, or the end of a channel's partition. */
export type GateItem = GateBuffer | GateEvent | GateEnd;

/** A buffer of records from a channel: the reader's to recycle. */
export interface GateBuffer {
  /** Always 'buffer'. */
  readonly kind: 'buffer';
  /** The channel it came from. */
  readonly channel: number;
  /** The bytes, holding one reference: recycle it when done. */
  readonly buffer: NetworkBuffer;
}

/** A user event, in its place among a channel's buffers. */
export interface GateEvent {
  /** Always 'event'. */
  readonly kind: 'event';
  /** The channel it came from. */
  readonly channel: number;
  /** The event's bytes (a copy of its own). */
  readonly payload: Uint8Array;
}

/** The end of a channel's partition: nothing follows on that channel. */
export interface GateEnd {
  /** Always 'end'. */
  readonly kind: 'end';
  /** The channel that ended. */
  readonly channel: number;
}

/** What a channel needs of its gate. @internal */
export interface ChannelOwner {
  /** `channel` may have something to take. */
  notifyChannel(channel: InputChannel): void;
  /** `channel` found its source failed. */
  fail(error: Error): void;
}

/**
 * One channel of an InputGate, reading one subpartition: in process
 * (LocalInputChannel) or over a transport (RemoteInputChannel).
 */
export abstract class InputChannel {
  /** Its index in the gate (and the subpartition it reads, for a remote channel). */
  readonly index: number;
  /** Set by the subclass's constructor. @internal */ owner!: ChannelOwner;
  /** In the gate's queue of channels with something to take. @internal */
  queued = false;
  /** END taken. @internal */
  ended = false;
  /** @internal */ bytesReceived = 0;

  /** A channel numbered `index`; channels are made by their InputGate, as one of its kinds. */
  protected constructor(index: number) {
    this.index = index;
  }

  /** 'local', or the transport's name. */
  abstract get transport(): string;
  /** The next item, or null when there is none yet. @internal */
  abstract poll(): GateItem | null;
  /** True when poll() would give an item. @internal */
  abstract hasNext(): boolean;
  /** Gives back what it holds; tells the producer when it had not ended. @internal */
  abstract release(): void;
  /** Its metrics now. @internal */
  abstract metrics(): ChannelMetrics;
}

/** A channel to a subpartition in the same runtime: each buffer is handed over by reference (retained, never copied). */
export class LocalInputChannel extends InputChannel implements SubpartitionReader {
  private readonly source: Subpartition;

  /** @internal */
  constructor(owner: ChannelOwner, index: number, source: Subpartition) {
    super(index);
    this.owner = owner;
    this.source = source;
  }

  /** Always 'local'. */
  get transport(): string {
    return 'local';
  }

  /** @internal */
  notifyAvailable(): void {
    if (!this.ended) this.owner.notifyChannel(this);
  }

  /** @internal */
  hasNext(): boolean {
    return !this.ended && (this.source.failure !== null || this.source.headKind() !== null);
  }

  /** @internal */
  poll(): GateItem | null {
    if (this.ended) return null;
    const source = this.source;
    if (source.failure !== null) {
      this.owner.fail(source.failure);
      return null;
    }
    const item = source.poll();
    if (item === null) return null;
    if (item instanceof NetworkBuffer) {
      this.bytesReceived += item.size;
      return { kind: 'buffer', channel: this.index, buffer: item };
    }
    if (item.payload === null) {
      this.ended = true;
      return { kind: 'end', channel: this.index };
    }
    return { kind: 'event', channel: this.index, payload: item.payload };
  }

  /** @internal */
  release(): void {
    if (!this.ended) this.source.cancel('the consumer released its input channel');
    this.ended = true;
  }

  /** @internal */
  metrics(): ChannelMetrics {
    return {
      index: this.index,
      credit: null,
      backlog: this.source.backlog,
      buffersQueued: this.source.backlog,
      buffersInFlight: 0,
      exclusiveBuffers: 0,
      floatingBuffers: 0,
      bytesReceived: this.bytesReceived,
      transport: 'local',
    };
  }
}
