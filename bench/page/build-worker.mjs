/**
 * A Web Worker holding one build for the page's side-by-side run
 * (bench/side-by-side.mjs): the build comes in the worker's name, 'wasm' or
 * 'js'; requests and answers are its messages (bench/build-rows.mjs).
 */
import { serveBuildRows } from '../build-rows.mjs';

const ENTRY = { wasm: '/dist/index.js', js: '/dist/js.js' };
const build = self.name;

serveBuildRows({
  lib: build in ENTRY ? import(ENTRY[build]) : Promise.reject(new Error(`unknown build '${build}'`)),
  build,
  post: (m) => self.postMessage(m),
  listen: (handler) => self.addEventListener('message', (e) => handler(e.data)),
});
