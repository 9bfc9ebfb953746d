/**
 * Turns what each engine's processes measured (each build merged over its
 * processes by bench/merge.mjs) into one report object: a part per engine,
 * with the two builds side by side, each workload's control row beside it,
 * and the targets evaluated per engine. bench/render.mjs renders it as
 * Markdown; the same object is written as JSON, so both always say the same.
 */
import { FLINK } from './flink.mjs';
import { evaluateTargets } from './targets.mjs';

export const BUILDS = ['wasm', 'js'];
export const BUILD_NAMES = { wasm: 'wasm build', js: 'pure-JS build' };
/** Other processes busy for more than this share of one core while a worker ran disturb its figures. */
const DISTURBED_SHARE = 0.1;

/** What a build measured for one row: stats (plus GB/s when bytes move), or why there is none. */
function buildStats(row, bytesPerOp) {
  if (row === undefined) return null;
  if (row.error !== undefined) return { error: row.error, checksumMismatch: row.checksumMismatch === true };
  if (row.unavailable !== undefined) return null;
  const stats = { median: row.median, min: row.min, max: row.max, processMedians: row.processMedians };
  // Each of these holds one entry per process.
  if (row.roundsPerProcess !== undefined) stats.roundsPerProcess = row.roundsPerProcess; // timed rows: ns per op of each round
  if (row.passesPerRound !== undefined) stats.passesPerRound = row.passesPerRound;
  if (row.controlRatio !== undefined) {
    stats.controlRatio = row.controlRatio;
    stats.controlRatiosPerProcess = row.controlRatiosPerProcess;
  }
  if (row.sampleCounts !== undefined) stats.sampleCounts = row.sampleCounts; // micro rows: tinybench samples
  if (row.callsPerSample !== undefined) stats.callsPerSample = row.callsPerSample;
  if (row.verified !== undefined) stats.verified = row.verified;
  if (bytesPerOp) {
    stats.gbps = { median: bytesPerOp / row.median, min: bytesPerOp / row.max, max: bytesPerOp / row.min };
  }
  return stats;
}

export const measured = (s) => s !== null && s !== undefined && s.error === undefined;
const ratio = (a, b) => (measured(a) && measured(b) ? a.median / b.median : null);
/** A build's time over its control's: the round-by-round ratio measured beside it, else the quotient of the two medians. */
const controlRatio = (build, control) => (measured(build) && measured(control) && build.controlRatio !== undefined ? build.controlRatio : ratio(build, control));

/** Rows of every build, merged by `key`, in the order the first build that has them ran them. */
function mergeRows(perBuild, section, key, shape) {
  const order = [];
  const byKey = new Map();
  for (const build of BUILDS) {
    for (const row of perBuild[build]?.[section] ?? []) {
      const k = key(row);
      if (!byKey.has(k)) {
        byKey.set(k, {});
        order.push(k);
      }
      byKey.get(k)[build] = row;
    }
  }
  return order.map((k) => shape(byKey.get(k)));
}

/** Builds that a busy machine disturbed: any of their processes, or all of them together, over the threshold. */
function disturbedBuilds(interference) {
  const busy = (i) => i.otherCoreShare > DISTURBED_SHARE;
  return BUILDS.filter((b) => interference[b] && (busy(interference[b]) || interference[b].processes.some(busy)));
}

/**
 * One engine's part. perBuild: { wasm, js } merged over each build's processes
 * (null for a build none of whose processes reported); controls: the control
 * rows merged over every process of both builds (they run no segmem code, so
 * all of them measure the same thing); meta: id, engine { name, version, v8 },
 * interference, failures found outside the rows, sideBySide (bench/merge.mjs
 * mergeSideBySide, or null).
 */
export function buildEngineReport(perBuild, controls, meta) {
  const controlStats = new Map((controls ?? []).map((c) => [c.id, { id: c.id, title: c.title, unit: c.unit, ...buildStats(c, c.bytesPerOp) }]));

  const workloads = mergeRows(perBuild, 'workloads', (r) => r.id, (rows) => {
    const any = rows.wasm ?? rows.js;
    const wasm = buildStats(rows.wasm, any.bytesPerOp);
    const js = buildStats(rows.js, any.bytesPerOp);
    const control = controlStats.get(any.id) ?? null;
    return {
      id: any.id,
      title: any.title,
      unit: any.unit,
      opsPerPass: any.opsPerPass,
      bytesPerOp: any.bytesPerOp,
      ...(any.unavailable !== undefined ? { status: any.unavailable, why: any.why } : {}),
      wasm,
      js,
      ratio: ratio(wasm, js),
      flink: FLINK[any.id] ?? null,
      flinkRatio: measured(wasm) && FLINK[any.id] ? FLINK[any.id].ns.map((ns) => wasm.median / ns).reverse() : null,
      // "× control": each build's time over the control's, the engine's floor for the same bytes, in rounds side by side.
      control: control === null ? null : { ...control, wasmX: controlRatio(wasm, control), jsX: controlRatio(js, control) },
    };
  });

  const micro = mergeRows(perBuild, 'micro', (r) => r.name, (rows) => {
    const any = rows.wasm ?? rows.js;
    const wasm = buildStats(rows.wasm, any.bytesPerOp);
    const js = buildStats(rows.js, any.bytesPerOp);
    return { name: any.name, group: any.group, unit: any.unit, ops: any.ops, bytesPerOp: any.bytesPerOp, wasm, js, ratio: ratio(wasm, js) };
  });

  // Reference rows exist in the wasm build only; the MemorySegment figure comes from its micro row.
  const reference = [];
  for (const row of perBuild.wasm?.reference ?? []) {
    let entry = reference.find((r) => r.op === row.op);
    if (entry === undefined) {
      const segmentRow = micro.find((m) => m.name === row.op);
      entry = { op: row.op, export: null, dataview: null, segment: segmentRow?.wasm ?? null, exportToDataView: null };
      reference.push(entry);
    }
    entry[row.variant] = buildStats(row, null);
    entry.exportToDataView = ratio(entry.export, entry.dataview);
  }

  const failures = [...meta.failures, ...BUILDS.flatMap((b) => perBuild[b]?.problems ?? [])];
  for (const row of [...workloads, ...micro]) {
    for (const build of BUILDS) {
      const s = row[build];
      if (s?.error !== undefined) {
        // A checksum message already names workload and build.
        failures.push(s.checksumMismatch ? `CHECKSUM MISMATCH: ${s.error}` : `${row.id ?? row.name} (${BUILD_NAMES[build]}): error: ${s.error}`);
      }
    }
  }
  const sideBySide = meta.sideBySide ?? null;
  for (const row of sideBySide?.rows ?? []) {
    if (row.error !== undefined) failures.push(row.checksumMismatch ? `CHECKSUM MISMATCH: ${row.error}` : `${row.name} (side by side): error: ${row.error}`);
  }
  failures.push(...(sideBySide?.problems ?? []));
  for (const c of controlStats.values()) {
    if (c.error !== undefined) failures.push(c.checksumMismatch ? `CHECKSUM MISMATCH: ${c.error}` : `${c.id} control: error: ${c.error}`);
  }
  for (const row of reference) {
    for (const variant of ['export', 'dataview']) {
      if (row[variant]?.error !== undefined) failures.push(`reference ${row.op} via ${variant}: error: ${row[variant].error}`);
    }
  }

  const part = {
    id: meta.id,
    engine: meta.engine,
    processes: Object.fromEntries(BUILDS.map((b) => [b, perBuild[b]?.processes ?? 0])),
    interference: meta.interference,
    disturbed: disturbedBuilds(meta.interference),
    ok: failures.length === 0,
    failures,
    workloads,
    controls: [...controlStats.values()],
    micro,
    reference,
    // Both builds in one process, rounds alternating (bench/side-by-side.mjs): { processes, rows }, or null.
    sideBySide: sideBySide === null ? null : { processes: sideBySide.processes, rows: sideBySide.rows },
  };
  part.targets = evaluateTargets(part);
  return part;
}

/**
 * The whole report. engines: buildEngineReport parts in run order; meta:
 * host, date, load (1-minute average before and after), settings, failures
 * outside any engine, seconds the run took.
 */
export function buildReport(engines, meta) {
  const failures = [...meta.failures, ...engines.flatMap((e) => e.failures.map((f) => `${e.id}: ${f}`))];
  return {
    host: meta.host,
    date: meta.date,
    loadAverage: meta.load,
    seconds: meta.seconds,
    quick: meta.settings.quick,
    settings: meta.settings,
    ok: failures.length === 0,
    failures,
    engines,
  };
}
