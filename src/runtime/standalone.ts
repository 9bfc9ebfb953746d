import { IllegalConfigurationError } from '../errors.js';
import type { MemoryManager, MemoryManagerOptions } from '../memory/memory-manager.js';
import type { InitOptions, Runtime } from './runtime.js';
import { render } from '../util/render.js';

/** Options of createMemoryManager(): the managed memory alone. */
export interface MemoryManagerInit extends MemoryManagerOptions {
  /** Bytes (or text such as '64mb') of managed memory; a multiple of pageSize. */
  memorySize: number | string;
  /** Page size: a power of two from 4096 to 16 MiB; default 32768. */
  pageSize?: number | string;
}

/** Builds createMemoryManager() on top of a build's init(). @internal */
export function standaloneManager(init: (options: InitOptions) => Promise<Runtime>) {
  /** A MemoryManager on a linear memory of its own, for users who want only managed memory. */
  return async function createMemoryManager(options: MemoryManagerInit): Promise<MemoryManager> {
    if (typeof options !== 'object' || options === null) {
      throw new IllegalConfigurationError(`createMemoryManager: options must be an object with memorySize, got ${render(options)}`);
    }
    const { memorySize, ...rest } = options;
    if (memorySize === undefined) {
      throw new IllegalConfigurationError("createMemoryManager: memorySize is required (bytes, or text such as '64mb')");
    }
    const runtime = await init({ ...rest, managedMemory: memorySize, networkMemory: 0, offHeapMemory: 0 });
    return runtime.memoryManager;
  };
}
