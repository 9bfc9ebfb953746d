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
 * Runs `passes` in batches that double until one takes ~20 ms, for
 * `warmupMs` in all, so the clock is read rarely; returns the sink and the
 * ns per pass of the last batch, which sizes the timed rounds.
 */
export function warmUp(passes, warmupMs) {
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
  return { sink, nsPerPass };
}

/** Passes making a round of about `roundMs`, at `nsPerPass`. */
export const passesFor = (roundMs, nsPerPass) => Math.max(1, Math.round((roundMs * 1e6) / nsPerPass));

/** Times one round of `count` passes: ns per op, and the sink. */
export function timeRound(passes, count, opsPerPass) {
  const t0 = nowMs();
  const sink = passes(count);
  return { ns: ((nowMs() - t0) * 1e6) / (count * opsPerPass), sink };
}

/** Warms up for `warmupMs`, then times `rounds` rounds of about `roundMs` each. */
export function timeRounds(passes, opsPerPass, { warmupMs, rounds, roundMs }) {
  let { sink, nsPerPass } = warmUp(passes, warmupMs);
  const passesPerRound = passesFor(roundMs, nsPerPass);
  const perRound = [];
  for (let r = 0; r < rounds; r++) {
    const round = timeRound(passes, passesPerRound, opsPerPass);
    perRound.push(round.ns);
    sink += round.sink;
  }
  return { ...summarize(perRound), rounds: perRound, passesPerRound, sink };
}

/**
 * A workload and its control, timed in alternating rounds (workload, control,
 * workload, ...) after each warmed up for `warmupMs`: the workload's
 * `controlRatio` is the median over the rounds of its time over the
 * control's in the round beside it (`controlRatios`, one per round). A shared machine here changes speed by up to 2x within a minute
 * (a fixed loop took 101 to 222 ms from one run to the next), so a workload
 * and a control timed minutes apart, as they were before, gave ratios that
 * moved with the machine; rounds side by side see the same machine.
 */
export function timePaired(workload, control, { warmupMs, rounds, roundMs }) {
  const a = warmUp(workload.passes, warmupMs);
  const b = warmUp(control.passes, warmupMs);
  let sink = a.sink + b.sink;
  const countA = passesFor(roundMs, a.nsPerPass);
  const countB = passesFor(roundMs, b.nsPerPass);
  const perRoundA = [];
  const perRoundB = [];
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    const ra = timeRound(workload.passes, countA, workload.opsPerPass);
    const rb = timeRound(control.passes, countB, control.opsPerPass);
    perRoundA.push(ra.ns);
    perRoundB.push(rb.ns);
    ratios.push(ra.ns / rb.ns);
    sink += ra.sink + rb.sink;
  }
  return {
    workload: { ...summarize(perRoundA), rounds: perRoundA, passesPerRound: countA, controlRatio: summarize(ratios).median, controlRatios: ratios },
    control: { ...summarize(perRoundB), rounds: perRoundB, passesPerRound: countB },
    sink,
  };
}
