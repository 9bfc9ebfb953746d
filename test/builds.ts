// The two builds every behavioural suite runs against:
//   describe.each(builds)('$name build', ({ init }) => { ... })
import * as jsBuild from '../src/js.js';
import * as wasmBuild from '../src/index.js';

export type Build = typeof wasmBuild;

export const builds: readonly { readonly name: 'wasm' | 'js'; readonly init: Build['init']; readonly lib: Build }[] = [
  { name: 'wasm', init: wasmBuild.init, lib: wasmBuild },
  { name: 'js', init: jsBuild.init, lib: jsBuild },
];
