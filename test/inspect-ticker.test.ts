// The inspector's clock (src/inspect/ticker.ts), shared by mountInspector and
// serveInspector: one call per interval on a grid, no burst after a blocked
// loop, stop() from anywhere. Counts calls over generous windows: not a speed test.
import { describe, expect, it } from 'vitest';
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

  it('keeps to its grid: calls that run late do not push the later ones back', async () => {
    const at: number[] = [];
    const start = performance.now();
    // Each call is 15 ms late work; with setInterval-like rescheduling from the call, 20 calls would drift by 300 ms.
    const ticker = startTicker(40, () => {
      at.push(performance.now() - start);
      block(15);
    });
    await sleep(40 * 20 + 20);
    ticker.stop();
    // Call k is due at 40·(k+1) ms; on a grid it is never more than one interval behind it.
    expect(at.length).toBeGreaterThanOrEqual(15);
    at.forEach((t, k) => expect(t, `call ${k}`).toBeLessThan(40 * (k + 1) + 40 + 60));
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
