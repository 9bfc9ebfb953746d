/**
 * `npm run bench`: measures the wasm build and the pure-JS build on every
 * engine (the machine's Node, Node 24, headless Chromium; bench/engines.mjs),
 * each build in several processes of its own, one process at a time so they
 * never compete for the CPU, then merges everything into one report with a
 * column per engine: Markdown on stdout, and bench/results/latest.{json,md}.
 *
 * `--engine ID` (repeatable, or a comma list; IDs: node, node24, chromium)
 * measures only those engines and writes bench/results/partial.{json,md}. A
 * quick run (BENCH_QUICK=1 or --quick) writes bench/results/quick.{json,md}.
 * Either way the full report's figures stay as they are.
 *
 * Within an engine the processes alternate between the builds (wasm, js,
 * wasm, js, ...), so a slow drift of the machine reaches both builds alike.
 * bench/merge.mjs turns each build's processes into one figure per row.
 * Then the engine runs both builds side by side in one process
 * (bench/side-by-side.mjs), which the wasm-against-pure-JS targets read.
 *
 * Exits non-zero when any checksum differs, any row fails or an engine
 * cannot run, in any process: a figure whose workload did not reproduce its
 * checksum measured something else.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { openEngine, V8_FLAGS } from './engines.mjs';
import { measureExtraModules } from './extra-rows.mjs';
import { sortBenchmark } from './sort.mjs';
import { externalSortBenchmark } from './external-sort.mjs';
import { combine, watchMachine } from './interference.mjs';
import { mergeProcesses, mergeSideBySide } from './merge.mjs';
import { BUILDS, buildEngineReport, buildReport } from './report.mjs';
import { renderMarkdown } from './render.mjs';
import { ENGINE_IDS, isQuick, processesPerBuild, selectedEngines, sideBySideProcessCount, timings } from './settings.mjs';

const quick = isQuick();
let processes;
let sideBySideProcesses;
let engineIds;
try {
  processes = processesPerBuild(quick);
  sideBySideProcesses = sideBySideProcessCount(quick);
  engineIds = selectedEngines();
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
const t = timings(quick);

/** Measures both builds on one engine, alternating; returns that engine's part of the report. */
async function measureEngine(id) {
  const failures = [];
  let engine;
  try {
    engine = await openEngine(id, { quick, timings: t });
  } catch (err) {
    failures.push(`could not start the engine: ${err.message}`);
    return buildEngineReport({ wasm: null, js: null }, [], { id, engine: null, interference: {}, failures });
  }
  const results = Object.fromEntries(BUILDS.map((b) => [b, []]));
  const tags = Object.fromEntries(BUILDS.map((b) => [b, []]));
  const watched = Object.fromEntries(BUILDS.map((b) => [b, []]));
  const sideResults = [];
  const sideTags = [];
  try {
    for (let k = 1; k <= processes; k++) {
      for (const build of BUILDS) {
        process.stderr.write(`measuring the ${build} build on ${id}, process ${k} of ${processes}${quick ? ' (quick)' : ''}…\n`);
        const watch = watchMachine();
        const { result, cpuSeconds, error } = await engine.measure(build, k, processes);
        if (error) failures.push(error);
        if (!result) continue;
        results[build].push(result);
        tags[build].push(`process ${k} of ${processes}`);
        if (typeof cpuSeconds === 'number') watched[build].push({ process: k, ...watch.stop(cpuSeconds) });
      }
    }
    // Then both builds side by side in one process (bench/side-by-side.mjs), the figures the
    // wasm-against-pure-JS targets read; processes alternate with nothing else running.
    for (let k = 1; k <= sideBySideProcesses; k++) {
      process.stderr.write(`measuring both builds side by side on ${id}, process ${k} of ${sideBySideProcesses}${quick ? ' (quick)' : ''}…\n`);
      const { result, error } = await engine.sideBySide(k, sideBySideProcesses);
      if (error) failures.push(error);
      if (result) {
        sideResults.push(result);
        sideTags.push(`side by side ${k} of ${sideBySideProcesses}`);
      }
    }
  } finally {
    await engine.close();
  }

  const perBuild = {};
  const interference = {};
  for (const build of BUILDS) {
    perBuild[build] = mergeProcesses(build, results[build], tags[build]);
    interference[build] = combine(watched[build]);
  }
  // Controls run no segmem code: every process of both builds measured the same thing.
  const all = BUILDS.flatMap((b) => results[b]);
  const allTags = BUILDS.flatMap((b) => tags[b].map((tag) => `${BUILD_NAMES_SHORT[b]} ${tag}`));
  const controls = mergeProcesses('controls', all, allTags)?.controls ?? [];
  const info = all[0]?.engine ?? null;
  const sideBySide = mergeSideBySide(sideResults, sideTags);
  return buildEngineReport(perBuild, controls, { id, engine: info, interference, failures, sideBySide });
}
const BUILD_NAMES_SHORT = { wasm: 'wasm', js: 'pure-JS' };

const started = Date.now();
// Other processes on the machine show up as noise in every figure; the load
// average around the run lets a reader judge how quiet the machine was.
const loadBefore = os.loadavg()[0];
const engines = [];
for (const id of engineIds) engines.push(await measureEngine(id));
const extra = await measureExtraModules(engineIds, { quick, log: (m) => process.stderr.write(`${m}\n`) });
// The sort rows (bench/sort.mjs) compare with JS objects and DuckDB on the machine's Node.
const sort = engineIds.includes('node') ? await sortBenchmark({ n: quick ? 100_000 : 1_000_000, processes: quick ? 1 : 3 }) : null;
if (sort) {
  for (const row of [...sort.rows, ...sort.density]) if (row.error) extra.failures.push(`sort: ${row.name ?? row.variant}: ${row.error}`);
}

// The external sort rows (bench/external-sort.mjs): file to file beside GNU sort and DuckDB, on the machine's Node.
const externalSort = engineIds.includes('node') ? await externalSortBenchmark({ quick }) : null;
if (externalSort) for (const row of externalSort.rows) if (row.error) extra.failures.push(`external sort: ${row.set}, ${row.name}: ${row.error}`);

const cpus = os.cpus();
const all = engineIds.length === ENGINE_IDS.length;
const report = buildReport(engines, {
  host: `${os.platform()} ${os.arch()}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} CPUs`,
  date: new Date().toISOString(),
  load: { before: loadBefore, after: os.loadavg()[0] },
  seconds: (Date.now() - started) / 1000,
  settings: {
    ...t,
    processes,
    sideBySideProcesses,
    engines: engineIds,
    v8Flags: V8_FLAGS,
    command: `npm run bench${quick || !all ? ' --' : ''}${quick ? ' --quick' : ''}${all ? '' : ` --engine ${engineIds.join(',')}`}`,
  },
  failures: extra.failures,
});
report.extra = { sections: extra.sections };
const sortBase = quick ? 'sort-quick' : all ? 'sort' : 'sort-partial';
if (sort) report.sort = { rows: sort.rows, density: sort.density, meta: sort.meta };
if (externalSort) report.externalSort = { rows: externalSort.rows, targets: externalSort.targets, meta: externalSort.meta };
const markdown =
  renderMarkdown(report) + (sort ? `\n${sort.markdown.replace('(sort.svg)', `(${sortBase}.svg)`)}\n` : '') + (externalSort ? `\n${externalSort.markdown}\n` : '');

const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const base = quick ? 'quick' : all ? 'latest' : 'partial';
writeFileSync(new URL(`${base}.json`, dir), JSON.stringify(report, null, 2) + '\n');
writeFileSync(new URL(`${base}.md`, dir), markdown + '\n');
if (sort) writeFileSync(new URL(`${sortBase}.svg`, dir), sort.svg);

process.stdout.write(markdown + '\n');
process.stderr.write(`done in ${report.seconds.toFixed(0)} s; wrote bench/results/${base}.json and ${base}.md\n`);
if (!report.ok) {
  process.stderr.write(`\nBENCHMARK FAILED (${report.failures.length}):\n${report.failures.map((f) => `  - ${f}`).join('\n')}\n`);
  process.exitCode = 1;
}
