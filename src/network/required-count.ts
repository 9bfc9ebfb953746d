import type { ThreadsContext } from '../threads/realm-table.js';

/**
 * The network segments held as "required" (every pool's minimum, every
 * unpooled request not recycled): this worker's count and, in a shared
 * runtime, every worker's total in the realm table, changed together, so that
 * no worker can require what another one already does. @internal
 */
export class RequiredCount {
  private own = 0;

  constructor(
    /** Segments in all: the total never goes beyond. */
    private readonly limit: number,
    private readonly threads: ThreadsContext | null,
  ) {}

  /** What this worker requires. */
  get mine(): number {
    return this.own;
  }

  /** What every worker on the memory requires (this worker's alone when unshared). */
  get all(): number {
    return this.threads === null ? this.own : this.threads.realms.networkRequired();
  }

  /** Counts `n` more, if they fit beside what every worker requires: true, or false with nothing changed. */
  tryAdd(n: number): boolean {
    const threads = this.threads;
    if (threads === null) {
      if (this.own + n > this.limit) return false;
    } else if (!threads.realms.tryRequire(threads.realm, n, this.limit)) return false;
    this.own += n;
    return true;
  }

  /** Counts `n` fewer. */
  remove(n: number): void {
    if (n === 0) return;
    this.own -= n;
    if (this.threads !== null) this.threads.realms.addRequired(this.threads.realm, -n);
  }

  /** Gives back everything this worker requires. */
  clear(): void {
    this.remove(this.own);
  }
}
