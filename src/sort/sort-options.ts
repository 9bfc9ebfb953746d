import { InvalidArgumentError, OperationAbortedError } from '../errors.js';
import type { RecordTypeSpec } from '../io/record-type.js';
import { checkFunctionOption, checkOptionsObject } from '../util/checks.js';
import { render } from '../util/render.js';
import type { KeySpec } from './normalized-key.js';

/** How to build a sorter. */
export interface SorterOptions<S extends RecordTypeSpec> {
  /** The record type. */
  readonly type: S;
  /** The sort key: one field or several, each ascending by default. */
  readonly key: KeySpec;
  /** Most pages the sorter may hold at once, control, record, index and scratch pages together; at least 3. */
  readonly pages: number;
  /** Whom the pages are allocated for (default: the sorter itself). */
  readonly owner?: unknown;
  /** Most bytes of normalized key per entry, 1 to 28 (default 28). */
  readonly keyPrefixBytes?: number;
}

/** What a progress callback is told. */
export interface SortProgress {
  /** 'radix' / 'in-place': entries placed by radix sort / by introsort in place; 'ties': entries whose prefixes tie, resolved; 'done'. */
  readonly phase: 'radix' | 'in-place' | 'ties' | 'done';
  /** Units of this phase done, out of `total` (entries, except for 'done'); never decreases within a phase, and each phase's last report has it equal to `total`. */
  readonly completed: number;
  /** Units of this phase in all. */
  readonly total: number;
}

/** Options of one sort. */
export interface SortOptions {
  /** Keep records with equal keys in the order they were written (radix sort always does). Default false. */
  readonly stable?: boolean;
  /** Stops the sort at its next step with OperationAbortedError; the sorter keeps every record, unsorted. */
  readonly signal?: AbortSignal;
  /** Called after each slice of the sort (about 2^18 entry visits of radix sort or introsort, up to 1024 tie runs), at the end of each phase, and once with phase 'done'. */
  readonly onProgress?: (progress: SortProgress) => void;
}

/** SortOptions checked, with their defaults. @internal */
export interface CheckedSortOptions {
  readonly stable: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((p: SortProgress) => void) | undefined;
}

/** Checks the options of sort() and sortAsync(); ERR_INVALID_ARGUMENT for a wrong type. @internal */
export function checkSortOptions(options: SortOptions): CheckedSortOptions {
  options = checkOptionsObject(options, 'sort: options');
  const { stable = false, signal } = options;
  const onProgress = checkFunctionOption<(p: SortProgress) => void>(options.onProgress, 'onProgress');
  if (typeof stable !== 'boolean') throw new InvalidArgumentError(`stable must be true or false, got ${render(stable)}`);
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof signal.aborted === 'boolean')) {
    throw new InvalidArgumentError(`signal must be an AbortSignal, got ${render(signal)}`);
  }
  return { stable, signal, onProgress };
}

/** Throws OperationAbortedError when `signal` is aborted. @internal */
export function checkAbort(signal: AbortSignal | undefined, when: string): void {
  if (signal !== undefined && signal.aborted) throw new OperationAbortedError(`the sort was aborted ${when}`, signal.reason);
}
