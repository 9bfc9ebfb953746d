/**
 * Inspector rows: what watching a runtime costs.
 *
 * - Snapshot: rt.metrics() (and JSON.stringify of it, what the inspector
 *   server sends each interval) with 10, 100 and 1000 LocalBufferPools and
 *   as many registered partitions (test sources whose snapshot is a fresh
 *   object with one subpartition, as a real partition's is), µs per call,
 *   median of rounds.
 * - Throughput: the builder → consumer row of bench/network.mjs (1 KiB
 *   records, a pool of 8 × 32 KiB), run in slices of 1 MiB with a
 *   macrotask turn between slices, so that a timer can fire, without and
 *   with serveInspector() attached at 10 Hz and one page connected (an HTTP
 *   client reading the event stream in a process of its own, as a browser
 *   tab is; bench/inspect-page.mjs, one process for the whole run). Passes
 *   of about 100 ms (bytes fixed by a calibration first, the same for every
 *   pass) alternate in groups A B B A (A without, B with), so that
 *   drift of a shared machine hits both alike; the inspector is attached
 *   once per group and stays attached for its two passes, as a user's
 *   stays attached, and 300 ms of the row run unmeasured after each attach
 *   and each close (what attaching costs is reported apart: the CPU time
 *   of the threads but the watched one in those 300 ms); each pass starts after 50 ms of spinning
 *   (no pass starts from an idle core); each pass is measured by the wall clock and by the
 *   process's CPU time (which other processes on a shared machine inflate
 *   less; the inspector's server thread counts).
 *   The result is the median of the 200 pairs' with ÷ without, the k-th
 *   pass with against the k-th without (fewer, at least 52, when a busy
 *   machine makes 100 groups last more than 130 s),
 *   beside their interquartile range (the machine's noise: on this 2-core
 *   machine shared by others it is ±10 % and more, pass to pass) and a
 *   95 % confidence interval of the median. Target: with the inspector, at
 *   least 98 % of the throughput without, by the median.
 * - The inspector's own cost, without the pass-to-pass noise: 5 s more of
 *   the row without and then with the inspector (inspect-cost.mjs). Each
 *   snapshot's cost is what the loop iterations in the 5 ms after it took
 *   beyond as many iterations later in the same interval, by the wall clock
 *   and by the process's CPU time; the stretch without is the estimate's
 *   control (it reads about 0). Beside it: the snapshots the page received a
 *   second (10 at 10 Hz), the loop turns that took a snapshot against the
 *   others, and the CPU time per second of each thread (the watched one,
 *   the inspector's server thread, the rest), from /proc.
 *
 *   node --expose-gc bench/inspect.mjs wasm|js [--quick | --cost-only]   (prints the result as JSON;
 *   --cost-only: the cost stretches only, 15 s each; npm run bench runs it with the flags of bench/engines.mjs)
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setImmediate as turn } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { summarize } from './harness.mjs';
import { iterationLog, snapshotCosts, threadShares, turnCosts } from './inspect-cost.mjs';
import { threadNs } from './thread-cpu.mjs';
import { builderPass } from './network.mjs';

const SEG = 32768;
const POOL = 8;
const RECORD = 1024;
const SLICE = 1024 * 1024;
const INTERVAL_MS = 100;
/** Unmeasured running of the row after the inspector is attached or closed, before the next pass. */
const WARM_MS = 300;
/**
 * One group of passes, without (false) and with (true): A B B A, the
 * inspector attached once for its two passes. A A B B B B A A, whose pairs
 * lie two passes and a change apart, measured wider spreads of the pair
 * ratios in a full bench run (IQR 80-123 % against 87-112 %).
 */
const GROUP = [false, true, true, false];
export const SNAPSHOT_COUNTS = [10, 100, 1000];

/** A registered partition whose snapshot is made fresh per call, as a real one's. */
function testPartition(i) {
  return {
    metricsSnapshot: () => ({
      kind: 'partition',
      id: `partition-${i}`,
      backPressuredTimeMs: i,
      backPressuredTimeMsPerSecond: 0,
      level: 'OK',
      poolSize: 4,
      poolInUse: 1,
      subpartitions: [{ index: 0, backlog: 1, credit: 2, bytesWritten: 4096, buffersSent: 1 }],
    }),
  };
}

/** µs per call of `fn`, median of `rounds` rounds of `calls` calls. */
function timeCalls(fn, calls, rounds) {
  let sink = 0;
  for (let i = 0; i < calls; i++) sink += fn();
  const us = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) sink += fn();
    us.push(Number(process.hrtime.bigint() - t0) / 1000 / calls);
  }
  return { ...summarize(us), sink };
}

async function snapshotRows(lib, settings) {
  const rows = [];
  for (const n of SNAPSHOT_COUNTS) {
    const rt = await lib.init({ managedMemory: 16 * 4096, networkMemory: (n + 8) * 4096, offHeapMemory: 0, pageSize: 4096 });
    try {
      const pools = [];
      for (let i = 0; i < n; i++) pools.push(rt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 1 }));
      for (let i = 0; i < n; i += 2) pools[i].requestBuffer(); // half of them with a buffer out
      for (let i = 0; i < n; i++) rt.networkBufferPool.metrics.add(testPartition(i), 'partition');
      const check = rt.metrics();
      if (check.network.pools.length !== n || check.network.partitions.length !== n) throw new Error(`snapshot rows: expected ${n} pools and partitions`);
      const calls = Math.max(5, Math.round((settings.budget * 10) / n));
      const snapshot = timeCalls(() => rt.metrics().network.pools.length, calls, settings.rounds);
      const json = timeCalls(() => JSON.stringify(rt.metrics()).length, calls, settings.rounds);
      rows.push({ count: n, snapshotUs: snapshot, jsonUs: json, jsonBytes: JSON.stringify(check).length });
    } finally {
      rt.close();
    }
  }
  return rows;
}

/** Starts the page process (bench/inspect-page.mjs), idle until connect() is called. */
function startPage() {
  const child = spawn(process.execPath, [new URL('./inspect-page.mjs', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  const replies = createInterface({ input: child.stdout });
  /** Sends `command`; resolves with the first line of the reply that starts with `word`. */
  const ask = (command, word) =>
    new Promise((resolve) => {
      const listen = (line) => {
        if (!line.startsWith(word)) return;
        replies.off('line', listen);
        resolve(line);
      };
      replies.on('line', listen);
      child.stdin.write(`${command}\n`);
    });
  return {
    /** Connects the page to `url`; resolves once it has received its first snapshot. */
    connect: (url) => ask(`connect ${url}`, 'connected'),
    /** The snapshots the page received so far. */
    snapshots: async () => Number((await ask('count', 'count ')).slice('count '.length)),
    stop: () => child.stdin.end(),
  };
}

/**
 * One timed pass of `total` bytes in 1 MiB slices, a macrotask turn between
 * slices. Returns its wall and CPU seconds (the CPU time of every thread of
 * this process: the inspector's work and GC count, other processes on a
 * shared machine do not), and the sink.
 */
async function slicedPass(pool, record, total) {
  let sink = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let moved = 0; moved < total; moved += SLICE) {
    sink += builderPass(pool, record, SLICE);
    await turn();
  }
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { wallS, cpuS: (cpu.user + cpu.system) / 1e6, sink };
}

/** CPU ms the threads of the process other than this one ran between two readings of threadNs(). */
function otherThreadsMs(start, end) {
  let ns = 0;
  for (const [tid, at] of end) if (tid !== process.pid) ns += at - (start.get(tid) ?? 0);
  return ns / 1e6;
}

/** Bytes per pass: whole slices for about `passMs` by the wall clock, from a calibration of about a second. */
async function calibrate(pool, record, passMs) {
  let bytes = 0;
  let seconds = 0;
  while (seconds < 1) {
    const pass = await slicedPass(pool, record, 16 * SLICE);
    bytes += 16 * SLICE;
    seconds += pass.wallS;
  }
  return Math.max(4, Math.round((bytes / seconds) * (passMs / 1000) / SLICE)) * SLICE;
}

const round = (x) => Math.round(x * 1000) / 1000;

/**
 * Median and interquartile range (linear interpolation between order
 * statistics), and a 95 % confidence interval of the median that assumes no
 * distribution: the order statistics n/2 ∓ 0.98·√n (the normal approximation
 * of the binomial rank of the true median).
 */
function quartiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => {
    const i = q * (sorted.length - 1);
    const lo = Math.floor(i);
    return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (i - lo);
  };
  const n = sorted.length;
  const reach = 0.98 * Math.sqrt(n);
  const ci95 = [sorted[Math.max(0, Math.floor(n / 2 - reach))], sorted[Math.min(n - 1, Math.ceil(n / 2 + reach) - 1)]];
  return { median: at(0.5), q1: at(0.25), q3: at(0.75), ci95, min: sorted[0], max: sorted[n - 1], n };
}

/**
 * Throughput without and with the inspector, in `settings.groups` groups of
 * four passes (GROUP): each group gives two pairs, the k-th pass with and
 * the k-th without, whose with ÷ without ratios are summarized (median and
 * quartiles) by the wall clock and by CPU time.
 *
 *   group:  A1 ↑ B1 B2 ↓ A2      A: without (no server; the page process idle)
 *   pairs:  (A1,B1) (B2,A2)      B: serveInspector() at 10 Hz, the page reading its stream
 *           ↑ attach, ↓ close: each followed by WARM_MS of the row, unmeasured
 */
async function throughputRows(lib, inspect, settings) {
  const rt = await lib.init({ managedMemory: 0, networkMemory: POOL * SEG, offHeapMemory: 0, pageSize: SEG });
  const pool = rt.networkBufferPool.createBufferPool({ minSize: POOL, maxSize: POOL, name: 'bench' });
  const record = new Uint8Array(RECORD).map((_, i) => (i * 31 + 7) & 0xff);
  const page = startPage();
  const passes = { without: [], with: [], order: [] };
  let sink = 0;
  let total;
  // The inspector stays attached across a run of passes with it, as a user's stays attached: it is
  // started (and the page connected) and closed between runs, each change followed by WARM_MS of the
  // row unmeasured. Started afresh before every pass, as this row first did, each pass with it carried
  // the tail of the server thread's start: V8's helper threads ran 7.3, 6.0 and 2.7 ms in the first
  // three 100 ms after the page connected (Node 20, means of 10 starts), 0.1-1 ms later on.
  let server = null;
  const changes = { attach: [], detach: [] };
  const settle = async (attached) => {
    const threads0 = threadNs();
    const t0 = performance.now();
    if (attached) {
      server = await inspect.serveInspector(rt, { intervalMs: INTERVAL_MS });
      await page.connect(server.url);
    } else {
      await server.close();
      server = null;
    }
    while (performance.now() - t0 < WARM_MS) {
      sink += builderPass(pool, record, SLICE);
      await turn();
    }
    changes[attached ? 'attach' : 'detach'].push(otherThreadsMs(threads0, threadNs()));
  };
  const timedPass = async (attached) => {
    if (attached !== (server !== null)) await settle(attached);
    // Half an interval between passes, spinning (not idle): a core left idle for ~45 ms before the
    // passes without but busy before those with made the passes without 3-5 % slower (Node 20, wasm:
    // median pair ratio 1.036 by the wall clock, 1.015 by CPU time, CI above 1).
    const t0 = performance.now();
    while (performance.now() - t0 < INTERVAL_MS / 2);
    // Collected before either kind of pass, so that only what watching makes counts. A minor collection
    // only: after a full one (gc()) the next ~20 MiB of this row ran 2-3× slower with stalls of several
    // ms (Node 20), a penalty of 10-30 ms on a 100 ms pass.
    globalThis.gc?.({ type: 'minor' });
    // CPU time of the threads but this one during the pass, read outside its timing: the server
    // thread's work, and V8's and libuv's helpers.
    const threads0 = threadNs();
    const pass = await slicedPass(pool, record, total);
    pass.otherThreadsMs = otherThreadsMs(threads0, threadNs());
    sink += pass.sink;
    passes[attached ? 'with' : 'without'].push(pass);
    passes.order.push(pass);
  };
  // Counted over one long stretch, not per pass: a pass of 100 ms holds one snapshot or two by where it falls on the grid.
  // With `attached` false, the same stretch without the inspector: the control of the estimate (inspect-cost.mjs),
  // its marks on the same grid as the snapshots would be.
  const stretch = async (seconds, attached) => {
    const existing = threadNs();
    const server = attached ? await inspect.serveInspector(rt, { intervalMs: INTERVAL_MS }) : null;
    if (server !== null) await page.connect(server.url);
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS / 2));
    const before = await page.snapshots();
    const threads0 = threadNs();
    // When each snapshot is taken (the server calls rt.metrics() once per interval), and every iteration of the loop.
    const marks = [];
    const metrics = rt.metrics;
    if (attached) rt.metrics = () => (marks.push(performance.now()), metrics.call(rt));
    const log = iterationLog();
    const t0 = performance.now();
    try {
      while (performance.now() - t0 < seconds * 1000) {
        sink += builderPass(pool, record, SLICE);
        const start = performance.now();
        const cpu = process.cpuUsage();
        await turn();
        const used = process.cpuUsage(cpu);
        log.push(start, cpu.user + cpu.system, performance.now() - start, used.user + used.system);
      }
      const end = process.cpuUsage();
      log.push(performance.now(), end.user + end.system, 0, 0); // the end of the last iteration
    } finally {
      if (attached) delete rt.metrics;
    }
    // Without the inspector, a mark per grid point at the turn a timer due then would run in: the
    // first to start after it (marking the iteration that holds the point instead picked long ones:
    // an iteration a preemption stretched is the likelier to hold a given moment, +0.7-2 % read).
    if (!attached) {
      for (let t = t0 + INTERVAL_MS / 2, i = 0; t < t0 + seconds * 1000; t += INTERVAL_MS) {
        while (i < log.size && log.start(i) < t) i++;
        if (i < log.size) marks.push(log.start(i));
      }
    }
    const elapsed = (performance.now() - t0) / 1000;
    const threads = threadShares(existing, threads0, threadNs(), elapsed);
    await server?.close(); // a snapshot sent in the window reaches the page before its stream's end
    await new Promise((resolve) => setTimeout(resolve, 20));
    const perSecond = 1000 / INTERVAL_MS;
    return {
      ...(attached ? { snapshotsPerSecond: ((await page.snapshots()) - before) / elapsed } : {}),
      ...turnCosts(log, marks, perSecond),
      snapshotCost: snapshotCosts(log, marks, perSecond),
      threadCpuShare: threads,
    };
  };
  let watched;
  try {
    total = await calibrate(pool, record, settings.passMs);
    for (let i = 0; i < settings.warmupPasses; i++) await timedPass(GROUP[i % GROUP.length]);
    passes.without.length = passes.with.length = passes.order.length = 0;
    changes.attach.length = changes.detach.length = 0;
    // A machine busier than at the calibration makes passes longer: past `maxSeconds` the run
    // stops at fewer groups (never under `minGroups`), so the whole bench stays within its time.
    const start = performance.now();
    for (let g = 0; g < settings.groups && (g < settings.minGroups || performance.now() - start < settings.maxSeconds * 1000); g++) {
      for (const attached of GROUP) await timedPass(attached);
    }
    if (server !== null) await settle(false);
    watched = { control: await stretch(settings.rateSeconds, false), ...(await stretch(settings.rateSeconds, true)) };
    if (pool.numberOfAvailableMemorySegments !== POOL) throw new Error('inspector rows: buffers not recycled');
  } finally {
    page.stop();
    pool.lazyDestroy();
    rt.close();
  }
  // Pair k is the k-th pass without and the k-th with (GROUP).
  const ratios = (key) => (passes.with.length === 0 ? null : quartiles(passes.with.map((p, k) => passes.without[k][key] / p[key])));
  const rates = (list, key) => (list.length === 0 ? null : summarize(list.map((p) => total / p[key] / 1e9)));
  return {
    recordBytes: RECORD,
    bytesPerPass: total,
    pairs: passes.with.length,
    without: rates(passes.without, 'wallS'),
    with: rates(passes.with, 'wallS'),
    ratio: ratios('wallS'),
    cpu: { without: rates(passes.without, 'cpuS'), with: rates(passes.with, 'cpuS'), ratio: ratios('cpuS') },
    // Snapshots the page received per second while the row ran with the inspector for `rateSeconds` (shows the 10 Hz really
    // ran), each snapshot's cost, the loop turns that took one against the others, CPU per thread; `control`: the same without.
    ...watched,
    // CPU ms of the threads but the watched one in the WARM_MS after attaching (serveInspector() and the page connecting, the
    // server thread's start) and after closing (its exit), medians: what attaching costs once, kept out of the passes.
    settleCpuMs: changes.attach.length === 0 ? null : { attach: summarize(changes.attach).median, detach: summarize(changes.detach).median, ms: WARM_MS },
    // Every pass in the order run, as [wall ms, CPU ms]: GROUP's order.
    // CPU ms of the other threads a pass (the inspector's server thread and V8's and libuv's helpers), median by kind.
    otherThreadsMsPerPass: passes.with.length === 0 ? null : { without: summarize(passes.without.map((p) => p.otherThreadsMs)).median, with: summarize(passes.with.map((p) => p.otherThreadsMs)).median },
    samples: passes.order.map((p) => [round(p.wallS * 1000), round(p.cpuS * 1000)]),
    sink,
  };
}

/** Measures the inspector rows for one build; `lib` and `inspect` are its modules (dist/index.js or dist/js.js, and dist/inspect-node.js). */
export async function measureInspectRows(lib, inspect, { quick = false, costOnly = false } = {}) {
  const settings = quick
    ? { rounds: 5, budget: 200, warmupPasses: 4, groups: 8, minGroups: 8, maxSeconds: 12, passMs: 100, rateSeconds: 2 }
    : { rounds: 15, budget: 1000, warmupPasses: 8, groups: 100, minGroups: 26, maxSeconds: 130, passMs: 100, rateSeconds: 5 };
  // --cost-only: no passes, the two stretches of 15 s instead (the inspector's own cost and its control).
  if (costOnly) Object.assign(settings, { groups: 0, minGroups: 0, rateSeconds: 15 });
  const snapshot = await snapshotRows(lib, settings);
  const throughput = await throughputRows(lib, inspect, settings);
  const at1000 = snapshot.find((r) => r.count === 1000).snapshotUs.median;
  const targets = [
    { what: 'builder → consumer per CPU second with the inspector attached at 10 Hz ≥ 98 % of without (median pair ratio)', value: throughput.cpu.ratio?.median ?? null, ok: throughput.cpu.ratio?.median >= 0.98 },
    { what: 'builder → consumer by the wall clock with the inspector attached at 10 Hz ≥ 98 % of without (median pair ratio)', value: throughput.ratio?.median ?? null, ok: throughput.ratio?.median >= 0.98 },
    { what: 'a snapshot of 1000 pools and 1000 partitions within a 10 Hz budget (≤ 10 ms)', value: at1000, ok: at1000 <= 10_000 },
  ];
  return { engine: `node ${process.version}`, quick, snapshot, throughput, targets };
}

// Standalone: node bench/inspect.mjs wasm|js [--quick | --cost-only]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const build = process.argv[2] ?? 'wasm';
  const entry = { wasm: '../dist/index.js', js: '../dist/js.js' }[build];
  if (entry === undefined) throw new Error(`usage: node bench/inspect.mjs wasm|js [--quick | --cost-only] (got ${build})`);
  const lib = await import(entry);
  const inspect = await import('../dist/inspect-node.js');
  const result = await measureInspectRows(lib, inspect, { quick: process.argv.includes('--quick'), costOnly: process.argv.includes('--cost-only') });
  process.stdout.write(JSON.stringify({ build, ...result }, null, 2) + '\n');
}
