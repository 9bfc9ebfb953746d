import { BufferPoolDestroyedError, IllegalReferenceCountError, InsufficientBuffersError, TimeoutError } from '../errors.js';
import type { MemorySegment } from '../memory/segment.js';
import { abortReason, type Wait } from './checks.js';
import type { RequiredCount } from './required-count.js';

/** A request for unpooled segments waiting for enough of them to come back. */
interface UnpooledWaiter {
  readonly n: number;
  resolve: (segments: MemorySegment[]) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | null;
  onAbort: (() => void) | null;
  timer: ReturnType<typeof setTimeout> | null;
  done: boolean;
}

/** What the unpooled requests use of their NetworkBufferPool. @internal */
export interface UnpooledSegmentSource {
  /** Segments in all. */
  readonly totalNumberOfMemorySegments: number;
  /** Bytes per segment. */
  readonly memorySegmentSize: number;
  /** Segments on the global free list now. */
  free(): number;
  /** Up to `n` segments owned by the global pool, pushed onto `into`, in one batch. */
  takeSegments(n: number, into: MemorySegment[]): number;
  /** Gives `count` segments of `list` from `start` back in one batch. */
  giveBackSegments(list: readonly MemorySegment[], start: number, count: number): void;
  /** Shares the spare segments among the resizable pools again; may throw a listener's exception. */
  redistribute(): void;
  /** Serves what waits for segments, swallowing a listener's exception. */
  notifyQuietly(): void;
  /** Listens for segments other workers give back (a shared runtime). */
  armRemoteGives(): void;
  /** Throws unless `segment` is in `held` (see NetworkBufferPool). */
  checkHeld(segment: unknown, held: Set<MemorySegment>, operation: string, source: string): void;
}

/**
 * The segments a NetworkBufferPool hands out outside any pool
 * (requestUnpooledMemorySegments()), and the requests waiting for them, in
 * arrival order. Every request counts as required from the moment it is
 * accepted, so that the pools shrink to make room; one that gives up gives
 * its count back. @internal
 */
export class UnpooledRequests {
  /** Unpooled segments out. */
  private readonly held = new Set<MemorySegment>();
  private waiters: UnpooledWaiter[] = [];

  constructor(
    private readonly source: UnpooledSegmentSource,
    /** Σ minSize of the pools + unpooled segments requested and not recycled (the pool's own count). */
    private readonly required: RequiredCount,
  ) {}

  /** Unpooled segments out. */
  get size(): number {
    return this.held.size;
  }

  /** Requests waiting that have not given up. */
  get waiting(): number {
    let waiting = 0;
    for (const waiter of this.waiters) if (!waiter.done) waiting += 1;
    return waiting;
  }

  /** True while a request waits (or one that gave up is still queued). */
  hasWaiters(): boolean {
    return this.waiters.length > 0;
  }

  /** `n` segments, all at once (`n` and `wait` checked, the pool open); see NetworkBufferPool.requestUnpooledMemorySegments(). */
  request(n: number, wait: Wait): Promise<MemorySegment[]> {
    const source = this.source;
    const { signal, timeoutMs } = wait;
    if (n > source.totalNumberOfMemorySegments - this.required.all) {
      const required = this.required.all;
      throw new InsufficientBuffersError(
        `requestUnpooledMemorySegments: requires ${n} buffers, ${source.totalNumberOfMemorySegments - required} available ` +
          `(${source.totalNumberOfMemorySegments} buffers of ${source.memorySegmentSize} bytes in all, ${required} required by buffer pools and unpooled requests); raise networkMemory`,
      );
    }
    if (signal !== null && signal.aborted) return Promise.reject(abortReason(signal));
    if (n === 0) return Promise.resolve([]);
    return new Promise<MemorySegment[]>((resolve, reject) => {
      const waiter: UnpooledWaiter = { n, resolve, reject, signal, onAbort: null, timer: null, done: false };
      // Another worker may have required segments since the check above.
      if (!this.required.tryAdd(n)) {
        reject(new InsufficientBuffersError(`requestUnpooledMemorySegments: requires ${n} buffers; other workers required them meanwhile; raise networkMemory`));
        return;
      }
      this.waiters.push(waiter);
      // The pools shrink; what they have available comes back now, which may serve the request at once.
      try {
        source.redistribute();
      } catch {
        // A pool's listener failed while the pools were resized (its own caller sees such errors; this request goes on).
      }
      source.notifyQuietly();
      if (waiter.done) return;
      source.armRemoteGives();
      if (signal !== null) {
        waiter.onAbort = () => this.giveUp(waiter, abortReason(signal));
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      if (timeoutMs !== Infinity) {
        const error = () =>
          new TimeoutError(
            `requestUnpooledMemorySegments: ${n} buffers not free within ${timeoutMs} ms (${source.free()} free; the pools still hold the rest); recycle buffers sooner or raise networkMemory`,
          );
        waiter.timer = setTimeout(() => this.giveUp(waiter, error()), timeoutMs);
      }
    });
  }

  /** Gives back unpooled segments, all or none (the pool open); see NetworkBufferPool.recycleUnpooledMemorySegments(). */
  recycle(segments: readonly MemorySegment[]): void {
    const list: unknown[] = Array.prototype.slice.call(segments);
    const seen = new Set<unknown>();
    for (const segment of list) {
      this.source.checkHeld(segment, this.held, 'recycleUnpooledMemorySegments', 'requestUnpooledMemorySegments()');
      if (seen.has(segment)) throw new IllegalReferenceCountError(`recycleUnpooledMemorySegments: a segment is listed twice among ${list.length}`);
      seen.add(segment);
    }
    if (list.length === 0) return;
    for (const segment of list) this.held.delete(segment as MemorySegment);
    this.required.remove(list.length);
    // The pools grow first, then the segments come back for them; a listener's exception stops neither.
    try {
      this.source.redistribute();
    } finally {
      this.source.giveBackSegments(list as MemorySegment[], 0, list.length);
    }
  }

  /** A segment was freed by its holder: true when it was an unpooled one (its count is then given back). */
  segmentFreed(segment: MemorySegment): boolean {
    if (!this.held.delete(segment)) return false;
    this.required.remove(1);
    this.source.redistribute();
    return true;
  }

  /** Hands segments to the waiting requests in order, while the free list has enough for the first. */
  serve(): void {
    const waiters = this.waiters;
    while (waiters.length > 0) {
      const waiter = waiters[0]!;
      if (waiter.done) {
        waiters.shift();
        continue;
      }
      if (this.source.free() < waiter.n) return;
      waiters.shift();
      const segments: MemorySegment[] = [];
      this.source.takeSegments(waiter.n, segments);
      for (const segment of segments) this.held.add(segment);
      waiter.done = true;
      this.settle(waiter);
      waiter.resolve(segments);
    }
  }

  /** The pool is destroyed: every waiting request rejects with BufferPoolDestroyedError; the segments out are forgotten (the pool frees them). */
  destroy(reason: string): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (waiter.done) continue;
      this.settle(waiter);
      waiter.reject(new BufferPoolDestroyedError(`requestUnpooledMemorySegments: ${reason}`));
    }
    this.held.clear();
  }

  private giveUp(waiter: UnpooledWaiter, reason: unknown): void {
    if (waiter.done) return;
    waiter.done = true;
    this.settle(waiter);
    this.required.remove(waiter.n);
    waiter.reject(reason);
    try {
      this.source.redistribute();
    } catch {
      // A pool's listener failed while the pools grew back; nobody called into that pool here (a timer or an abort did).
    }
    // The head may have been what held the requests behind it back.
    this.source.notifyQuietly();
  }

  private settle(waiter: UnpooledWaiter): void {
    if (waiter.timer !== null) clearTimeout(waiter.timer);
    if (waiter.onAbort !== null) waiter.signal!.removeEventListener('abort', waiter.onAbort);
    waiter.timer = null;
    waiter.onAbort = null;
  }
}
