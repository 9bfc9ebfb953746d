import { ChannelClosedError, IllegalStateError } from '../errors.js';
import type { BufferBuilder } from '../network/buffer-builder.js';
import { BufferConsumer } from '../network/buffer-builder.js';
import type { LocalBufferPool } from '../network/local-buffer-pool.js';
import type { NetworkBuffer } from '../network/network-buffer.js';

/** An event queued between buffers: a user event (its payload) or the end of the partition (null). */
export interface QueuedEvent {
  readonly payload: Uint8Array | null;
}

/** Told when a subpartition has something to take (it may be told more often than needed). @internal */
export interface SubpartitionReader {
  notifyAvailable(): void;
}

/** What poll() found at the head, without taking it. @internal */
export type HeadKind = 'buffer' | 'event' | 'end' | null;

/** Bytes of a record's length prefix (u32, little-endian). */
export const LENGTH_PREFIX_BYTES = 4;

/**
 * One subpartition of a result partition: the builder being written and the
 * queue of what the reader has not taken yet, in order.
 *
 *   queue: [ finished consumer | event | finished consumer | ... | consumer of `builder` ]
 *            ^ head: taken first                                   ^ unfinished: only after flush()
 *
 * `backlog` counts the finished buffers in the queue. Events take no pool
 * buffer (they are copied), so emitting one never waits.
 * @internal
 */
export class Subpartition {
  private readonly queue: (BufferConsumer | QueuedEvent)[] = [];
  private builder: BufferBuilder | null = null;
  /** Finished buffers queued. */
  backlog = 0;
  bytesWritten = 0;
  buffersSent = 0;
  private flushRequested = false;
  /** END queued (no more writes), and END taken by the reader. */
  ended = false;
  delivered = false;
  /** Why the subpartition can no longer be used; null while it can. */
  failure: Error | null = null;
  private writing = false;
  private readonly abort = new AbortController();
  private reader: SubpartitionReader | null = null;
  private readonly prefix = new Uint8Array(LENGTH_PREFIX_BYTES);
  private readonly prefixView = new DataView(this.prefix.buffer);
  /** Credit of the remote reader not yet used (Infinity for a local reader: it takes buffers by reference). */
  credit = Infinity;
  /** Settle the partition's finish() part for this subpartition. */
  onDelivered: (() => void) | null = null;
  onFailed: ((error: Error) => void) | null = null;
  /** The promise they settle (one for every finish() call). */
  whenDelivered: Promise<void> | null = null;

  constructor(
    readonly index: number,
    private readonly pool: LocalBufferPool,
  ) {}

  /** True once a reader is set. */
  hasReader(): boolean {
    return this.reader !== null;
  }

  /** Sets the one reader; throws when another reads already. */
  setReader(reader: SubpartitionReader, operation: string): void {
    if (this.reader !== null) throw new IllegalStateError(`${operation}: subpartition ${this.index} already has a reader (a subpartition is read by one channel)`);
    this.reader = reader;
    if (this.headKind() !== null || this.failure !== null) reader.notifyAvailable();
  }

  // ---------------------------------------------------------------- writing

  /**
   * Appends `src` (after its length prefix when `withPrefix`), spanning
   * buffers; commits at the end. Returns undefined when done, or a promise
   * when it had to wait for a buffer (then the caller must not change `src`
   * or write to this subpartition until it settles).
   */
  write(src: Uint8Array, withPrefix: boolean, operation: string): Promise<void> | undefined {
    this.checkWritable(operation);
    const total = src.length + (withPrefix ? LENGTH_PREFIX_BYTES : 0);
    const builder = this.builder;
    if (builder !== null) {
      // The common case, a record that fits the current buffer: one check, one copy.
      if (withPrefix ? builder.appendLengthPrefixed(src) : builder.writableBytes > total && builder.append(src) >= 0) {
        if (!withPrefix) builder.commit();
        this.bytesWritten += total;
        return undefined;
      }
    }
    return this.writeFrom(src, withPrefix, 0);
  }

  /** The general path: from `done` bytes of prefix + src on, a buffer at a time, waiting for buffers when none is free. */
  private writeFrom(src: Uint8Array, withPrefix: boolean, done: number): Promise<void> | undefined {
    done = this.fill(src, withPrefix, done);
    return done === src.length + (withPrefix ? LENGTH_PREFIX_BYTES : 0) ? undefined : this.waitAndWrite(src, withPrefix, done);
  }

  /** Appends from `done` on while builders can be had without waiting; returns how far it got (commits when complete). */
  private fill(src: Uint8Array, withPrefix: boolean, done: number): number {
    const head = withPrefix ? LENGTH_PREFIX_BYTES : 0;
    const total = src.length + head;
    if (withPrefix) this.prefixView.setUint32(0, src.length, true);
    while (done < total) {
      let builder = this.builder;
      if (builder === null) {
        builder = this.pool.requestBufferBuilder(this.index);
        if (builder === null) return done;
        this.addBuilder(builder);
      }
      const n = done < head ? builder.append(this.prefix, done, head - done) : builder.append(src, done - head, total - done);
      done += n;
      this.bytesWritten += n;
      if (builder.isFull()) this.finishBuilder();
    }
    this.builder?.commit();
    return done;
  }

  private async waitAndWrite(src: Uint8Array, withPrefix: boolean, done: number): Promise<void> {
    const total = src.length + (withPrefix ? LENGTH_PREFIX_BYTES : 0);
    this.writing = true;
    try {
      while (done < total) {
        const builder = await this.pool.requestBufferBuilderBlocking(this.index, { signal: this.abort.signal });
        if (this.failure !== null) {
          builder.close();
          throw this.failure;
        }
        this.addBuilder(builder);
        done = this.fill(src, withPrefix, done);
      }
    } finally {
      this.writing = false;
    }
  }

  private addBuilder(builder: BufferBuilder): void {
    this.builder = builder;
    this.queue.push(builder.createBufferConsumer());
  }

  /** Finishes the current builder: its buffer joins the backlog. */
  private finishBuilder(): void {
    const builder = this.builder!;
    this.builder = null;
    builder.finish();
    builder.close();
    this.backlog += 1;
    this.reader?.notifyAvailable();
  }

  /** Queues an event (or END: null) after what is written; the current buffer is finished first. */
  addEvent(payload: Uint8Array | null, operation: string): void {
    this.checkWritable(operation);
    const builder = this.builder;
    if (builder !== null) {
      if (builder.writtenBytes > 0) this.finishBuilder();
      else {
        // Nothing in it: the builder and its consumer (the last queued) go back unused.
        this.builder = null;
        builder.close();
        (this.queue.pop() as BufferConsumer).close();
      }
    }
    if (payload === null) this.ended = true;
    this.queue.push({ payload });
    this.reader?.notifyAvailable();
  }

  /** Makes what is committed in the current buffer available to the reader now. */
  flush(): void {
    if (this.failure !== null || this.builder === null) return;
    const consumer = this.queue[this.queue.length - 1] as BufferConsumer;
    if (!consumer.isDataAvailable()) return;
    this.flushRequested = true;
    this.reader?.notifyAvailable();
  }

  /** Throws what addEvent() would throw, changing nothing. */
  checkWritable(operation: string): void {
    if (this.failure !== null) throw this.failure;
    if (this.ended) throw new IllegalStateError(`${operation}: subpartition ${this.index} has ended (finish() was called)`);
    if (this.writing) throw new IllegalStateError(`${operation}: a write to subpartition ${this.index} is still waiting for a buffer; await it first`);
  }

  // ---------------------------------------------------------------- reading

  /** What the next poll() would give, without taking it. */
  headKind(): HeadKind {
    if (this.failure !== null) return null;
    const head = this.queue[0];
    if (head === undefined) return null;
    if (head instanceof BufferConsumer) {
      if (head.isFinished()) return 'buffer';
      return this.flushRequested && head.isDataAvailable() ? 'buffer' : null;
    }
    return head.payload === null ? 'end' : 'event';
  }

  /** Takes the head: a retained buffer (the reader's to recycle), an event, or null when nothing is available. */
  poll(): NetworkBuffer | QueuedEvent | null {
    const queue = this.queue;
    while (this.failure === null && queue.length > 0) {
      const head = queue[0]!;
      if (!(head instanceof BufferConsumer)) {
        queue.shift();
        if (head.payload === null) this.markDelivered();
        return head;
      }
      if (!head.isFinished()) {
        if (!this.flushRequested || !head.isDataAvailable()) return null;
        this.flushRequested = false;
        this.buffersSent += 1;
        return head.build();
      }
      queue.shift();
      this.backlog -= 1;
      const buffer = head.build();
      head.close();
      if (buffer.size === 0) {
        buffer.recycleBuffer();
        continue;
      }
      this.buffersSent += 1;
      return buffer;
    }
    return null;
  }

  private markDelivered(): void {
    this.delivered = true;
    const resolve = this.onDelivered;
    this.onDelivered = null;
    this.onFailed = null;
    resolve?.();
  }

  // ---------------------------------------------------------------- failure

  /** Drops what is queued (every buffer goes back), refuses further use with `error`, wakes a waiting write and the reader. Idempotent. */
  fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.flushRequested = false;
    const builder = this.builder;
    this.builder = null;
    builder?.close();
    for (const item of this.queue.splice(0)) if (item instanceof BufferConsumer) item.close();
    this.backlog = 0;
    this.abort.abort(error);
    const reject = this.onFailed;
    this.onDelivered = null;
    this.onFailed = null;
    reject?.(error);
    this.reader?.notifyAvailable();
  }

  /** A reader that stopped reading releases the subpartition (the producer sees a closed channel). */
  cancel(reason: string): void {
    if (this.delivered) return;
    this.fail(new ChannelClosedError(`subpartition ${this.index}: ${reason}`));
  }
}
