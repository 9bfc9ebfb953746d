/**
 * segmem, wasm build: the kernels run as AssemblyScript compiled to
 * WebAssembly, over the runtime's one linear memory.
 */
import { createRuntime, type InitOptions, type Runtime } from './runtime/runtime.js';
import { standaloneManager } from './runtime/standalone.js';
import { wasmBackend } from './wasm/backend.js';

export * from './exports.js';
export type { MemoryManagerInit } from './runtime/standalone.js';

/** Starts a runtime: reserves its linear memory at full size and instantiates the kernels on it. */
export function init(options: InitOptions = {}): Promise<Runtime> {
  return createRuntime(wasmBackend, options);
}

/** A MemoryManager with a linear memory of its own. */
export const createMemoryManager = standaloneManager(init);
