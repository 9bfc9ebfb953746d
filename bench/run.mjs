/**
 * `npm run bench`: measures the wasm build and the pure-JS build, each in a
 * process of its own (bench/worker.mjs), one after the other so they never
 * compete for the CPU, then merges both into one report: Markdown on stdout,
 * and bench/results/latest.{json,md}. A quick run (BENCH_QUICK=1 or --quick)
 * writes bench/results/quick.{json,md} instead, leaving the real figures alone.
 *
 * Exits non-zero when any checksum differs or any row fails: a figure whose
 * workload did not reproduce its checksum measured something else.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { buildReport, renderMarkdown } from './report.mjs';
import { isQuick, timings } from './settings.mjs';

const BUILDS = ['wasm', 'js'];
const quick = isQuick();

/** CPU time (ms) the whole machine has spent busy since boot, over all cores. */
const machineBusyMs = () => os.cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);

/** Runs one build's worker; resolves with its result, or with the reason it has none. */
function measureBuild(build) {
  return new Promise((resolve) => {
    const child = fork(new URL('./worker.mjs', import.meta.url), [build], {
      execArgv: ['--expose-gc'],
      env: { ...process.env, BENCH_QUICK: quick ? '1' : '0' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let message = null;
    child.on('message', (m) => (message = m));
    child.on('error', (err) => resolve({ error: `could not start the ${build} worker: ${err.message}` }));
    child.on('exit', (code, signal) => {
      if (message?.ok && code === 0) resolve({ result: message.result });
      else if (message && !message.ok) resolve({ error: `${build} worker failed: ${message.error}` });
      else resolve({ error: `${build} worker exited with ${signal ?? `code ${code}`} before reporting` });
    });
  });
}

const started = Date.now();
// Other processes on the machine show up as noise in every figure; the load
// average around the run lets a reader judge how quiet the machine was.
const loadBefore = os.loadavg()[0];
const perBuild = {};
const failures = [];
// Busy time of the machine beyond the worker's own CPU time is other processes
// competing for the two cores: the measure of how disturbed a build's figures are.
const interference = {};
for (const build of BUILDS) {
  process.stderr.write(`measuring the ${build} build${quick ? ' (quick)' : ''}…\n`);
  const busyBefore = machineBusyMs();
  const wallBefore = Date.now();
  const { result, error } = await measureBuild(build);
  perBuild[build] = result ?? null;
  if (error) failures.push(error);
  if (result?.cpu) {
    const wallMs = Date.now() - wallBefore;
    const otherMs = Math.max(0, machineBusyMs() - busyBefore - (result.cpu.user + result.cpu.system) / 1000);
    interference[build] = { wallSeconds: wallMs / 1000, otherCpuSeconds: otherMs / 1000, otherCoreShare: otherMs / wallMs };
  }
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
  settings: timings(quick),
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
