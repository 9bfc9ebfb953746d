/**
 * Merges the two builds' results (each already merged over its processes by
 * bench/merge.mjs) into one report and renders it as Markdown. The same
 * object is written as JSON, so the Markdown and the JSON always say the
 * same thing.
 */
import { FLINK } from './flink.mjs';
import { evaluateTargets } from './targets.mjs';

const BUILDS = ['wasm', 'js'];
const BUILD_NAMES = { wasm: 'wasm build', js: 'pure-JS build' };
/** Other processes busy for more than this share of one core while a worker ran disturb its figures. */
const DISTURBED_SHARE = 0.1;

/** What a build measured for one row: stats (plus GB/s when bytes move), or why there is none. */
function buildStats(row, bytesPerOp) {
  if (row === undefined) return null;
  if (row.error !== undefined) return { error: row.error, checksumMismatch: row.checksumMismatch === true };
  if (row.unavailable !== undefined) return null;
  const stats = { median: row.median, min: row.min, max: row.max, processMedians: row.processMedians };
  // Each of these holds one entry per process.
  if (row.roundsPerProcess !== undefined) stats.roundsPerProcess = row.roundsPerProcess; // reference workloads: ns per op of each round
  if (row.passesPerRound !== undefined) stats.passesPerRound = row.passesPerRound;
  if (row.sampleCounts !== undefined) stats.sampleCounts = row.sampleCounts; // micro rows: tinybench samples
  if (row.verified !== undefined) stats.verified = row.verified;
  if (bytesPerOp) {
    stats.gbps = { median: bytesPerOp / row.median, min: bytesPerOp / row.max, max: bytesPerOp / row.min };
  }
  return stats;
}

const measured = (s) => s !== null && s !== undefined && s.error === undefined;
const ratio = (a, b) => (measured(a) && measured(b) ? a.median / b.median : null);

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
 * perBuild: { wasm, js } merged over each build's processes (null for a build
 * none of whose processes reported); meta: engine, date, settings (with
 * `processes` per build), interference, and failures found outside the rows.
 */
export function buildReport(perBuild, meta) {
  const workloads = mergeRows(perBuild, 'workloads', (r) => r.id, (rows) => {
    const any = rows.wasm ?? rows.js;
    const wasm = buildStats(rows.wasm, any.bytesPerOp);
    const js = buildStats(rows.js, any.bytesPerOp);
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
  for (const row of reference) {
    for (const variant of ['export', 'dataview']) {
      if (row[variant]?.error !== undefined) failures.push(`reference ${row.op} via ${variant}: error: ${row[variant].error}`);
    }
  }

  return {
    engine: meta.engine,
    node: meta.node,
    v8: meta.v8,
    host: meta.host,
    date: meta.date,
    loadAverage: meta.load,
    interference: meta.interference,
    disturbed: disturbedBuilds(meta.interference),
    quick: meta.settings.quick,
    settings: meta.settings,
    ok: failures.length === 0,
    failures,
    workloads,
    micro,
    reference,
    targets: evaluateTargets({ workloads, micro }),
  };
}

// ---------------------------------------------------------------- Markdown

/** ns with about three significant digits. */
function ns(x) {
  if (x < 10) return x.toFixed(2);
  if (x < 100) return x.toFixed(1);
  return x.toFixed(0);
}

const gb = (x) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));

function statsCell(s, { range = true } = {}) {
  if (s === null || s === undefined) return '—';
  if (s.error !== undefined) return s.checksumMismatch ? '**CHECKSUM MISMATCH**' : '**ERROR**';
  let cell = range ? `${ns(s.median)} (${ns(s.min)}–${ns(s.max)})` : ns(s.median);
  if (s.gbps) cell += ` = ${gb(s.gbps.median)} GB/s`;
  return cell;
}

const ratioCell = (r) => (r === null ? '—' : r.toFixed(2));

function flinkRatioCell(row) {
  if (row.flinkRatio === null) return '—';
  const [lo, hi] = row.flinkRatio;
  return Math.abs(hi - lo) < 1e-9 ? `${lo.toFixed(1)}×` : `${lo.toFixed(1)}–${hi.toFixed(1)}×`;
}

function checksumCell(row) {
  if (row.status !== undefined) return '—';
  const states = BUILDS.map((b) => row[b]);
  if (states.some((s) => s?.checksumMismatch)) return '**MISMATCH**';
  if (states.some((s) => s?.error !== undefined)) return '**ERROR**';
  const n = states[0]?.verified?.length ?? 0;
  if (!states.every((s) => s?.verified?.length > 0)) return '—';
  // A merged row has checks only if every process that measured it passed them.
  const counts = states.map((s) => s.processMedians.length);
  const where = counts[0] === counts[1] ? `${counts[0]} process${counts[0] === 1 ? '' : 'es'} each` : `${counts[0]} + ${counts[1]} processes`;
  return `ok (${n} check${n === 1 ? '' : 's'}, both builds, ${where})`;
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderMarkdown(report) {
  const s = report.settings;
  const perBuild = `${s.processes} process${s.processes === 1 ? '' : 'es'} per build`;
  const out = [];
  out.push('# segmem benchmark', '');
  out.push(`- Engine: ${report.engine} (${report.host})`);
  out.push(`- Date: ${report.date}`);
  out.push(
    `- Machine load (1-minute average) before / after: ${report.loadAverage.before.toFixed(2)} / ${report.loadAverage.after.toFixed(2)}` +
      ' (the worker processes run one after the other; anything else running adds noise to every figure)',
  );
  const pct = (share) => `${(100 * share).toFixed(0)}%`;
  const share = (b) => {
    const i = report.interference[b];
    if (!i) return 'unknown';
    const each = i.processes.length > 1 ? ` (per process: ${i.processes.map((p) => pct(p.otherCoreShare)).join(', ')})` : '';
    return `${pct(i.otherCoreShare)} of a core${each}`;
  };
  out.push(`- Other processes' CPU use while each build's workers ran: wasm build ${share('wasm')}, pure-JS build ${share('js')}`);
  if (report.disturbed.length > 0) {
    out.push(
      `- **Warning: the machine was busy while the ${report.disturbed.map((b) => BUILD_NAMES[b]).join(' and the ')} ran; ` +
        'those figures (and the ratios) are disturbed. Re-run on a quiet machine.**',
    );
  }
  out.push(`- Run: ${report.quick ? `**quick (BENCH_QUICK=1 or --quick), ${perBuild}: times cut for a smoke check; these figures are not measurements**` : `full, ${perBuild}`}`);
  out.push(`- Result: ${report.ok ? 'every checksum reproduced on both builds, in every process' : `**FAILED: ${report.failures.length} problem(s), see Failures**`}`, '');

  out.push('## Method', '');
  out.push(
    '- Each build is measured in processes of its own (`child_process.fork` of `bench/worker.mjs`), so that V8\'s inline caches of the shared `MemorySegment` class stay monomorphic per build, exactly as a user of one build sees them.',
    `- ${perBuild} (BENCH_PROCESSES), run one at a time and alternating between the builds (wasm, pure JS, wasm, pure JS, …), so a slow drift of the machine reaches both builds alike. Every process measures every row below and verifies every checksum.`,
    '- Merge (`bench/merge.mjs`): a single process\'s median carries that process\'s JIT and GC luck, so per row and build the reported median is the median of the per-process medians, and the range is the lowest minimum to the highest maximum over the processes. The per-process medians are kept in the JSON report (`processMedians`). A checksum mismatch or error in any process fails the row and the run. Ratios and targets use the merged medians.',
    `- Worker flags: \`${s.v8Flags.join(' ')}\`. The semi-space flags pin V8's young generation at its default maximum; left to grow and shrink with each process's allocation history, it made rows that allocate (getLong (bigint) above all) scavenge more or less often per sample from one process to the next.`,
    '- One runtime per process, `init({ managedMemory: 1000 × 32 KiB, networkMemory: 0 })`; every segment is a page of its MemoryManager, which is W7\'s manager too (the other rows give their pages back before W7 runs).',
    `- Reference workloads (W1–W8, bench-workloads.md): checksums verified first, in every process of both builds (a mismatch stops that row and fails the run); then ${s.warmupMs / 1000} s of warm-up and ${s.rounds} timed rounds of about ${s.roundMs} ms, each round a loop of whole passes; ns per op = round time / (passes × ops per pass); per process, median and range (min–max) over the rounds. Pass results are summed into a sink so nothing is optimised away. GB/s = 10^9 bytes per second.`,
    `- Micro rows: tinybench 6.2.3, one Bench per row (${s.microWarmupMs} ms warm-up, ${s.microMs} ms of samples, hrtime clock); each sample runs a loop of many ops (column "ops"), ns per op = sample time / ops; per process, median and range (min–max) over the samples.`,
    '- Ratios are wasm ÷ pure-JS of ns per op: below 1 the wasm build is faster. "× Flink" is segmem\'s (wasm build) time over Flink\'s.',
    '',
  );

  out.push('## Reference workloads beside Flink', '');
  out.push(
    table(
      ['id', 'workload', 'unit', 'wasm: median (min–max)', 'pure JS: median (min–max)', 'wasm / JS', 'Flink JVM', '× Flink', 'checksums'],
      report.workloads.map((r) =>
        r.status !== undefined
          ? [r.id, r.title, r.unit, r.status, r.status, '—', r.flink?.text ?? '—', '—', '—']
          : [r.id, r.title, r.unit, statsCell(r.wasm), statsCell(r.js), ratioCell(r.ratio), r.flink?.text ?? '—', flinkRatioCell(r), checksumCell(r)],
      ),
    ),
    '',
  );

  out.push('## Micro rows (tinybench)', '');
  out.push(
    table(
      ['operation', 'unit', 'ops', 'wasm: median (min–max)', 'pure JS: median (min–max)', 'wasm / JS'],
      report.micro.map((r) => [r.name, r.unit, String(r.ops), statsCell(r.wasm), statsCell(r.js), ratioCell(r.ratio)]),
    ),
    '',
  );

  out.push('## One value per wasm call vs a DataView (wasm build, ns per op)', '');
  out.push('The kernels module still exports one-value accessors (assembly/scalar.ts); these rows call them per value, beside a bare DataView over the same linear memory and the wasm build\'s MemorySegment, so "single values through a DataView" stays a measured choice.', '');
  out.push(
    table(
      ['operation', 'wasm export per value', 'DataView over linear memory', 'MemorySegment (wasm build)', 'export / DataView'],
      report.reference.map((r) => [r.op, statsCell(r.export), statsCell(r.dataview), statsCell(r.segment, { range: false }), ratioCell(r.exportToDataView)]),
    ),
    '',
  );

  out.push('## Targets', '');
  out.push(table(['target', 'measured', 'met?'], report.targets.map((t) => [t.target, t.figure, t.met ? 'met' : '**not met**'])), '');

  out.push('## Checksums verified', '');
  for (const r of report.workloads) {
    if (r.status !== undefined) {
      out.push(`- ${r.id}: ${r.status} (${r.why})`);
      continue;
    }
    const lines = BUILDS.map((b) => r[b]?.verified?.join('; ') ?? null);
    if (lines[0] !== null && lines[0] === lines[1]) out.push(`- ${r.id} (both builds, every process): ${lines[0]}`);
    else BUILDS.forEach((b, i) => out.push(`- ${r.id} (${BUILD_NAMES[b]}): ${lines[i] ?? 'not verified'}`));
  }
  out.push('');

  if (!report.ok) {
    out.push('## Failures', '');
    for (const f of report.failures) out.push(`- ${f}`);
    out.push('');
  }
  return out.join('\n');
}
