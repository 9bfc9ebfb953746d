import { MemoryAllocationError } from '../errors.js';
import type { PageTableKernels } from '../kernels/js-page-table.js';
import { OwnerHandles } from './owner-handles.js';

/** What the manager knows of one owner. @internal */
export interface OwnerState {
  /** The owner's slot in the page table (its pages' ownerOf entries name it); -1 while it has none (an idle owner may keep its slot). */
  slot: number;
  pages: number;
  reserved: number;
  /** Holds nothing; kept for reuse until the next sweep. */
  idle: boolean;
  /** The handles it was given (without leak detection; with it, the manager's weak registry holds them). */
  readonly handles: OwnerHandles;
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
 * The owners of a MemoryManager's pages and reservations, in the order they
 * first allocated, each with its slot in the page table.
 * Owners that hold nothing stay as idle entries (a bounded number) so that
 * their next allocation needs neither a map entry nor a slot call. @internal
 */
export class PageOwners {
  /** Every owner's state, idle ones included; read directly on the manager's hot paths. */
  readonly states = new Map<unknown, OwnerState>();
  private idleOwners = 0;

  constructor(
    private readonly kernels: PageTableKernels,
    private readonly table: number,
    private readonly pageCount: number,
    /** A shared runtime: every worker draws on one slot stack. */
    private readonly shared: boolean,
  ) {}

  /** The state of `owner`, created on first use. */
  stateOf(owner: unknown): OwnerState {
    let state = this.states.get(owner);
    if (state === undefined) {
      state = { slot: -1, pages: 0, reserved: 0, idle: false, handles: new OwnerHandles() };
      this.states.set(owner, state);
    } else if (state.idle) {
      state.idle = false;
      this.idleOwners -= 1;
    }
    return state;
  }

  /**
   * Marks an owner that holds nothing idle. An idle owner keeps its owner
   * slot (no page names it), so a next allocation needs no slot call; slots
   * go back when idle owners are swept.
   */
  settle(state: OwnerState): void {
    if (state.pages !== 0) return;
    // Every handle it was given is freed now.
    state.handles.clear();
    if (state.reserved !== 0 || state.idle) return;
    state.idle = true;
    // Workers draw on one slot stack: an idle owner's slot goes back at once, or
    // idle owners of one worker could leave another without a slot.
    if (this.shared && state.slot >= 0) {
      this.kernels.slotRelease(this.table, state.slot);
      state.slot = -1;
    }
    if (++this.idleOwners > IDLE_OWNER_LIMIT) this.sweepIdleOwners();
  }

  /** Calls `visit` for every owner holding pages or a reservation, in the order owners first allocated; allocates nothing. */
  forEachHolding(visit: (owner: unknown, pages: number, reservedBytes: number) => void): void {
    for (const [owner, state] of this.states) if (!state.idle) visit(owner, state.pages, state.reserved);
  }

  /**
   * Shutdown: every owner's pages, slot and reservation go back, owner by
   * owner through the kernels, so that the table stays consistent for any
   * other runtime attached to the same memory; then every handle is marked
   * freed and every owner forgotten.
   */
  releaseEverything(): void {
    const { kernels, table } = this;
    for (const state of this.states.values()) {
      state.handles.freeAll();
      if (state.slot >= 0) {
        // pagesReleaseAll scans the whole table: only for owners holding pages.
        if (state.pages > 0) kernels.pagesReleaseAll(table, state.slot);
        kernels.slotRelease(table, state.slot);
      }
      if (state.reserved > 0) kernels.budgetRelease(table, state.reserved);
    }
    this.states.clear();
    this.idleOwners = 0;
  }

  /** A free owner slot; owners that hold nothing give theirs back first when none is free. */
  takeSlot(): number {
    const table = this.table;
    let slot = this.kernels.slotAcquire(table);
    if (slot < 0) {
      this.sweepIdleOwners();
      slot = this.kernels.slotAcquire(table);
    }
    // An owner holding pages holds at least one page, so P slots always suffice.
    if (slot < 0) throw new MemoryAllocationError(`no free owner slot in a page table of ${this.pageCount} pages`);
    return slot;
  }

  /** Forgets every owner that holds nothing, giving back their slots. */
  private sweepIdleOwners(): void {
    const table = this.table;
    for (const [owner, state] of this.states) {
      if (!state.idle) continue;
      if (state.slot >= 0) this.kernels.slotRelease(table, state.slot);
      this.states.delete(owner);
    }
    this.idleOwners = 0;
  }
}
