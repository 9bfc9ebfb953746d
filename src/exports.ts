// What both builds export besides their own init(): the classes, errors and types.
export * from './errors.js';
export { MemorySegment } from './memory/segment.js';
export { MemorySegmentFactory } from './memory/segment-factory.js';
export { MemoryManager, type AllocatedPages, type MemoryManagerOptions } from './memory/memory-manager.js';
export type { SharedResourceLease } from './memory/shared-resources.js';
export type { LeakDetection, LeakReport } from './memory/leak-detector.js';
export { Runtime, type InitOptions } from './runtime/runtime.js';
export type { KernelsKind } from './kernels/kernels.js';
export { NetworkBufferPool } from './network/network-buffer-pool.js';
export { LocalBufferPool, type BufferPoolOptions, type BufferListener } from './network/local-buffer-pool.js';
export { NetworkBuffer, type BufferRecycler, type BufferDataType } from './network/network-buffer.js';
export { BufferBuilder, BufferConsumer } from './network/buffer-builder.js';
export { BACK_PRESSURE_LOW, BACK_PRESSURE_OK, backPressureLevel, type BackPressureLevel } from './network/backpressure.js';
export type { ChannelMetrics, GateMetrics, NetworkPartMetrics, PartitionMetrics, SubpartitionMetrics } from './network/metrics.js';
export type { WaitOptions } from './network/checks.js';
export type {
  BufferPoolMetrics,
  LeakMetrics,
  ManagedMemoryMetrics,
  MemoryModelMetrics,
  MemoryPartMetrics,
  NetworkMetrics,
  OwnerMetrics,
  RuntimeMetrics,
} from './runtime/metrics.js';
export { describeMemoryConfig, formatSize, parseSize, resolveMemoryConfig, type MemoryConfig, type MemoryOptions } from './config/index.js';
export type { WasmSource } from './wasm/loader.js';
export type { RuntimeDescriptor } from './threads/descriptor.js';
export type { SegmentDescriptor } from './threads/segment-descriptor.js';
export type { ReleasedMemory, ReleasedResources } from './threads/released.js';
export * from './io/index.js';
export * from './sort/index.js';
export * from './channels/index.js';

// The classes above are disposable (`using`). Their typings name Symbol.dispose,
// which TypeScript declares only with lib esnext.disposable (or @types/node):
// declared here, as those do, so that the typings compile on any lib.
declare global {
  interface SymbolConstructor {
    /** The method `using` calls when a block ends (explicit resource management). */
    readonly dispose: unique symbol;
    /** The method `await using` calls when a block ends. */
    readonly asyncDispose: unique symbol;
  }
}
