import type { PageTableKernels } from '../kernels/js-page-table.js';
import { PT_LOCK, pageTableArrays } from '../kernels/page-table-layout.js';
import type { RealmTable } from './realm-table.js';
import type { ReleasedMemory } from './released.js';
import { SpinLock } from './spin-lock.js';

/**
 * The page-table kernels of a shared runtime: each call runs under the
 * table's lock, and page indices pass through this realm's own io array
 * (copied to and from the table's io area while the lock is held), so that
 * workers never overwrite each other's batches. It also records, in the realm
 * table, which worker holds each owner slot and how many bytes each worker's
 * owners reserved: what releaseRealm() needs to clean up after a worker that
 * ended. @internal
 */
export class LockedPageTable implements PageTableKernels {
  private readonly lock: SpinLock;
  /** The table's io area (shared by every realm; used only under the lock). */
  private readonly tableIo: Int32Array;
  private readonly words: Int32Array;
  /** Int32 index of the table's ownerOf array. */
  private readonly owners: number;
  private readonly pageCount: number;

  constructor(
    private readonly inner: PageTableKernels,
    table: number,
    pageCount: number,
    /** This realm's io array: what the MemoryManager reads and writes. */
    private readonly io: Int32Array,
    private readonly realms: RealmTable,
    /** This realm's worker id. */
    readonly realm: number,
  ) {
    const words = realms.words;
    this.lock = new SpinLock(words, (table + PT_LOCK) >>> 2, realm + 1, 'page table');
    const arrays = pageTableArrays(pageCount);
    this.tableIo = new Int32Array(words.buffer, table + arrays.io, pageCount);
    this.words = words;
    this.owners = (table + arrays.owners) >>> 2;
    this.pageCount = pageCount;
  }

  /*
   * Hand-over of a page between workers, on the table's arrays directly (the
   * same layout in both builds; assembly/pages.ts draws it). In transit, a
   * page belongs to no owner slot: its owner entry holds minus the sender's
   * worker id + 1. The kernels see it as handed out (a release frees it), and
   * releaseRealm() of the sender frees it if nobody adopts it.
   *
   *   held by slot s:  owners[p] = s + 1
   *   in transit:      owners[p] = -(id + 1)
   */

  /** Takes page `page` (held by this realm) from its owner slot, in transit. */
  handOver(page: number): void {
    this.lock.enter();
    this.words[this.owners + page] = -(this.realm + 1);
    this.lock.leave();
  }

  /** Gives page `page`, in transit, to owner slot `slot`: true, or false when it is not in transit. */
  adopt(page: number, slot: number): boolean {
    const { words } = this;
    this.lock.enter();
    try {
      if (page >>> 0 >= this.pageCount || words[this.owners + page]! >= 0) return false;
      words[this.owners + page] = slot + 1;
      return true;
    } finally {
      this.lock.leave();
    }
  }

  /** Worker ids in all. */
  get realmCount(): number {
    return this.realms.realmCount;
  }

  pageTableBytes(pageCount: number): number {
    return this.inner.pageTableBytes(pageCount);
  }

  pagesInit(table: number, pageCount: number, pageShift: number, pagesBase: number, zeroOnRelease: number): void {
    this.inner.pagesInit(table, pageCount, pageShift, pagesBase, zeroOnRelease);
  }

  pagesAllocate(table: number, slot: number, n: number): number {
    this.lock.enter();
    try {
      const taken = this.inner.pagesAllocate(table, slot, n);
      if (taken === n) this.io.set(this.tableIo.subarray(0, n));
      return taken;
    } finally {
      this.lock.leave();
    }
  }

  pagesRelease(table: number, n: number): number {
    this.lock.enter();
    try {
      this.tableIo.set(this.io.subarray(0, n));
      return this.inner.pagesRelease(table, n);
    } finally {
      this.lock.leave();
    }
  }

  pagesReleaseAll(table: number, slot: number): number {
    this.lock.enter();
    try {
      const count = this.inner.pagesReleaseAll(table, slot);
      this.io.set(this.tableIo.subarray(0, count));
      return count;
    } finally {
      this.lock.leave();
    }
  }

  budgetReserve(table: number, bytes: number): number {
    this.lock.enter();
    try {
      const ok = this.inner.budgetReserve(table, bytes);
      if (ok === 1) this.realms.addReserved(this.realm, bytes);
      return ok;
    } finally {
      this.lock.leave();
    }
  }

  budgetRelease(table: number, bytes: number): void {
    this.lock.enter();
    try {
      this.inner.budgetRelease(table, bytes);
      this.realms.addReserved(this.realm, -bytes);
    } finally {
      this.lock.leave();
    }
  }

  slotAcquire(table: number): number {
    this.lock.enter();
    try {
      const slot = this.inner.slotAcquire(table);
      if (slot >= 0) this.realms.setSlotRealm(slot, this.realm);
      return slot;
    } finally {
      this.lock.leave();
    }
  }

  slotRelease(table: number, slot: number): void {
    this.lock.enter();
    try {
      this.realms.setSlotRealm(slot, -1);
      this.inner.slotRelease(table, slot);
    } finally {
      this.lock.leave();
    }
  }

  /**
   * Releases everything worker `id` holds: the pages of every owner slot it
   * holds (the slots go back too) and its reserved bytes. Returns the pages
   * and bytes given back.
   */
  releaseRealm(table: number, id: number): ReleasedMemory {
    const { inner, realms } = this;
    this.lock.checkNotHeldBy(id);
    this.lock.enter();
    try {
      // One scan of ownerOf finds the pages of every slot it holds and those it
      // handed over that nobody adopted.
      const { words, owners } = this;
      let found = 0;
      for (let page = 0; page < this.pageCount; page++) {
        const entry = words[owners + page]!;
        if (entry === -(id + 1) || (entry > 0 && realms.slotRealmOf(entry - 1) === id)) this.tableIo[found++] = page;
      }
      const pages = found > 0 ? inner.pagesRelease(table, found) : 0;
      for (let slot = 0; slot < realms.slotCount; slot++) {
        if (realms.slotRealmOf(slot) !== id) continue;
        realms.setSlotRealm(slot, -1);
        inner.slotRelease(table, slot);
      }
      const bytes = realms.reservedOf(id);
      if (bytes > 0) {
        inner.budgetRelease(table, bytes);
        realms.addReserved(id, -bytes);
      }
      return { pages, bytes };
    } finally {
      this.lock.leave();
    }
  }
}
