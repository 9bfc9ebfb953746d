/**
 * Timing of the reference workloads, the way bench-workloads.md asks for it:
 * seconds of warm-up, then several timed rounds, reporting the median and the
 * range of ns per op over the rounds.
 *
 * A workload hands over `passes(n)`: it runs n whole passes (each a loop of
 * thousands of ops) and returns the sum of what they returned, which is kept
 * in a sink so no pass can be optimised away. The loop over passes lives in
 * the workload itself, so the call into the pass stays monomorphic there
 * instead of going through one call site shared by every workload.
 */

/**
 * The bench's one clock, in ms: performance.now() exists in Node and in
 * browsers alike. Node resolves it below a microsecond; Chromium clamps it to
 * 5 µs when the page is cross-origin isolated (bench/engines.mjs serves it so),
 * far below a round of hundreds of ms or a 20 ms warm-up batch.
 */
export const nowMs = () => performance.now();

/** Median and range of a list of numbers. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/**
 * Warms up for `warmupMs`, then times `rounds` rounds of about `roundMs` each.
 * Warm-up runs in batches that double until one takes ~20 ms, so the clock is
 * read rarely; the last batch sizes the rounds.
 */
export function timeRounds(passes, opsPerPass, { warmupMs, rounds, roundMs }) {
  let sink = 0;
  let batch = 1;
  let nsPerPass = Infinity;
  const warmupEnd = nowMs() + warmupMs;
  do {
    const t0 = nowMs();
    sink += passes(batch);
    const elapsed = nowMs() - t0;
    nsPerPass = (elapsed * 1e6) / batch;
    if (elapsed < 20) batch *= 2;
  } while (nowMs() < warmupEnd);

  const passesPerRound = Math.max(1, Math.round((roundMs * 1e6) / nsPerPass));
  const perRound = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = nowMs();
    sink += passes(passesPerRound);
    const elapsed = nowMs() - t0;
    perRound.push((elapsed * 1e6) / (passesPerRound * opsPerPass));
  }
  return { ...summarize(perRound), rounds: perRound, passesPerRound, sink };
}
