import { MemoryAllocationError } from '../errors.js';
import type { MemoryManager } from '../memory/memory-manager.js';
import type { MemorySegment } from '../memory/segment.js';

/**
 * The count of pages an InMemorySorter holds against its own limit (its
 * control page counted from the start), the pages it takes from its
 * MemoryManager for its owner, and the scratch pages of a radix sort, taken
 * for the sort and given back after it. @internal
 */
export class SorterPages {
  /** Pages held now: control, records, index and scratch pages. */
  held = 1;
  /** The radix sort's scratch pages while it runs; empty otherwise. */
  scratch: MemorySegment[] = [];

  constructor(
    private readonly mm: MemoryManager,
    private readonly owner: unknown,
    /** Most pages the sorter holds at once. */
    readonly maxPages: number,
  ) {}

  /** `count` pages within the sorter's limit; ERR_MEMORY_ALLOCATION beyond it or the budget. */
  take(count: number): MemorySegment[] {
    if (this.held + count > this.maxPages) {
      throw new MemoryAllocationError(`the sorter holds ${this.held} of its ${this.maxPages} pages and cannot take ${count} more; raise its pages option`);
    }
    const pages = this.mm.allocatePages(this.owner, count);
    this.held += count;
    return pages;
  }

  /** One more page into `list`; false at the limit or the budget. */
  tryTake(list: MemorySegment[]): boolean {
    try {
      list.push(this.take(1)[0]!);
      return true;
    } catch (err) {
      if (err instanceof MemoryAllocationError) return false;
      throw err;
    }
  }

  /** Scratch pages as many as the index has (`need`), or none (false) when the limit or budget does not allow them. */
  takeScratch(need: number): boolean {
    if (this.held + need > this.maxPages || need * this.mm.pageSize > this.mm.availableMemory) return false;
    try {
      this.scratch = this.take(need);
      return true;
    } catch (err) {
      if (err instanceof MemoryAllocationError) return false;
      throw err;
    }
  }

  /** Gives the scratch pages back. */
  releaseScratch(): void {
    if (this.scratch.length === 0) return;
    this.held -= this.scratch.length;
    this.mm.release(this.scratch);
    this.scratch = [];
  }

  /** Forgets scratch pages released underneath the sorter (they are no longer its to give back). */
  dropScratch(): void {
    this.held -= this.scratch.length;
    this.scratch = [];
  }
}
