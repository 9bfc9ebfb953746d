/**
 * W8's network memory when the worker's own runtime has none.
 *
 * W8 needs a NetworkBufferPool of 2048 × 32 KiB. It uses the worker
 * runtime's rt.networkBufferPool when that holds exactly those buffers; the
 * worker (bench/worker.mjs) starts its runtime with networkMemory: 0 today,
 * and a workload's setup() is synchronous, so it cannot start a runtime of
 * its own. This module does, once, when a worker process loads it (the
 * build comes from the worker's argv), and nowhere else.
 *
 * The extra runtime brings a second kernels instance to the wasm build; W8's
 * timed loop never calls a kernel (requestBuffer/recycleBuffer stay in the
 * pool's JS stack), and nothing else uses this runtime, so no other row's
 * call sites see it. Once bench/worker.mjs passes networkMemory: 2048 * 32768
 * to its init(), W8 uses that pool and this one is never touched.
 */
export const W8_BUFFERS = 2048;
export const W8_SEGMENT = 32768;

const ENTRY = { wasm: '../dist/index.js', js: '../dist/js.js' };
const isWorker = /worker\.mjs$/.test(process.argv[1] ?? '') && process.argv[2] in ENTRY;

/** The worker build's runtime holding only W8's network memory; null outside a worker process. */
export const w8Runtime = isWorker
  ? await (await import(ENTRY[process.argv[2]])).init({ managedMemory: 0, networkMemory: W8_BUFFERS * W8_SEGMENT, offHeapMemory: 0 })
  : null;
