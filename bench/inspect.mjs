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
 *   with serveInspector() attached at 10 Hz and one page (an HTTP client in
 *   a process of its own, as a browser tab is, reading the event stream) connected. Passes alternate
 *   without/with (ABBA, the same idle wait before each) so that drift of a shared machine hits both alike, and
 *   each is measured by the wall clock and by the process's CPU time (which
 *   other processes on a shared machine do not inflate); the ratio is the
 *   median of each pair's with ÷ without. Target: with the inspector, at
 *   least 98 % of the throughput without.
 *
 *   node --expose-gc bench/inspect.mjs wasm|js [--quick]     (prints the result as JSON;
 *   npm run bench runs it with the flags of bench/engines.mjs)
 */
import { spawn } from 'node:child_process';
import { setImmediate as turn } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { summarize } from './harness.mjs';
import { builderPass } from './network.mjs';

const SEG = 32768;
const POOL = 8;
const RECORD = 1024;
const SLICE = 1024 * 1024;
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

/**
 * The page reading the inspector's event stream, in a process of its own as
 * a browser tab would be, so that what the reader costs is not counted as the
 * inspector's: it writes one byte per snapshot received to its stdout, and
 * this side counts them.
 */
const PAGE_SCRIPT = `
const { request } = require('node:http');
let buffered = '';
const req = request(process.argv[1] + 'events', (res) => {
  res.setEncoding('utf8');
  res.on('data', (chunk) => {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf('\\n\\n')) >= 0) {
      if (buffered.startsWith('data: {')) process.stdout.write('.');
      buffered = buffered.slice(end + 2);
    }
  });
  res.on('error', () => process.exit(0));
});
req.on('error', () => process.exit(0));
req.end();
`;

/** Starts the page process on `url`; resolves once it has received its first snapshot. */
async function connectPage(url) {
  const child = spawn(process.execPath, ['-e', PAGE_SCRIPT, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let snapshots = 0;
  let first;
  const connected = new Promise((resolve) => (first = resolve));
  child.stdout.on('data', (chunk) => {
    snapshots += chunk.length;
    first();
  });
  await connected;
  return { stop: () => child.kill(), get snapshots() { return snapshots; } };
}

/**
 * One timed pass of `total` bytes in 1 MiB slices, a macrotask turn between
 * slices. Returns GB/s by the wall clock and by this process's CPU time
 * (every thread: the inspector's work and GC count, other processes on a
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
  const wallNs = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  return { gbps: total / wallNs, cpuGbps: total / ((cpu.user + cpu.system) * 1000), sink };
}

async function throughputRows(lib, inspect, settings) {
  const rt = await lib.init({ managedMemory: 0, networkMemory: POOL * SEG, offHeapMemory: 0, pageSize: SEG });
  const pool = rt.networkBufferPool.createBufferPool({ minSize: POOL, maxSize: POOL, name: 'bench' });
  const record = new Uint8Array(RECORD).map((_, i) => (i * 31 + 7) & 0xff);
  const total = settings.passBytes;
  const without = [];
  const withInspector = [];
  const withoutCpu = [];
  const withCpu = [];
  let sink = 0;
  let received = 0;
  let passMs = 0;
  try {
    for (let i = 0; i < settings.warmupPasses; i++) sink += (await slicedPass(pool, record, total)).sink;
    for (let i = 0; i < settings.passes; i++) {
      // ABBA order, and the same idle wait before every pass (an idle machine slows the pass after it).
      for (const attached of i % 2 === 0 ? [false, true] : [true, false]) {
        const server = attached ? await inspect.serveInspector(rt, { intervalMs: 100 }) : null;
        const page = server === null ? null : await connectPage(server.url);
        await new Promise((resolve) => setTimeout(resolve, 150)); // a page is connected and has had its first snapshots
        // Setting the server up leaves garbage; collected before either kind of pass, so only what watching makes counts.
        globalThis.gc?.();
        const before = page?.snapshots ?? 0;
        const t0 = performance.now();
        const pass = await slicedPass(pool, record, total);
        sink += pass.sink;
        if (page === null) {
          without.push(pass.gbps);
          withoutCpu.push(pass.cpuGbps);
          continue;
        }
        passMs += performance.now() - t0;
        received += page.snapshots - before;
        withInspector.push(pass.gbps);
        withCpu.push(pass.cpuGbps);
        page.stop();
        await server.close();
      }
    }
    if (pool.numberOfAvailableMemorySegments !== POOL) throw new Error('inspector rows: buffers not recycled');
  } finally {
    pool.lazyDestroy();
    rt.close();
  }
  const w = summarize(without);
  const v = summarize(withInspector);
  const wc = summarize(withoutCpu);
  const vc = summarize(withCpu);
  // Each pair's with ÷ without, taken next to each other in time: drift of a shared machine cancels within a pair.
  const paired = (a, b) => summarize(a.map((x, i) => b[i] / x)).median;
  // Snapshots the page received per second of the passes with the inspector: shows the 10 Hz really ran.
  return {
    recordBytes: RECORD,
    bytesPerPass: total,
    without: w,
    with: v,
    ratio: paired(without, withInspector),
    cpu: { without: wc, with: vc, ratio: paired(withoutCpu, withCpu) },
    snapshotsPerSecond: received / (passMs / 1000),
    sink,
  };
}

/** Measures the inspector rows for one build; `lib` and `inspect` are its modules (dist/index.js or dist/js.js, and dist/inspect-node.js). */
export async function measureInspectRows(lib, inspect, { quick = false } = {}) {
  const settings = quick
    ? { rounds: 5, budget: 200, warmupPasses: 1, passes: 3, passBytes: 64 * 1024 * 1024 }
    : { rounds: 15, budget: 1000, warmupPasses: 2, passes: 31, passBytes: 512 * 1024 * 1024 };
  const snapshot = await snapshotRows(lib, settings);
  const throughput = await throughputRows(lib, inspect, settings);
  const at1000 = snapshot.find((r) => r.count === 1000).snapshotUs.median;
  const targets = [
    { what: 'builder → consumer per CPU second with the inspector attached at 10 Hz ≥ 98 % of without (ratio)', value: throughput.cpu.ratio, ok: throughput.cpu.ratio >= 0.98 },
    { what: 'builder → consumer by the wall clock with the inspector attached at 10 Hz ≥ 98 % of without (ratio)', value: throughput.ratio, ok: throughput.ratio >= 0.98 },
    { what: 'a snapshot of 1000 pools and 1000 partitions within a 10 Hz budget (≤ 10 ms)', value: at1000, ok: at1000 <= 10_000 },
  ];
  return { engine: `node ${process.version}`, quick, snapshot, throughput, targets };
}

// Standalone: node bench/inspect.mjs wasm|js [--quick]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const build = process.argv[2] ?? 'wasm';
  const entry = { wasm: '../dist/index.js', js: '../dist/js.js' }[build];
  if (entry === undefined) throw new Error(`usage: node bench/inspect.mjs wasm|js [--quick] (got ${build})`);
  const lib = await import(entry);
  const inspect = await import('../dist/inspect-node.js');
  const result = await measureInspectRows(lib, inspect, { quick: process.argv.includes('--quick') });
  process.stdout.write(JSON.stringify({ build, ...result }, null, 2) + '\n');
}
