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

/** Starts a runtime over one ArrayBuffer reserved at full size. */
export function init(options: InitOptions = {}): Promise<Runtime> {
  return createRuntime(jsBackend, options);
}

/** A MemoryManager with a memory of its own. */
export const createMemoryManager = standaloneManager(init);
