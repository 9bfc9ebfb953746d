/**
 * The benchmark page: bench/engines.mjs opens it in a fresh Chromium per
 * process and calls `runBench({ build, timings, tag })`, which measures that
 * one build with the same modules a Node worker runs (bench/measure.mjs) and
 * resolves with the result. Log lines go to the console, which the runner
 * forwards to its stderr.
 */
import { measureBuild } from '../measure.mjs';

const ENTRY = { wasm: '/dist/index.js', js: '/dist/js.js' };

window.runBench = async ({ build, timings, tag }) => {
  if (!(build in ENTRY)) throw new Error(`unknown build '${build}'`);
  if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated, so its clock is coarsened to 100 µs');
  const log = (message) => console.log(`[chromium ${build} ${tag}] ${message}`);
  const lib = await import(ENTRY[build]);
  // Chromium is started with --js-flags=--expose-gc, which puts gc() on the page's global.
  return measureBuild({ lib, build, timings, log, collect: globalThis.gc });
};
