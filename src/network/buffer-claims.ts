import type { Availability } from './availability.js';
import type { BackPressureMeter } from './backpressure.js';
import type { BufferBuilder } from './buffer-builder.js';
import { abortReason } from './checks.js';
import type { NetworkBuffer } from './network-buffer.js';

/** Told when a buffer becomes available to a pool that had none (addBufferListener). */
export interface BufferListener {
  /** Receives a buffer (one reference, now the listener's); returns true to be told again about the next one. */
  notifyBufferAvailable(buffer: NetworkBuffer): boolean;
  /** The pool was destroyed while the listener waited. */
  notifyBufferDestroyed(): void;
}

/** Someone waiting for a buffer: a blocking request or a listener. @internal */
export interface Claim {
  readonly channel: number;
  readonly listener: BufferListener | null;
  resolve: ((builder: BufferBuilder) => void) | null;
  reject: ((reason: unknown) => void) | null;
  signal: AbortSignal | null;
  onAbort: (() => void) | null;
  timer: ReturnType<typeof setTimeout> | null;
  done: boolean;
}

/**
 * The waiters of a LocalBufferPool (blocking requests and listeners), in
 * arrival order. A claim is served or given up exactly once (`done`); one
 * given up stays in the array, skipped, until the array is compacted. Blocking
 * requests waiting count as back-pressure (the meter runs while any does);
 * listeners do not. @internal
 */
export class BufferClaims {
  /** Waiters, in arrival order, from `head` on (given-up ones are skipped). */
  private claims: Claim[] = [];
  private head = 0;
  /** Claims neither served nor given up. */
  live = 0;
  /** Blocking requests among the live claims (listeners do not count as back-pressure). */
  waitingRequests = 0;

  constructor(
    /** The pool's availability: false while anyone waits. */
    private readonly availability: Availability,
    private readonly meter: BackPressureMeter,
    /** Runs the pool's settle() after a request gave up and nobody else waits. */
    private readonly settlePool: () => void,
  ) {}

  /**
   * Queues a blocking request for `channel` served (with a builder) through
   * `resolve`; it gives up with the signal's reason when aborted and with
   * `timeoutError(timeoutMs)` after `timeoutMs`.
   */
  request(
    channel: number,
    signal: AbortSignal | null,
    timeoutMs: number,
    timeoutError: (timeoutMs: number) => Error,
    resolve: (builder: BufferBuilder) => void,
    reject: (reason: unknown) => void,
  ): void {
    const claim: Claim = { channel, listener: null, resolve, reject, signal, onAbort: null, timer: null, done: false };
    if (signal !== null) {
      claim.onAbort = () => this.giveUp(claim, abortReason(signal));
      signal.addEventListener('abort', claim.onAbort, { once: true });
    }
    if (timeoutMs !== Infinity) claim.timer = setTimeout(() => this.giveUp(claim, timeoutError(timeoutMs)), timeoutMs);
    this.enqueue(claim);
    if (++this.waitingRequests === 1) this.meter.start();
  }

  /** Queues `listener` for the next available buffer (`channel`: the pool's "no channel"). */
  listen(listener: BufferListener, channel: number): void {
    this.enqueue({ channel, listener, resolve: null, reject: null, signal: null, onAbort: null, timer: null, done: false });
  }

  /** The first claim not given up, now done; there is one (live > 0). */
  next(): Claim {
    const claims = this.claims;
    let claim = claims[this.head++]!;
    while (claim.done) claim = claims[this.head++]!;
    claim.done = true;
    this.live -= 1;
    if (this.head > 64 && this.head * 2 > claims.length) {
      this.claims = claims.slice(this.head);
      this.head = 0;
    }
    return claim;
  }

  /** Stops a claim's timer and abort listener and its back-pressure time. */
  settle(claim: Claim): void {
    if (claim.listener !== null) return;
    if (claim.timer !== null) clearTimeout(claim.timer);
    if (claim.onAbort !== null) claim.signal!.removeEventListener('abort', claim.onAbort);
    claim.timer = null;
    claim.onAbort = null;
    if (--this.waitingRequests === 0) this.meter.stop();
  }

  /** Fails every live claim (requests reject with `error()`, listeners are told the pool is destroyed); returns the first listener exception. */
  failAll(error: () => Error): { error: unknown } | undefined {
    let failure: { error: unknown } | undefined;
    while (this.live > 0) {
      const claim = this.next();
      if (claim.listener === null) {
        this.settle(claim);
        claim.reject!(error());
      } else {
        try {
          claim.listener.notifyBufferDestroyed();
        } catch (err) {
          failure ??= { error: err };
        }
      }
    }
    this.claims = [];
    this.head = 0;
    return failure;
  }

  private enqueue(claim: Claim): void {
    this.claims.push(claim);
    this.live += 1;
    if (this.availability.isAvailable()) this.availability.set(false);
  }

  /** A waiting request gives up (aborted, timed out): it leaves the queue with nothing. */
  private giveUp(claim: Claim, reason: unknown): void {
    if (claim.done) return;
    claim.done = true;
    this.live -= 1;
    this.settle(claim);
    claim.reject!(reason);
    // The claim ahead of the others may have been what kept them waiting (a channel at quota never is; availability is pool-wide).
    if (this.live === 0) this.settlePool();
  }
}
