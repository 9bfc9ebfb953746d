// The inspector's clock (src/inspect/ticker.ts), shared by mountInspector and
// serveInspector: one call per interval on a grid, no burst after a blocked
// loop, stop() from anywhere. Counts calls over generous windows: not a speed test.
import { describe, expect, it, vi } from 'vitest';
import { startTicker } from '../src/inspect/ticker.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Blocks the thread for `ms` milliseconds, as a long synchronous task does. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('the inspector clock', () => {
  it('calls once per interval: 1.5 s at 10 Hz is 15 calls, give or take the window', async () => {
    let calls = 0;
    const ticker = startTicker(100, () => void calls++);
    await sleep(1500);
    ticker.stop();
    expect(calls).toBeGreaterThanOrEqual(12);
    expect(calls).toBeLessThanOrEqual(18);
  });

  it('keeps to its grid: calls that run late do not push the later ones back', () => {
    // On a fake clock, so that the machine's load cannot make a call late: each call takes 15 ms of
    // it; rescheduled from the call (as setInterval-like code would), 20 calls would drift by 300 ms.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const at: number[] = [];
      const due: number[] = [];
      const start = performance.now();
      const ticker = startTicker(40, (nextDue) => {
        at.push(performance.now() - start);
        due.push(nextDue - start);
        vi.advanceTimersByTime(15);
      });
      vi.advanceTimersByTime(40 * 20 - 20);
      ticker.stop();
      vi.advanceTimersByTime(200);
      // Every call at its grid point, 40·(k+1) ms, and none after stop().
      expect(at.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, k) => 40 * (k + 1)));
      // Each call is told when the next is due: the grid point after its own (the server thread reads the mailbox then).
      expect(due.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, k) => 40 * (k + 2)));
      expect(at.length).toBeLessThanOrEqual(30);
    } finally {
      vi.useRealTimers();
    }
  });

  it('after the loop was blocked for several intervals, calls once, not once per interval missed', async () => {
    let calls = 0;
    const ticker = startTicker(30, () => void calls++);
    block(200);
    await sleep(95);
    ticker.stop();
    // Once for the blocked stretch (six intervals), then the grid's points in the 95 ms after it: about 4 in all.
    // Catching up would make it 6 at once, then 3 more.
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(6);
  });

  it('stops: no call follows stop(), even one made from inside a call', async () => {
    let calls = 0;
    const ticker = startTicker(20, () => {
      calls++;
      if (calls === 3) ticker.stop();
    });
    await sleep(300);
    expect(calls).toBe(3);
    ticker.stop();
    const other = startTicker(20, () => void calls++);
    other.stop();
    await sleep(60);
    expect(calls).toBe(3);
  });
});
