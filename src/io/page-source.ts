/**
 * Where a paged output view gets its pages: a MemoryManager owner (pages
 * taken one at a time, under the manager's budget and an optional limit of
 * its own), or a fixed list of segments.
 */
import { InvalidArgumentError, MemoryAllocationError } from '../errors.js';
import type { MemoryManager } from '../memory/memory-manager.js';
import { MemorySegment } from '../memory/segment.js';
import { checkInteger } from '../util/checks.js';
import { render } from '../util/render.js';

/** Hands out pages of one size, one at a time. */
export interface PageSource {
  /** Bytes of every page this source hands out. */
  readonly pageSize: number;
  /** The next page; throws MemoryAllocationError (ERR_MEMORY_ALLOCATION) when there is none. */
  nextPage(): MemorySegment;
}

/** Pages taken from a MemoryManager for `owner`, at most `maxPages` of them (default: as many as the budget gives). */
export class ManagerPageSource implements PageSource {
  readonly pageSize: number;
  /** Pages this source has handed out. */
  taken = 0;
  /** Most pages this source hands out. */
  readonly maxPages: number;

  /** Throws ERR_INVALID_ARGUMENT for a missing manager or owner, or a maxPages that is not a whole number. */
  constructor(
    /** The manager the pages come from. */
    readonly memoryManager: MemoryManager,
    /** Whom the pages are allocated for. */
    readonly owner: unknown,
    maxPages: number = Number.MAX_SAFE_INTEGER,
  ) {
    if (memoryManager === null || typeof memoryManager !== 'object' || typeof memoryManager.allocatePages !== 'function') {
      throw new InvalidArgumentError(`expected a MemoryManager, got ${render(memoryManager)}`);
    }
    if (owner === null || owner === undefined) throw new InvalidArgumentError(`a page source needs an owner, got ${render(owner)}`);
    this.maxPages = checkInteger(maxPages, 'maxPages');
    this.pageSize = memoryManager.pageSize;
  }

  /** One page from the manager; throws ERR_MEMORY_ALLOCATION past maxPages or the manager's budget (ERR_SHUTDOWN once it is shut down). */
  nextPage(): MemorySegment {
    if (this.taken >= this.maxPages) {
      throw new MemoryAllocationError(`page source for ${render(this.owner)} already holds its limit of ${this.maxPages} pages (${this.pageSize} bytes each)`);
    }
    const [page] = this.memoryManager.allocatePages(this.owner, 1);
    this.taken++;
    return page!;
  }
}

/** The segments of a list, in order; all must have the size of the first. */
export class ListPageSource implements PageSource {
  readonly pageSize: number;
  private next = 0;
  private readonly pages: readonly MemorySegment[];

  /** Throws ERR_INVALID_ARGUMENT for an empty list, a non-segment or segments of different sizes. */
  constructor(pages: readonly MemorySegment[]) {
    if (!Array.isArray(pages) || pages.length === 0) throw new InvalidArgumentError(`expected a non-empty array of segments, got ${render(pages)}`);
    const copy = pages.slice();
    for (let i = 0; i < copy.length; i++) {
      const page = copy[i];
      if (!(page instanceof MemorySegment)) throw new InvalidArgumentError(`pages[${i}] is not a MemorySegment: ${render(page)}`);
      if (page.size !== copy[0]!.size) {
        throw new InvalidArgumentError(`pages[${i}] has ${page.size} bytes; every page must have the ${copy[0]!.size} bytes of pages[0]`);
      }
    }
    this.pages = copy;
    this.pageSize = copy[0]!.size;
  }

  /** The next segment of the list; throws ERR_MEMORY_ALLOCATION once all were handed out. */
  nextPage(): MemorySegment {
    if (this.next >= this.pages.length) throw new MemoryAllocationError(`all ${this.pages.length} pages of the list are in use (${this.pageSize} bytes each)`);
    return this.pages[this.next++]!;
  }
}
