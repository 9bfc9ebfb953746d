/**
 * An in-memory sorter in the manner of Flink's NormalizedKeySorter: records
 * serialized into record pages, and an index of fixed-size entries
 * (normalized-key prefix + record pointer) in index pages, every page taken
 * from a MemoryManager under the sorter's owner and within its page limit.
 * `sort()` reorders only the index, in linear memory, through the sort
 * kernels (assembly/sort.ts, or their TypeScript twin in the pure-JS build);
 * records never become objects until they are read back.
 *
 *   control page   counts, the two page lists (layout in assembly/sort.ts)
 *   index pages    [ key prefix | 0… | ptr ][ key prefix | 0… | ptr ] …   E = 8, 16 or 32 bytes
 *   record pages   record 0 | record 1 | rec… ord 2 | …                   records span pages
 *
 * The algorithm, chosen by measurement (`node bench/sort.mjs --kernels`,
 * figures beside RADIX_MIN_ENTRIES in src/kernels/sort-layout.ts): radix sort
 * over the prefix bytes with scratch pages as many as the index has, taken
 * for the sort and given back after it; at 1e6 int32 keys plain LSD radix
 * sort took 21-33 ns per entry against introsort's 206-249 in the wasm build
 * (wall clock, two runs on a loaded machine), because it makes 8 sequential
 * passes where introsort makes ~40 paged compares and swaps per entry. The
 * radix sort is MSD first, LSD in cache (src/sort/radix-plan.ts): a counting
 * pass on the leading undecided byte splits any range larger than 256 KiB,
 * and LSD passes finish each smaller range while it sits in cache, skipping
 * bytes equal in the whole range. A software write-combining scatter (64-byte
 * bucket buffers) was tried and measured slower (27-43 against 20-25 ns CPU
 * per entry), so the scatter writes entries straight to their place.
 * Introsort in place sorts indexes below RADIX_MIN_ENTRIES and any index when
 * the scratch pages cannot be had (page limit or budget). Radix sort is
 * stable by nature (counting passes, and insertion sort for ranges of 16
 * entries or fewer); introsort is made stable by the `stable` option, which
 * lets the record pointer (insertion order) break ties. Entries whose
 * prefixes tie, when the prefix does not decide the key (strings, cut
 * fields), are ordered by their full keys, read field by field from the
 * records.
 *
 * sort() runs the steps straight through; sortAsync() runs the same steps
 * and waits for the event loop's next turn between slices of bounded work
 * (radix-plan.ts, in-place-plan.ts; a run of tied prefixes is one slice).
 */
import { IllegalStateError, MemoryAllocationError, SegmentFreedError, SegmentOutOfBoundsError } from '../errors.js';
import { DataInputView } from '../io/input-view.js';
import { DataOutputView } from '../io/output-view.js';
import type { PageSource } from '../io/page-source.js';
import type { RecordOf, RecordTypeSpec } from '../io/record-type.js';
import { RecordSerializer } from '../io/serializer.js';
import type { Kernels } from '../kernels/kernels.js';
import {
  RADIX_MIN_ENTRIES,
  SORT_CAPACITY,
  SORT_COUNTS,
  SORT_ENTRY_SHIFT,
  SORT_FLAGS,
  SORT_KEY_BYTES,
  SORT_LIST,
  SORT_LISTS,
  SORT_N,
  SORT_PAGE_SHIFT,
  SORT_SPARE,
  sortListCapacity,
} from '../kernels/sort-layout.js';
import { MemoryManager } from '../memory/memory-manager.js';
import type { MemorySegment } from '../memory/segment.js';
import { checkInstance, checkInteger, checkOptionsObject } from '../util/checks.js';
import { nextTurn } from '../util/next-turn.js';
import { render } from '../util/render.js';
import { MAX_KEY_BYTES, NormalizedKeys } from './normalized-key.js';
import { inPlacePlan } from './in-place-plan.js';
import { radixPlan } from './radix-plan.js';
import { checkAbort, checkSortOptions, type CheckedSortOptions, type SorterOptions, type SortOptions, type SortProgress } from './sort-options.js';
import { SorterPages } from './sorter-pages.js';
import { breakTies, type TiedIndex } from './tie-break.js';

export type { SorterOptions, SortOptions, SortProgress } from './sort-options.js';

/** Sorts records of one type on their binary form, in pages of one MemoryManager. */
export class InMemorySorter<S extends RecordTypeSpec = RecordTypeSpec> {
  /** Writes and reads the records (its `readField` reads one field from a view the sorter gives). */
  readonly serializer: RecordSerializer<S>;
  /** The normalized keys of the sort key. */
  readonly keys: NormalizedKeys;
  /** Most pages the sorter holds at once. */
  readonly maxPages: number;
  /** Bytes per page. */
  readonly pageSize: number;
  /** Bytes of an index entry. */
  readonly entryBytes: number;
  private readonly mm: MemoryManager;
  private readonly owner: unknown;
  /** @internal */
  protected readonly sortKernels: Kernels;
  /** @internal */
  protected readonly ctlPage: MemorySegment;
  /** @internal */
  protected readonly ctl: number;
  /** @internal */
  protected readonly bytes: Uint8Array;
  /** @internal */
  protected readonly mem: DataView;
  /** @internal */
  protected readonly entryShift: number;
  /** @internal */
  protected readonly pageShift: number;
  /** @internal */
  protected readonly keyBytes: number;
  /** @internal */
  protected readonly capacity: number;
  /** @internal */
  protected readonly out: DataOutputView;
  /** @internal */
  protected indexPages: MemorySegment[] = [];
  /** @internal */
  protected n = 0;
  /** The pages held against the limit, scratch pages among them. */
  private readonly pages: SorterPages;
  /** @internal */
  protected sorted = false;
  private busy = false;
  private closed = false;
  /** Changes with every write, so a reader knows its view of the records is stale. @internal */
  protected version = 0;
  private input: DataInputView | null = null;
  private inputVersion = -1;
  /** The key as record bytes for the batch kernels (NormalizedKeys.bytePlan); null when records go one by one. @internal */
  protected readonly plan: ReturnType<NormalizedKeys['bytePlan']>;

  /** Takes the control page at once; ERR_INVALID_ARGUMENT for bad options, ERR_MEMORY_ALLOCATION when not even that page can be had. */
  constructor(memoryManager: MemoryManager, options: SorterOptions<S>) {
    checkInstance(memoryManager, MemoryManager, 'MemoryManager', 'InMemorySorter');
    options = checkOptionsObject(options, 'InMemorySorter: options');
    this.mm = memoryManager;
    this.serializer = new RecordSerializer(options.type);
    this.keys = new NormalizedKeys(this.serializer as RecordSerializer, options.key, options.keyPrefixBytes ?? MAX_KEY_BYTES);
    this.maxPages = checkInteger(options.pages, 'pages', 3);
    this.owner = options.owner ?? this;
    this.pages = new SorterPages(memoryManager, this.owner, this.maxPages);
    this.pageSize = memoryManager.pageSize;
    this.keyBytes = this.keys.keyBytes;
    this.entryShift = this.keyBytes <= 4 ? 3 : this.keyBytes <= 12 ? 4 : 5;
    this.entryBytes = 1 << this.entryShift;
    this.pageShift = Math.log2(this.pageSize) - this.entryShift;
    this.capacity = sortListCapacity(this.pageSize);
    this.plan = this.keys.bytePlan();
    const [ctlPage] = memoryManager.allocatePages(this.owner, 1);
    this.ctlPage = ctlPage!;
    this.sortKernels = ctlPage!.region.kernels!;
    this.ctl = ctlPage!.address;
    this.bytes = ctlPage!.bytes;
    this.mem = ctlPage!.view;
    // Record pages come through the sorter's own limit.
    const source: PageSource = { pageSize: this.pageSize, nextPage: () => this.pages.take(1)[0]! };
    this.out = new DataOutputView(source);
  }

  /** Records written. */
  get size(): number {
    return this.n;
  }

  /** Pages held now (control, records, index). */
  get pagesHeld(): number {
    return this.pages.held;
  }

  /** True after sort() until the next write. */
  get isSorted(): boolean {
    return this.sorted;
  }

  /**
   * Adds a record; false (nothing written) when its bytes or its index entry
   * would need a page beyond the limit or the budget, or the index already
   * has the (pageSize - 1056) / 8 pages the control page can list. ERR_INVALID_ARGUMENT /
   * ERR_VALUE_OUT_OF_RANGE for a record not matching the type,
   * ERR_ILLEGAL_STATE after close(), during sort() or from a getter of the
   * record itself, ERR_SEGMENT_FREED when the sorter's pages were released
   * underneath it.
   */
  write(record: RecordOf<S>): boolean {
    this.checkUsable('write');
    // Busy while the record's fields are read: a getter that calls back into the sorter is refused.
    this.busy = true;
    try {
      return this.writeRecord(record);
    } finally {
      this.busy = false;
    }
  }

  private writeRecord(record: RecordOf<S>): boolean {
    const ser = this.serializer;
    ser.check(record);
    return this.append(ser.values, null, 0, 0);
  }

  /** Adds the record whose values `serializer.check()` has just taken (for a caller that checks records itself); false as write() says. @internal */
  writeChecked(): boolean {
    this.checkUsable('write');
    return this.append(this.serializer.values, null, 0, 0);
  }

  /**
   * Adds a record given in serialized form: `length` bytes of `bytes` at
   * `at`, copied as they are, whose key fields' values are in `values` (by
   * field index); false as write() says. For a reader of serialized records
   * that has them in hand, so that no record becomes an object. @internal
   */
  writeSerialized(values: readonly unknown[], bytes: Uint8Array, at: number, length: number): boolean {
    this.checkUsable('write');
    return this.append(values, bytes, at, length);
  }

  /** The index entry from `values`, then the record: checked values (src null) or serialized bytes; nothing stays of a record refused. */
  private append(values: readonly unknown[], src: Uint8Array | null, srcAt: number, length: number): boolean {
    const n = this.n;
    const ps = this.pageShift;
    if (n === this.indexPages.length << ps) {
      if (this.indexPages.length >= this.capacity || !this.pages.tryTake(this.indexPages)) return false;
    }
    const pointer = this.out.position;
    if (pointer > 0xffffffff) return false;
    // The key first, from the checked values.
    const page = this.indexPages[n >>> ps]!;
    // A page released underneath the sorter (releaseAll on its owner) may be someone else's now.
    if (page.isFreed() || this.ctlPage.isFreed()) throw this.freedError();
    const at = page.address + ((n & ((1 << ps) - 1)) << this.entryShift);
    const bytes = this.bytes;
    this.keys.put(values, bytes, this.mem, at);
    try {
      if (src === null) this.serializer.writeChecked(this.out);
      else this.out.writeBytes(src, srcAt, length);
    } catch (err) {
      if (err instanceof MemoryAllocationError) return false;
      throw err;
    }
    const end = at + this.entryBytes - 4;
    for (let i = at + this.keyBytes; i < end; i++) bytes[i] = 0;
    this.mem.setUint32(end, pointer, true);
    this.n = n + 1;
    this.sorted = false;
    this.version++;
    return true;
  }

  /**
   * Sorts the index by key, in one go. ERR_ABORTED (OperationAbortedError,
   * `cause`: the signal's reason) when the signal is aborted before or during
   * the sort; an error thrown by onProgress ends the sort the same way. Either
   * way every record stays, unsorted, and scratch pages go back.
   * ERR_ILLEGAL_STATE after close() or from inside a progress callback;
   * ERR_SEGMENT_FREED when its pages were released underneath it.
   */
  sort(options: SortOptions = {}): void {
    const { stable, signal, onProgress } = this.beginSort(options);
    try {
      for (const progress of this.sortSteps(stable)) {
        onProgress?.(progress);
        checkAbort(signal, 'during the sort');
      }
      this.finishSort(onProgress);
    } finally {
      this.endSort();
    }
  }

  /**
   * Sorts the index by key like sort(), but yields to the event loop between
   * slices of bounded work (see SortOptions.onProgress), so timers, I/O and an
   * abort get their turn during a long sort. Rejects with ERR_ABORTED when the
   * signal is aborted before or during the sort, and with whatever onProgress
   * throws; either way every record stays, unsorted. Until it settles every
   * other call on the sorter (write, sort, close, reads) is refused with
   * ERR_ILLEGAL_STATE. ERR_SEGMENT_FREED when its pages are released
   * underneath it, before or during the sort.
   */
  async sortAsync(options: SortOptions = {}): Promise<void> {
    const { stable, signal, onProgress } = this.beginSort(options);
    try {
      for (const progress of this.sortSteps(stable)) {
        onProgress?.(progress);
        checkAbort(signal, 'during the sort');
        await nextTurn();
        // Anything may have run meanwhile: the pages must still be the sorter's.
        if (!this.pagesUsable()) throw this.freedError();
        checkAbort(signal, 'during the sort');
      }
      this.finishSort(onProgress);
    } finally {
      this.endSort();
    }
  }

  /** Checks the options and the state, fills the control block and marks the sorter busy. */
  private beginSort(options: SortOptions): CheckedSortOptions {
    this.checkUsable('sort');
    const checked = checkSortOptions(options);
    checkAbort(checked.signal, 'before it started');
    if (!this.pagesUsable()) throw this.freedError();
    this.putControl(checked.stable);
    this.busy = true;
    return checked;
  }

  /** Fills the control block: counts, shifts, and the index pages in the first list. @internal */
  protected putControl(stable: boolean): void {
    const ctl = this.ctl;
    const listA = ctl + SORT_LISTS;
    const view = this.mem;
    view.setUint32(ctl + SORT_N, this.n, true);
    view.setUint32(ctl + SORT_ENTRY_SHIFT, this.entryShift, true);
    view.setUint32(ctl + SORT_PAGE_SHIFT, this.pageShift, true);
    view.setUint32(ctl + SORT_KEY_BYTES, this.keyBytes, true);
    view.setUint32(ctl + SORT_FLAGS, stable ? 1 : 0, true);
    view.setUint32(ctl + SORT_CAPACITY, this.capacity, true);
    view.setUint32(ctl + SORT_LIST, listA, true);
    view.setUint32(ctl + SORT_SPARE, listA + 4 * this.capacity, true);
    const index = this.indexPages;
    for (let i = 0; i < index.length; i++) view.setUint32(listA + 4 * i, index[i]!.address, true);
  }

  /**
   * The sort in slices, each ending in a progress report: radix sort with
   * scratch pages (src/sort/radix-plan.ts) or introsort in place, then the
   * tie-break. The index holds every entry in the list whenever it is
   * suspended, and when it is stopped early.
   */
  private *sortSteps(stable: boolean): Generator<SortProgress, void, undefined> {
    const n = this.n;
    const ctl = this.ctl;
    if (n >= RADIX_MIN_ENTRIES && this.pages.takeScratch(this.indexPages.length)) {
      const spare = this.mem.getUint32(ctl + SORT_SPARE, true);
      const scratch = this.pages.scratch;
      for (let i = 0; i < scratch.length; i++) this.mem.setUint32(spare + 4 * i, scratch[i]!.address, true);
      const counts = new Uint32Array(this.bytes.buffer, ctl + SORT_COUNTS, 256);
      const plan = radixPlan({ kernels: this.sortKernels, ctl, counts, n, keyBytes: this.keyBytes, entryShift: this.entryShift, usable: () => this.pagesUsable() });
      for (const placed of plan) yield { phase: 'radix', completed: placed, total: n };
      yield { phase: 'radix', completed: n, total: n };
      this.pages.releaseScratch();
    } else {
      for (const placed of inPlacePlan(this.sortKernels, ctl, n)) yield { phase: 'in-place', completed: placed, total: n };
      yield { phase: 'in-place', completed: n, total: n };
    }
    if (this.keys.fullyDetermined) return;
    const ties: TiedIndex = {
      kernels: this.sortKernels,
      ctl,
      n,
      input: this.records(),
      keys: this.keys,
      serializer: this.serializer as RecordSerializer,
      pointerAt: (i) => this.pointerAt(i),
      setPointerAt: (i, pointer) => this.setPointerAt(i, pointer),
    };
    yield* breakTies(ties, stable);
  }

  /** Marks the index sorted and tells onProgress; an abort from that last report changes nothing. */
  private finishSort(onProgress: ((p: SortProgress) => void) | undefined): void {
    this.sorted = true;
    onProgress?.({ phase: 'done', completed: 1, total: 1 });
  }

  /** Gives the scratch pages back (or forgets them, when they were released underneath) and ends the busy state. */
  private endSort(): void {
    if (this.pagesUsable()) this.pages.releaseScratch();
    else this.pages.dropScratch();
    this.busy = false;
  }

  /** The record at position `i` of the index (sorted order after sort()); ERR_SEGMENT_OUT_OF_BOUNDS outside 0 to size - 1. */
  recordAt(i: number): RecordOf<S> {
    return this.serializer.read(this.viewAt(i));
  }

  /** A view positioned at the record at index position `i`, shared by every call (it moves on the next one); ERR_SEGMENT_OUT_OF_BOUNDS outside 0 to size - 1. */
  viewAt(i: number): DataInputView {
    this.checkUsable('viewAt');
    if (!(typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < this.n)) {
      throw new SegmentOutOfBoundsError(`index ${render(i)} is not from 0 to ${this.n - 1} (the sorter holds ${this.n} records)`);
    }
    const input = this.records();
    input.seek(this.pointerAt(i));
    return input;
  }

  /** Yields every record, as an object, in index order. */
  *[Symbol.iterator](): Generator<RecordOf<S>, void, undefined> {
    for (const view of this.views()) yield this.serializer.read(view);
  }

  /** Yields one shared view positioned at each record in index order; ERR_ILLEGAL_STATE once the sorter is closed or written to. */
  *views(): Generator<DataInputView, void, undefined> {
    this.checkUsable('views');
    const version = this.version;
    const n = this.n;
    for (let i = 0; i < n; i++) {
      if (this.closed || this.version !== version) throw new IllegalStateError('the sorter was closed or written to while it was being iterated');
      const input = this.records();
      input.seek(this.pointerAt(i));
      yield input;
    }
  }

  /** Gives every page back. Idempotent; ERR_ILLEGAL_STATE from inside a progress callback. */
  close(): void {
    if (this.closed) return;
    if (this.busy) throw new IllegalStateError('close: the sorter is sorting; close it after sort() returns');
    this.closed = true;
    const pages = [this.ctlPage, ...this.indexPages, ...this.pages.scratch, ...this.out.pageList];
    this.indexPages = [];
    this.pages.scratch = [];
    this.input = null;
    this.pages.held = 0;
    if (!this.mm.isShutdown()) this.mm.release(pages);
  }

  /** Closes the sorter at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  // ---------------------------------------------------------------- internals

  /** The record pointer of index entry `i`. */
  private pointerAt(i: number): number {
    const ps = this.pageShift;
    const page = this.indexPages[i >>> ps]!;
    return this.mem.getUint32(page.address + ((i & ((1 << ps) - 1)) << this.entryShift) + this.entryBytes - 4, true);
  }

  /** A view of every record written, remade after writes. */
  private records(): DataInputView {
    if (this.input === null || this.inputVersion !== this.version) {
      this.input = this.out.toInputView();
      this.inputVersion = this.version;
    }
    return this.input;
  }

  /** Sets the record pointer of index entry `i` (the tie-break reorders pointers only). */
  private setPointerAt(i: number, pointer: number): void {
    const ps = this.pageShift;
    const page = this.indexPages[i >>> ps]!;
    this.mem.setUint32(page.address + ((i & ((1 << ps) - 1)) << this.entryShift) + this.entryBytes - 4, pointer, true);
  }

  /** False when any page of the sorter was freed underneath it. @internal */
  protected pagesUsable(): boolean {
    const freed = (p: MemorySegment) => p.isFreed();
    return !(this.ctlPage.isFreed() || this.indexPages.some(freed) || this.pages.scratch.some(freed) || this.out.pageList.some(freed));
  }

  /** @internal */
  protected freedError(): SegmentFreedError {
    return new SegmentFreedError("a page of the sorter was freed underneath it (releaseAll on its owner?); it cannot go on");
  }

  /** @internal */
  protected checkUsable(operation: string): void {
    if (this.closed) throw new IllegalStateError(`${operation}: the sorter is closed`);
    if (this.busy) throw new IllegalStateError(`${operation}: the sorter is sorting (called from a progress callback?)`);
  }
}
