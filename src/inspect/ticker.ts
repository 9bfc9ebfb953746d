/**
 * The inspector's clock: one call per interval on a fixed grid from its
 * start, so that "10 Hz" is ten calls in every second, not ten minus the
 * lateness of each timer. setInterval schedules each run from the start of
 * the one before it, so every run's lateness adds up (9.9 snapshots a
 * second measured at 100 ms on Node 20 with a busy loop).
 *
 *   start        +1 interval   +2          +3          +4
 *   |------------|------------|------------|------------|
 *                 ^ ran late,   ^ still on the grid
 *                   next aims   (a run later than a whole interval skips the
 *                   here         grid points it missed: one call, no burst)
 */

/** A running clock. @internal */
export interface Ticker {
  /** Stops it; no call follows, even from inside one. Idempotent. */
  stop(): void;
}

/** How a ticker runs. @internal */
export interface TickerOptions {
  /** In Node, whether a pending tick may let the process exit (default false). */
  readonly unref?: boolean;
}

/**
 * Calls `tick` once per `intervalMs` (a positive number of milliseconds) on
 * a grid from now, until stopped, with the grid point of the next call
 * (performance.now() time). The next call is armed before each one, so a
 * call that throws does not stop the clock. @internal
 */
export function startTicker(intervalMs: number, tick: (nextDue: number) => void, options: TickerOptions = {}): Ticker {
  let next = performance.now() + intervalMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const arm = () => {
    timer = setTimeout(run, Math.max(0, next - performance.now()));
    if (options.unref === true) (timer as { unref?: () => void }).unref?.();
  };
  const run = () => {
    if (stopped) return;
    const now = performance.now();
    // A timer may also fire a fraction of a millisecond early (Node's loop clock counts whole
    // milliseconds): that run is still this grid point's, so the next is one interval on.
    next += intervalMs;
    if (next <= now) next += (Math.floor((now - next) / intervalMs) + 1) * intervalMs;
    arm();
    tick(next);
  };
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
