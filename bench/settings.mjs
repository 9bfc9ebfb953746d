/**
 * How long everything runs. The full run measures each build in three
 * processes, and all six keep `npm run bench` under about five minutes on a
 * 2-core machine, so each process gets shorter timings than one process
 * alone would. The quick run (BENCH_QUICK=1 or --quick) only proves that
 * every workload runs and reproduces its checksums.
 */

export const isQuick = () => process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');

/** What one worker process spends per row. */
export function timings(quick = isQuick()) {
  return quick
    ? { quick: true, warmupMs: 150, rounds: 3, roundMs: 60, microMs: 25, microWarmupMs: 10 }
    : { quick: false, warmupMs: 1500, rounds: 5, roundMs: 500, microMs: 150, microWarmupMs: 50 };
}

/**
 * Processes per build (BENCH_PROCESSES overrides the default). A row's median
 * within one process carries that process's JIT and GC luck; more processes
 * let the merge outvote an unlucky one. The quick run needs only one.
 */
export function processesPerBuild(quick = isQuick()) {
  const raw = process.env.BENCH_PROCESSES;
  if (raw === undefined || raw === '') return quick ? 1 : 3;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_PROCESSES must be a whole number of at least 1 (got '${raw}')`);
  return n;
}
