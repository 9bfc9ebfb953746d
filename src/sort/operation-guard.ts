import { IllegalStateError } from '../errors.js';

/** Carries the error of a record the in-memory sorter refused (wrote nothing of) up to the guard, which throws it without closing. @internal */
export class RecordRefused {
  constructor(readonly error: unknown) {}
}

/** What the guard reads and does of its external sorter. @internal */
export interface GuardedSorter {
  /** The sorter's state now. */
  state(): 'adding' | 'output' | 'closed';
  /** Throws ERR_ABORTED when the signal was aborted or close() was called. */
  checkStop(): void;
  /** After a failure: closes the sorter and gives everything back. */
  fail(): Promise<void>;
}

/**
 * Runs an external sorter's operations one at a time; on failure everything
 * goes back and the sorter is closed. Refusals before an operation starts
 * (closed, busy, records already handed out when `adding` is asked for)
 * change nothing. @internal
 */
export class OperationGuard {
  private active: Promise<unknown> | null = null;

  constructor(private readonly sorter: GuardedSorter) {}

  /** The operation running, or null. */
  get running(): Promise<unknown> | null {
    return this.active;
  }

  /** Runs `body` as operation `op` (`adding`: one that adds records). */
  run<T>(op: string, body: () => Promise<T>, adding = false): Promise<T> {
    const state = this.sorter.state();
    if (state === 'closed') return Promise.reject(new IllegalStateError(`${op}: the external sorter is closed`));
    if (adding && state !== 'adding') {
      return Promise.reject(new IllegalStateError(`${op}: the sorted records are being handed out; records can be neither added nor handed out again`));
    }
    if (this.active !== null) return Promise.reject(new IllegalStateError(`${op}: another operation of the external sorter is running (await it first)`));
    const run = (async () => {
      try {
        this.sorter.checkStop();
        return await body();
      } catch (err) {
        if (err instanceof RecordRefused) throw err.error;
        await this.sorter.fail();
        throw err;
      } finally {
        this.active = null;
      }
    })();
    this.active = run;
    return run;
  }
}
