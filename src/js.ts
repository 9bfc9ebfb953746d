/**
 * segmem, pure-JS build: the same API and memory layout, with the kernels
 * written in TypeScript over one ArrayBuffer. It exists so that every speed
 * claim of the wasm build is measured against it, and for hosts without wasm.
 */
import { jsBackend } from './kernels/js-backend.js';
import { attachShared, createRuntime, type InitOptions, type Runtime } from './runtime/runtime.js';
import type { RuntimeDescriptor } from './threads/descriptor.js';
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

/**
 * A runtime over the shared memory of `descriptor` (rt.share() of a runtime
 * started with init({ shared: true }), posted to this worker): the same
 * tables, handles of its own, a worker id of its own. Rejects with
 * ERR_INVALID_ARGUMENT for anything but a pure-JS build's descriptor,
 * ERR_ILLEGAL_STATE when all worker ids are taken, ERR_SHARED_MEMORY_UNAVAILABLE
 * where the engine has no SharedArrayBuffer.
 */
export function attach(descriptor: RuntimeDescriptor, options: Omit<InitOptions, 'shared'> = {}): Promise<Runtime> {
  return attachShared(jsBackend, descriptor, options);
}

/** A MemoryManager with a memory of its own; rejects as init() does. */
export const createMemoryManager = standaloneManager(init);
