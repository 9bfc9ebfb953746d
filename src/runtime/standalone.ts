import { IllegalConfigurationError } from '../errors.js';
import type { MemoryManager, MemoryManagerOptions } from '../memory/memory-manager.js';
import type { InitOptions, Runtime } from './runtime.js';
import { checkOptionsObject } from '../util/checks.js';

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
    const { memorySize, ...rest } = checkOptionsObject<MemoryManagerInit>(options, 'createMemoryManager: options (with memorySize)', IllegalConfigurationError);
    if (memorySize === undefined) {
      throw new IllegalConfigurationError("createMemoryManager: memorySize is required (bytes, or text such as '64mb')");
    }
    const runtime = await init({ ...rest, managedMemory: memorySize, networkMemory: 0, offHeapMemory: 0 });
    return runtime.memoryManager;
  };
}
