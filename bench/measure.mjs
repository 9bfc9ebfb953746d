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
import { timePaired, timeRounds } from './harness.mjs';
import { measureRow } from './micro.mjs';
import { live, microRows } from './micro-rows.mjs';
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

  /** A reference workload or control: its descriptive fields, its owner of pages and its name in the log. */
  function rowOf(w, kind) {
    const row = { id: w.id, title: w.title, unit: w.unit, opsPerPass: w.opsPerPass, bytesPerOp: w.bytesPerOp ?? null };
    const name = kind === 'control' ? `${w.id} control` : w.id;
    const label = kind === 'control' ? `${name} (${buildName} build's process)` : `${w.id} (${buildName} build)`;
    return { w, row, owner: `bench ${w.id} ${kind}`, name, label };
  }

  /** Sets a row up (checksums verified); null when it failed, its failure then in `failed`. */
  function setUp(r, failed) {
    if (r.w.setup === null) return null;
    try {
      return r.w.setup({ rt, mm, owner: r.owner, label: r.label });
    } catch (err) {
      failed.set(r, err);
      return null;
    }
  }

  /** The row's result: its timing and checks, or its failure. */
  function finish(r, state, timing, failed) {
    if (r.w.setup === null) return { ...r.row, unavailable: r.w.unavailable, why: r.w.why };
    return guarded(r.row, () => {
      if (failed.has(r)) throw failed.get(r);
      const verified = [...state.verified, ...(state.finish?.() ?? [])];
      const ratio = timing.controlRatio === undefined ? '' : `, ${timing.controlRatio.toFixed(2)}× its control round by round`;
      log(`${r.name}: ${fmt(timing.median)} ${r.w.unit} (${fmt(timing.min)}–${fmt(timing.max)})${ratio}, checksums ok`);
      return { ...timing, verified };
    });
  }

  /**
   * Reference workloads, each with its control row when it has one: both set
   * up (checksums verified), then timed in alternating rounds (timePaired), so
   * that "× control" compares rounds that ran side by side; a workload without
   * a control, or whose control failed, is timed alone.
   */
  function runWorkloads(list) {
    const workloads = [];
    const controls = [];
    const timing = { ...t, warmupMs: workloadWarmupMs(t) };
    for (const w of list) {
      const c = CONTROLS.find((x) => x.id === w.id);
      const a = rowOf(w, 'workload');
      const b = c === undefined ? null : rowOf(c, 'control');
      const failed = new Map();
      try {
        const stateA = setUp(a, failed);
        const stateB = b === null ? null : setUp(b, failed);
        collect();
        let timedA;
        let timedB;
        try {
          if (stateA !== null && stateB !== null) {
            const pair = timePaired({ passes: stateA.passes, opsPerPass: w.opsPerPass }, { passes: stateB.passes, opsPerPass: c.opsPerPass }, timing);
            live.sink += pair.sink;
            timedA = pair.workload;
            timedB = pair.control;
          } else {
            const alone = stateA ?? stateB;
            if (alone !== null) {
              const { sink, ...stats } = timeRounds(alone.passes, stateA !== null ? w.opsPerPass : c.opsPerPass, timing);
              live.sink += sink;
              if (stateA !== null) timedA = stats;
              else timedB = stats;
            }
          }
        } catch (err) {
          // A pass that throws (a checksum, say) fails both rows of the pair: which one threw is in the message.
          if (stateA !== null) failed.set(a, err);
          if (stateB !== null) failed.set(b, err);
        }
        workloads.push(finish(a, stateA, timedA, failed));
        if (b !== null) controls.push(finish(b, stateB, timedB, failed));
      } finally {
        mm.releaseAll(a.owner);
        if (b !== null) mm.releaseAll(b.owner);
      }
    }
    return { workloads, controls };
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
  const { workloads, controls } = runWorkloads(WORKLOADS.filter((w) => picked(w.id)));

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
