/**
 * segmem, wasm build: the kernels run as AssemblyScript compiled to
 * WebAssembly, over the runtime's one linear memory.
 */
import { attachShared, createRuntime, type InitOptions, type Runtime } from './runtime/runtime.js';
import { standaloneManager } from './runtime/standalone.js';
import type { RuntimeDescriptor } from './threads/descriptor.js';
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

/**
 * A runtime over the shared memory of `descriptor` (rt.share() of a runtime
 * started with init({ shared: true }), posted to this worker): the same
 * tables, handles of its own, a worker id of its own. Rejects with
 * ERR_INVALID_ARGUMENT for anything but a wasm build's descriptor,
 * ERR_ILLEGAL_STATE when all worker ids are taken, ERR_SHARED_MEMORY_UNAVAILABLE
 * where the engine has no SharedArrayBuffer.
 */
export function attach(descriptor: RuntimeDescriptor, options: Omit<InitOptions, 'shared'> = {}): Promise<Runtime> {
  return attachShared(wasmBackend, descriptor, options);
}

/** A MemoryManager with a linear memory of its own; rejects as init() does. */
export const createMemoryManager = standaloneManager(init);
