/**
 * Measures ONE build in the engine at hand: every reference workload, its
 * control row, the micro rows and the wasm reference rows. Engine-neutral
 * (no Node API): bench/worker.mjs runs it in a Node process, bench/page.mjs
 * in a Chromium page, and each hands the result back its own way.
 *
 * One runtime serves every row, as one runtime serves a user: a second
 * runtime would bring a second wasm instance and polymorphic kernel calls.
 * Its managed memory is exactly W7's manager (1000 pages of 32 KiB); every
 * other row borrows pages from it and gives them back before W7 runs.
 */
import { ChecksumError } from './checks.mjs';
import { CONTROLS } from './controls.mjs';
import { timeRounds } from './harness.mjs';
import { live, measureRow, microRows } from './micro.mjs';
import { referenceRows } from './reference.mjs';
import { workloadWarmupMs } from './settings.mjs';
import { W8_BUFFERS, W8_SEGMENT, WORKLOADS } from './workloads.mjs';

const fmt = (ns) => (ns < 10 ? ns.toFixed(2) : ns < 100 ? ns.toFixed(1) : ns.toFixed(0));

/**
 * lib: the imported build (segmem or segmem/js); build: 'wasm' | 'js';
 * timings: settings.timings(); log(message); collect(): a full GC if the
 * engine exposes one (collecting setup garbage between rows keeps one row's
 * leftovers from being collected inside the next row's timing).
 */
export async function measureBuild({ lib, build, timings: t, log, collect = () => {} }) {
  // W7's manager (1000 pages) and W8's network pool (2048 buffers of 32 KiB).
  const rt = await lib.init({ managedMemory: 1000 * 32768, networkMemory: W8_BUFFERS * W8_SEGMENT });
  if (rt.build !== build) throw new Error(`the ${build} entry started a '${rt.build}' runtime`);
  const mm = rt.memoryManager;
  const buildName = build === 'js' ? 'pure-JS' : 'wasm';

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

  /** Reference workloads and controls alike: set up (checksums verified), then timed rounds. */
  function runTimed(list, kind) {
    return list.map((w) => {
      const row = { id: w.id, title: w.title, unit: w.unit, opsPerPass: w.opsPerPass, bytesPerOp: w.bytesPerOp ?? null };
      if (w.setup === null) return { ...row, unavailable: w.unavailable, why: w.why };
      const owner = `bench ${w.id} ${kind}`;
      const name = kind === 'control' ? `${w.id} control` : w.id;
      return guarded(row, () => {
        try {
          const state = w.setup({ rt, mm, owner, label: kind === 'control' ? `${name} (${buildName} build's process)` : `${w.id} (${buildName} build)` });
          collect();
          const timing = timeRounds(state.passes, w.opsPerPass, { ...t, warmupMs: workloadWarmupMs(t) });
          live.sink += timing.sink;
          const verified = [...state.verified, ...(state.finish?.() ?? [])];
          log(`${name}: ${fmt(timing.median)} ${w.unit} (${fmt(timing.min)}–${fmt(timing.max)}), checksums ok`);
          const { sink, ...stats } = timing;
          return { ...stats, verified };
        } finally {
          mm.releaseAll(owner);
        }
      });
    });
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

  // t.only (BENCH_ONLY) names a subset: workload ids, micro row names; no reference rows then.
  const picked = (name) => t.only == null || t.only.includes(name);
  const workloads = runTimed(WORKLOADS.filter((w) => picked(w.id)), 'workload');
  const controls = runTimed(CONTROLS.filter((w) => picked(w.id)), 'control');

  const microOwner = 'bench micro';
  const micro = runRows(microRows(mm, microOwner).filter((r) => picked(r.name)), (r) => ({ name: r.name, group: r.group, unit: r.unit ?? 'ns per op', ops: r.ops, bytesPerOp: r.bytes ?? null }));
  mm.releaseAll(microOwner);

  const referenceOwner = 'bench reference';
  const reference = runRows(t.only == null ? referenceRows(rt, referenceOwner) : [], (r) => ({ op: r.op, variant: r.variant, ops: r.ops }));
  mm.releaseAll(referenceOwner);

  // Reported rather than thrown, so the rows measured so far still reach the report.
  const problems = [];
  if (!mm.verifyEmpty()) problems.push(`${build} build: ${mm.memorySize - mm.availableMemory} bytes of managed memory still held after the run`);
  rt.close();
  return { build, workloads, controls, micro, reference, problems, sink: live.sink };
}
