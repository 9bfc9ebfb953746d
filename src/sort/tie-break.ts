import type { DataInputView } from '../io/input-view.js';
import type { RecordSerializer } from '../io/serializer.js';
import type { Kernels } from '../kernels/kernels.js';
import type { NormalizedKeys } from './normalized-key.js';
import type { SortProgress } from './sort-options.js';

/** Entries whose prefixes tie are resolved this many runs, or this many entries, at a time between progress reports. */
const TIE_RUNS_PER_REPORT = 1024;
const TIE_ENTRIES_PER_REPORT = 16384;

/** What the tie-break reads and changes of a sorter's index. @internal */
export interface TiedIndex {
  readonly kernels: Kernels;
  /** Address of the sorter's control block (its entries are sorted by prefix already). */
  readonly ctl: number;
  /** Entries in the index. */
  readonly n: number;
  /** A view of every record written. */
  readonly input: DataInputView;
  readonly keys: NormalizedKeys;
  readonly serializer: RecordSerializer;
  /** The record pointer of entry `i`. */
  pointerAt(i: number): number;
  /** Sets the record pointer of entry `i`. */
  setPointerAt(i: number, pointer: number): void;
}

/** Orders each run of entries with equal prefixes by the records' full keys, reporting progress every so many runs or entries. @internal */
export function* breakTies(index: TiedIndex, stable: boolean): Generator<SortProgress, void, undefined> {
  const { kernels, ctl, n, input } = index;
  const keys = index.keys.keys;
  const ser = index.serializer;
  let runs = 0;
  let entries = 0;
  for (let start = kernels.sortNextTie(ctl, 0); start < n; start = kernels.sortNextTie(ctl, start)) {
    const end = kernels.sortRunEnd(ctl, start);
    const run: { pointer: number; values: unknown[] }[] = [];
    for (let i = start; i < end; i++) {
      const pointer = index.pointerAt(i);
      const values = keys.map((k) => {
        input.seek(pointer);
        return ser.readFieldAt(input, k.index, false);
      });
      run.push({ pointer, values });
    }
    // Array.prototype.sort is stable: records with equal keys keep the kernel's order, the same in both builds.
    run.sort((a, b) => index.keys.compare(a.values, b.values) || (stable ? a.pointer - b.pointer : 0));
    for (let i = start; i < end; i++) index.setPointerAt(i, run[i - start]!.pointer);
    entries += end - start;
    start = end;
    if (++runs >= TIE_RUNS_PER_REPORT || entries >= TIE_ENTRIES_PER_REPORT) {
      runs = entries = 0;
      yield { phase: 'ties', completed: start, total: n };
    }
  }
  yield { phase: 'ties', completed: n, total: n };
}
