/**
 * segmem, wasm build: the kernels run as AssemblyScript compiled to
 * WebAssembly, over the runtime's one linear memory.
 */
import { createRuntime, type InitOptions, type Runtime } from './runtime/runtime.js';
import { standaloneManager } from './runtime/standalone.js';
import { instantiateKernels } from './wasm/loader.js';
import { WASM_PAGE } from './runtime/layout.js';

export * from './exports.js';
export type { MemoryManagerInit } from './runtime/standalone.js';

/** Starts a runtime: reserves its linear memory at full size and instantiates the kernels on it. */
export function init(options: InitOptions = {}): Promise<Runtime> {
  return createRuntime('wasm', async (byteLength, { wasm }) => {
    const pages = byteLength / WASM_PAGE;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    return { buffer: memory.buffer, kernels: await instantiateKernels(memory, wasm) };
  }, options);
}

/** A MemoryManager with a linear memory of its own. */
export const createMemoryManager = standaloneManager(init);
