/**
 * A worker thread holding one build for bench/side-by-side-process.mjs:
 * `workerData.build` is 'wasm' or 'js'; requests and answers go over the
 * thread's port (bench/build-rows.mjs).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveBuildRows } from './build-rows.mjs';

const ENTRY = { wasm: '../dist/index.js', js: '../dist/js.js' };
const { build } = workerData;

await serveBuildRows({
  lib: build in ENTRY ? import(ENTRY[build]) : Promise.reject(new Error(`unknown build '${build}'`)),
  build,
  post: (m) => parentPort.postMessage(m),
  listen: (handler) => parentPort.on('message', handler),
});
