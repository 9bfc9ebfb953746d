/**
 * What the runner measures and how long everything runs. The full run
 * measures each build in three processes per engine, on three engines; the
 * 18 processes keep `npm run bench` within about fifteen minutes on a 2-core
 * machine, so each process gets shorter timings than one process alone would.
 * The quick run (BENCH_QUICK=1 or --quick) only proves that every workload
 * runs and reproduces its checksums.
 *
 * Read by the runner (Node) and by a Node worker; a Chromium page is handed
 * its timings instead, having no environment to read.
 */

/** Every engine bench/engines.mjs knows, in run order: the machine's Node, Node 24, headless Chromium. */
export const ENGINE_IDS = ['node', 'node24', 'chromium'];

export const isQuick = () => process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');

/** What one worker process spends per row, and which rows it measures (`only`, from BENCH_ONLY; null: all). */
export function timings(quick = isQuick()) {
  const base = quick
    ? { quick: true, warmupMs: 150, rounds: 3, roundMs: 60, microMs: 25, microWarmupMs: 10, sideBySide: { warmupMs: 100, maglevWarmupMs: 100, microWarmupMs: 30, rounds: 3, roundMs: 30 } }
    : {
        quick: false,
        warmupMs: 1000,
        maglevWarmupMs: 2500,
        rounds: 5,
        roundMs: 300,
        microMs: 150,
        microWarmupMs: 50,
        // bench/side-by-side.mjs: rounds short and many, since each pair of rounds gives one ratio.
        sideBySide: { warmupMs: 1000, maglevWarmupMs: 2500, microWarmupMs: 300, rounds: 9, roundMs: 80 },
      };
  return { ...base, only: onlyRows() };
}

/**
 * Whether the running engine tiers hot code through Maglev before TurboFan:
 * V8 12 and later, so Node 22+ and the bench page in current Chromium (which
 * has no `process`); Node 20's V8 11.3 goes to TurboFan directly. The
 * reference workloads warm up for `maglevWarmupMs` there: Maglev inlines one
 * call level (beyond it only functions of at most 27 bytecode bytes), so
 * while a workload's `passes` runs as Maglev code it inlines its `pass` but
 * calls every segment accessor inside it, and TurboFan took over only after
 * about 1.3 s of that. Node 24, W1n: 14-30 ns a pair until then, 2.7-3.5 ns
 * after (the control, whose DataView calls Maglev builds in, 3-5 ns
 * throughout); with 1 s of warm-up the timed rounds straddled the switch
 * (W1n 3.4-28 ns within one process, W2 2.6-17). With 2.5 s: W1n 3.1-5.4 ns,
 * 0.85x its control (`node bench/rows.mjs --rows W1n,W2 --processes 2
 * --engine node24`).
 */
export function tiersThroughMaglev() {
  if (typeof process === 'undefined' || !process.versions?.v8) return true;
  return Number(process.versions.v8.split('.')[0]) >= 12;
}

/** The reference workloads' warm-up on the running engine (see tiersThroughMaglev). */
export function workloadWarmupMs(t) {
  return tiersThroughMaglev() && t.maglevWarmupMs !== undefined ? t.maglevWarmupMs : t.warmupMs;
}

/**
 * BENCH_ONLY: a comma list of workload ids (their controls come along) and
 * micro row names, e.g. `W4,W7,compare 16-byte keys`; the rows bench/rows.mjs
 * measures. Unset: every row.
 */
export function onlyRows() {
  const raw = typeof process === 'undefined' ? undefined : process.env.BENCH_ONLY;
  return raw === undefined || raw === '' ? null : raw.split(',').map((s) => s.trim());
}

/**
 * Processes per build and engine (BENCH_PROCESSES overrides the default). A
 * row's median within one process carries that process's JIT and GC luck;
 * more processes let the merge outvote an unlucky one. The quick run needs only one.
 */
export function processesPerBuild(quick = isQuick()) {
  const raw = process.env.BENCH_PROCESSES;
  if (raw === undefined || raw === '') return quick ? 1 : 3;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_PROCESSES must be a whole number of at least 1 (got '${raw}')`);
  return n;
}

/**
 * The engines to measure, in run order: every engine unless `--engine ID`
 * (or `--engine=ID`, repeatable, or a comma list) names some.
 */
export function selectedEngines(argv = process.argv.slice(2)) {
  const named = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--engine') {
      if (i + 1 >= argv.length) throw new Error(`--engine needs a value (${ENGINE_IDS.join(', ')})`);
      named.push(...argv[++i].split(','));
    } else if (a.startsWith('--engine=')) named.push(...a.slice('--engine='.length).split(','));
  }
  const unknown = named.filter((id) => !ENGINE_IDS.includes(id));
  if (unknown.length > 0) throw new Error(`unknown engine ${unknown.map((u) => `'${u}'`).join(', ')} (known: ${ENGINE_IDS.join(', ')})`);
  return named.length === 0 ? [...ENGINE_IDS] : ENGINE_IDS.filter((id) => named.includes(id));
}

/**
 * Side-by-side processes per engine (bench/side-by-side.mjs; BENCH_SIDE_BY_SIDE
 * overrides; 0 leaves them out). Each gives every row 9 ratios of its own.
 * Three, so that the median outvotes one process's JIT luck: with two, the
 * first full run had rows that read 1.00 in one process and 1.60 in the
 * other (W6get, Node 24), 0.92 and 1.65 (the 16-byte key compare, Chromium).
 */
export function sideBySideProcessCount(quick = isQuick()) {
  const raw = process.env.BENCH_SIDE_BY_SIDE;
  if (raw === undefined || raw === '') return quick ? 1 : 3;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`BENCH_SIDE_BY_SIDE must be a whole number (got '${raw}')`);
  return n;
}
