/**
 * Drives the merge kernel (assembly/merge.ts, twin src/kernels/js-merge.ts)
 * over a Merger's run readers: the readers' current entries and the loser
 * tree go into a state page, one kernel call merges until an output page is
 * full or a run must leave its block, and the state comes back into the
 * readers and the tree. Everything else stays with the readers and the
 * Merger: stepping into the next block (its read awaited, its checksum
 * verified), entries longer than a block, the end of a run and its checks.
 *
 * The per-record merge cost about 220 ns a record in JS (loser-tree replay
 * 148 ms and the output loop 578 ms of 2.58 million records, 256 MiB, Node 20).
 */
import { SegmentFreedError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import {
  MERGE_END,
  MERGE_ENTRIES,
  MERGE_FULL,
  MERGE_K,
  MERGE_KEY_BYTES,
  MERGE_RUN_BYTES,
  MERGE_SERVICE,
  MERGE_STATE_BYTES,
  MERGE_STOP,
  mergeStateBytes,
  RUN_DONE,
  RUN_KEY_AT,
  RUN_LEFT,
  RUN_LENGTH,
  RUN_PAYLOAD_END,
} from '../kernels/merge-layout.js';
import type { MemorySegment } from '../memory/segment.js';
import { Merger, type EntryOrder } from './merger.js';
import type { RunReader } from './run-reader.js';
import type { RunWriter } from './run-writer.js';
import type { SpillFile } from './spill-store.js';
import type { SpillResources } from './spill-resources.js';

/** Merges a Merger's readers in kernel calls. @internal */
export class MergeDrain {
  /** Entries the last call wrote. */
  written = 0;
  /** Address after the last byte the last call wrote. */
  end = 0;
  /** True when the last call stopped for want of room (the next record was not written). */
  full = false;
  /** After a call: a promise to await before the next one (a run steps into its next block), or null. */
  wait: Promise<void> | null = null;
  private readonly view: DataView;
  private readonly state: number;
  private readonly page: MemorySegment;

  constructor(
    private readonly merger: Merger,
    private readonly readers: readonly RunReader[],
    private readonly kernels: Kernels,
    page: MemorySegment,
    private readonly keyBytes: number,
  ) {
    this.page = page;
    this.view = page.view;
    this.state = page.address;
  }

  /**
   * Writes the merge's next records (spill entries when `entries`) at `dst`
   * up to `dstEnd` of the linear memory; false, with nothing done, when a
   * current entry lies in a scratch copy (the caller takes that record the
   * per-record way).
   */
  drain(dst: number, dstEnd: number, entries: boolean): boolean {
    // The merge's pages share one owner: freed underneath (releaseAll on it, or the runtime closed), none may be written.
    if (this.page.isFreed()) throw new SegmentFreedError('the pages of the merge were freed underneath it (releaseAll on their owner, or the runtime closed); it cannot go on');
    const readers = this.readers;
    const k = readers.length;
    for (let i = 0; i < k; i++) if (!readers[i]!.done && readers[i]!.inCopy) return false;
    const v = this.view;
    const s = this.state;
    const tree = this.merger.tree;
    v.setUint32(s + MERGE_K, k, true);
    v.setUint32(s + MERGE_KEY_BYTES, this.keyBytes, true);
    v.setUint32(s + MERGE_ENTRIES, entries ? 1 : 0, true);
    const runs = s + MERGE_STATE_BYTES + 4 * k;
    for (let i = 0; i < k; i++) {
      v.setUint32(s + MERGE_STATE_BYTES + 4 * i, tree[i]!, true);
      const r = readers[i]!;
      const at = runs + i * MERGE_RUN_BYTES;
      v.setUint32(at + RUN_DONE, r.done ? 1 : 0, true);
      if (r.done) continue;
      v.setUint32(at + RUN_KEY_AT, r.keyAt, true);
      v.setUint32(at + RUN_LENGTH, r.recordLength, true);
      v.setUint32(at + RUN_PAYLOAD_END, r.blockEnd, true);
      v.setUint32(at + RUN_LEFT, r.left, true);
    }
    this.written = this.kernels.mergeRuns(s, dst, dstEnd) >>> 0;
    for (let i = 0; i < k; i++) {
      tree[i] = v.getUint32(s + MERGE_STATE_BYTES + 4 * i, true);
      const r = readers[i]!;
      const at = runs + i * MERGE_RUN_BYTES;
      if (!r.done) r.stepTo(v.getUint32(at + RUN_KEY_AT, true), v.getUint32(at + RUN_LENGTH, true), v.getUint32(at + RUN_LEFT, true));
    }
    this.end = v.getUint32(s + MERGE_END, true);
    const stop = v.getUint32(s + MERGE_STOP, true);
    this.full = stop === MERGE_FULL;
    // The winner's entry was written; its run steps on (and the tree replays) the reader's way.
    this.wait = stop === MERGE_SERVICE ? this.merger.advance() : null;
    if (stop !== MERGE_SERVICE) this.merger.settleTop();
    return true;
  }
}

/** The readers of a merge, their Merger, and a MergeDrain when the kernel can serve. @internal */
export interface OpenMerge {
  readonly readers: RunReader[];
  readonly merger: Merger;
  readonly drain: MergeDrain | null;
  /** The drain's state page (given back with the readers), or null. */
  readonly statePages: MemorySegment[] | null;
}

/**
 * Opens a reader per file within `budget` pages and a merge over them; the
 * kernel serves when the prefix decides the order and a page is left for its
 * state beyond one per reader. `between` runs after each open.
 */
export async function openMerge(held: SpillResources, files: readonly SpillFile[], budget: number, order: EntryOrder, pageSize: number, between: () => void): Promise<OpenMerge> {
  const useKernel = order.decided && budget - 1 >= files.length && mergeStateBytes(files.length) <= pageSize;
  const statePages = useKernel ? held.take(1) : null;
  const readers = await held.openReaders(files, budget - (statePages === null ? 0 : 1), between);
  const merger = new Merger(readers, order);
  const kernels = statePages?.[0]!.region.kernels ?? null;
  const drain = statePages !== null && kernels !== null ? new MergeDrain(merger, readers, kernels, statePages[0]!, order.keyBytes) : null;
  return { readers, merger, drain, statePages };
}

/** Entries between two abort checks on the per-record path. */
const TICK = 4096;

/**
 * Writes every entry of `merger` through `writer` (a merge pass): a block per
 * kernel call where `drain` serves, an entry the kernel cannot take (or one
 * longer than a block) the per-record way; `checkStop` runs between calls.
 */
export async function mergeIntoRun(merger: Merger, drain: MergeDrain | null, writer: RunWriter, checkStop: () => void): Promise<void> {
  for (let count = 1; merger.current !== null; count++) {
    if (drain !== null && drain.drain(writer.cursor, writer.limit, true)) {
      writer.took(drain.written, drain.end - writer.cursor);
      if (drain.wait !== null) await drain.wait;
      checkStop();
      if (!drain.full) continue;
      // The next entry does not fit the rest of the block: the next block, or the per-record way for an entry longer than one.
      if (!writer.blockEmpty) {
        await writer.nextBlock();
        continue;
      }
    }
    const r = merger.current;
    const wait = writer.appendFromBytes(r.bytes, r.keyAt, r.bytes, r.recordAt, r.recordLength);
    if (wait !== null) await wait;
    const moved = merger.advance();
    if (moved !== null) await moved;
    if ((count & (TICK - 1)) === 0) checkStop();
  }
}
