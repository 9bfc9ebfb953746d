import { BufferPoolDestroyedError, InvalidArgumentError, TimeoutError } from '../errors.js';
import type { MemorySegment } from '../memory/segment.js';
import { Availability } from './availability.js';
import { BackPressureMeter, backPressureLevel, type BackPressureLevel } from './backpressure.js';
import { BufferBuilder } from './buffer-builder.js';
import { BufferClaims, type BufferListener, type Claim } from './buffer-claims.js';
import { abortReason, checkCount, checkWait, type WaitOptions } from './checks.js';
import { render } from '../util/render.js';
import { NetworkBuffer, type OwningRecycler } from './network-buffer.js';
import type { NetworkBufferPool } from './network-buffer-pool.js';
import type { BufferPoolOptions } from './pool-options.js';

export type { BufferListener } from './buffer-claims.js';
export type { BufferPoolOptions } from './pool-options.js';

/** Accepted where a channel may be named: undefined or -1 for none. */
const NO_CHANNEL = -1;

const now = (): number => performance.now();

/**
 * A task's share of the network buffers: between minSize and maxSize
 * segments of the global pool, handed out one buffer at a time.
 *
 * The available segments wait in a JavaScript stack of the pool's own, so
 * requesting and recycling a buffer never crosses into the kernels; the
 * global free list in linear memory is touched only when the pool takes
 * segments from it or gives them back. A pool may hold up to its current
 * size (`numBuffers`, set by the global pool's redistribution or by
 * setNumBuffers), plus overdraft buffers while it is unavailable.
 *
 * Every counter of the pool is changed in one place: take() and the
 * recycle path for buffers, giveBack() for segments leaving, resize() for
 * the size. Waiters (blocking requests and listeners) are served in arrival
 * order, each handed its segment directly, so that a buffer is never handed
 * twice and a request that gives up leaves nothing behind.
 */
export class LocalBufferPool implements OwningRecycler {
  /** Buffers the pool always holds (taken from the global pool at creation). */
  readonly minSize: number;
  /** Buffers the pool may grow to. */
  readonly maxSize: number;
  /** Weight in the sharing of spare segments. */
  readonly expectedSize: number;
  /** Channels (subpartitions) requests may name; 0 when requests name none. */
  readonly numSubpartitions: number;
  /** Most buffers one channel may hold at once. */
  readonly maxBuffersPerChannel: number;
  /** Buffers the pool may hand out beyond its size, for a request that must not wait. */
  readonly maxOverdraftBuffersPerGate: number;
  /** Bytes per buffer. */
  readonly memorySegmentSize: number;
  /** The pool's name in runtime snapshots (options.name, or `pool-<n>`). */
  readonly name: string;
  /** @internal */
  readonly global: NetworkBufferPool;

  /** Segments the pool may hold (without overdraft). */
  private size: number;
  /** Segments held by the pool: available or in buffers handed out. */
  private requested = 0;
  /** Available segments; the last one is handed out next. */
  private readonly available: MemorySegment[] = [];
  /** Buffers each channel holds. */
  private readonly channelCounts: Int32Array;
  /** Channels at maxBuffersPerChannel. */
  private unavailableChannels = 0;
  /** Waiters (blocking requests and listeners), in arrival order. */
  private readonly claims: BufferClaims;
  private destroyed = false;
  private serving = false;
  private serveAgain = false;
  /** Registered with the global pool for the next segment it gets back. @internal */
  waitingForGlobal = false;
  private readonly availability = new Availability(false);
  private readonly meter = new BackPressureMeter(now);

  /** @internal Pools come from NetworkBufferPool.createBufferPool(). */
  constructor(global: NetworkBufferPool, options: Required<Omit<BufferPoolOptions, 'name'>>, name: string) {
    this.global = global;
    this.name = name;
    this.minSize = options.minSize;
    this.maxSize = options.maxSize;
    this.expectedSize = options.expectedSize;
    this.numSubpartitions = options.numSubpartitions;
    this.maxBuffersPerChannel = options.maxBuffersPerChannel;
    this.maxOverdraftBuffersPerGate = options.maxOverdraftBuffersPerGate;
    this.memorySegmentSize = global.memorySegmentSize;
    this.size = options.minSize;
    this.channelCounts = new Int32Array(options.numSubpartitions);
    this.claims = new BufferClaims(this.availability, this.meter, () => this.settle());
  }

  // ---------------------------------------------------------------- state

  /** The pool's current size: segments it may hold. */
  get numBuffers(): number {
    return this.size;
  }

  /** Segments ready to be handed out. */
  get numberOfAvailableMemorySegments(): number {
    return this.available.length;
  }

  /** Segments the pool holds, available or out in buffers (overdraft included). */
  get numberOfRequestedMemorySegments(): number {
    return this.requested;
  }

  /** Blocking requests waiting for a buffer. */
  get numberOfWaitingRequests(): number {
    return this.claims.waitingRequests;
  }

  /** True when a request would get a buffer now, without overdraft. */
  isAvailable(): boolean {
    return this.availability.isAvailable();
  }

  /** Resolves when a request would get a buffer (at once while one would); also when the pool is destroyed. */
  whenAvailable(): Promise<void> {
    return this.availability.whenAvailable();
  }

  /** True once lazyDestroy() (or the global pool's destroy()) ran. */
  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Milliseconds blocking requests spent waiting, in all (overlapping waits count once). */
  get backPressuredTimeMs(): number {
    return this.meter.totalTimeMs;
  }

  /** Milliseconds of the last second during which a blocking request waited, 0 to 1000. */
  get backPressuredTimeMsPerSecond(): number {
    return this.meter.timeMsPerSecond;
  }

  /** OK (≤ 10 % of the last second back-pressured), LOW (≤ 50 %) or HIGH. */
  get backPressureLevel(): BackPressureLevel {
    return backPressureLevel(this.meter.timeMsPerSecond / 1000);
  }

  // ---------------------------------------------------------------- requests

  /** A buffer, or null when none is free (and no overdraft is left). */
  requestBuffer(): NetworkBuffer | null {
    const segment = this.take(NO_CHANNEL, 'requestBuffer');
    return segment === null ? null : new NetworkBuffer(segment, this, 'data', 0, null, 0, segment.size, NO_CHANNEL);
  }

  /** A builder over a free segment for `channel`, or null when none is free. */
  requestBufferBuilder(channel?: number): BufferBuilder | null {
    const ch = this.checkChannel(channel, 'requestBufferBuilder');
    const segment = this.take(ch, 'requestBufferBuilder');
    return segment === null ? null : new BufferBuilder(segment, this, ch);
  }

  /**
   * A builder for `channel`, waiting (in arrival order) while none is free.
   * Rejects with the signal's reason when aborted, with a TimeoutError after
   * `timeoutMs`, and with BufferPoolDestroyedError when the pool is
   * destroyed meanwhile; a request that gives up holds nothing.
   */
  requestBufferBuilderBlocking(channel?: number, options?: WaitOptions): Promise<BufferBuilder> {
    let ch: number;
    let signal: AbortSignal | null;
    let timeoutMs: number;
    try {
      ch = this.checkChannel(channel, 'requestBufferBuilderBlocking');
      ({ signal, timeoutMs } = checkWait(options, 'requestBufferBuilderBlocking'));
      if (this.destroyed) throw this.destroyedError('requestBufferBuilderBlocking');
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal !== null && signal.aborted) return Promise.reject(abortReason(signal));
    if (this.claims.live === 0 && this.availability.isAvailable()) {
      const segment = this.take(ch, 'requestBufferBuilderBlocking')!;
      return Promise.resolve(new BufferBuilder(segment, this, ch));
    }
    if (timeoutMs === 0) return Promise.reject(this.timeoutError(0));
    return new Promise<BufferBuilder>((resolve, reject) => {
      this.claims.request(ch, signal, timeoutMs, (ms) => this.timeoutError(ms), resolve, reject);
    });
  }

  /**
   * Registers `listener` for the next available buffer. Returns false (and
   * registers nothing) when a buffer is available now or the pool is destroyed.
   */
  addBufferListener(listener: BufferListener): boolean {
    if (typeof listener !== 'object' || listener === null || typeof listener.notifyBufferAvailable !== 'function' || typeof listener.notifyBufferDestroyed !== 'function') {
      throw new InvalidArgumentError(`addBufferListener: a listener has notifyBufferAvailable(buffer) and notifyBufferDestroyed(), got ${render(listener)}`);
    }
    if (this.destroyed || (this.claims.live === 0 && this.availability.isAvailable())) return false;
    this.claims.listen(listener, NO_CHANNEL);
    return true;
  }

  // ---------------------------------------------------------------- size

  /** Sets the pool's size: above maxSize it is clamped to maxSize, below minSize refused. */
  setNumBuffers(numBuffers: number): void {
    if (this.destroyed) throw this.destroyedError('setNumBuffers');
    checkCount(numBuffers, 'numBuffers', 'setNumBuffers');
    if (numBuffers < this.minSize) {
      throw new InvalidArgumentError(`setNumBuffers: numBuffers ${numBuffers} is below the pool's minSize ${this.minSize}`);
    }
    this.resize(Math.min(numBuffers, this.maxSize));
  }

  /** Sets the size (within [minSize, maxSize]): excess available segments go back at once, the rest when recycled. @internal */
  resize(size: number): void {
    if (this.destroyed) return;
    this.size = size;
    const excess = Math.min(this.requested - size, this.available.length);
    try {
      if (excess > 0) this.giveBack(excess);
    } finally {
      this.settle();
    }
  }

  /** Takes the pool's required segments, in one batch, as far as the free list has them; the rest as they come back. @internal */
  takeRequired(n: number): void {
    // The redistribution that ran as the pool was made may have pulled segments already: only the rest is taken.
    const missing = n - this.requested;
    if (missing > 0) this.requested += this.global.takeSegments(this, missing, this.available);
    if (this.requested < n) this.global.waitForSegment(this);
    this.settle();
  }

  // ---------------------------------------------------------------- destroy

  /**
   * Destroys the pool: available segments go back to the global pool at
   * once, buffers still out when they are recycled; waiting requests reject
   * with BufferPoolDestroyedError and listeners are told. Idempotent.
   */
  lazyDestroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const failure = this.claims.failAll(() => this.destroyedError('the request'));
    this.availability.set(true);
    // The pool leaves the sharing first, then its segments go back: the other pools have grown to take them.
    try {
      this.global.poolDestroyed(this);
    } finally {
      if (this.available.length > 0) this.giveBack(this.available.length);
    }
    if (failure !== undefined) throw failure.error;
  }

  /** The global pool is being destroyed: fail every waiter; the segments are freed by the global pool. @internal */
  destroyByGlobal(reason: string): { error: unknown } | undefined {
    if (this.destroyed) return undefined;
    this.destroyed = true;
    this.available.length = 0;
    this.requested = 0;
    const failure = this.claims.failAll(() => new BufferPoolDestroyedError(reason));
    this.availability.set(true);
    return failure;
  }

  /** Destroys the pool lazily: `using pool = ...` gives its buffers back at the end of the block. */
  [Symbol.dispose](): void {
    this.lazyDestroy();
  }

  // ---------------------------------------------------------------- recycling

  /** Takes a segment back from a buffer whose last reference was released. @internal */
  recycle(segment: MemorySegment, channel: number): void {
    if (segment.owner !== this) this.checkOwnSegment(segment, 'recycle');
    let quotaFreed = false;
    if (channel >= 0) {
      const counts = this.channelCounts;
      if (counts[channel]-- === this.maxBuffersPerChannel) {
        this.unavailableChannels -= 1;
        quotaFreed = true;
      }
    }
    // A segment its holder freed directly went back to the global pool then (see segmentLost).
    if (segment.address > segment.addressLimit) return;
    if (this.destroyed || this.requested > this.size) {
      this.requested -= 1;
      // A listener's exception in settle() must not keep the segment from going back.
      try {
        if (quotaFreed) this.settle();
      } finally {
        this.global.giveBackSegment(segment);
      }
      return;
    }
    const available = this.available;
    available.push(segment);
    if (this.claims.live > 0 || available.length === 1 || quotaFreed) this.settle();
  }

  /** Throws unless `segment` is one of this pool's. @internal */
  checkOwnSegment(segment: MemorySegment, operation: string): void {
    if (segment.owner === this) return;
    const other = segment.owner instanceof LocalBufferPool ? (segment.owner.global === this.global ? 'another buffer pool' : "another runtime's buffer pool") : render(segment.owner);
    throw new InvalidArgumentError(`${operation}: the segment (${segment.size} bytes) belongs to ${other}, not to this buffer pool`);
  }

  /** One of the pool's segments was freed by its holder and has gone back to the global pool. @internal */
  segmentLost(segment: MemorySegment): void {
    this.requested -= 1;
    const at = this.available.indexOf(segment);
    if (at >= 0) this.available.splice(at, 1);
    this.settle();
  }

  /** The global pool has segments again. @internal */
  onGlobalAvailable(): void {
    this.waitingForGlobal = false;
    this.settle();
  }

  // ---------------------------------------------------------------- internals

  /** Takes an available segment (or one from the global pool, within size and overdraft) and counts it for `channel`. */
  private take(channel: number, operation: string): MemorySegment | null {
    if (this.destroyed) throw this.destroyedError(operation);
    const available = this.available;
    let segment: MemorySegment | null | undefined = available.pop();
    if (segment === undefined) {
      // Overdraft: beyond the size while the pool is unavailable, up to maxOverdraftBuffersPerGate.
      if (this.requested >= this.size + this.maxOverdraftBuffersPerGate) return null;
      segment = this.pull(this.requested < this.size);
      if (segment === null) return null;
    }
    let quotaReached = false;
    if (channel >= 0 && ++this.channelCounts[channel]! === this.maxBuffersPerChannel) {
      this.unavailableChannels += 1;
      quotaReached = true;
    }
    if (available.length === 0 || quotaReached) this.settle();
    return segment;
  }

  /** One segment from the global pool, or null; `register` asks to be told when the global pool has one again. */
  private pull(register: boolean): MemorySegment | null {
    const segment = this.global.takeSegment(this);
    if (segment !== null) this.requested += 1;
    else if (register && !this.waitingForGlobal) this.global.waitForSegment(this);
    return segment;
  }

  /**
   * Returns `count` available segments to the global pool in one batch. They
   * leave this pool's counts first: giving them back may serve other pools,
   * whose listeners may throw.
   */
  private giveBack(count: number): void {
    const leaving = this.available.splice(this.available.length - count, count);
    this.requested -= count;
    this.global.giveBackSegments(leaving, 0, count);
  }

  /**
   * After any change: serves waiters in order while a segment can be had,
   * keeps one segment ready when the pool may hold more, and records
   * availability. Re-entrant calls (a listener requesting or recycling)
   * are folded into the running one.
   */
  private settle(): void {
    if (this.serving) {
      this.serveAgain = true;
      return;
    }
    this.serving = true;
    let failure: { error: unknown } | undefined;
    try {
      do {
        this.serveAgain = false;
        while (this.claims.live > 0 && !this.destroyed && this.unavailableChannels === 0) {
          let segment = this.available.pop();
          if (segment === undefined) {
            if (this.requested >= this.size) break;
            segment = this.pull(true) ?? undefined;
            if (segment === undefined) break;
          }
          failure = this.handOut(this.claims.next(), segment) ?? failure;
        }
        // Keep one segment ready while the pool may hold more (availability then means "a request succeeds
        // now"), and take segments up to the minimum whenever the global pool has them: they are this pool's.
        while (!this.destroyed && this.requested < this.size && (this.available.length === 0 || this.requested < this.minSize)) {
          const segment = this.pull(true);
          if (segment === null) break;
          this.available.push(segment);
          if (this.claims.live > 0) this.serveAgain = true;
        }
      } while (this.serveAgain);
    } finally {
      this.serving = false;
    }
    this.availability.set(this.destroyed || (this.available.length > 0 && this.unavailableChannels === 0));
    if (failure !== undefined) throw failure.error;
  }

  /** Gives `segment` to `claim`; a listener's exception is returned, to be thrown once the pool is consistent. */
  private handOut(claim: Claim, segment: MemorySegment): { error: unknown } | undefined {
    const channel = claim.channel;
    if (channel >= 0 && ++this.channelCounts[channel]! === this.maxBuffersPerChannel) this.unavailableChannels += 1;
    const listener = claim.listener;
    if (listener === null) {
      this.claims.settle(claim);
      claim.resolve!(new BufferBuilder(segment, this, channel));
      return undefined;
    }
    const buffer = new NetworkBuffer(segment, this, 'data', 0, null, 0, segment.size, NO_CHANNEL);
    let again = false;
    try {
      again = listener.notifyBufferAvailable(buffer) === true;
    } catch (error) {
      // The listener failed: the buffer comes back unless it was already handed on or recycled.
      if (!buffer.isRecycled()) buffer.recycleBuffer();
      return { error };
    }
    if (again && !this.destroyed) this.claims.listen(listener, NO_CHANNEL);
    return undefined;
  }

  private checkChannel(channel: number | undefined, operation: string): number {
    if (channel === undefined || channel === NO_CHANNEL) return NO_CHANNEL;
    if (typeof channel === 'number' && Number.isInteger(channel) && channel >= 0 && channel < this.numSubpartitions) return channel;
    const range = this.numSubpartitions === 0 ? 'none (the pool has no subpartitions)' : `0 to ${this.numSubpartitions - 1}`;
    throw new InvalidArgumentError(`${operation}: channel ${render(channel)} is not a channel of this pool (valid: ${range}, or undefined)`);
  }

  private destroyedError(operation: string): BufferPoolDestroyedError {
    return new BufferPoolDestroyedError(`${operation}: the buffer pool (size ${this.size}, min ${this.minSize}, max ${this.maxSize}) has been destroyed`);
  }

  private timeoutError(timeoutMs: number): TimeoutError {
    return new TimeoutError(
      `requestBufferBuilderBlocking: no buffer within ${timeoutMs} ms (pool size ${this.size}, all ${this.requested} held segments in use, ${this.claims.waitingRequests} requests waiting); raise the pool's size or recycle buffers sooner`,
    );
  }
}
