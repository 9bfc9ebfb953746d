import { InvalidArgumentError, MemoryAllocationError, MemoryReservationError, ShutdownError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { ioOffset } from '../kernels/page-table-layout.js';
import { LeakDetector, type LeakDetection, type LeakReport, warnLeak } from './leak-detector.js';
import { MemorySegment, type SegmentReleaser } from './segment.js';
import { SharedResources, type SharedResourceLease } from './shared-resources.js';

/** Where a MemoryManager's pages live in the linear memory. @internal */
export interface ManagedRegion {
  readonly heap: Uint8Array;
  readonly view: DataView;
  readonly kernels: Kernels;
  /** Address of the page table (layout in assembly/pages.ts). */
  readonly table: number;
  /** Address of page 0; pages follow each other. */
  readonly arenaBase: number;
  readonly pageSize: number;
  readonly pageCount: number;
}

/** Behaviour switches of a MemoryManager. */
export interface MemoryManagerOptions {
  /**
   * Zero a page when it is released, so its next owner never sees the previous
   * owner's bytes. Default false: zeroing costs about a microsecond per
   * 32 KiB page, a hundred times the allocation itself, and pages only ever
   * hold this process's own data.
   */
  zeroOnRelease?: boolean;
  /** Report (and reclaim) pages and leases garbage-collected unreleased. Default false. */
  leakDetection?: LeakDetection;
  /** Receives leak reports; default: console.warn. */
  onLeak?: (report: LeakReport) => void;
}

/**
 * What `allocatePages(owner, n)` returns: for a literal `n` from 0 to 16, a
 * tuple of exactly `n` segments, so `const [a, b] = allocatePages(owner, 2)`
 * is safe under `noUncheckedIndexedAccess`; for any other count,
 * `MemorySegment[]`. `Acc` only carries the recursion; leave it out.
 */
export type AllocatedPages<N extends number, Acc extends MemorySegment[] = []> = N extends number
  ? number extends N
    ? MemorySegment[]
    : Acc['length'] extends N
      ? Acc
      : Acc['length'] extends 16
        ? MemorySegment[]
        : AllocatedPages<N, [...Acc, MemorySegment]>
  : never;

/** What the manager knows of one owner. */
interface OwnerState {
  /** Slot of the owner's page list in the page table; -1 while it holds no pages. */
  slot: number;
  pages: number;
  reserved: number;
  /** Holds nothing; kept for reuse until the next sweep. */
  idle: boolean;
}

/**
 * Owners that hold nothing are kept this many at most before they are swept
 * out of the map. Deleting an owner the moment its last page goes back, and
 * adding it again on its next allocation, made single-page allocate+release
 * cycles several times slower; a bounded number of idle entries avoids that
 * without keeping unbounded owners alive.
 */
const IDLE_OWNER_LIMIT = 64;

/**
 * Managed memory: a fixed set of equal pages in the linear memory, handed to
 * owners under one byte budget that reservations draw on too.
 *
 * The page table (free stack, owner of each page, per-owner page lists) lives
 * in the linear memory and is run by the kernels, one call per batch; this
 * class keeps the segment objects, the owners and the budget.
 */
export class MemoryManager implements SegmentReleaser {
  /** Bytes per page. */
  readonly pageSize: number;
  /** Bytes of managed memory in all: pageSize × page count. */
  readonly memorySize: number;

  private readonly region: ManagedRegion;
  private readonly pageShift: number;
  /** Page indices pass between the kernels and this class through here. */
  private readonly io: Int32Array;
  /** The live segment of each page (null when free), for releaseAll and shutdown. */
  private readonly segmentsByPage: (MemorySegment | WeakRef<MemorySegment> | null)[];
  private readonly owners = new Map<unknown, OwnerState>();
  /** Page-list slots given back by owners that no longer hold pages. */
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private idleOwners = 0;
  private bytesAvailable: number;
  private shutDown = false;
  private readonly leaks: LeakDetector | null;
  private readonly shared: SharedResources;

  /** @internal Managers come with a runtime (rt.memoryManager) or from createMemoryManager(). */
  constructor(region: ManagedRegion, options: MemoryManagerOptions = {}) {
    this.region = region;
    this.pageSize = region.pageSize;
    this.pageShift = Math.log2(region.pageSize);
    this.memorySize = region.pageSize * region.pageCount;
    this.bytesAvailable = this.memorySize;
    this.io = new Int32Array(region.heap.buffer, region.table + ioOffset(region.pageCount), region.pageCount);
    this.segmentsByPage = new Array<MemorySegment | null>(region.pageCount).fill(null);
    const detection = options.leakDetection ?? false;
    this.leaks = detection === false ? null : new LeakDetector(detection === 'stack', options.onLeak ?? warnLeak);
    this.shared = new SharedResources(this, this.leaks);
    region.kernels.pagesInit(region.table, region.pageCount, this.pageShift, region.arenaBase, options.zeroOnRelease ? 1 : 0);
  }

  /** Bytes neither in pages handed out nor reserved. */
  get availableMemory(): number {
    return this.bytesAvailable;
  }

  /** Number of pages in all. */
  get pageCount(): number {
    return this.region.pageCount;
  }

  // ---------------------------------------------------------------- pages

  /**
   * Hands `numPages` pages to `owner` (any value but null or undefined), all or none; throws
   * ERR_MEMORY_ALLOCATION beyond the budget, ERR_INVALID_ARGUMENT for a missing owner or a count that
   * is not a non-negative integer, ERR_SHUTDOWN after shutdown().
   */
  allocatePages<N extends number>(owner: unknown, numPages: N): AllocatedPages<N>;
  allocatePages(owner: unknown, numPages: number): MemorySegment[] {
    this.checkOpen('allocatePages');
    checkOwner(owner, 'allocatePages');
    if (!(Number.isInteger(numPages) && numPages >= 0)) {
      throw new InvalidArgumentError(`allocatePages: numPages ${String(numPages)} is not a non-negative integer`);
    }
    const pageSize = this.pageSize;
    if (numPages * pageSize > this.bytesAvailable) {
      const available = Math.floor(this.bytesAvailable / pageSize);
      throw new MemoryAllocationError(
        `requested ${numPages} pages, ${available} available (${pageSize} bytes each, ${this.region.pageCount} in all); raise managedMemory`,
      );
    }
    const result = new Array<MemorySegment>(numPages);
    if (numPages === 0) return result;
    const state = this.stateOf(owner);
    if (state.slot < 0) state.slot = this.freeSlots.pop() ?? this.nextSlot++;
    const { heap, view, kernels, table, arenaBase } = this.region;
    // The budget check above guarantees enough free pages; -1 would mean the table is corrupt.
    if (kernels.pagesAllocate(table, state.slot, numPages) !== numPages) {
      throw new MemoryAllocationError(`page table refused ${numPages} pages with ${this.bytesAvailable} bytes available`);
    }
    const io = this.io;
    const byPage = this.segmentsByPage;
    const leaks = this.leaks;
    for (let i = 0; i < numPages; i++) {
      const page = io[i]!;
      const segment = new MemorySegment(heap, view, arenaBase + page * pageSize, pageSize, owner, kernels, this);
      result[i] = segment;
      if (leaks === null) byPage[page] = segment;
      else this.trackLeak(leaks, segment, page, owner, state);
    }
    state.pages += numPages;
    this.bytesAvailable -= numPages * pageSize;
    return result;
  }

  /**
   * Gives pages back: one segment, or an array of them (which is emptied).
   * Freed segments are skipped, so releasing twice returns the memory once.
   * Throws ERR_INVALID_ARGUMENT for a non-segment or a segment of another
   * manager, ERR_SHUTDOWN after shutdown().
   */
  release(segments: MemorySegment | MemorySegment[] | null | undefined): void {
    this.checkOpen('release');
    if (segments === null || segments === undefined) return;
    if (!Array.isArray(segments)) {
      this.checkManaged(segments);
      segments.free();
      return;
    }
    for (let i = 0; i < segments.length; i++) this.checkManaged(segments[i]);
    const io = this.io;
    const byPage = this.segmentsByPage;
    const { arenaBase } = this.region;
    const shift = this.pageShift;
    const leaks = this.leaks;
    // Arrays usually hold runs of one owner's pages: look the owner up once per run.
    let owner: unknown = undefined;
    let state: OwnerState | undefined;
    let count = 0;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      if (segment.isFreed()) continue;
      const page = (segment.markFreed() - arenaBase) >>> shift;
      byPage[page] = null;
      leaks?.untrack(segment);
      if (state === undefined || segment.owner !== owner) {
        if (state !== undefined) this.settle(state);
        owner = segment.owner;
        state = this.owners.get(owner)!;
      }
      state.pages -= 1;
      io[count++] = page;
    }
    if (state !== undefined) this.settle(state);
    segments.length = 0;
    this.returnPages(count);
  }

  /** Gives back every page `owner` holds; its other owners' pages are not touched. Throws ERR_SHUTDOWN after shutdown(). */
  releaseAll(owner: unknown): void {
    this.checkOpen('releaseAll');
    const state = this.owners.get(owner);
    if (state === undefined || state.slot < 0) return;
    const { kernels, table } = this.region;
    const count = kernels.pagesReleaseAll(table, state.slot);
    const io = this.io;
    for (let i = 0; i < count; i++) {
      const page = io[i]!;
      const segment = this.takeSegment(page);
      segment?.markFreed();
    }
    this.bytesAvailable += count * this.pageSize;
    state.pages -= count;
    this.settle(state);
  }

  /** Called by a managed segment's free() (or dispose): its page goes back. @internal */
  segmentFreed(segment: MemorySegment, address: number): void {
    if (this.shutDown) return;
    this.io[0] = this.detach(segment, address);
    this.returnPages(1);
  }

  // ---------------------------------------------------------------- reservations

  /** Reserves `bytes` of the budget for `owner` without taking pages; throws ERR_MEMORY_RESERVATION beyond the budget, ERR_INVALID_ARGUMENT for a missing owner or bad byte count, ERR_SHUTDOWN after shutdown(). */
  reserveMemory(owner: unknown, bytes: number): void {
    this.checkOpen('reserveMemory');
    checkOwner(owner, 'reserveMemory');
    checkBytes(bytes, 'reserveMemory');
    if (bytes > this.bytesAvailable) {
      throw new MemoryReservationError(
        `could not reserve ${bytes} bytes: ${this.bytesAvailable} of ${this.memorySize} bytes of managed memory available; raise managedMemory`,
      );
    }
    if (bytes === 0) return;
    this.stateOf(owner).reserved += bytes;
    this.bytesAvailable -= bytes;
  }

  /** Releases up to `bytes` of `owner`'s reservation and returns the bytes released; throws ERR_INVALID_ARGUMENT for a missing owner or bad byte count, ERR_SHUTDOWN after shutdown(). */
  releaseMemory(owner: unknown, bytes: number): number {
    this.checkOpen('releaseMemory');
    checkOwner(owner, 'releaseMemory');
    checkBytes(bytes, 'releaseMemory');
    const state = this.owners.get(owner);
    if (state === undefined) return 0;
    const released = Math.min(bytes, state.reserved);
    state.reserved -= released;
    this.bytesAvailable += released;
    this.settle(state);
    return released;
  }

  /** Releases all of `owner`'s reservation and returns the bytes released; throws ERR_SHUTDOWN after shutdown(). */
  releaseAllMemory(owner: unknown): number {
    this.checkOpen('releaseAllMemory');
    const state = this.owners.get(owner);
    return state === undefined ? 0 : this.releaseMemory(owner, state.reserved);
  }

  // ---------------------------------------------------------------- sizing

  /** Pages in `fraction` of the managed memory, rounded down; throws ERR_INVALID_ARGUMENT unless `fraction` is in (0, 1]. */
  computeNumberOfPages(fraction: number): number {
    checkFraction(fraction, 'computeNumberOfPages');
    return Math.floor(this.region.pageCount * fraction);
  }

  /** Bytes in `fraction` of the managed memory, rounded down; throws ERR_INVALID_ARGUMENT unless `fraction` is in (0, 1]. */
  computeMemorySize(fraction: number): number {
    checkFraction(fraction, 'computeMemorySize');
    return Math.floor(this.memorySize * fraction);
  }

  /**
   * A lease on a resource shared by everyone who asks for the same `type`:
   * the first call reserves `computeMemorySize(fraction)` bytes and builds the
   * resource with `initializer(bytes)`; later calls share it. The reservation
   * is released, and the resource disposed (its `Symbol.dispose` or `close`
   * method, if any), when the last lease is closed. An initializer that throws
   * leaves nothing reserved. Throws ERR_MEMORY_RESERVATION beyond the budget,
   * ERR_INVALID_ARGUMENT for an empty `type`, a non-function `initializer` or a
   * `fraction` outside (0, 1], ERR_SHUTDOWN after shutdown().
   */
  getSharedMemoryResourceForManagedMemory<T>(type: string, initializer: (bytes: number) => T, fraction: number): SharedResourceLease<T> {
    this.checkOpen('getSharedMemoryResourceForManagedMemory');
    if (typeof initializer !== 'function') {
      throw new InvalidArgumentError('getSharedMemoryResourceForManagedMemory: initializer must be a function');
    }
    checkFraction(fraction, 'getSharedMemoryResourceForManagedMemory');
    return this.shared.acquire(type, initializer, this.computeMemorySize(fraction));
  }

  // ---------------------------------------------------------------- lifecycle

  /** True when no page is handed out and nothing is reserved. */
  verifyEmpty(): boolean {
    return this.bytesAvailable === this.memorySize;
  }

  /** Frees every segment handed out and refuses all further use. Idempotent. */
  shutdown(): void {
    if (this.shutDown) return;
    this.shutDown = true;
    for (let page = 0; page < this.segmentsByPage.length; page++) this.takeSegment(page)?.markFreed();
    this.owners.clear();
    this.idleOwners = 0;
    this.bytesAvailable = this.memorySize;
  }

  /** True after shutdown(). */
  isShutdown(): boolean {
    return this.shutDown;
  }

  // ---------------------------------------------------------------- internals

  /** Unhooks a (just freed) managed segment from its owner and returns its page index. */
  private detach(segment: MemorySegment, address: number): number {
    const page = (address - this.region.arenaBase) >>> this.pageShift;
    this.segmentsByPage[page] = null;
    this.leaks?.untrack(segment);
    const state = this.owners.get(segment.owner)!;
    state.pages -= 1;
    this.settle(state);
    return page;
  }

  /** Returns the `count` pages listed in io to the page table and the budget. */
  private returnPages(count: number): void {
    if (count === 0) return;
    const { kernels, table } = this.region;
    const released = kernels.pagesRelease(table, count);
    this.bytesAvailable += released * this.pageSize;
  }

  /** Takes the segment of `page` out of the table of live segments. */
  private takeSegment(page: number): MemorySegment | undefined {
    const entry = this.segmentsByPage[page];
    this.segmentsByPage[page] = null;
    if (entry === null || entry === undefined) return undefined;
    if (entry instanceof MemorySegment) return entry;
    const segment = entry.deref();
    if (segment !== undefined) this.leaks?.untrack(segment);
    return segment;
  }

  /** Registers a new segment with the leak detector; its page comes back if it is collected unreleased. */
  private trackLeak(leaks: LeakDetector, segment: MemorySegment, page: number, owner: unknown, state: OwnerState): void {
    const ref = new WeakRef(segment);
    this.segmentsByPage[page] = ref;
    leaks.track(segment, 'segment', owner, this.pageSize, () => {
      // Only if the page still belongs to the collected segment: releaseAll may
      // have returned it, and it may have gone to someone else, in between.
      if (this.shutDown || this.segmentsByPage[page] !== ref) return false;
      this.segmentsByPage[page] = null;
      state.pages -= 1;
      this.settle(state);
      this.io[0] = page;
      this.returnPages(1);
      return true;
    });
  }

  /** The state of `owner`, created on first use. */
  private stateOf(owner: unknown): OwnerState {
    let state = this.owners.get(owner);
    if (state === undefined) {
      state = { slot: -1, pages: 0, reserved: 0, idle: false };
      this.owners.set(owner, state);
    } else if (state.idle) {
      state.idle = false;
      this.idleOwners -= 1;
    }
    return state;
  }

  /** Drops what is no longer needed of an owner: its page-list slot once it has no pages; marks it idle once empty. */
  private settle(state: OwnerState): void {
    if (state.pages !== 0) return;
    if (state.slot >= 0) {
      this.freeSlots.push(state.slot);
      state.slot = -1;
    }
    if (state.reserved !== 0 || state.idle) return;
    state.idle = true;
    if (++this.idleOwners > IDLE_OWNER_LIMIT) this.sweepIdleOwners();
  }

  /** Forgets every owner that holds nothing. */
  private sweepIdleOwners(): void {
    for (const [owner, state] of this.owners) if (state.idle) this.owners.delete(owner);
    this.idleOwners = 0;
  }

  private checkOpen(operation: string): void {
    if (this.shutDown) throw new ShutdownError(`${operation}: the memory manager has been shut down`);
  }

  /** Checks that `segment` is a page of this manager (or an already freed segment). */
  private checkManaged(segment: unknown): void {
    if (!(segment instanceof MemorySegment)) {
      throw new InvalidArgumentError(`release: expected a MemorySegment, got ${Object.prototype.toString.call(segment)}`);
    }
    if (segment.releaser !== this && !segment.isFreed()) {
      throw new InvalidArgumentError('release: the segment was not allocated by this memory manager');
    }
  }
}

function checkOwner(owner: unknown, operation: string): void {
  if (owner === null || owner === undefined) throw new InvalidArgumentError(`${operation}: owner must not be ${String(owner)}`);
}

function checkBytes(bytes: number, operation: string): void {
  if (!(Number.isSafeInteger(bytes) && bytes >= 0)) {
    throw new InvalidArgumentError(`${operation}: bytes ${String(bytes)} is not a non-negative integer`);
  }
}

function checkFraction(fraction: number, operation: string): void {
  if (!(typeof fraction === 'number' && fraction > 0 && fraction <= 1)) {
    throw new InvalidArgumentError(`${operation}: fraction ${String(fraction)} is not within (0, 1]`);
  }
}
