/**
 * `node bench/cutoffs.mjs` (after `npm run build`): the measurement behind the
 * cut-offs in src/kernels/kernels.ts. For each bulk operation and length, one
 * wasm kernel call against the JS loop the segment would run instead
 * (src/kernels/small-ops.ts), both over the same linear memory, in ns per op:
 * "wasm / js". Equal ranges, so compare and equal scan the whole length.
 * A cut-off belongs where the JS loop stops being the cheaper one.
 */
import { instantiateKernels } from '../dist/wasm/loader.js';
import { createJsKernels } from '../dist/kernels/js-kernels.js';

const memory = new WebAssembly.Memory({ initial: 16, maximum: 16 });
const wasm = await instantiateKernels(memory);
const js = createJsKernels(memory.buffer);
const bytes = new Uint8Array(memory.buffer);
for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
const A = 100_000, B = 200_000, C = 300_000;
bytes.copyWithin(B, A, A + 4096);

const CALLS = {
  copy: 'K.copy(C, A, n)',
  compare: 's += K.compare(A, B, n)',
  equal: 's += K.equal(A, B, n)',
  swap: 'K.swap(A, C, n)',
};

/** A loop of `reps` calls, compiled per kernel and length so that every call site stays monomorphic. */
function loop(kernels, op, n) {
  const body = `return function run(reps) { let s = 0; for (let r = 0; r < reps; r++) { ${CALLS[op]}; } return s; }`;
  return new Function('K', 'n', 'A', 'B', 'C', body)(kernels, n, A, B, C);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const REPS = 20_000;
for (const op of Object.keys(CALLS)) {
  const cells = [];
  for (const n of [4, 8, 12, 16, 24, 32, 48, 64, 128]) {
    const w = loop(wasm, op, n);
    const j = loop(js, op, n);
    w(REPS * 5);
    j(REPS * 5);
    const tw = [];
    const tj = [];
    for (let round = 0; round < 15; round++) {
      let t = performance.now();
      w(REPS);
      tw.push(((performance.now() - t) * 1e6) / REPS);
      t = performance.now();
      j(REPS);
      tj.push(((performance.now() - t) * 1e6) / REPS);
    }
    cells.push(`${n} B ${median(tw).toFixed(1)} / ${median(tj).toFixed(1)}`);
  }
  console.log(`${op.padEnd(8)} ${cells.join(', ')}`);
}
