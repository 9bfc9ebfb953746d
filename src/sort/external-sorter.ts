/**
 * An external sort in the manner of Flink's spilling sorter: records go into
 * an in-memory sorter over a budget of pages; when its pages are full it is
 * sorted and written as a run to a spill file, and filling goes on with the
 * pages given back. At the end the runs are merged k-way (merger.ts), in
 * several passes when there are more than the fan-in, each run read through
 * a few pages of its own. Memory stays within the budget however many
 * records come, and the JS heap holds only the record being handled.
 *
 *   budget of P pages
 *   ├─ filling:   in-memory sorter, P − W pages    │ spilling: + W writer pages
 *   └─ merging:   fan-in readers × R pages each    │ + W writer pages (passes before the last)
 *
 * Runs are sorted and written one after the other: sorting the next run
 * while the previous one is written would halve the runs for a gain of at
 * most the time spent waiting for writes, measured at 243-248 ms of a
 * 5.7-5.8 s sort of 256 MiB in 64 MiB (5 runs; Node 20, loaded machine),
 * since the writer's page ring already overlaps copying and writing.
 *
 * Every page, file and handle goes back on completion, on error, on close()
 * and on abort: an operation that fails leaves the sorter closed and nothing
 * held, except a record refused by add() or addAll() (it does not match the
 * type, or a getter of it threw): nothing of it is written, the error is
 * thrown as it is, and the sorter stays as it was. Operations run one at a time; a second call while one runs (from a
 * progress callback, or not awaited) is ERR_ILLEGAL_STATE.
 */
import { IllegalStateError, InvalidArgumentError, MemoryAllocationError, OperationAbortedError } from '../errors.js';
import type { RecordOf, RecordTypeSpec } from '../io/record-type.js';
import type { RecordSerializer } from '../io/serializer.js';
import { MemoryManager } from '../memory/memory-manager.js';
import { render } from '../util/render.js';
import { toByteSink, type ByteSink, type SortOutput } from './byte-sink.js';
import { EntryOrder } from './merger.js';
import { mergeIntoRun, openMerge, type OpenMerge } from './merge-drain.js';
import { MAX_KEY_BYTES, type KeySpec } from './normalized-key.js';
import { readKeyValues, scanFixedRecords, scanRecords } from './record-decoder.js';
import type { RunWriter } from './run-writer.js';
import { OperationGuard, RecordRefused } from './operation-guard.js';
import { OutputStage, writeStaged } from './output-stage.js';
import { InMemorySource, MergedSource, type SortedSource } from './sorted-source.js';
import { SpillingSorter } from './spilling-sorter.js';
import { fingerprintOf } from './spill-format.js';
import { SpillResources } from './spill-resources.js';
import { checkExternalSorterOptions, type ExternalSorterOptions, type ExternalSortProgress } from './external-sorter-options.js';
import type { SpillFile, SpillStore } from './spill-store.js';
import { checkInstance, checkOptionsObject } from '../util/checks.js';

export type { ExternalSorterOptions, ExternalSortProgress } from './external-sorter-options.js';

/** Records between two abort checks in a loop. */
const TICK = 4096;

/** Sorts any number of records within a budget of pages, spilling sorted runs to a SpillStore and merging them. */
export class ExternalSorter<S extends RecordTypeSpec = RecordTypeSpec> implements AsyncIterable<RecordOf<S>> {
  /** Writes and reads the records. */
  readonly serializer: RecordSerializer<S>;
  /** The spill store. */
  readonly store: SpillStore;
  /** Most runs merged at once. */
  readonly fanIn: number;
  private readonly mm: MemoryManager;
  private readonly owner: unknown;
  private readonly pages: number;
  private readonly ioPages: number;
  private readonly stable: boolean;
  private readonly keyPrefixBytes: number;
  private readonly signal: AbortSignal | undefined;
  private readonly onProgress: ((p: ExternalSortProgress) => void) | undefined;
  private readonly type: S;
  private readonly key: KeySpec;
  private readonly fingerprint: number;
  private readonly order: EntryOrder;
  private sorter: SpillingSorter<S> | null;
  private runs: SpillFile[] = [];
  private readonly held: SpillResources;
  private readonly keyBytes: number;
  private readonly stats = { recordsRead: 0, runsSpilled: 0, mergePasses: 0, bytesWritten: 0, bytesRead: 0 };
  private state: 'adding' | 'output' | 'closed' = 'adding';
  /** Runs the operations one at a time, closing the sorter when one fails. */
  private readonly guard = new OperationGuard({
    state: () => this.state,
    checkStop: () => this.checkStop(),
    fail: async () => {
      this.state = 'closed';
      await this.cleanup().catch(() => {});
    },
  });
  private cleaning: Promise<void> | null = null;
  private source: SortedSource | null = null;

  /** ERR_INVALID_ARGUMENT for bad options, ERR_SPILL_STORE when no store is given and the engine has no OPFS, ERR_MEMORY_ALLOCATION when the first pages cannot be had. */
  constructor(memoryManager: MemoryManager, options: ExternalSorterOptions<S>) {
    checkInstance(memoryManager, MemoryManager, 'MemoryManager', 'ExternalSorter');
    options = checkOptionsObject(options, 'ExternalSorter: options');
    this.mm = memoryManager;
    const { pages, ioPages, fanIn, stable, signal, onProgress, store } = checkExternalSorterOptions(options);
    this.pages = pages;
    this.ioPages = ioPages;
    this.fanIn = fanIn;
    this.stable = stable;
    this.signal = signal;
    this.onProgress = onProgress;
    this.store = store;
    this.owner = options.owner ?? this;
    this.type = options.type;
    this.key = options.key;
    this.keyPrefixBytes = options.keyPrefixBytes ?? MAX_KEY_BYTES;
    this.sorter = this.newSorter();
    this.serializer = this.sorter.serializer;
    this.keyBytes = this.sorter.keys.keyBytes;
    this.fingerprint = fingerprintOf(this.sorter.keys, this.serializer.fields);
    this.order = new EntryOrder(this.sorter.keys, this.serializer as RecordSerializer);
    this.held = new SpillResources(memoryManager, this.owner, store, this.keyBytes, this.fingerprint, this.stats);
  }

  /** Records added. */
  get size(): number {
    return this.stats.recordsRead;
  }

  /** Adds one record, spilling a run first when the pages are full; ERR_INVALID_ARGUMENT / ERR_VALUE_OUT_OF_RANGE for a record not matching the type, ERR_MEMORY_ALLOCATION for a record larger than the budget. */
  add(record: RecordOf<S>): Promise<void> {
    return this.guard.run('add', () => this.addOne(record), true);
  }

  /** Adds every record of a (sync or async) iterable, spilling runs as the pages fill; errors as add(). */
  addAll(records: Iterable<RecordOf<S>> | AsyncIterable<RecordOf<S>>): Promise<void> {
    const isAsync = records !== null && typeof records === 'object' && Symbol.asyncIterator in records;
    if (!isAsync && (records === null || typeof records !== 'object' || typeof (records as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
      return Promise.reject(new InvalidArgumentError(`addAll needs an iterable of records, got ${render(records)}`));
    }
    return this.guard.run('addAll', async () => {
      if (isAsync) {
        for await (const r of records) {
          this.checkStop();
          await this.addOne(r);
        }
        return;
      }
      let tick = 0;
      for (const r of records as Iterable<RecordOf<S>>) {
        if (this.tryWrite(r)) this.stats.recordsRead++;
        else await this.addOne(r);
        if (++tick === TICK) {
          tick = 0;
          this.checkStop();
        }
      }
    });
  }

  /** Adds records in their serialized form (what writeTo writes: each record as RecordSerializer writes it, back to back), from chunks cut anywhere; ERR_EOF when the input ends inside a record. */
  addSerialized(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    if (chunks === null || typeof chunks !== 'object' || !(Symbol.asyncIterator in chunks || Symbol.iterator in chunks)) {
      return Promise.reject(new InvalidArgumentError(`addSerialized needs an iterable of Uint8Array chunks, got ${render(chunks)}`));
    }
    return this.guard.run('addSerialized', async () => {
      if (this.sorter!.batchable) {
        await scanFixedRecords(this.serializer.fixedSize, chunks, (bytes, at, count) => this.addFixed(bytes, at, count));
        return;
      }
      let tick = 0;
      const keyFields = this.order.keyFields;
      await scanRecords(this.serializer as RecordSerializer, keyFields, chunks, (bytes, at, length, values) => {
        if (++tick === TICK) {
          tick = 0;
          this.checkStop();
        }
        if (this.sorter!.fitsOne() && this.sorter!.writeSerialized(values, bytes, at, length)) {
          this.stats.recordsRead++;
          return null;
        }
        return this.addSerializedOne(values, bytes, at, length);
      });
    }, true);
  }

  /** Yields every record in key order, then gives everything back; once only (ERR_ILLEGAL_STATE after). Breaking out of the loop closes the sorter. */
  [Symbol.asyncIterator](): AsyncIterator<RecordOf<S>> {
    let started = false;
    let finished = false;
    const end = async (): Promise<IteratorResult<RecordOf<S>>> => {
      finished = true;
      await this.close();
      return { done: true, value: undefined };
    };
    return {
      next: () => {
        if (finished) return Promise.resolve({ done: true, value: undefined });
        const first = !started;
        return this.guard.run('next', async () => {
          if (first) {
            started = true;
            await this.startOutput();
          } else {
            const moved = this.source!.advance();
            if (moved !== null) await moved;
          }
          if (!this.source!.valid) return this.finishOutput().then(() => ({ done: true as const, value: undefined }));
          return { done: false as const, value: this.serializer.read(this.source!.view()) };
        }, first).catch(async (err: unknown) => {
          finished = true;
          throw err;
        });
      },
      return: end,
    };
  }

  /** Writes every record in key order, serialized and back to back, to a WritableStream, a Node Writable (a file's write stream) or an object with write(chunk); ends the target unless `end` is false. Resolves to the records written. */
  writeTo(target: SortOutput, options: { readonly end?: boolean } = {}): Promise<number> {
    let sink: ByteSink;
    const end = options?.end ?? true;
    try {
      if (typeof end !== 'boolean') throw new InvalidArgumentError(`end must be true or false, got ${render(end)}`);
      sink = toByteSink(target);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.guard.run('writeTo', async () => {
      try {
        await this.startOutput();
        const source = this.source!;
        const stage = new OutputStage(this.held.take(this.ioPages));
        const count = await writeStaged(source, stage, sink, () => this.checkStop());
        await sink.close(end);
        await this.finishOutput();
        return count;
      } catch (err) {
        await sink.abort(err);
        throw err;
      }
    }, true);
  }

  /** Gives every page back, deletes every spill file and closes every handle; waits for an operation in progress to stop (it rejects with ERR_ABORTED). Idempotent. */
  async close(): Promise<void> {
    if (this.state !== 'closed') this.state = 'closed';
    const running = this.guard.running;
    if (running !== null) await running.catch(() => {});
    await this.cleanup();
  }

  /** Closes the sorter at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---------------------------------------------------------------- steps

  /**
   * Writes into the in-memory sorter; false when it is full, or so full that
   * its radix sort would find no scratch pages (as many as its index has) and
   * fall back to sorting in place: for 2,580,000 int keys in runs of 64 MiB,
   * introsort took 454 ms of a 3.4 s external sort (Node 20, loaded machine).
   */
  private tryWrite(record: RecordOf<S>): boolean {
    if (!this.sorter!.fitsOne()) return false;
    const sorter = this.sorter!;
    try {
      sorter.serializer.check(record);
    } catch (error) {
      // Refused before anything is written: the sorter stays usable (its OperationGuard unwraps this).
      throw new RecordRefused(error);
    }
    return sorter.writeChecked();
  }

  /** Adds `count` serialized fixed-size records at `at` of `bytes`: page-fulls through the batch kernel, the record that takes a page (or spills) the per-record way. */
  private addFixed(bytes: Uint8Array, at: number, count: number): Promise<void> | null {
    const size = this.serializer.fixedSize;
    while (count > 0) {
      const fitting = Math.min(count, this.sorter!.fittingRecords());
      const k = fitting > 0 ? this.sorter!.writeSerializedBatch(bytes, at, fitting) : 0;
      if (k > 0) {
        this.stats.recordsRead += k;
        at += k * size;
        count -= k;
        this.checkStop();
        continue;
      }
      const values = readKeyValues(this.serializer as RecordSerializer, this.order.keyFields, bytes, at);
      if (this.sorter!.fitsOne() && this.sorter!.writeSerialized(values, bytes, at, size)) this.stats.recordsRead++;
      else return this.addSerializedOne(values, bytes, at, size).then(() => this.addFixed(bytes, at + size, count - 1) ?? undefined);
      at += size;
      count--;
    }
    return null;
  }

  private async addOne(record: RecordOf<S>): Promise<void> {
    if (this.tryWrite(record)) {
      this.stats.recordsRead++;
      return;
    }
    if (this.sorter!.size === 0) throw this.tooLarge();
    await this.spill();
    this.sorter = this.newSorter();
    if (!this.tryWrite(record)) throw this.tooLarge();
    this.stats.recordsRead++;
  }

  private async addSerializedOne(values: readonly unknown[], bytes: Uint8Array, at: number, length: number): Promise<void> {
    if (this.sorter!.size === 0) throw this.tooLarge();
    await this.spill();
    this.sorter = this.newSorter();
    if (!this.sorter.writeSerialized(values, bytes, at, length)) throw this.tooLarge();
    this.stats.recordsRead++;
  }

  /** Sorts the in-memory sorter and writes it as a run; the sorter is closed after. */
  private async spill(): Promise<void> {
    const sorter = this.sorter!;
    sorter.sort({ stable: this.stable, ...(this.signal ? { signal: this.signal } : {}) });
    const writer = await this.held.newWriter(this.ioPages);
    this.checkStop();
    await sorter.writeRun(writer, () => this.checkStop());
    this.runs.push(await this.finishWriter(writer));
    sorter.close();
    this.sorter = null;
    this.report('spill');
  }

  /** Moves to the output: spills the last run (when there were others), merges down to the fan-in, opens the final merge. */
  private async startOutput(): Promise<void> {
    if (this.state !== 'adding') throw new IllegalStateError('the sorted records were already handed out (or the sorter is closed); sort again with a new ExternalSorter');
    this.state = 'output';
    const sorter = this.sorter!;
    if (this.runs.length === 0) {
      sorter.sort({ stable: this.stable, ...(this.signal ? { signal: this.signal } : {}) });
      this.source = new InMemorySource(sorter, this.serializer as RecordSerializer);
      return;
    }
    if (sorter.size > 0) await this.spill();
    else {
      sorter.close();
      this.sorter = null;
    }
    while (this.runs.length > this.fanIn) await this.mergePass();
    const { readers, merger, drain } = await this.openMerge(this.runs);
    const page = this.held.pageOf(readers[0]!);
    this.source = new MergedSource(merger, page.region.kernels, page.bytes, page.view, drain);
  }

  private async finishOutput(): Promise<void> {
    if (this.runs.length > 0) this.stats.mergePasses++;
    this.state = 'closed';
    await this.cleanup();
    this.report('done');
  }

  /** Merges each group of fan-in runs into one run. */
  private async mergePass(): Promise<void> {
    const next: SpillFile[] = [];
    for (let i = 0; i < this.runs.length; i += this.fanIn) {
      const group = this.runs.slice(i, i + this.fanIn);
      next.push(group.length === 1 ? group[0]! : await this.mergeGroup(group));
    }
    this.runs = next;
    this.stats.mergePasses++;
    this.report('merge');
  }

  private async mergeGroup(group: SpillFile[]): Promise<SpillFile> {
    const { readers, merger, drain, statePages } = await this.openMerge(group);
    const writer = await this.held.newWriter(this.ioPages);
    this.checkStop();
    await mergeIntoRun(merger, drain, writer, () => this.checkStop());
    const file = await this.finishWriter(writer);
    for (const r of readers) await this.held.closeReader(r);
    if (statePages !== null) this.held.release(statePages);
    for (const f of group) await this.held.deleteFile(f);
    return file;
  }

  // ---------------------------------------------------------------- resources

  /** Readers over `files` and their merge, the readers sharing the pages the writer leaves. */
  private openMerge(files: readonly SpillFile[]): Promise<OpenMerge> {
    return openMerge(this.held, files, this.pages - this.ioPages, this.order, this.mm.pageSize, () => this.checkStop());
  }

  private newSorter(): SpillingSorter<S> {
    return new SpillingSorter(this.mm, { type: this.type, key: this.key, pages: this.pages - this.ioPages, owner: this.owner, keyPrefixBytes: this.keyPrefixBytes });
  }

  /** Ends a run; counted as spilled. */
  private async finishWriter(writer: RunWriter): Promise<SpillFile> {
    const file = await this.held.finishWriter(writer);
    this.stats.runsSpilled++;
    this.checkStop();
    return file;
  }

  /** Gives everything back, once: waits for I/O in flight, then releases pages and deletes files. */
  private cleanup(): Promise<void> {
    return (this.cleaning ??= this.releaseAll());
  }

  private async releaseAll(): Promise<void> {
    this.state = 'closed';
    this.source = null;
    const sorter = this.sorter;
    this.sorter = null;
    sorter?.close();
    this.runs = [];
    await this.held.releaseAll();
  }

  // ---------------------------------------------------------------- checks

  /** Throws ERR_ABORTED when the signal was aborted or close() was called. */
  private checkStop(): void {
    if (this.signal?.aborted) throw new OperationAbortedError('the external sort was aborted', this.signal.reason);
    if (this.state === 'closed') throw new OperationAbortedError('the external sorter was closed while an operation ran');
  }

  private report(phase: ExternalSortProgress['phase']): void {
    this.onProgress?.({ phase, ...this.stats });
  }

  private tooLarge(): MemoryAllocationError {
    return new MemoryAllocationError(`a record does not fit an empty in-memory sorter of ${this.pages - this.ioPages} pages (${this.mm.pageSize} bytes each); raise the pages option`);
  }
}
