import { IllegalStateError } from '../errors.js';
import { EpochWatch } from './epoch-watch.js';
import { MAX_REALMS, RT_NET_EPOCH, RT_NET_REQUIRED, RT_NET_WAITERS, RT_REALM_COUNT, RT_SLOT_COUNT, RT_USERS, realmTableArrays } from './realm-layout.js';

/**
 * The realm table of a shared runtime (layout in realm-layout.ts), through
 * Atomics: worker ids, which worker holds each owner slot, and each worker's
 * reserved bytes. @internal
 */
export class RealmTable {
  private readonly i32: Int32Array;
  private readonly live: number;
  private readonly reserved: number;
  private readonly slotRealm: number;
  private readonly required: number;
  private readonly netRequired: number;
  readonly slotCount: number;
  /** Worker ids in all. */
  readonly realmCount = MAX_REALMS;

  constructor(buffer: ArrayBufferLike, readonly address: number) {
    this.i32 = new Int32Array(buffer);
    const at = address >>> 2;
    this.slotCount = this.i32[at + RT_SLOT_COUNT / 4]!;
    const arrays = realmTableArrays(MAX_REALMS);
    this.live = at + arrays.live / 4;
    this.reserved = at + arrays.reserved / 4;
    this.slotRealm = at + arrays.slotRealm / 4;
    this.required = at + arrays.required / 4;
    this.netRequired = at + RT_NET_REQUIRED / 4;
  }

  /** Lays out an empty table at `address` (a fresh memory is zero; the counts are written). */
  static layOut(buffer: ArrayBufferLike, address: number, slotCount: number): RealmTable {
    const i32 = new Int32Array(buffer);
    const at = address >>> 2;
    i32.fill(0, at, at + realmTableArrays(MAX_REALMS).slotRealm / 4 + slotCount);
    i32[at + RT_REALM_COUNT / 4] = MAX_REALMS;
    i32[at + RT_SLOT_COUNT / 4] = slotCount;
    return new RealmTable(buffer, address);
  }

  /** The shared memory's words (for locks in the table). */
  get words(): Int32Array {
    return this.i32;
  }

  /** Takes the lowest free worker id and counts one more user; throws IllegalStateError when all are taken. */
  join(): number {
    for (let id = 0; id < MAX_REALMS; id++) {
      if (Atomics.compareExchange(this.i32, this.live + id, 0, 1) === 0) {
        Atomics.add(this.i32, (this.address >>> 2) + RT_USERS / 4, 1);
        return id;
      }
    }
    throw new IllegalStateError(`attach: all ${MAX_REALMS} worker ids of the shared memory are taken; close runtimes or releaseAllOf() ended workers`);
  }

  /** Gives worker id `id` back and counts one user fewer; returns the users left. */
  leave(id: number): number {
    Atomics.store(this.i32, this.live + id, 0);
    return Atomics.sub(this.i32, (this.address >>> 2) + RT_USERS / 4, 1) - 1;
  }

  /** True while worker id `id` is taken. */
  isLive(id: number): boolean {
    return Atomics.load(this.i32, this.live + id) === 1;
  }

  /** Runtimes attached now. */
  users(): number {
    return Atomics.load(this.i32, (this.address >>> 2) + RT_USERS / 4);
  }

  /** Records that worker `id` holds owner slot `slot` (0 for none). Under the page table's lock. */
  setSlotRealm(slot: number, id: number): void {
    Atomics.store(this.i32, this.slotRealm + slot, id + 1);
  }

  /** Worker id holding `slot`, or -1. */
  slotRealmOf(slot: number): number {
    return Atomics.load(this.i32, this.slotRealm + slot) - 1;
  }

  /** Adds `bytes` (negative to subtract) to worker `id`'s reserved bytes. Under the page table's lock. */
  addReserved(id: number, bytes: number): void {
    Atomics.store(this.i32, this.reserved + id, (Atomics.load(this.i32, this.reserved + id) >>> 0) + bytes);
  }

  /** Network segments every worker requires. */
  networkRequired(): number {
    return Atomics.load(this.i32, this.netRequired);
  }

  /** Counts `n` more network segments as required by worker `id`, if the total stays within `limit`: true, or false with nothing changed. */
  tryRequire(id: number, n: number, limit: number): boolean {
    for (;;) {
      const now = Atomics.load(this.i32, this.netRequired);
      if (now + n > limit) return false;
      if (Atomics.compareExchange(this.i32, this.netRequired, now, now + n) === now) break;
    }
    Atomics.add(this.i32, this.required + id, n);
    this.requiredChanged();
    return true;
  }

  /** Adds `delta` (negative to subtract) to what worker `id` requires. */
  addRequired(id: number, delta: number): void {
    Atomics.add(this.i32, this.netRequired, delta);
    Atomics.add(this.i32, this.required + id, delta);
    this.requiredChanged();
  }

  /** Drops everything worker `id` required (it ended); returns how many segments that was. */
  dropRequired(id: number): number {
    const n = Atomics.exchange(this.i32, this.required + id, 0);
    Atomics.sub(this.i32, this.netRequired, n);
    if (n !== 0) this.requiredChanged();
    return n;
  }

  /**
   * A watch that calls `onChange` after any worker changed what it requires,
   * so that resizable pools share the spare again (and give back what another
   * worker's minimum now needs). It does not keep a Node worker alive.
   */
  watchRequired(onChange: () => void): EpochWatch {
    const at = this.address >>> 2;
    return new EpochWatch(this.i32, at + RT_NET_EPOCH / 4, at + RT_NET_WAITERS / 4, () => false, onChange, false);
  }

  private requiredChanged(): void {
    const at = this.address >>> 2;
    EpochWatch.bump(this.i32, at + RT_NET_EPOCH / 4, at + RT_NET_WAITERS / 4);
  }

  /** Bytes worker `id`'s owners hold reserved. */
  reservedOf(id: number): number {
    return Atomics.load(this.i32, this.reserved + id) >>> 0;
  }
}

/** What a shared runtime's parts need to work across workers: the realm table and this runtime's worker id. @internal */
export interface ThreadsContext {
  readonly realms: RealmTable;
  readonly realm: number;
}
