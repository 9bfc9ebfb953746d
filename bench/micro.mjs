/**
 * Micro rows (bench/micro-rows.mjs), measured with tinybench on both builds
 * with the same code.
 *
 * Every row's function runs a loop of many ops (thousands for single values);
 * one tinybench sample is as many calls of it as last at least 250 µs, so a
 * sample stays well above the clock's resolution in every engine; ns per op =
 * sample time / (calls × ops).
 */
import { Bench } from 'tinybench';
import { nowMs } from './harness.mjs';

/**
 * Shortest sample. Chromium's clock ticks in 5 µs steps, and a single call of
 * the fastest rows (32768 ints at ~1 ns) lasts about 30 µs, so one call per
 * sample would carry up to 15% of rounding; 250 µs keeps it within 2%. Every
 * engine batches the same way, so the rows are measured alike everywhere.
 */
const MIN_SAMPLE_MS = 0.25;

/** How many calls of `fn` make a sample of at least MIN_SAMPLE_MS (calling it meanwhile, which warms it up too). */
function callsPerSample(fn) {
  let calls = 1;
  for (;;) {
    const t0 = nowMs();
    for (let k = 0; k < calls; k++) fn();
    const elapsed = nowMs() - t0;
    if (elapsed >= 4 * MIN_SAMPLE_MS || calls >= 1 << 20) return Math.max(1, Math.ceil((MIN_SAMPLE_MS * calls) / elapsed));
    calls *= 2;
  }
}

/**
 * Runs one row in a Bench of its own, so its warm-up directly precedes its
 * measurement. A sample is `calls` calls of fn: the loop calling it is one
 * indirect call per thousands of ops, like tinybench's own call of a task.
 */
export function measureRow(name, ops, fn, { microMs, microWarmupMs }) {
  const calls = callsPerSample(fn);
  const bench = new Bench({
    time: microMs,
    warmupTime: microWarmupMs,
    iterations: 16,
    warmupIterations: 8,
    throws: true,
    now: nowMs,
  });
  bench.add(name, calls === 1 ? fn : () => {
    for (let k = 0; k < calls; k++) fn();
  });
  bench.runSync();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw result.error ?? new Error(`${name}: tinybench state ${result.state}`);
  const toNsPerOp = (ms) => (ms * 1e6) / (ops * calls);
  return {
    median: toNsPerOp(result.latency.p50),
    min: toNsPerOp(result.latency.min),
    max: toNsPerOp(result.latency.max),
    sampleCount: result.latency.samplesCount,
    callsPerSample: calls,
  };
}
