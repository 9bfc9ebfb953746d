/**
 * segmem, wasm build: the kernels run as AssemblyScript compiled to
 * WebAssembly, over the runtime's one linear memory.
 */
import { createRuntime, type InitOptions, type Runtime } from './runtime/runtime.js';
import { standaloneManager } from './runtime/standalone.js';
import { wasmBackend } from './wasm/backend.js';

export * from './exports.js';
export type { MemoryManagerInit } from './runtime/standalone.js';

/**
 * Starts a runtime: reserves its linear memory at full size and instantiates
 * the kernels on it. Rejects with ERR_ILLEGAL_CONFIGURATION for options that
 * are malformed, unknown or do not fit together, ERR_MEMORY_ALLOCATION when
 * the engine cannot reserve the memory, ERR_INVALID_ARGUMENT when `wasm` is
 * not segmem's kernels module.
 */
export function init(options: InitOptions = {}): Promise<Runtime> {
  return createRuntime(wasmBackend, options);
}

/** A MemoryManager with a linear memory of its own; rejects as init() does. */
export const createMemoryManager = standaloneManager(init);
