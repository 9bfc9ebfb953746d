import { IllegalStateError, InvalidArgumentError, MemoryAllocationError, MemoryReservationError, SegmentFreedError, ShutdownError } from '../errors.js';
import type { PageTableKernels } from '../kernels/js-page-table.js';
import { LockedPageTable } from '../threads/locked-page-table.js';
import type { ThreadsContext } from '../threads/realm-table.js';
import type { ReleasedMemory } from '../threads/released.js';
import { adoptedIndex, type SegmentDescriptor } from '../threads/segment-descriptor.js';
import { PT_BYTES_AVAILABLE, pageTableArrays } from '../kernels/page-table-layout.js';
import { checkInteger } from '../util/checks.js';
import { render } from '../util/render.js';
import { LeakDetector, type LeakDetection } from './leak-detector.js';
import type { MemoryRegion } from './region.js';
import { PageHandles } from './page-handles.js';
import { checkBytes, checkFraction, checkOwner } from './manager-checks.js';
import { PageOwners, type OwnerState } from './page-owners.js';
import type { AllocatedPages } from './allocated-pages.js';
import { resolveManagerOptions, type MemoryManagerOptions } from './manager-options.js';
import { MemorySegment, type SegmentReleaser } from './segment.js';
import { isLivePageOf, ReleasePass } from './release-pass.js';
import { SharedResources, type SharedResourceLease } from './shared-resources.js';

export type { AllocatedPages } from './allocated-pages.js';
export type { MemoryManagerOptions } from './manager-options.js';

/** Where a MemoryManager's page table and pages lie in its region's linear memory. @internal */
export interface PageArea {
  /** Address of the page table (layout in assembly/pages.ts). */
  readonly table: number;
  /** Address of page 0; pages follow each other. */
  readonly pagesBase: number;
  readonly pageSize: number;
  readonly pageCount: number;
}

/**
 * Managed memory: a fixed set of equal pages in the linear memory, handed to
 * owners under one byte budget that reservations draw on too.
 *
 * The page table (free stack, owner slot of each page, free owner slots) lives
 * in the linear memory and is run by the kernels, one call per batch; this
 * class keeps the segment objects, the owners and the budget.
 */
export class MemoryManager implements SegmentReleaser {
  /** Bytes per page. */
  readonly pageSize: number;
  /** Bytes of managed memory in all: pageSize × page count. */
  readonly memorySize: number;

  private readonly region: MemoryRegion;
  /** @internal */
  private readonly kernels: PageTableKernels;
  /** The same kernels under the shared table's lock (a shared runtime); null when unshared. */
  private readonly locked: LockedPageTable | null;
  private readonly area: PageArea;
  private readonly pageShift: number;
  /** Page indices pass between the kernels and this class through here. */
  private readonly io: Int32Array;
  /** The page table's header: the budget is read from it. */
  private readonly header: Uint32Array;
  /** Under leak detection, the weakly held handle of each page, for releaseAll and shutdown (without it, each owner's state holds its handles). */
  private readonly handles: PageHandles;
  /** Owners, their slots in the page table and what they hold. */
  private readonly owners: PageOwners;
  /** release(array)'s one pass over the segments. */
  private readonly releasePass: ReleasePass;
  private shutDown = false;
  private readonly zeroOnRelease: boolean;
  private readonly leaks: LeakDetector | null;
  private readonly leakDetection: LeakDetection;
  private readonly shared: SharedResources;

  /**
   * @internal Managers come with a runtime (rt.memoryManager) or from createMemoryManager().
   * With `attach`, the page table another runtime laid out in the same memory is used as it is.
   */
  constructor(region: MemoryRegion, area: PageArea, options: MemoryManagerOptions = {}, attach = false, threads: ThreadsContext | null = null) {
    if (region.kernels === null) throw new InvalidArgumentError('a MemoryManager needs a region of linear memory');
    this.region = region;
    this.area = area;
    this.pageSize = area.pageSize;
    this.pageShift = Math.log2(area.pageSize);
    this.memorySize = area.pageSize * area.pageCount;
    const buffer = region.bytes.buffer;
    if (threads === null) {
      this.kernels = region.kernels;
      this.locked = null;
      this.io = new Int32Array(buffer, area.table + pageTableArrays(area.pageCount).io, area.pageCount);
    } else {
      // Workers share the table's io area; each realm passes page indices through its own array.
      this.io = new Int32Array(area.pageCount);
      this.locked = new LockedPageTable(region.kernels, area.table, area.pageCount, this.io, threads.realms, threads.realm);
      this.kernels = this.locked;
    }
    this.header = new Uint32Array(buffer, area.table, PT_BYTES_AVAILABLE / 4 + 1);
    this.owners = new PageOwners(this.kernels, area.table, area.pageCount, threads !== null);
    this.releasePass = new ReleasePass(this, this.io, this.owners.states, area.pagesBase, this.pageShift, area.pageCount);
    const { zeroOnRelease, leakDetection, onLeak } = resolveManagerOptions(options);
    this.zeroOnRelease = zeroOnRelease;
    this.leakDetection = leakDetection;
    this.leaks = leakDetection === false ? null : new LeakDetector(leakDetection === 'stack', onLeak);
    this.handles = new PageHandles(this.leaks === null ? 0 : area.pageCount);
    this.shared = new SharedResources(this, this.leaks);
    if (!attach) this.layOutTable();
  }

  /** Bytes neither in pages handed out nor reserved. */
  get availableMemory(): number {
    // After shutdown everything is back, and the memory may be detached.
    return this.shutDown ? this.memorySize : this.header[PT_BYTES_AVAILABLE / 4]!;
  }

  /** Number of pages in all. */
  get pageCount(): number {
    return this.area.pageCount;
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
    checkInteger(numPages, 'allocatePages: numPages');
    const pageSize = this.pageSize;
    const available = this.availableMemory;
    if (numPages * pageSize > available) {
      throw new MemoryAllocationError(
        `requested ${numPages} pages, ${Math.floor(available / pageSize)} available (${pageSize} bytes each, ${this.area.pageCount} in all); raise managedMemory`,
      );
    }
    const result = new Array<MemorySegment>(numPages);
    if (numPages === 0) return result;
    // Everything that can fail happens before the table changes.
    const leaks = this.leaks;
    const stack = leaks === null ? undefined : leaks.allocationStack();
    const state = this.owners.stateOf(owner);
    if (state.slot < 0) state.slot = this.owners.takeSlot();
    const kernels = this.kernels;
    // The budget check above guarantees enough free pages in one realm; in a shared runtime
    // another worker may have taken them since, and the kernel refuses under the table's lock.
    if (kernels.pagesAllocate(this.area.table, state.slot, numPages) !== numPages) {
      this.owners.settle(state);
      const now = this.availableMemory;
      throw new MemoryAllocationError(
        `requested ${numPages} pages, ${Math.floor(now / pageSize)} available (${pageSize} bytes each, ${this.area.pageCount} in all; other workers took the rest); raise managedMemory`,
      );
    }
    const io = this.io;
    const region = this.region;
    const pagesBase = this.area.pagesBase;
    for (let i = 0; i < numPages; i++) {
      result[i] = region.segment(pagesBase + io[i]! * pageSize, pageSize, owner, this);
    }
    if (leaks === null) state.handles.add(result, numPages, state.pages);
    else for (let i = 0; i < numPages; i++) this.trackLeak(leaks, result[i]!, io[i]!, owner, state, stack);
    state.pages += numPages;
    return result;
  }

  /**
   * Gives pages back: one segment, or an array of them (which is emptied).
   * Freed segments are skipped, so releasing twice returns the memory once.
   * An array that cannot be emptied (frozen, sealed) is refused with nothing released.
   * Throws ERR_INVALID_ARGUMENT for a non-segment or a segment of another
   * manager, ERR_SHUTDOWN after shutdown().
   */
  release(segments: MemorySegment | MemorySegment[] | null | undefined): void {
    this.checkOpen('release');
    if (segments === null || segments === undefined) return;
    if (!Array.isArray(segments)) {
      isLivePageOf(segments, this);
      segments.free();
      return;
    }
    // Copy the caller's array, then check and mark its segments in one pass and
    // empty the array, undoing the marks if anything fails (a foreign segment,
    // a frozen array, a throwing proxy): every page, count and handle stays as it was.
    const list: unknown[] = segments.slice();
    const pass = this.releasePass;
    const count = pass.mark(list);
    try {
      segments.length = 0;
    } catch {
      pass.unmark(list, count);
      throw new InvalidArgumentError(`release: the array of ${list.length} segments cannot be emptied (frozen or sealed); nothing was released`);
    }
    const leaks = this.leaks;
    if (leaks !== null) for (let j = 0; j < count; j++) this.forgetWatched(leaks, pass.markedSegment(list, j), this.io[j]!);
    this.returnPages(count);
    pass.settle(this.owners);
  }

  /** Gives back every page `owner` holds; its other owners' pages are not touched. Throws ERR_SHUTDOWN after shutdown(). */
  releaseAll(owner: unknown): void {
    this.checkOpen('releaseAll');
    const state = this.owners.states.get(owner);
    // The kernel scans the whole table: not for an owner holding nothing.
    if (state === undefined || state.slot < 0 || state.pages === 0) return;
    const count = this.kernels.pagesReleaseAll(this.area.table, state.slot);
    if (this.leaks === null) state.handles.freeAll();
    else for (let i = 0; i < count; i++) this.takeSegment(this.io[i]!)?.markFreed();
    state.pages -= count;
    this.owners.settle(state);
  }

  /**
   * Shared runtime: gives back every page and reservation of the worker with
   * id `workerId` (one that ended without releasing; see Runtime.releaseAllOf,
   * which also frees its network buffers and its id). Returns the pages and
   * reserved bytes given back. Throws ERR_ILLEGAL_STATE for an unshared
   * manager, ERR_INVALID_ARGUMENT for a bad id, ERR_SHUTDOWN after shutdown().
   */
  releaseAllOf(workerId: number): ReleasedMemory {
    this.checkOpen('releaseAllOf');
    const locked = this.locked;
    if (locked === null) throw new IllegalStateError('releaseAllOf: the memory manager is not shared; only workers of a shared runtime have ids');
    checkInteger(workerId, 'releaseAllOf: workerId', 0, locked.realmCount - 1);
    if (workerId === locked.realm) throw new InvalidArgumentError(`releaseAllOf: ${workerId} is this worker's own id; use releaseAll() for its owners`);
    return locked.releaseRealm(this.area.table, workerId);
  }

  /**
   * Shared runtime: hands page `segment` over to another worker. This handle
   * becomes freed and its owner no longer holds the page; the receiver's
   * adopt(descriptor, owner) gives it to one of its owners. Until then it
   * counts against this worker's id (releaseAllOf reclaims it). Throws
   * ERR_ILLEGAL_STATE for an unshared manager, ERR_INVALID_ARGUMENT for a
   * segment of another manager, ERR_SEGMENT_FREED for a freed one.
   */
  handOver(segment: MemorySegment): SegmentDescriptor {
    this.checkOpen('handOver');
    const locked = this.sharedTable('handOver');
    isLivePageOf(segment, this);
    if (segment.isFreed()) throw new SegmentFreedError(`handOver: the page (${segment.size} bytes) has been freed`);
    const page = (segment.address - this.area.pagesBase) >>> this.pageShift;
    locked.handOver(page);
    const address = segment.markFreed();
    if (this.leaks !== null) this.forgetWatched(this.leaks, segment, page);
    const state = this.owners.states.get(segment.owner)!;
    state.pages -= 1;
    this.owners.settle(state);
    return { kind: 'segmem.segment', handover: 'page', byteOffset: address, size: this.pageSize };
  }

  /**
   * Shared runtime: gives a page another worker handed over (handOver()) to
   * `owner`, as if allocated to it. Throws ERR_INVALID_ARGUMENT for a
   * descriptor that is not a page of this memory or a missing owner,
   * ERR_ILLEGAL_STATE when the page is not in transit (adopted already or
   * reclaimed), ERR_SHUTDOWN after shutdown().
   */
  adopt(descriptor: SegmentDescriptor, owner: unknown): MemorySegment {
    this.checkOpen('adopt');
    const locked = this.sharedTable('adopt');
    checkOwner(owner, 'adopt');
    const page = adoptedIndex(descriptor, 'page', { base: this.area.pagesBase, size: this.pageSize, count: this.area.pageCount, what: 'pages' });
    const state = this.owners.stateOf(owner);
    if (state.slot < 0) state.slot = this.owners.takeSlot();
    if (!locked.adopt(page, state.slot)) {
      this.owners.settle(state);
      throw new IllegalStateError(`adopt: page ${page} is not in transit (adopted already, released or reclaimed)`);
    }
    const segment = this.region.segment(this.area.pagesBase + page * this.pageSize, this.pageSize, owner, this);
    const leaks = this.leaks;
    if (leaks === null) state.handles.add([segment], 1, state.pages);
    else this.trackLeak(leaks, segment, page, owner, state, leaks.allocationStack());
    state.pages += 1;
    return segment;
  }

  private sharedTable(operation: string): LockedPageTable {
    if (this.locked === null) throw new IllegalStateError(`${operation}: the memory manager is not shared; start the runtime with init({ shared: true })`);
    return this.locked;
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
    const available = this.availableMemory;
    // Checked here first: the kernel takes a u32, and bytes may be up to 2^53.
    if (bytes > available || this.kernels.budgetReserve(this.area.table, bytes) === 0) {
      throw new MemoryReservationError(
        `could not reserve ${bytes} bytes: ${available} of ${this.memorySize} bytes of managed memory available; raise managedMemory`,
      );
    }
    if (bytes === 0) return;
    this.owners.stateOf(owner).reserved += bytes;
  }

  /** Releases up to `bytes` of `owner`'s reservation and returns the bytes released; throws ERR_INVALID_ARGUMENT for a missing owner or bad byte count, ERR_SHUTDOWN after shutdown(). */
  releaseMemory(owner: unknown, bytes: number): number {
    this.checkOpen('releaseMemory');
    checkOwner(owner, 'releaseMemory');
    checkBytes(bytes, 'releaseMemory');
    const state = this.owners.states.get(owner);
    if (state === undefined) return 0;
    const released = Math.min(bytes, state.reserved);
    state.reserved -= released;
    if (released > 0) this.kernels.budgetRelease(this.area.table, released);
    this.owners.settle(state);
    return released;
  }

  /** Releases all of `owner`'s reservation and returns the bytes released; throws ERR_SHUTDOWN after shutdown(). */
  releaseAllMemory(owner: unknown): number {
    this.checkOpen('releaseAllMemory');
    const state = this.owners.states.get(owner);
    return state === undefined ? 0 : this.releaseMemory(owner, state.reserved);
  }

  // ---------------------------------------------------------------- sizing

  /** Pages in `fraction` of the managed memory, rounded down; throws ERR_INVALID_ARGUMENT unless `fraction` is in (0, 1]. */
  computeNumberOfPages(fraction: number): number {
    checkFraction(fraction, 'computeNumberOfPages');
    return Math.floor(this.area.pageCount * fraction);
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
    return this.availableMemory === this.memorySize;
  }

  /** Frees every segment handed out and refuses all further use. Idempotent. */
  shutdown(): void {
    if (this.shutDown) return;
    this.shutDown = true;
    this.owners.releaseEverything();
    if (this.leaks !== null) for (let page = 0; page < this.area.pageCount; page++) this.takeSegment(page)?.markFreed();
  }

  /** True after shutdown(). */
  isShutdown(): boolean {
    return this.shutDown;
  }

  // ---------------------------------------------------------------- metrics

  /**
   * Calls `visit` for every owner holding pages or a reservation, in the order
   * owners first allocated; allocates nothing (runtime snapshots read it). @internal
   */
  forEachOwner(visit: (owner: unknown, pages: number, reservedBytes: number) => void): void {
    this.owners.forEachHolding(visit);
  }

  /** The leak detection setting, and the leaks reported so far with the bytes they held. @internal */
  leakStatistics(): { readonly detection: LeakDetection; readonly reported: number; readonly bytes: number } {
    const leaks = this.leaks;
    return { detection: this.leakDetection, reported: leaks === null ? 0 : leaks.reported, bytes: leaks === null ? 0 : leaks.reportedBytes };
  }

  // ---------------------------------------------------------------- internals

  /** Lays out an empty page table. */
  private layOutTable(): void {
    const { table, pageCount, pagesBase } = this.area;
    this.kernels.pagesInit(table, pageCount, this.pageShift, pagesBase, this.zeroOnRelease ? 1 : 0);
  }

  /** Unhooks a (just freed) managed segment from its owner and returns its page index. */
  private detach(segment: MemorySegment, address: number): number {
    const page = (address - this.area.pagesBase) >>> this.pageShift;
    if (this.leaks !== null) this.forgetWatched(this.leaks, segment, page);
    const state = this.owners.states.get(segment.owner)!;
    state.pages -= 1;
    this.owners.settle(state);
    return page;
  }

  /** Returns the `count` pages listed in io to the page table and the budget. */
  private returnPages(count: number): void {
    if (count !== 0) this.kernels.pagesRelease(this.area.table, count);
  }

  /** Under leak detection: stops watching a released segment and forgets it as the handle of `page`. */
  private forgetWatched(leaks: LeakDetector, segment: MemorySegment, page: number): void {
    this.handles.forget(page);
    leaks.untrack(segment);
  }

  /** Takes the handle of `page` out of the registry (and out of the leak detector's watch). */
  private takeSegment(page: number): MemorySegment | undefined {
    const segment = this.handles.take(page);
    if (segment !== undefined) this.leaks?.untrack(segment);
    return segment;
  }

  /** Registers a new segment with the leak detector; its page comes back if it is collected unreleased. */
  private trackLeak(leaks: LeakDetector, segment: MemorySegment, page: number, owner: unknown, state: OwnerState, stack: string | undefined): void {
    const ref = new WeakRef(segment);
    this.handles.addWeak(page, ref);
    leaks.track(segment, 'segment', owner, this.pageSize, stack, () => {
      // Only if the page still belongs to the collected segment: releaseAll may
      // have returned it, and it may have gone to someone else, in between.
      if (this.shutDown || !this.handles.holdsWeak(page, ref)) return false;
      this.handles.forget(page);
      state.pages -= 1;
      this.owners.settle(state);
      this.io[0] = page;
      this.returnPages(1);
      return true;
    });
  }

  private checkOpen(operation: string): void {
    if (this.shutDown) throw new ShutdownError(`${operation}: the memory manager has been shut down`);
  }
}
