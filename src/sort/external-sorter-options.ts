import { InvalidArgumentError } from '../errors.js';
import type { RecordTypeSpec } from '../io/record-type.js';
import { checkFunctionOption, checkInteger } from '../util/checks.js';
import { render } from '../util/render.js';
import type { KeySpec } from './normalized-key.js';
import { defaultSpillStore, type SpillStore } from './spill-store.js';

/** How to build an external sorter. */
export interface ExternalSorterOptions<S extends RecordTypeSpec> {
  /** The record type. */
  readonly type: S;
  /** The sort key: one field or several, each ascending by default. */
  readonly key: KeySpec;
  /** Most pages the sorter holds at any time, for sorting, spilling and merging; at least 8. */
  readonly pages: number;
  /** Where runs are spilled (default: the Origin Private File System where there is one; in Node pass a NodeSpillStore from 'segmem/node'). */
  readonly store?: SpillStore;
  /** Most runs merged at once, 2 or more (default: 64, or fewer when the pages do not allow 2 per run). */
  readonly fanIn?: number;
  /** Records with equal keys come out in the order they went in (default false). */
  readonly stable?: boolean;
  /** Whom the pages are allocated for (default: the sorter itself). */
  readonly owner?: unknown;
  /** Most bytes of normalized key per entry, 1 to 28 (default 28). */
  readonly keyPrefixBytes?: number;
  /** Stops the sort at its next step with ERR_ABORTED; everything is given back. */
  readonly signal?: AbortSignal;
  /** Told after each spilled run, each merge pass and at the end. */
  readonly onProgress?: (progress: ExternalSortProgress) => void;
}

/** What a progress callback is told. */
export interface ExternalSortProgress {
  /** 'spill': a run was written; 'merge': a merge pass before the last ended; 'done': every record was handed out. */
  readonly phase: 'spill' | 'merge' | 'done';
  /** Records added so far. */
  readonly recordsRead: number;
  /** Runs written to spill files (merge passes' runs included). */
  readonly runsSpilled: number;
  /** Merge passes done, the last one included once it is done. */
  readonly mergePasses: number;
  /** Bytes written to spill files. */
  readonly bytesWritten: number;
  /** Bytes read from spill files. */
  readonly bytesRead: number;
}

/** Pages of the run writer's ring (and of writeTo's stage): 4, 8 from a budget of 64 pages on, 32 from 1024 (at 64 MiB of 32 KiB pages, 32 against 8 took the 256 MiB sort from 2.25-2.40 s to 2.04-2.13 s, writes of 512 KiB instead of 128). */
const IO_PAGES_SMALL = 4;
const IO_PAGES_MEDIUM = 8;
const IO_PAGES = 32;
/** The smallest budget: an in-memory sorter of 4 pages and the writer's ring. */
const MIN_PAGES = 8;
const DEFAULT_FAN_IN = 64;

/** The sizes and switches of ExternalSorterOptions, checked, with their defaults. @internal */
export interface CheckedExternalSorterOptions {
  readonly pages: number;
  /** Pages of the run writer's ring (and of writeTo's stage). */
  readonly ioPages: number;
  readonly fanIn: number;
  readonly stable: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((p: ExternalSortProgress) => void) | undefined;
  readonly store: SpillStore;
}

/** Checks the options of an ExternalSorter (but its type and key, which the in-memory sorter checks); ERR_INVALID_ARGUMENT for a bad one, ERR_SPILL_STORE when no store is given and the engine has no OPFS. @internal */
export function checkExternalSorterOptions<S extends RecordTypeSpec>(options: ExternalSorterOptions<S>): CheckedExternalSorterOptions {
  const pages = checkInteger(options.pages, 'pages', MIN_PAGES);
  const ioPages = pages >= 1024 ? IO_PAGES : pages >= 64 ? IO_PAGES_MEDIUM : IO_PAGES_SMALL;
  const room = pages - ioPages;
  const fanIn = options.fanIn === undefined ? Math.max(2, Math.min(DEFAULT_FAN_IN, Math.floor(room / 2))) : checkInteger(options.fanIn, 'fanIn', 2, room);
  const { stable = false, signal } = options;
  if (typeof stable !== 'boolean') throw new InvalidArgumentError(`stable must be true or false, got ${render(stable)}`);
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof signal.aborted === 'boolean')) {
    throw new InvalidArgumentError(`signal must be an AbortSignal, got ${render(signal)}`);
  }
  const onProgress = checkFunctionOption<(p: ExternalSortProgress) => void>(options.onProgress, 'onProgress');
  const store = options.store ?? defaultSpillStore();
  if (store === null || typeof store !== 'object' || typeof store.create !== 'function') throw new InvalidArgumentError(`store must be a SpillStore, got ${render(store)}`);
  return { pages, ioPages, fanIn, stable, signal, onProgress, store };
}
