import { InvalidArgumentError } from '../errors.js';
import { render } from '../util/render.js';
import type { Backend } from '../runtime/runtime.js';
import { WASM_PAGE } from '../runtime/layout.js';
import { compiledModule, instantiateKernels } from './loader.js';

/**
 * Whether this engine's DataView reads and writes BigInt fast. Decided by a
 * feature, never by a timing: V8 made the DataView BigInt64 path fast in the
 * same releases that shipped Float16Array (13.5+: Node 24, current Chromium:
 * 1-2 ns per read), while V8 12.4 and older (Node 20 and 22) take 14-24 ns,
 * against 5.7 ns for one call into wasm returning an i64. Engines with
 * Float16Array keep DataView; the others read and write longs through wasm.
 */
export const DATAVIEW_BIGINT_IS_FAST = typeof (globalThis as { Float16Array?: unknown }).Float16Array === 'function';

/**
 * The wasm build: a WebAssembly.Memory reserved at full size (never grown),
 * the AssemblyScript kernels instantiated over it. A shared runtime's memory
 * is a shared WebAssembly.Memory (initial = maximum, so it is reserved at
 * once too) and its kernels the threads module. @internal
 */
export const wasmBackend: Backend = {
  build: 'wasm',
  async create(byteLength, { wasm, shared }) {
    const pages = byteLength / WASM_PAGE;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: shared === true });
    const module = await compiledModule(wasm, shared === true);
    const kernels = await instantiateKernels(memory, module);
    return { buffer: memory.buffer, users: { count: 1 }, memory, module, kernels, longs: DATAVIEW_BIGINT_IS_FAST ? null : kernels };
  },
  async attach(existing, { wasm }) {
    if (existing.memory === null) throw new TypeError('attach: a wasm runtime needs a WebAssembly.Memory');
    const kernels = await instantiateKernels(existing.memory, wasm);
    return { ...existing, kernels, longs: DATAVIEW_BIGINT_IS_FAST ? null : kernels };
  },
  async attachShared(memory, module, { wasm }) {
    if (!(memory instanceof WebAssembly.Memory)) throw new InvalidArgumentError(`attach: a wasm shared runtime needs a WebAssembly.Memory, got ${render(memory)}`);
    const compiled = module instanceof WebAssembly.Module ? module : await compiledModule(wasm, true);
    const kernels = await instantiateKernels(memory, compiled);
    return { buffer: memory.buffer, users: { count: 1 }, memory, module: compiled, kernels, longs: DATAVIEW_BIGINT_IS_FAST ? null : kernels };
  },
  detach(linear) {
    // grow(0) of a non-shared memory detaches its buffer and hands a new one
    // to the memory object, which nothing references any more.
    linear.memory?.grow(0);
  },
};
