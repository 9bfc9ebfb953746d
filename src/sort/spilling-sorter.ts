/**
 * The in-memory sorter of an external sort: an InMemorySorter with the batch
 * path for fixed-size records (assembly/batch.ts and its twin
 * src/kernels/js-batch.ts) and the writing of its sorted records as a run.
 *
 *   adding     writeSerializedBatch: a page-full of records per kernel call (sortIndexFixed)
 *   spilling   writeRun: a spill block per kernel call (sortGatherFixed), or record by record
 */
import type { RecordTypeSpec } from '../io/record-type.js';
import type { RecordSerializer } from '../io/serializer.js';
import { PLAN_MASKS, PLAN_OFFSETS, RADIX_MIN_ENTRIES, SORT_ENTRY_SHIFT, SORT_KEY_BYTES, SORT_SPARE } from '../kernels/sort-layout.js';
import type { RunWriter } from './run-writer.js';
import { InMemorySource } from './sorted-source.js';
import { InMemorySorter } from './sorter.js';

/** Records between two abort checks while a run is written record by record. */
const TICK = 4096;

/** An InMemorySorter that adds fixed-size records in batches and writes its sorted records as a spill run. @internal */
export class SpillingSorter<S extends RecordTypeSpec = RecordTypeSpec> extends InMemorySorter<S> {
  /** True when the batch methods (writeSerializedBatch, gatherSpill) serve this record type and key. @internal */
  get batchable(): boolean {
    return this.plan !== null;
  }

  /**
   * Adds serialized fixed-size records (`count` of them back to back in
   * `bytes` from `at`) as writeSerialized would, one bulk copy and one kernel
   * call for all, but only as many as fit the current index page and record
   * page: it takes no page, and returns how many it added (0 when the next
   * record needs a page: writeSerialized adds that one). Needs `batchable`. @internal
   */
  writeSerializedBatch(bytes: Uint8Array, at: number, count: number): number {
    this.checkUsable('write');
    const size = this.serializer.fixedSize;
    const out = this.out;
    const n = this.n;
    const ps = this.pageShift;
    const room = out.seg === null ? 0 : out.end - out.pos;
    const pointer = out.position;
    let m = Math.min(count, (this.indexPages.length << ps) - n, Math.floor(room / size), Math.floor((0xffffffff - pointer) / size) + 1);
    if (!(m > 0)) return 0;
    const page = this.indexPages[n >>> ps]!;
    if (page.isFreed() || this.ctlPage.isFreed() || out.seg!.isFreed()) throw this.freedError();
    const records = out.pos;
    out.writeBytes(bytes, at, m * size);
    this.putPlan();
    this.sortKernels.sortIndexFixed(this.ctl, records, m, size, page.address + ((n & ((1 << ps) - 1)) << this.entryShift), pointer);
    this.n = n + m;
    this.sorted = false;
    this.version++;
    return m;
  }

  /**
   * Gets the sorted index ready for gatherSpill: false when it cannot serve
   * (not batchable, not sorted, or more record pages than the control block
   * lists). The record pages' addresses go into the spare list, free after
   * the sort. @internal
   */
  prepareGather(): boolean {
    this.checkUsable('gather');
    const records = this.out.pageList;
    if (this.plan === null || !this.sorted || records.length > this.capacity || !this.pagesUsable()) return false;
    this.putControl(false);
    const table = this.mem.getUint32(this.ctl + SORT_SPARE, true);
    for (let i = 0; i < records.length; i++) this.mem.setUint32(table + 4 * i, records[i]!.address, true);
    return true;
  }

  /** Writes spill entries (spill-format.ts) of sorted positions `from` up to `to` at address `dst` on, as many as fit before `dstEnd`; returns how many. After prepareGather. @internal */
  gatherSpill(from: number, to: number, dst: number, dstEnd: number): number {
    const table = this.mem.getUint32(this.ctl + SORT_SPARE, true);
    return this.sortKernels.sortGatherFixed(this.ctl, from, to, table, Math.log2(this.pageSize), this.serializer.fixedSize, dst, dstEnd);
  }

  /** The key plan into the control block's counts area (the sort overwrites it). */
  private putPlan(): void {
    const { offsets, masks } = this.plan!;
    const view = this.mem;
    view.setUint32(this.ctl + SORT_KEY_BYTES, this.keyBytes, true);
    view.setUint32(this.ctl + SORT_ENTRY_SHIFT, this.entryShift, true);
    for (let j = 0; j < offsets.length; j++) {
      view.setUint16(this.ctl + PLAN_OFFSETS + 2 * j, offsets[j]!, true);
      view.setUint8(this.ctl + PLAN_MASKS + j, masks[j]!);
    }
  }

  /** Where the normalized key of index position `i` lies in the sorter's memory (`memory`), for a reader that copies entries out as they are; no bounds check. @internal */
  keyAddressAt(i: number): number {
    const ps = this.pageShift;
    return this.indexPages[i >>> ps]!.address + ((i & ((1 << ps) - 1)) << this.entryShift);
  }

  /** The bytes `keyAddressAt` addresses: the memory of the sorter's pages. @internal */
  get memory(): Uint8Array {
    return this.bytes;
  }

  /** False when one more record would leave no room for the radix sort's scratch pages (as many as the index has). */
  fitsOne(): boolean {
    const n = this.size;
    // Below RADIX_MIN_ENTRIES the sorter sorts in place anyway: no scratch to keep room for.
    return n < RADIX_MIN_ENTRIES || this.pagesHeld + Math.ceil(((n + 1) * this.entryBytes) / this.pageSize) < this.maxPages;
  }

  /**
   * How many records from the next one on keep fitsOne() true while no page
   * is taken: record n fits while n < RADIX_MIN_ENTRIES or
   * (n + 1) × entryBytes ≤ (maxPages - pagesHeld - 1) × pageSize.
   */
  fittingRecords(): number {
    const n = this.size;
    const byIndex = Math.floor(((this.maxPages - this.pagesHeld - 1) * this.pageSize) / this.entryBytes) - n;
    return Math.max(RADIX_MIN_ENTRIES - n, byIndex, 0);
  }

  /** Writes the sorted records as a run through `writer`: a block per kernel call where the batch path serves, else record by record; `checkStop` runs between blocks. */
  async writeRun(writer: RunWriter, checkStop: () => void): Promise<void> {
    if (this.prepareGather()) await this.gatherRun(writer, checkStop);
    else await this.copyRun(writer, checkStop);
  }

  /**
   * Writes a sorted run of fixed-size records a block at a time, one kernel
   * call per block, where copyRun makes a copy call per record; an entry
   * longer than a whole block goes the per-record way.
   */
  private async gatherRun(writer: RunWriter, checkStop: () => void): Promise<void> {
    const size = this.serializer.fixedSize;
    const step = (size < 0x80 ? 1 : size < 0x4000 ? 2 : size < 0x200000 ? 3 : size < 0x10000000 ? 4 : 5) + this.keyBytes + size;
    for (let i = 0, n = this.size; i < n; ) {
      const k = this.gatherSpill(i, n, writer.cursor, writer.limit);
      if (k > 0) {
        writer.took(k, k * step);
        i += k;
      } else if (writer.blockEmpty) {
        const wait = writer.appendFromView(this.bytes, this.keyAddressAt(i), this.viewAt(i), size);
        if (wait !== null) await wait;
        i++;
      } else await writer.nextBlock();
      checkStop();
    }
  }

  /** Writes a sorted run record by record. */
  private async copyRun(writer: RunWriter, checkStop: () => void): Promise<void> {
    const source = new InMemorySource(this, this.serializer as RecordSerializer);
    for (let i = 0, n = this.size; i < n; i++) {
      const length = source.length();
      const wait = writer.appendFromView(this.bytes, this.keyAddressAt(i), source.view(), length);
      if (wait !== null) {
        await wait;
        checkStop();
      }
      source.advance();
      if ((i & (TICK - 1)) === TICK - 1) checkStop();
    }
  }
}
