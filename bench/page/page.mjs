/**
 * The benchmark page: bench/engines.mjs opens it in a fresh Chromium per
 * process and calls `runBench({ build, timings, tag })`, which measures that
 * one build with the same modules a Node worker runs (bench/measure.mjs) and
 * resolves with the result; or `runSideBySide({ timings, tag })`, which
 * measures both builds side by side in two Web Workers. Log lines go to the
 * console, which the runner forwards to its stderr.
 */
import { measureBuild } from '../measure.mjs';
import { connectBuild, measureSideBySide, SIDE_BY_SIDE_BUILDS } from '../side-by-side.mjs';

const ENTRY = { wasm: '/dist/index.js', js: '/dist/js.js' };

window.runBench = async ({ build, timings, tag }) => {
  if (!(build in ENTRY)) throw new Error(`unknown build '${build}'`);
  if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated, so its clock is coarsened to 100 µs');
  const log = (message) => console.log(`[chromium ${build} ${tag}] ${message}`);
  const lib = await import(ENTRY[build]);
  // Chromium is started with --js-flags=--expose-gc, which puts gc() on the page's global.
  return measureBuild({ lib, build, timings, log, collect: globalThis.gc });
};

/**
 * Both builds side by side (bench/side-by-side.mjs), each in a Web Worker of
 * its own; the page only drives them. `timings` is the runner's timings().
 */
window.runSideBySide = async ({ timings, tag }) => {
  const log = (message) => console.log(`[chromium side by side ${tag}] ${message}`);
  const workers = [];
  try {
    const calls = {};
    for (const build of SIDE_BY_SIDE_BUILDS) {
      const worker = new Worker(new URL('./build-worker.mjs', import.meta.url), { type: 'module', name: build });
      workers.push(worker);
      const died = new Promise((_, reject) => worker.addEventListener('error', (e) => reject(new Error(`the ${build} worker failed: ${e.message}`))));
      calls[build] = await connectBuild(build, { send: (m) => worker.postMessage(m), onMessage: (fn) => worker.addEventListener('message', (e) => fn(e.data)), died });
    }
    return await measureSideBySide({ calls, t: { ...timings.sideBySide, only: timings.only }, log });
  } finally {
    for (const worker of workers) worker.terminate();
  }
};
