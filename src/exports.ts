// What both builds export besides their own init(): the classes, errors and types.
export * from './errors.js';
export { MemorySegment } from './memory/segment.js';
export { MemorySegmentFactory } from './memory/segment-factory.js';
export { MemoryManager, type MemoryManagerOptions } from './memory/memory-manager.js';
export type { SharedResourceLease } from './memory/shared-resources.js';
export type { LeakDetection, LeakReport } from './memory/leak-detector.js';
export { Runtime, type InitOptions } from './runtime/runtime.js';
export { describeMemoryConfig, formatSize, parseSize, resolveMemoryConfig, type MemoryConfig, type MemoryOptions } from './config/index.js';
export type { WasmSource } from './wasm/loader.js';
export * from './io/index.js';
export * from './sort/index.js';
