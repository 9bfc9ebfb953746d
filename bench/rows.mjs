/**
 * `node bench/rows.mjs --rows W4,W7,'compare 16-byte keys' [--engine node,node24,chromium] [--processes N] [--side-by-side]`:
 * measures a few rows on the engines named (default: all), both builds in
 * alternating processes as `npm run bench` does (bench/engines.mjs, the same
 * timings), and prints per engine each row's median of the per-process
 * medians for the wasm build, the pure-JS build and the row's control, with
 * wasm ÷ pure JS and each process's ratio to the control timed beside it.
 * With --side-by-side, the rows of both builds side by side in one process
 * instead (bench/side-by-side.mjs; row names as it lists them, e.g.
 * 'copyTo 12 B'). For work on one row, where the full run (50 min) measures
 * everything else too. Writes nothing.
 */
import os from 'node:os';
import { openEngine } from './engines.mjs';
import { mergeProcesses, mergeSideBySide } from './merge.mjs';
import { selectedEngines, timings } from './settings.mjs';

const argv = process.argv.slice(2);
const value = (flag, fallback) => {
  const i = argv.indexOf(flag);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const rows = value('--rows', process.env.BENCH_ONLY ?? '');
if (rows === '') {
  process.stderr.write("usage: node bench/rows.mjs --rows W4,W7,'compare 16-byte keys' [--engine ID,...] [--processes N] [--side-by-side]\n");
  process.exit(2);
}
process.env.BENCH_ONLY = rows;
const processes = Number(value('--processes', '3'));
const t = timings(false);
const fmt = (ns) => (ns === undefined ? '—' : ns < 10 ? ns.toFixed(2) : ns.toFixed(1));
const times = (x) => (x === undefined ? '—' : `${x.toFixed(2)}×`);
const ratio = (a, b) => (a === undefined || b === undefined ? '—' : times(a / b));

const loadBefore = os.loadavg()[0];
let failed = false;
const engineIds = selectedEngines(argv.filter((a, i) => a !== '--rows' && argv[i - 1] !== '--rows' && a !== '--side-by-side'));

/** --side-by-side: both builds in one process (bench/side-by-side.mjs), each row's ratio per process and merged. */
async function sideBySide(id) {
  const engine = await openEngine(id, { quick: false, timings: t });
  const results = [];
  try {
    for (let k = 1; k <= processes; k++) {
      const { result, error } = await engine.sideBySide(k, processes);
      if (error) {
        failed = true;
        process.stderr.write(`${error}\n`);
      }
      if (result) results.push(result);
    }
  } finally {
    await engine.close();
  }
  const merged = mergeSideBySide(results, results.map((_, i) => `process ${i + 1}`));
  console.log(`\n${id} (${results[0]?.engine?.version ?? '?'}), both builds side by side, ${processes} processes: wasm / pure-JS, wasm ÷ pure JS round by round`);
  for (const r of merged?.rows ?? []) {
    if (r.error !== undefined) console.log(`  ${r.name}: ERROR ${r.error}`);
    else console.log(`  ${r.name} (${r.unit}): ${fmt(r.wasm.median)} / ${fmt(r.js.median)}; ${times(r.ratio)}  [per process: ${r.ratiosPerProcess.map((rs) => times(rs.slice().sort((a, b) => a - b)[rs.length >> 1])).join(', ')}]`);
  }
  for (const p of merged?.problems ?? []) console.log(`  problem: ${p}`);
}

for (const id of engineIds) {
  if (argv.includes('--side-by-side')) {
    await sideBySide(id);
    continue;
  }
  const engine = await openEngine(id, { quick: false, timings: t });
  const results = { wasm: [], js: [] };
  try {
    for (let k = 1; k <= processes; k++) {
      for (const build of ['wasm', 'js']) {
        const { result, error } = await engine.measure(build, k, processes);
        if (error) {
          failed = true;
          process.stderr.write(`${error}\n`);
        }
        if (result) results[build].push(result);
      }
    }
  } finally {
    await engine.close();
  }
  const tags = (b) => results[b].map((_, i) => `${b} ${i + 1}`);
  const wasm = mergeProcesses('wasm', results.wasm, tags('wasm'));
  const js = mergeProcesses('js', results.js, tags('js'));
  const controls = mergeProcesses('controls', [...results.wasm, ...results.js], [...tags('wasm'), ...tags('js')])?.controls ?? [];
  const version = results.wasm[0]?.engine?.version ?? '?';
  console.log(`\n${id} (${version}), ${processes} processes per build; median of per-process medians: wasm / pure-JS / control`);
  for (const w of wasm?.workloads ?? []) {
    const j = js?.workloads.find((r) => r.id === w.id);
    const c = controls.find((r) => r.id === w.id);
    // Each process timed the workload beside its control, round by round: its ratio.
    const own = (build) => results[build].map((r) => r.workloads.find((x) => x.id === w.id)?.controlRatio);
    const each = (build) => own(build).map(times).join(', ');
    if (c) console.log(`  ${w.id} × control round by round, per process: wasm ${each('wasm')} (median ${times(w.controlRatio)}); pure-JS ${each('js')} (median ${times(j?.controlRatio)})`);
    console.log(
      `  ${w.id} (${w.unit}): ${fmt(w.median)} / ${fmt(j?.median)} / ${fmt(c?.median)}; wasm/pure-JS ${ratio(w.median, j?.median)}` +
        `  [wasm per process: ${(w.processMedians ?? []).map(fmt).join(', ')}; control per process (wasm's, then pure-JS's): ${(c?.processMedians ?? []).map(fmt).join(', ')}]`,
    );
  }
  for (const m of wasm?.micro ?? []) {
    const j = js?.micro.find((r) => r.name === m.name);
    console.log(`  micro "${m.name}": ${fmt(m.median)} / ${fmt(j?.median)} ns; wasm/pure-JS ${ratio(m.median, j?.median)}  [wasm: ${(m.processMedians ?? []).map(fmt).join(', ')}; js: ${(j?.processMedians ?? []).map(fmt).join(', ')}]`);
  }
}
console.log(`\nload average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after`);
if (failed) process.exitCode = 1;
