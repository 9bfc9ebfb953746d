import { MetricsRegistry } from './metrics.js';
import { BufferPoolDestroyedError, IllegalReferenceCountError, InsufficientBuffersError, InvalidArgumentError } from '../errors.js';
import type { BufferPoolKernels } from '../kernels/js-buffer-pool.js';
import { IllegalStateError } from '../errors.js';
import type { ThreadsContext } from '../threads/realm-table.js';
import type { SegmentDescriptor } from '../threads/segment-descriptor.js';
import { NB_FREE_COUNT, bufferTableArrays } from '../kernels/buffer-pool-layout.js';
import type { MemoryRegion } from '../memory/region.js';
import { MemorySegment, type SegmentReleaser } from '../memory/segment.js';
import { Availability } from './availability.js';
import { checkCount, checkWait, type WaitOptions } from './checks.js';
import { render } from '../util/render.js';
import { LocalBufferPool } from './local-buffer-pool.js';
import { type BufferPoolOptions, checkPoolOptions } from './pool-options.js';
import { resizeToShare } from './redistribution.js';
import { RequiredCount } from './required-count.js';
import { SharedNetwork } from './shared-network.js';
import { UnpooledRequests } from './unpooled-requests.js';

/** Where the network segments and their free list lie in the linear memory. @internal */
export interface NetworkArea {
  /** Address of the free list (layout in assembly/buffers.ts). */
  readonly table: number;
  /** Address of segment 0; segments follow each other. */
  readonly base: number;
  readonly segmentSize: number;
  readonly segmentCount: number;
}

/**
 * The network memory: a fixed number of equal segments carved from the
 * runtime's linear memory when it starts, shared by the LocalBufferPools
 * made from it and by unpooled requests.
 *
 * Which segments are free is kept in the linear memory (assembly/buffers.ts
 * and its TypeScript twin), changed only by the kernels, a batch per call;
 * this class keeps the segment objects, the pools and what they require.
 * Every pool's minimum and every unpooled request is "required"; the rest
 * is spare and shared among the resizable pools (see redistribution.ts).
 */
export class NetworkBufferPool implements SegmentReleaser {
  /** Segments in all. */
  readonly totalNumberOfMemorySegments: number;
  /** Bytes per segment (the runtime's page size). */
  readonly memorySegmentSize: number;

  private readonly region: MemoryRegion;
  /** @internal */
  private readonly kernels: BufferPoolKernels;
  /** The locked kernels and the watches on other workers (a shared runtime); null when unshared. */
  private readonly shared: SharedNetwork | null;
  private readonly area: NetworkArea;
  private readonly shift: number;
  /** Segment indices pass between the kernels and this class through here. */
  private readonly io: Int32Array;
  /** The free list's header: the free count is read from it. */
  private readonly header: Uint32Array;
  /** The live segment of each index (null while free). */
  private readonly bySegment: (MemorySegment | null)[];
  private readonly pools: LocalBufferPool[] = [];
  /** Σ minSize of the pools + unpooled segments requested and not recycled: this worker's, and every worker's of a shared runtime. */
  private readonly required: RequiredCount;
  /** Unpooled segments out and the requests waiting for them. */
  private readonly unpooled: UnpooledRequests;
  /** Segments handed out by requestPooledMemorySegment(). */
  private readonly pooled = new Set<MemorySegment>();
  /** Pools waiting for the global free list to have a segment again, in the order they asked. */
  private waitingPools: LocalBufferPool[] = [];
  private readonly availability: Availability;
  private notifying = false;
  private notifyAgain = false;
  private destroyed = false;
  private destroyReason = 'the network buffer pool has been destroyed';
  /** @internal The partitions and gates made over this pool, for runtime snapshots. */
  readonly metrics = new MetricsRegistry();
  /** Number of the next pool made, for its default name. */
  private nextPoolNumber = 0;

  /** @internal The pool comes with a runtime (rt.networkBufferPool). With `attach`, the free list laid out in the memory is used as it is. */
  constructor(region: MemoryRegion, area: NetworkArea, attach = false, threads: ThreadsContext | null = null) {
    if (region.kernels === null) throw new InvalidArgumentError('a NetworkBufferPool needs a region of linear memory');
    this.region = region;
    this.area = area;
    this.required = new RequiredCount(area.segmentCount, threads);
    this.totalNumberOfMemorySegments = area.segmentCount;
    this.memorySegmentSize = area.segmentSize;
    this.shift = Math.log2(area.segmentSize);
    const buffer = region.bytes.buffer;
    if (threads === null) {
      this.kernels = region.kernels;
      this.shared = null;
      this.io = new Int32Array(buffer, area.table + bufferTableArrays(area.segmentCount).io, area.segmentCount);
    } else {
      // Workers share the list's io area; each realm passes segment indices through its own array.
      this.io = new Int32Array(area.segmentCount);
      this.shared = new SharedNetwork(region.kernels, threads, area, this.io, this.onRemoteGive, this.onRemoteRequired);
      this.kernels = this.shared.locked;
    }
    this.header = new Uint32Array(buffer, area.table, NB_FREE_COUNT / 4 + 1);
    this.bySegment = new Array<MemorySegment | null>(area.segmentCount).fill(null);
    if (!attach) this.kernels.buffersInit(area.table, area.segmentCount, this.shift, area.base);
    this.availability = new Availability(this.free() > 0);
    this.unpooled = new UnpooledRequests(
      {
        totalNumberOfMemorySegments: area.segmentCount,
        memorySegmentSize: area.segmentSize,
        free: () => this.free(),
        takeSegments: (n, into) => this.takeSegments(this, n, into),
        giveBackSegments: (list, start, count) => this.giveBackSegments(list, start, count),
        redistribute: () => this.redistribute(),
        notifyQuietly: () => this.notifyQuietly(),
        armRemoteGives: () => this.shared?.remoteGives.arm(),
        checkHeld: (segment, held, operation, source) => this.checkHeld(segment, held, operation, source),
      },
      this.required,
    );
  }

  /** Segments on the global free list (not in any pool, not out as unpooled segments). */
  get numberOfAvailableMemorySegments(): number {
    return this.destroyed ? 0 : this.free();
  }

  /** Segments neither required by a pool's minimum nor by an unpooled request (of any worker, in a shared runtime). */
  get numberOfSpareMemorySegments(): number {
    return this.totalNumberOfMemorySegments - this.required.all;
  }

  /** The pools made from this one and not destroyed. */
  get numberOfBufferPools(): number {
    return this.pools.length;
  }

  /** The live pools, in the order they were made; the array itself, not a copy (runtime snapshots read it). @internal */
  get bufferPools(): readonly LocalBufferPool[] {
    return this.pools;
  }

  /** Segments out through requestUnpooledMemorySegments() and requestPooledMemorySegment(), and unpooled requests waiting. @internal */
  get numberOfSegmentsOutsidePools(): { readonly unpooled: number; readonly pooled: number; readonly waitingRequests: number } {
    return { unpooled: this.unpooled.size, pooled: this.pooled.size, waitingRequests: this.unpooled.waiting };
  }

  /** True after destroy() (or the runtime's close()). */
  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Resolves when the global free list has a segment (at once while it has one). */
  whenAvailable(): Promise<void> {
    if (this.shared !== null && !this.destroyed) {
      // Another worker may have given segments back since this realm last looked.
      this.availability.set(this.free() > 0);
      if (!this.availability.isAvailable()) this.shared.remoteGives.arm();
    }
    return this.availability.whenAvailable();
  }

  /**
   * Shared runtime: gives back every network segment the worker with id
   * `workerId` held (one that ended without closing its runtime; see
   * Runtime.releaseAllOf). Returns how many. Throws ERR_ILLEGAL_STATE for an
   * unshared pool, ERR_INVALID_ARGUMENT for a bad id or this worker's own.
   */
  releaseAllOf(workerId: number): number {
    if (this.shared === null) throw new IllegalStateError('releaseAllOf: the network buffer pool is not shared; only workers of a shared runtime have ids');
    const given = this.shared.releaseAllOf(workerId, this.destroyed);
    if (given > 0) this.notify();
    return given;
  }

  /** Some worker changed what it requires: share the spare again among this worker's resizable pools (while it has any). */
  private readonly onRemoteRequired = (): void => {
    if (this.destroyed) return;
    try {
      this.redistribute();
    } catch {
      // A pool's listener failed while the pools were resized; nobody of this worker called in here.
    }
    this.watchRequiredWhileResizable();
  };

  private watchRequiredWhileResizable(): void {
    if (this.shared !== null && this.pools.some((p) => p.maxSize > p.minSize)) this.shared.remoteRequired.arm();
  }

  /** Another worker gave segments back: serve what waits here, and keep listening while something still does. */
  private readonly onRemoteGive = (): void => {
    if (this.destroyed) return;
    this.notifyQuietly();
    if (this.waitingPools.length > 0 || this.unpooled.hasWaiters() || this.availability.hasWaiters()) this.shared!.remoteGives.arm();
  };

  // ---------------------------------------------------------------- pools

  /**
   * A LocalBufferPool of at least `minSize` and at most `maxSize` segments.
   * Its minimum is taken now (what other pools hold beyond theirs comes as
   * they recycle it); spare segments are then shared again among the
   * resizable pools. Throws InsufficientBuffersError when the minimum does
   * not fit beside what is already required.
   */
  createBufferPool(options: BufferPoolOptions): LocalBufferPool {
    const checked = checkPoolOptions(options, this.totalNumberOfMemorySegments);
    this.checkOpen('createBufferPool');
    if (!this.required.tryAdd(checked.minSize)) {
      const required = this.required.all;
      throw new InsufficientBuffersError(
        `createBufferPool: requires ${checked.minSize} buffers, ${this.totalNumberOfMemorySegments - required} available ` +
          `(${this.totalNumberOfMemorySegments} buffers of ${this.memorySegmentSize} bytes in all, ${required} required by other pools and unpooled requests); ` +
          'raise networkMemory or lower minSize',
      );
    }
    const pool = new LocalBufferPool(this, checked, checked.name ?? `pool-${this.nextPoolNumber}`);
    this.nextPoolNumber += 1;
    this.pools.push(pool);
    // Another pool's listener may throw while the others are resized; the new pool is made regardless and
    // that error is the caller's to see, once everything is consistent.
    let failure: { error: unknown } | undefined;
    try {
      this.redistribute();
    } catch (error) {
      failure = { error };
    }
    pool.takeRequired(checked.minSize);
    this.watchRequiredWhileResizable();
    if (failure !== undefined) throw failure.error;
    return pool;
  }

  /** A destroyed pool gives up its place. @internal */
  poolDestroyed(pool: LocalBufferPool): void {
    const at = this.pools.indexOf(pool);
    if (at < 0) return;
    this.pools.splice(at, 1);
    this.required.remove(pool.minSize);
    const waiting = this.waitingPools.indexOf(pool);
    if (waiting >= 0) this.waitingPools.splice(waiting, 1);
    pool.waitingForGlobal = false;
    this.redistribute();
  }

  /** Shares the spare segments among the resizable pools again (shrinking ones first, so the others find segments free). */
  private redistribute(): void {
    if (this.destroyed) return;
    const resizable = this.pools.filter((p) => p.maxSize > p.minSize);
    if (resizable.length === 0) return;
    resizeToShare(resizable, this.totalNumberOfMemorySegments - this.required.all);
  }

  // ---------------------------------------------------------------- single segments

  /** A segment straight from the free list (null when none is free); give it back with recyclePooledMemorySegment() or its free(). */
  requestPooledMemorySegment(): MemorySegment | null {
    this.checkOpen('requestPooledMemorySegment');
    const segment = this.takeSegment(this);
    if (segment !== null) this.pooled.add(segment);
    return segment;
  }

  /** Gives back a segment of requestPooledMemorySegment(). */
  recyclePooledMemorySegment(segment: MemorySegment): void {
    if (this.destroyed) return;
    this.checkHeld(segment, this.pooled, 'recyclePooledMemorySegment', 'requestPooledMemorySegment()');
    this.pooled.delete(segment);
    this.giveBackSegment(segment);
  }

  // ---------------------------------------------------------------- across workers

  /**
   * Shared runtime: hands a segment of requestPooledMemorySegment() over to
   * another worker. This handle becomes freed (the segment stays out); the
   * receiver's adopt(descriptor) makes it its own, and its recycle returns it
   * to the free list for every worker. Throws ERR_ILLEGAL_STATE for an
   * unshared pool, ERR_INVALID_ARGUMENT for a segment this pool did not hand
   * out that way, ERR_POOL_DESTROYED after destroy().
   */
  handOver(segment: MemorySegment): SegmentDescriptor {
    this.checkOpen('handOver');
    const shared = this.sharedNetwork('handOver');
    this.checkHeld(segment, this.pooled, 'handOver', 'requestPooledMemorySegment()');
    this.pooled.delete(segment);
    const size = segment.size;
    const address = segment.markFreed();
    return shared.handOver(this.detach(address), address, size);
  }

  /**
   * Shared runtime: takes a segment another worker handed over (handOver())
   * as this worker's, as if from requestPooledMemorySegment(). Throws
   * ERR_INVALID_ARGUMENT for a descriptor that is not a network segment of
   * this memory, ERR_ILLEGAL_STATE when the segment is not in transit (adopted
   * already, or reclaimed), ERR_POOL_DESTROYED after destroy().
   */
  adopt(descriptor: SegmentDescriptor): MemorySegment {
    this.checkOpen('adopt');
    const index = this.sharedNetwork('adopt').adopt(descriptor);
    const segment = this.segmentAt(index, this);
    this.pooled.add(segment);
    return segment;
  }

  private sharedNetwork(operation: string): SharedNetwork {
    if (this.shared === null) throw new IllegalStateError(`${operation}: the network buffer pool is not shared; start the runtime with init({ shared: true })`);
    return this.shared;
  }

  // ---------------------------------------------------------------- unpooled segments

  /**
   * `n` segments outside any pool (all at once), counted as required so
   * that the pools shrink to make room. Waits while the segments are held by
   * pools that will give them back. Throws InsufficientBuffersError when `n`
   * does not fit beside what is required already; rejects with the signal's
   * reason, a TimeoutError or BufferPoolDestroyedError when it gives up,
   * holding nothing.
   */
  requestUnpooledMemorySegments(n: number, options?: WaitOptions): Promise<MemorySegment[]> {
    checkCount(n, 'n', 'requestUnpooledMemorySegments');
    const wait = checkWait(options, 'requestUnpooledMemorySegments');
    this.checkOpen('requestUnpooledMemorySegments');
    return this.unpooled.request(n, wait);
  }

  /**
   * Gives back segments of requestUnpooledMemorySegments(), all or none: a
   * segment that is not one of them, or was already given back, is refused
   * before anything changes.
   */
  recycleUnpooledMemorySegments(segments: readonly MemorySegment[]): void {
    if (!Array.isArray(segments)) throw new InvalidArgumentError(`recycleUnpooledMemorySegments: expected an array of segments, got ${render(segments)}`);
    // After destroy every segment is freed already: nothing is left to give back.
    if (this.destroyed) return;
    this.unpooled.recycle(segments);
  }

  // ---------------------------------------------------------------- destroy

  /**
   * Destroys the pool: every waiting request, of this pool and of its
   * LocalBufferPools, rejects with BufferPoolDestroyedError, and every
   * segment still out is freed. Idempotent.
   */
  destroy(reason = 'the network buffer pool has been destroyed'): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.destroyReason = reason;
    let failure: { error: unknown } | undefined;
    for (const pool of this.pools) failure = pool.destroyByGlobal(reason) ?? failure;
    this.pools.length = 0;
    this.waitingPools = [];
    this.unpooled.destroy(reason);
    // Every segment this runtime handed out goes back through the kernels, in one batch, so that the list
    // stays consistent for any other runtime attached to the same memory (whose segments stay out).
    const io = this.io;
    let count = 0;
    for (let i = 0; i < this.bySegment.length; i++) {
      const segment = this.bySegment[i];
      if (segment === null || segment === undefined) continue;
      segment.markFreed();
      this.bySegment[i] = null;
      io[count++] = i;
    }
    this.kernels.buffersGive(this.area.table, count);
    this.pooled.clear();
    this.required.clear();
    this.availability.set(true);
    if (failure !== undefined) throw failure.error;
  }

  // ---------------------------------------------------------------- segments in and out (for the pools)

  /** One segment from the free list for `owner`, or null. @internal */
  takeSegment(owner: unknown): MemorySegment | null {
    if (this.destroyed || this.kernels.buffersTake(this.area.table, 1) !== 1) return null;
    const segment = this.segmentAt(this.io[0]!, owner);
    if (this.free() === 0) this.availability.set(false);
    return segment;
  }

  /** Up to `n` segments for `owner`, pushed onto `into`, in one batch; returns how many. @internal */
  takeSegments(owner: unknown, n: number, into: MemorySegment[]): number {
    if (this.destroyed) return 0;
    const count = Math.min(n, this.free());
    if (count === 0 || this.kernels.buffersTake(this.area.table, count) !== count) return 0;
    const io = this.io;
    for (let i = 0; i < count; i++) into.push(this.segmentAt(io[i]!, owner));
    if (this.free() === 0) this.availability.set(false);
    return count;
  }

  /** Gives one segment back to the free list (the handle is freed). @internal */
  giveBackSegment(segment: MemorySegment): void {
    if (this.destroyed) return;
    this.io[0] = this.detach(segment.markFreed());
    this.kernels.buffersGive(this.area.table, 1);
    this.notify();
  }

  /** Gives `count` segments of `list` from `start` back in one batch (the handles are freed). @internal */
  giveBackSegments(list: readonly MemorySegment[], start: number, count: number): void {
    if (this.destroyed || count === 0) return;
    const io = this.io;
    for (let i = 0; i < count; i++) io[i] = this.detach(list[start + i]!.markFreed());
    this.kernels.buffersGive(this.area.table, count);
    this.notify();
  }

  /** `pool` asks to be told when the free list has a segment again. @internal */
  waitForSegment(pool: LocalBufferPool): void {
    if (this.destroyed || pool.waitingForGlobal) return;
    pool.waitingForGlobal = true;
    this.waitingPools.push(pool);
    this.shared?.remoteGives.arm();
  }

  /** Called by a network segment's free(): it goes back to the free list, and its holder is told. @internal */
  segmentFreed(segment: MemorySegment, address: number): void {
    if (this.destroyed) return;
    this.io[0] = this.detach(address);
    this.kernels.buffersGive(this.area.table, 1);
    const owner = segment.owner;
    try {
      if (owner instanceof LocalBufferPool) owner.segmentLost(segment);
      else if (!this.unpooled.segmentFreed(segment)) this.pooled.delete(segment);
    } finally {
      this.notify();
    }
  }

  // ---------------------------------------------------------------- internals

  private free(): number {
    return this.header[NB_FREE_COUNT >>> 2]!;
  }

  private segmentAt(index: number, owner: unknown): MemorySegment {
    const size = this.area.segmentSize;
    const segment = this.region.segment(this.area.base + index * size, size, owner, this);
    this.bySegment[index] = segment;
    return segment;
  }

  /** Forgets the live segment at `address`; returns its index. */
  private detach(address: number): number {
    const index = (address - this.area.base) >>> this.shift;
    this.bySegment[index] = null;
    return index;
  }

  /**
   * After segments came back: serve waiting unpooled requests in order, then
   * the pools that wait for segments, then whoever awaits availability.
   * Re-entrant calls are folded into the running one.
   */
  private notify(): void {
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = true;
    let failure: { error: unknown } | undefined;
    try {
      do {
        this.notifyAgain = false;
        this.unpooled.serve();
        while (this.waitingPools.length > 0 && this.free() > 0 && !this.destroyed) {
          const pool = this.waitingPools.shift()!;
          try {
            pool.onGlobalAvailable();
          } catch (error) {
            failure ??= { error };
          }
        }
      } while (this.notifyAgain);
    } finally {
      this.notifying = false;
    }
    this.availability.set(this.destroyed || this.free() > 0);
    if (failure !== undefined) throw failure.error;
  }

  /** notify() where no caller would see a listener's exception (timers, abort events, a promise executor). */
  private notifyQuietly(): void {
    try {
      this.notify();
    } catch {
      // Everything is consistent by then; the listener's pool went on serving the others.
    }
  }

  private checkOpen(operation: string): void {
    if (this.destroyed) throw new BufferPoolDestroyedError(`${operation}: ${this.destroyReason}`);
  }

  /** Throws unless `segment` is in `held`; a freed segment (given back already) is a reference-count error. */
  private checkHeld(segment: unknown, held: Set<MemorySegment>, operation: string, source: string): void {
    if (!(segment instanceof MemorySegment)) throw new InvalidArgumentError(`${operation}: expected a MemorySegment, got ${render(segment)}`);
    if (held.has(segment)) return;
    if (segment.isFreed() && segment.releaser === null && segment.owner === this) {
      throw new IllegalReferenceCountError(`${operation}: the segment (${segment.size} bytes) was already given back`);
    }
    throw new InvalidArgumentError(`${operation}: the segment (${segment.size} bytes, owner ${render(segment.owner)}) is not one this pool handed out by ${source}`);
  }
}
