/**
 * Measures ONE build in a process of its own: `node bench/worker.mjs wasm|js [tag]`
 * (started by run.mjs, several times per build, which receives the results over
 * the IPC channel; the tag, e.g. '2/3', only marks this process's log lines).
 *
 * Both builds share the MemorySegment class; loading both into one process
 * would let its call sites see two kinds of kernels and turn polymorphic,
 * which no user of a single build ever sees. One process per build keeps V8's
 * inline caches as a user of that build has them.
 *
 * One runtime serves every row, as one runtime serves a user: a second
 * runtime would bring a second wasm instance and polymorphic kernel calls.
 * Its managed memory is exactly W7's manager (1000 pages of 32 KiB); every
 * other row borrows pages from it and gives them back before W7 runs.
 */
import { ChecksumError } from './checks.mjs';
import { timeRounds } from './harness.mjs';
import { live, measureRow, microRows } from './micro.mjs';
import { referenceRows } from './reference.mjs';
import { timings } from './settings.mjs';
import { WORKLOADS } from './workloads.mjs';

const ENTRY = { wasm: '../dist/index.js', js: '../dist/js.js' };
const build = process.argv[2];
const tag = process.argv[3] ? ` ${process.argv[3]}` : '';
const t = timings();
const log = (message) => process.stderr.write(`[${build}${tag}] ${message}\n`);
// Run with --expose-gc: collecting setup garbage between rows keeps one row's
// leftovers from being collected inside the next row's timing.
const collect = globalThis.gc ?? (() => {});

const fmt = (ns) => (ns < 10 ? ns.toFixed(2) : ns < 100 ? ns.toFixed(1) : ns.toFixed(0));

/** Runs one row; a failure becomes part of the result instead of ending the run. */
function guarded(row, body) {
  try {
    return { ...row, ...body() };
  } catch (err) {
    const checksum = err instanceof ChecksumError;
    log(`${row.id ?? row.name ?? `${row.op} via ${row.variant}`}: ${checksum ? 'CHECKSUM MISMATCH' : 'ERROR'}: ${err.message}`);
    return { ...row, error: err.message, checksumMismatch: checksum };
  }
}

function runWorkloads(rt) {
  const mm = rt.memoryManager;
  const results = [];
  for (const w of WORKLOADS) {
    const row = { id: w.id, title: w.title, unit: w.unit, opsPerPass: w.opsPerPass, bytesPerOp: w.bytesPerOp ?? null };
    if (w.setup === null) {
      results.push({ ...row, unavailable: w.unavailable, why: w.why });
      continue;
    }
    const owner = `bench ${w.id}`;
    results.push(
      guarded(row, () => {
        try {
          const state = w.setup({ rt, mm, owner, label: `${w.id} (${build === 'js' ? 'pure-JS' : 'wasm'} build)` });
          collect();
          const timing = timeRounds(state.passes, w.opsPerPass, t);
          live.sink += timing.sink;
          const verified = [...state.verified, ...(state.finish?.() ?? [])];
          log(`${w.id}: ${fmt(timing.median)} ${w.unit} (${fmt(timing.min)}–${fmt(timing.max)}), checksums ok`);
          const { sink, ...stats } = timing;
          return { ...stats, verified };
        } finally {
          mm.releaseAll(owner);
        }
      }),
    );
  }
  return results;
}

function runRows(rows, describe) {
  return rows.map((r) =>
    guarded(describe(r), () => {
      collect();
      const stats = measureRow(r.name ?? `${r.op} (${r.variant})`, r.ops, r.fn, t);
      log(`${r.name ?? `${r.op} via ${r.variant}`}: ${fmt(stats.median)} ns/op`);
      return stats;
    }),
  );
}

async function main() {
  if (!(build in ENTRY)) throw new Error(`usage: node bench/worker.mjs wasm|js [tag] (got ${build})`);
  const lib = await import(ENTRY[build]);
  const rt = await lib.init({ managedMemory: 1000 * 32768, networkMemory: 0 });
  if (rt.build !== build) throw new Error(`${ENTRY[build]} started a '${rt.build}' runtime, expected '${build}'`);
  const mm = rt.memoryManager;

  const workloads = runWorkloads(rt);

  const microOwner = 'bench micro';
  const micro = runRows(microRows(mm, microOwner), (r) => ({ name: r.name, group: r.group, unit: r.unit ?? 'ns per op', ops: r.ops, bytesPerOp: r.bytes ?? null }));
  mm.releaseAll(microOwner);

  const referenceOwner = 'bench reference';
  const reference = runRows(referenceRows(rt, referenceOwner), (r) => ({ op: r.op, variant: r.variant, ops: r.ops }));
  mm.releaseAll(referenceOwner);

  // Reported rather than thrown, so the rows measured so far still reach the report.
  const problems = [];
  if (!mm.verifyEmpty()) problems.push(`${build} build: ${mm.memorySize - mm.availableMemory} bytes of managed memory still held after the run`);
  rt.close();
  // This process's CPU time (all its threads), so run.mjs can tell how much of
  // the machine's busy time during the run belonged to other processes.
  return { build, workloads, micro, reference, problems, cpu: process.cpuUsage(), sink: live.sink };
}

// Without an IPC channel (run by hand) the result goes to stdout as JSON.
const send = (message) =>
  process.send ? new Promise((resolve) => process.send(message, resolve)) : void process.stdout.write(JSON.stringify(message) + '\n');
const disconnect = () => process.connected && process.disconnect();

main().then(
  async (result) => {
    await send({ ok: true, result });
    disconnect();
  },
  async (err) => {
    log(`FATAL: ${err.stack ?? err}`);
    await send({ ok: false, error: String(err.message ?? err) });
    disconnect();
    process.exitCode = 1;
  },
);
