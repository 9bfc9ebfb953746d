import type { Backend } from '../runtime/runtime.js';
import { WASM_PAGE } from '../runtime/layout.js';
import { instantiateKernels } from './loader.js';

/** The wasm build: a WebAssembly.Memory reserved at full size (never grown), the AssemblyScript kernels instantiated over it. @internal */
export const wasmBackend: Backend = {
  build: 'wasm',
  async create(byteLength, { wasm }) {
    const pages = byteLength / WASM_PAGE;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    return { buffer: memory.buffer, memory, kernels: await instantiateKernels(memory, wasm) };
  },
  async attach(existing, { wasm }) {
    if (existing.memory === null) throw new TypeError('attach: a wasm runtime needs a WebAssembly.Memory');
    return { buffer: existing.buffer, memory: existing.memory, kernels: await instantiateKernels(existing.memory, wasm) };
  },
};
