import { InvalidArgumentError } from '../errors.js';
import { render } from '../util/render.js';
import type { OwnerState, PageOwners } from './page-owners.js';
import { MemorySegment, type SegmentReleaser } from './segment.js';

/**
 * Whether `segment` is a live page of `releaser`: false for a segment already
 * freed; throws ERR_INVALID_ARGUMENT for a non-segment or a live segment of
 * another releaser. The one check of every release path. @internal
 */
export function isLivePageOf(segment: unknown, releaser: SegmentReleaser): segment is MemorySegment {
  if (!(segment instanceof MemorySegment)) throw new InvalidArgumentError(`release: expected a MemorySegment, got ${render(segment)}`);
  if (segment.releaser === releaser) return true;
  if (segment.isFreed()) return false;
  throw new InvalidArgumentError('release: the segment was not allocated by this memory manager');
}

/**
 * The one pass `MemoryManager.release(array)` makes over the segments it was
 * handed: each is checked, marked freed and its page written to io, in the
 * same loop, and every mark is undone if any check fails (or anything throws,
 * a proxy's trap say). A check loop before the marking loop touched each of
 * 1000 segments twice, and 1000 segments are more than the first-level cache
 * holds (W7, about 3 ns of 27 per page, Node 24).
 *
 *   list:   [ s0   s1(freed)  s2   s3 ... ]    the caller's segments, copied
 *   io:     [ p0   p2   p3 ... ]               pages of the segments marked here
 *   marked: [ 0    2    3  ... ]               where each of them is in list
 *   runs:   [ state, pages, state, pages ... ] per run of one owner's segments
 *
 * The owners' counts change only in settle(), once the release cannot fail.
 * @internal
 */
export class ReleasePass {
  /** The list index of each segment this pass marked, in io order (at most one per page). */
  private readonly marked: Int32Array;
  /** Owner runs of the last mark(): state, pages, state, pages, ... */
  private readonly runs: (OwnerState | number)[] = [];

  constructor(
    private readonly releaser: SegmentReleaser,
    private readonly io: Int32Array,
    private readonly states: Map<unknown, OwnerState>,
    private readonly pagesBase: number,
    private readonly pageShift: number,
    pageCount: number,
  ) {
    this.marked = new Int32Array(pageCount);
  }

  /**
   * Marks every live segment of `list` freed, its page in io; returns how many.
   * Freed segments (a second release) are skipped. Throws ERR_INVALID_ARGUMENT for
   * a non-segment or a live segment of another releaser, with every mark undone.
   */
  mark(list: readonly unknown[]): number {
    const { releaser, io, marked, states, pagesBase, pageShift, runs } = this;
    runs.length = 0;
    let count = 0;
    // Arrays usually hold runs of one owner's pages: look the owner up once per run.
    let state: OwnerState | undefined;
    let owner: unknown;
    let pages = 0;
    try {
      for (let i = 0; i < list.length; i++) {
        const segment = list[i];
        if (!isLivePageOf(segment, releaser)) continue;
        io[count] = (segment.markFreed() - pagesBase) >>> pageShift;
        marked[count++] = i;
        if (state === undefined || segment.owner !== owner) {
          if (state !== undefined) runs.push(state, pages);
          owner = segment.owner;
          state = states.get(owner)!;
          pages = 0;
        }
        pages++;
      }
    } catch (err) {
      this.unmark(list, count);
      throw err;
    }
    if (state !== undefined) runs.push(state, pages);
    return count;
  }

  /** Undoes the first `count` marks of the last mark() (the release failed after it). */
  unmark(list: readonly unknown[], count: number): void {
    const { releaser, io, marked, pagesBase } = this;
    // A multiplication, not a shift: page << 15 leaves int32 range from page 65536 on.
    const pageSize = 2 ** this.pageShift;
    for (let j = 0; j < count; j++) {
      const segment = list[marked[j]!] as MemorySegment;
      segment.address = pagesBase + io[j]! * pageSize;
      segment.releaser = releaser;
    }
    this.runs.length = 0;
  }

  /** The `j`-th segment the last mark() marked. */
  markedSegment(list: readonly unknown[], j: number): MemorySegment {
    return list[this.marked[j]!] as MemorySegment;
  }

  /** Takes the marked pages off their owners' counts (the release succeeded). */
  settle(owners: PageOwners): void {
    const runs = this.runs;
    for (let k = 0; k < runs.length; k += 2) {
      const state = runs[k] as OwnerState;
      state.pages -= runs[k + 1] as number;
      owners.settle(state);
    }
    runs.length = 0;
  }
}
