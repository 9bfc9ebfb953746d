/**
 * How long everything runs. The full run keeps both builds under about four
 * minutes on a 2-core machine; the quick run (BENCH_QUICK=1 or --quick) only
 * proves that every workload runs and reproduces its checksums.
 */

export const isQuick = () => process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');

export function timings(quick = isQuick()) {
  return quick
    ? { quick: true, warmupMs: 150, rounds: 3, roundMs: 60, microMs: 25, microWarmupMs: 10 }
    : { quick: false, warmupMs: 2000, rounds: 7, roundMs: 500, microMs: 300, microWarmupMs: 100 };
}
