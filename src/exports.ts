// What both builds export besides their own init(): the classes, errors and types.
export * from './errors.js';
export { MemorySegment } from './memory/segment.js';
export { MemorySegmentFactory } from './memory/segment-factory.js';
export { MemoryManager, type AllocatedPages, type MemoryManagerOptions } from './memory/memory-manager.js';
export type { SharedResourceLease } from './memory/shared-resources.js';
export type { LeakDetection, LeakReport } from './memory/leak-detector.js';
export { Runtime, type InitOptions } from './runtime/runtime.js';
export type { KernelsKind } from './kernels/kernels.js';
export { describeMemoryConfig, formatSize, parseSize, resolveMemoryConfig, type MemoryConfig, type MemoryOptions } from './config/index.js';
export type { WasmSource } from './wasm/loader.js';

// The classes above are disposable (`using`). Their typings name Symbol.dispose,
// which TypeScript declares only with lib esnext.disposable (or @types/node):
// declared here, as those do, so that the typings compile on any lib.
declare global {
  interface SymbolConstructor {
    /** The method `using` calls when a block ends (explicit resource management). */
    readonly dispose: unique symbol;
  }
}
