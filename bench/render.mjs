/**
 * The report (bench/report.mjs) as Markdown: summary tables with a column per
 * engine (each header naming the engine's version), then each engine's
 * figures in full, with ranges.
 */
import { renderExtraSections } from './extra-rows.mjs';
import { BUILD_NAMES, BUILDS } from './report.mjs';

/** ns with about three significant digits. */
function ns(x) {
  if (x < 10) return x.toFixed(2);
  if (x < 100) return x.toFixed(1);
  return x.toFixed(0);
}

const gb = (x) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const pct = (share) => `${(100 * share).toFixed(0)}%`;
const ratioCell = (r) => (r === null || r === undefined ? '—' : r.toFixed(2));

function statsCell(s, { range = true } = {}) {
  if (s === null || s === undefined) return '—';
  if (s.error !== undefined) return s.checksumMismatch ? '**CHECKSUM MISMATCH**' : '**ERROR**';
  let cell = range ? `${ns(s.median)} (${ns(s.min)}–${ns(s.max)})` : ns(s.median);
  if (s.gbps) cell += ` = ${gb(s.gbps.median)} GB/s`;
  return cell;
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "Node v20.20.2 (V8 11.3)": the column header of an engine. */
function engineHeader(e) {
  if (!e.engine) return `${e.id} (did not run)`;
  const v8 = String(e.engine.v8).split('.').slice(0, 2).join('.');
  return `${e.engine.name} ${e.engine.version} (V8 ${v8})`;
}

/** A summary cell: "wasm / pure JS (wasm ÷ JS)", medians only. */
function pairCell(row) {
  if (!row) return '—';
  if (row.status !== undefined) return row.status;
  const one = (s) => (s === null ? '—' : s.error !== undefined ? statsCell(s) : ns(s.median));
  return `${one(row.wasm)} / ${one(row.js)} (${ratioCell(row.ratio)})`;
}

/** A control's summary cell: its median, then each build's time over it. */
function controlCell(c) {
  if (!c) return '—';
  if (c.error !== undefined) return statsCell(c);
  return `${ns(c.median)}; wasm ${ratioCell(c.wasmX)}×, JS ${ratioCell(c.jsX)}×`;
}

function flinkRatioCell(row) {
  if (row.flinkRatio === null) return '—';
  const [lo, hi] = row.flinkRatio;
  return Math.abs(hi - lo) < 1e-9 ? `${lo.toFixed(1)}×` : `${lo.toFixed(1)}–${hi.toFixed(1)}×`;
}

function checksumCell(row) {
  if (row.status !== undefined) return '—';
  const states = [...BUILDS.map((b) => row[b]), ...(row.control ? [row.control] : [])];
  if (states.some((s) => s?.checksumMismatch)) return '**MISMATCH**';
  if (states.some((s) => s?.error !== undefined)) return '**ERROR**';
  if (!states.every((s) => s?.verified?.length > 0)) return '—';
  // A merged row has checks only if every process that measured it passed them.
  const n = row.wasm.verified.length;
  const counts = BUILDS.map((b) => row[b].processMedians.length);
  const where = counts[0] === counts[1] ? `${counts[0]} process${counts[0] === 1 ? '' : 'es'} each` : `${counts[0]} + ${counts[1]} processes`;
  return `ok (${n} check${n === 1 ? '' : 's'}, both builds${row.control ? ' and the control' : ''}, ${where})`;
}

/** Rows matched across engines by `key`, in the order the first engine that has them lists them. */
function acrossEngines(engines, list, key) {
  const order = [];
  const byKey = new Map();
  engines.forEach((e, i) => {
    for (const row of list(e)) {
      const k = key(row);
      if (!byKey.has(k)) {
        byKey.set(k, new Array(engines.length).fill(null));
        order.push(k);
      }
      byKey.get(k)[i] = row;
    }
  });
  return order.map((k) => byKey.get(k));
}

function header(report) {
  const s = report.settings;
  const out = ['# segmem benchmark', ''];
  out.push(`- Engines: ${report.engines.map(engineHeader).join('; ')}`);
  out.push(`- Host: ${report.host}`);
  out.push(`- Date: ${report.date}; the run took ${Math.round(report.seconds / 60)} min`);
  out.push(
    `- Machine load (1-minute average) before / after: ${report.loadAverage.before.toFixed(2)} / ${report.loadAverage.after.toFixed(2)}` +
      ' (the measured processes run one after the other; anything else running adds noise to every figure)',
  );
  const share = (e, b) => {
    const i = e.interference?.[b];
    if (!i) return 'unknown';
    const each = i.processes.length > 1 ? ` (per process: ${i.processes.map((p) => pct(p.otherCoreShare)).join(', ')})` : '';
    return `${pct(i.otherCoreShare)} of a core${each}`;
  };
  out.push(`- Other processes' CPU use while each build ran: ${report.engines.map((e) => `${e.id}: wasm ${share(e, 'wasm')}, pure JS ${share(e, 'js')}`).join('; ')}`);
  for (const e of report.engines.filter((e) => e.disturbed?.length > 0)) {
    out.push(
      `- **Warning: the machine was busy while the ${e.disturbed.map((b) => BUILD_NAMES[b]).join(' and the ')} ran on ${e.id}; ` +
        'those figures (and the ratios) are disturbed. Re-run on a quiet machine.**',
    );
  }
  const perBuild = `${s.processes} process${s.processes === 1 ? '' : 'es'} per build and engine`;
  out.push(`- Run: \`${s.command}\`, ${report.quick ? `**quick, ${perBuild}: times cut for a smoke check; these figures are not measurements**` : `full, ${perBuild}`}`);
  out.push(`- Result: ${report.ok ? 'every checksum reproduced on both builds and every control, in every process of every engine' : `**FAILED: ${report.failures.length} problem(s), see Failures**`}`, '');
  return out;
}

function method(report) {
  const s = report.settings;
  return [
    '## Method',
    '',
    '- Figures move with the machine and with whatever else runs on it: compare ratios within one run (wasm ÷ pure JS, × control), not absolute times across runs or machines.',
    '- Engines: the machine\'s Node (`child_process.fork` of `bench/worker.mjs`), the same worker on Node 24 (`scripts/node24.mjs`, fetched on demand), and Debian\'s Chromium, headless, through playwright: a fresh browser per process loads `bench/page/` from a local server (127.0.0.1, COOP/COEP headers, so the page is cross-origin isolated and its clock resolves 5 µs) and runs the same modules (`bench/measure.mjs`). One clock everywhere: `performance.now()`.',
    '- Each build is measured in processes of its own, so that V8\'s inline caches of the shared `MemorySegment` class stay monomorphic per build, exactly as a user of one build sees them.',
    `- ${s.processes} process${s.processes === 1 ? '' : 'es'} per build and engine (BENCH_PROCESSES), run one at a time, engine after engine, alternating between the builds within an engine (wasm, pure JS, wasm, …), so a slow drift of the machine reaches both builds alike. Every process measures every row below and verifies every checksum. ${s.engines.length} engine${s.engines.length === 1 ? '' : 's'} × 2 builds × ${s.processes} is ${s.engines.length * 2 * s.processes} processes.`,
    '- Merge (`bench/merge.mjs`): per row and build the reported median is the median of the per-process medians (a single process\'s median carries its JIT and GC luck), and the range is the lowest minimum to the highest maximum over the processes; the per-process medians are in the JSON (`processMedians`). A checksum mismatch or error in any process fails the row and the run. Ratios and targets use the merged medians.',
    `- V8 flags (Node: worker flags; Chromium: \`--js-flags\`): \`${s.v8Flags.join(' ')}\`. The semi-space flags pin V8's young generation at its default maximum; left to grow and shrink with each process's allocation history, it made rows that allocate (getLong (bigint) above all) scavenge more or less often per sample from one process to the next.`,
    '- One runtime per process, `init({ managedMemory: 1000 × 32 KiB, networkMemory: 2048 × 32 KiB })`; every segment is a page of its MemoryManager, which is W7\'s manager too (the other rows give their pages back before W7 runs), and W8 runs on its NetworkBufferPool.',
    `- Reference workloads (W1–W8, bench-workloads.md) and control rows: checksums verified first, in every process (a mismatch stops that row and fails the run); then ${s.warmupMs / 1000} s of warm-up${s.maglevWarmupMs === undefined ? '' : ` (${s.maglevWarmupMs / 1000} s where V8 is 12 or later, as in Node 22+ and Chromium, whose V8 runs hot code in Maglev for about a second before TurboFan: with 1 s the timed rounds straddled that switch; bench/settings.mjs)`} and ${s.rounds} timed rounds of about ${s.roundMs} ms, each round a loop of whole passes; ns per op = round time / (passes × ops per pass); per process, median and range (min–max) over the rounds. Pass results are summed into a sink so nothing is optimised away. GB/s = 10^9 bytes per second.`,
    '- Control rows (`bench/controls.mjs`): the workload\'s pass on plain typed arrays with no segmem code, the floor the engine gives for the same bytes; they run in every process of both builds, each beside its workload: after both have warmed up, their timed rounds alternate (workload, control, workload, ...). "× control" = the build\'s time ÷ the control\'s in the round beside it, median over the rounds of a process, then over the build\'s processes: this machine\'s speed moves by up to 2× within a minute, and rounds side by side see the same machine. The control\'s own time merges over every process of both builds, so a ratio need not equal the quotient of the two medians shown.',
    `- Both builds side by side (\`bench/side-by-side.mjs\`): ${s.sideBySideProcesses ?? 0} process${s.sideBySideProcesses === 1 ? '' : 'es'} per engine (BENCH_SIDE_BY_SIDE), after the per-build processes. Each holds both builds, each in a worker thread (Node) or Web Worker (Chromium) of its own, so the builds share no class or inline cache. Per row, both warm up as above (micro rows ${s.sideBySide?.microWarmupMs} ms), then ${s.sideBySide?.rounds} pairs of rounds of about ${s.sideBySide?.roundMs} ms, one round per build, wasm first in odd pairs and pure JS first in even ones; the ratio is the median over the pairs of wasm's round ÷ pure JS's, then the median over the processes. Rows: every reference workload, the micro rows and copy, compare, equal and swap at lengths either side of each cut-off in \`src/kernels/kernels.ts\`.`,
    `- Micro rows: tinybench, one Bench per row (${s.microWarmupMs} ms warm-up, ${s.microMs} ms of samples); each call of a row runs a loop of many ops (column "ops") and a sample is as many calls as last at least 250 µs (Chromium's clock steps by 5 µs); ns per op = sample time / (calls × ops); per process, median and range (min–max) over the samples.`,
    '- Ratios are wasm ÷ pure-JS of ns per op: below 1 the wasm build is faster. "× Flink" is segmem\'s (wasm build) time over Flink\'s JVM figure from bench-workloads.md (another machine of this kind).',
    '',
  ];
}

function summaryTables(report) {
  const engines = report.engines;
  const heads = engines.map(engineHeader);
  const out = [];
  out.push('## Reference workloads and their controls', '');
  out.push('Each engine\'s cell: wasm / pure JS in the unit (wasm ÷ JS). A control row follows its workload: its own time; each build\'s time over it.', '');
  const rows = [];
  for (const perEngine of acrossEngines(engines, (e) => e.workloads, (r) => r.id)) {
    const any = perEngine.find((r) => r !== null);
    rows.push([any.id, any.title, any.unit, ...perEngine.map(pairCell), any.flink?.text ?? '—']);
    if (perEngine.some((r) => r?.control)) {
      const c = perEngine.find((r) => r?.control).control;
      rows.push([`${any.id} control`, c.title, c.unit, ...perEngine.map((r) => controlCell(r?.control)), '']);
    }
  }
  out.push(table(['id', 'workload', 'unit', ...heads, 'Flink JVM'], rows), '');

  out.push('## Micro rows (tinybench)', '');
  out.push('Each engine\'s cell: wasm / pure JS in ns per op (wasm ÷ JS); GB/s in the details below.', '');
  out.push(
    table(
      ['operation', 'unit', ...heads],
      acrossEngines(engines, (e) => e.micro, (r) => r.name).map((perEngine) => {
        const any = perEngine.find((r) => r !== null);
        return [any.name, any.unit, ...perEngine.map(pairCell)];
      }),
    ),
    '',
  );

  if (engines.some((e) => e.sideBySide)) {
    out.push('## Both builds side by side', '');
    out.push(
      'Both builds in one process, each in a thread of its own, rounds alternating (`bench/side-by-side.mjs`). Each engine\'s cell: wasm / pure JS in the unit (wasm ÷ JS, the median of the round-by-round ratios). The targets that set the wasm build against pure JS read these ratios.',
      '',
    );
    const sideCell = (r) => (r === null ? '—' : r.error !== undefined ? statsCell(r) : `${ns(r.wasm.median)} / ${ns(r.js.median)} (${ratioCell(r.ratio)})`);
    out.push(
      table(
        ['row', 'unit', ...heads],
        acrossEngines(engines, (e) => e.sideBySide?.rows ?? [], (r) => r.name).map((perEngine) => {
          const any = perEngine.find((r) => r !== null);
          return [any.name, any.unit, ...perEngine.map(sideCell)];
        }),
      ),
      '',
    );
  }

  out.push('## Targets', '');
  out.push('Reported, never asserted: a target not met does not fail the run. Ratios within one engine\'s run.', '');
  const verdict = (t) => (t === null ? '—' : t.met === null ? t.figure : `${t.figure}: ${t.met ? 'met' : '**not met**'}`);
  out.push(
    table(
      ['target', ...heads],
      acrossEngines(engines, (e) => e.targets ?? [], (t) => t.target).map((perEngine) => [perEngine.find((t) => t !== null).target, ...perEngine.map(verdict)]),
    ),
    '',
  );
  return out;
}

function engineDetails(e) {
  const out = [`## ${engineHeader(e)}: all figures`, ''];
  if (!e.engine) {
    out.push(`Did not run: ${e.failures.join('; ')}`, '');
    return out;
  }
  out.push(`### Reference workloads beside Flink (${e.id})`, '');
  out.push(
    table(
      ['id', 'workload', 'unit', 'wasm: median (min–max)', 'pure JS: median (min–max)', 'wasm / JS', 'control: median (min–max)', 'wasm × control', 'JS × control', 'Flink JVM', '× Flink', 'checksums'],
      e.workloads.map((r) =>
        r.status !== undefined
          ? [r.id, r.title, r.unit, r.status, r.status, '—', '—', '—', '—', r.flink?.text ?? '—', '—', '—']
          : [
              r.id, r.title, r.unit, statsCell(r.wasm), statsCell(r.js), ratioCell(r.ratio),
              statsCell(r.control), ratioCell(r.control?.wasmX), ratioCell(r.control?.jsX),
              r.flink?.text ?? '—', flinkRatioCell(r), checksumCell(r),
            ],
      ),
    ),
    '',
  );
  out.push(`### Micro rows (${e.id})`, '');
  out.push(
    table(
      ['operation', 'unit', 'ops', 'wasm: median (min–max)', 'pure JS: median (min–max)', 'wasm / JS'],
      e.micro.map((r) => [r.name, r.unit, String(r.ops), statsCell(r.wasm), statsCell(r.js), ratioCell(r.ratio)]),
    ),
    '',
  );
  out.push(`### One value per wasm call vs a DataView (${e.id}, wasm build, ns per op)`, '');
  out.push('The kernels module still exports one-value accessors (assembly/scalar.ts); these rows call them per value, beside a bare DataView over the same linear memory and the wasm build\'s MemorySegment, so "single values through a DataView" stays a measured choice.', '');
  out.push(
    table(
      ['operation', 'wasm export per value', 'DataView over linear memory', 'MemorySegment (wasm build)', 'export / DataView'],
      e.reference.map((r) => [r.op, statsCell(r.export), statsCell(r.dataview), statsCell(r.segment, { range: false }), ratioCell(r.exportToDataView)]),
    ),
    '',
  );
  return out;
}

function checksums(report) {
  const out = ['## Checksums verified', ''];
  for (const e of report.engines.filter((x) => x.engine)) {
    for (const r of e.workloads) {
      if (r.status !== undefined) {
        out.push(`- ${e.id} ${r.id}: ${r.status} (${r.why})`);
        continue;
      }
      const lines = BUILDS.map((b) => r[b]?.verified?.join('; ') ?? null);
      if (lines[0] !== null && lines[0] === lines[1]) out.push(`- ${e.id} ${r.id} (both builds, every process): ${lines[0]}`);
      else BUILDS.forEach((b, i) => out.push(`- ${e.id} ${r.id} (${BUILD_NAMES[b]}): ${lines[i] ?? 'not verified'}`));
      if (r.control) out.push(`- ${e.id} ${r.id} control (every process): ${r.control.verified?.join('; ') ?? 'not verified'}`);
    }
  }
  out.push('');
  return out;
}

export function renderMarkdown(report) {
  const out = [...header(report), ...method(report), ...summaryTables(report)];
  out.push(...renderExtraSections(report.extra));
  for (const e of report.engines) out.push(...engineDetails(e));
  out.push(...checksums(report));
  if (!report.ok) {
    out.push('## Failures', '');
    for (const f of report.failures) out.push(`- ${f}`);
    out.push('');
  }
  return out.join('\n');
}
