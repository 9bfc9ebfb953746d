/**
 * segmem, pure-JS build: the same API and memory layout, with the kernels
 * written in TypeScript over one ArrayBuffer. It exists so that every speed
 * claim of the wasm build is measured against it, and for hosts without wasm.
 */
import { jsBackend } from './kernels/js-backend.js';
import { createRuntime, type InitOptions, type Runtime } from './runtime/runtime.js';
import { standaloneManager } from './runtime/standalone.js';

export * from './exports.js';
export type { MemoryManagerInit } from './runtime/standalone.js';

/**
 * Starts a runtime over one ArrayBuffer reserved at full size. Rejects with
 * ERR_ILLEGAL_CONFIGURATION for options that are malformed, unknown or do not
 * fit together, ERR_MEMORY_ALLOCATION when the engine cannot reserve the memory.
 */
export function init(options: InitOptions = {}): Promise<Runtime> {
  return createRuntime(jsBackend, options);
}

/** A MemoryManager with a memory of its own; rejects as init() does. */
export const createMemoryManager = standaloneManager(init);
