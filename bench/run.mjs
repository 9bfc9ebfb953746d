/**
 * `npm run bench`: measures the wasm build and the pure-JS build, each in
 * several processes of its own (bench/worker.mjs), one process at a time so
 * they never compete for the CPU, then merges everything into one report:
 * Markdown on stdout, and bench/results/latest.{json,md}. A quick run
 * (BENCH_QUICK=1 or --quick) writes bench/results/quick.{json,md} instead,
 * leaving the real figures alone.
 *
 * The processes alternate between the builds (wasm, js, wasm, js, ...), so a
 * slow drift of the machine reaches both builds alike instead of one of them.
 * bench/merge.mjs turns each build's processes into one figure per row.
 *
 * Exits non-zero when any checksum differs or any row fails, in any process:
 * a figure whose workload did not reproduce its checksum measured something else.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { combine, watchMachine } from './interference.mjs';
import { mergeProcesses } from './merge.mjs';
import { buildReport, renderMarkdown } from './report.mjs';
import { isQuick, processesPerBuild, timings } from './settings.mjs';

const BUILDS = ['wasm', 'js'];
const quick = isQuick();
let processes;
try {
  processes = processesPerBuild(quick);
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}

/**
 * --expose-gc lets the worker collect setup garbage between rows. The
 * semi-space flags pin V8's young generation at its default maximum (16 MB
 * on 64-bit). Left alone it starts small, grows under allocation and shrinks
 * when allocation slows, so how often a row that allocates (bigint values,
 * page arrays) scavenges inside a sample depends on what ran before it in
 * that process: getLong (bigint) runs about a fifth slower in a fresh
 * process than once the young generation has grown. Pinned, every process
 * is in the steady state that any allocation-heavy program grows into.
 */
const V8_FLAGS = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'];

/** Runs one worker process; resolves with its result, or with the reason it has none. */
function measureProcess(build, k) {
  const who = `${build} worker (process ${k} of ${processes})`;
  return new Promise((resolve) => {
    const child = fork(new URL('./worker.mjs', import.meta.url), [build, `${k}/${processes}`], {
      execArgv: V8_FLAGS,
      env: { ...process.env, BENCH_QUICK: quick ? '1' : '0' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let message = null;
    child.on('message', (m) => (message = m));
    child.on('error', (err) => resolve({ error: `could not start the ${who}: ${err.message}` }));
    child.on('exit', (code, signal) => {
      if (message?.ok && code === 0) resolve({ result: message.result });
      else if (message && !message.ok) resolve({ error: `${who} failed: ${message.error}` });
      else resolve({ error: `${who} exited with ${signal ?? `code ${code}`} before reporting` });
    });
  });
}

const started = Date.now();
// Other processes on the machine show up as noise in every figure; the load
// average around the run lets a reader judge how quiet the machine was.
const loadBefore = os.loadavg()[0];
const results = Object.fromEntries(BUILDS.map((b) => [b, []]));
const tags = Object.fromEntries(BUILDS.map((b) => [b, []]));
const watched = Object.fromEntries(BUILDS.map((b) => [b, []]));
const failures = [];
for (let k = 1; k <= processes; k++) {
  for (const build of BUILDS) {
    process.stderr.write(`measuring the ${build} build, process ${k} of ${processes}${quick ? ' (quick)' : ''}…\n`);
    const watch = watchMachine();
    const { result, error } = await measureProcess(build, k);
    if (error) failures.push(error);
    if (!result) continue;
    results[build].push(result);
    tags[build].push(`process ${k} of ${processes}`);
    if (result.cpu) watched[build].push({ process: k, ...watch.stop(result.cpu) });
  }
}

const perBuild = {};
const interference = {};
for (const build of BUILDS) {
  perBuild[build] = mergeProcesses(build, results[build], tags[build]);
  interference[build] = combine(watched[build]);
}

const cpus = os.cpus();
const report = buildReport(perBuild, {
  engine: `node ${process.version}, V8 ${process.versions.v8}`,
  node: process.version,
  v8: process.versions.v8,
  host: `${os.platform()} ${os.arch()}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} CPUs`,
  date: new Date().toISOString(),
  load: { before: loadBefore, after: os.loadavg()[0] },
  interference,
  settings: { ...timings(quick), processes, v8Flags: V8_FLAGS },
  failures,
});
const markdown = renderMarkdown(report);

const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const base = quick ? 'quick' : 'latest';
writeFileSync(new URL(`${base}.json`, dir), JSON.stringify(report, null, 2) + '\n');
writeFileSync(new URL(`${base}.md`, dir), markdown + '\n');

process.stdout.write(markdown + '\n');
process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; wrote bench/results/${base}.json and ${base}.md\n`);
if (!report.ok) {
  process.stderr.write(`\nBENCHMARK FAILED (${report.failures.length}):\n${report.failures.map((f) => `  - ${f}`).join('\n')}\n`);
  process.exitCode = 1;
}
