/**
 * Measures ONE build in a Node process of its own: `node bench/worker.mjs wasm|js [tag]`
 * (started by bench/engines.mjs, several times per build, on the machine's
 * Node or on Node 24; the results come back over the IPC channel; the tag,
 * e.g. '2/3', only marks this process's log lines).
 *
 * Both builds share the MemorySegment class; loading both into one process
 * would let its call sites see two kinds of kernels and turn polymorphic,
 * which no user of a single build ever sees. One process per build keeps V8's
 * inline caches as a user of that build has them.
 */
import { measureBuild } from './measure.mjs';
import { timings } from './settings.mjs';
import { reportToParent } from './report-to-parent.mjs';

const ENTRY = { wasm: '../dist/index.js', js: '../dist/js.js' };
const build = process.argv[2];
const tag = process.argv[3] ? ` ${process.argv[3]}` : '';
const log = (message) => process.stderr.write(`[${build}${tag}] ${message}\n`);

async function main() {
  if (!(build in ENTRY)) throw new Error(`usage: node bench/worker.mjs wasm|js [tag] (got ${build})`);
  const lib = await import(ENTRY[build]);
  // Run with --expose-gc (bench/engines.mjs) for the collections between rows.
  const result = await measureBuild({ lib, build, timings: timings(), log, collect: globalThis.gc });
  // This process's CPU time (all its threads), so the runner can tell how much of
  // the machine's busy time during the run belonged to other processes.
  return {
    ...result,
    engine: { name: 'Node', version: process.version, v8: process.versions.v8 },
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  };
}

reportToParent(main, log);
