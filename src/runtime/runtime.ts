import { describeMemoryConfig, MEMORY_OPTION_NAMES, resolveMemoryConfig, type MemoryConfig, type MemoryOptions } from '../config/index.js';
import { IllegalConfigurationError, InvalidArgumentError, MemoryAllocationError, ShutdownError } from '../errors.js';
import type { Kernels, KernelsKind, LongKernels } from '../kernels/kernels.js';
import { MemoryManager, resolveManagerOptions, type MemoryManagerOptions } from '../memory/memory-manager.js';
import { OffHeapArea } from '../memory/off-heap-area.js';
import { MemoryRegion } from '../memory/region.js';
import { MemorySegmentFactory } from '../memory/segment-factory.js';
import { render } from '../util/render.js';
import { NetworkBufferPool } from '../network/network-buffer-pool.js';
import type { WasmSource } from '../wasm/loader.js';
import { readHeader, writeHeader } from './header.js';
import { computeLayout, STATIC_DATA_RESERVE, type MemoryLayout } from './layout.js';
import { OwnerNames, takeRuntimeMetrics, type RuntimeMetrics } from './metrics.js';

/** Options of init(): the memory model, the manager's switches, and (wasm build) the module to use. */
export interface InitOptions extends MemoryOptions, MemoryManagerOptions {
  /** The kernels module or its bytes, for users who load the .wasm themselves (wasm build only; ignored by segmem/js). */
  wasm?: WasmSource;
}

const RUNTIME_OPTION_NAMES: readonly string[] = ['wasm', 'zeroOnRelease', 'leakDetection', 'onLeak'];

/** The one linear memory and the kernels working on it. @internal */
export interface LinearMemory {
  readonly buffer: ArrayBuffer;
  /** The runtimes using this memory (attached ones share the object); the last to close detaches it. */
  readonly users: { count: number };
  /** The wasm memory object (wasm build); null for the pure-JS build's plain buffer. */
  readonly memory: WebAssembly.Memory | null;
  readonly kernels: Kernels;
  /** Where bigint longs go through wasm instead of DataView (the wasm build on engines with a slow DataView BigInt path); else null. */
  readonly longs: LongKernels | null;
}

/** What the two builds do differently: make a linear memory with kernels over it, or put kernels over one that exists. @internal */
export interface Backend {
  readonly build: KernelsKind;
  /** Reserves a linear memory of `byteLength` bytes at its full size, with kernels over it. */
  create(byteLength: number, options: InitOptions): Promise<LinearMemory>;
  /** Kernels over an existing memory of this build, for a runtime that attaches to it. */
  attach(memory: LinearMemory, options: InitOptions): Promise<LinearMemory>;
  /** Detaches the memory's buffer, so that no view, handle or wrap() left anywhere keeps its bytes alive. */
  detach(memory: LinearMemory): void;
}

/**
 * A segmem runtime: one linear memory, reserved at its full size when it
 * starts and never grown (growing would detach every view), split by the
 * memory model into managed pages, network pages and an off-heap area.
 * Runtimes are independent of each other; several can live in one process.
 */
export class Runtime {
  /** Which kernels run this runtime: 'wasm' (segmem) or 'js' (segmem/js). */
  readonly build: KernelsKind;
  /** The resolved memory model, in bytes. */
  readonly config: MemoryConfig;
  /** Makes wrapped, plain and unpooled off-heap segments. */
  readonly segments: MemorySegmentFactory;
  /** The managed memory. */
  readonly memoryManager: MemoryManager;
  /** The network memory: config.networkMemory / pageSize buffers of pageSize bytes. */
  readonly networkBufferPool: NetworkBufferPool;
  /** @internal */
  readonly layout: MemoryLayout;
  /** @internal */
  readonly memory: LinearMemory;
  private readonly backend: Backend;
  private readonly region: MemoryRegion;
  private readonly offHeap: OffHeapArea;
  private readonly ownerNames = new OwnerNames();
  private closed = false;

  /**
   * @internal Use init() from 'segmem' or 'segmem/js'. With `attach`, the
   * tables in `memory` are used as another runtime laid them out.
   */
  constructor(backend: Backend, config: MemoryConfig, layout: MemoryLayout, memory: LinearMemory, options: InitOptions, attach = false) {
    this.backend = backend;
    this.build = backend.build;
    this.config = config;
    this.layout = layout;
    this.memory = memory;
    const region = new MemoryRegion(new Uint8Array(memory.buffer), memory.kernels, memory.longs);
    this.region = region;
    if (!attach) writeHeader(region.view, layout);
    this.offHeap = new OffHeapArea(region, layout.offHeapBase, config.offHeapMemory, attach);
    this.segments = new MemorySegmentFactory(this.offHeap, () => this.checkOpen());
    const pages = { table: layout.managedTable, pagesBase: layout.managedBase, pageSize: config.pageSize, pageCount: layout.managedPages };
    this.memoryManager = new MemoryManager(region, pages, options, attach);
    const network = { table: layout.networkTable, base: layout.networkBase, segmentSize: config.pageSize, segmentCount: layout.networkPages };
    this.networkBufferPool = new NetworkBufferPool(region, network, attach);
  }

  /** Bytes of the linear memory (all parts plus the page table), fixed for the runtime's life. */
  get linearMemoryBytes(): number {
    return this.layout.byteLength;
  }

  /** The memory model as a text table: each part's exact bytes, its size in binary units (KiB, MiB, GiB) and its share of the total, then the page size. */
  describe(): string {
    return describeMemoryConfig(this.config);
  }

  /**
   * A plain-data snapshot of the runtime now: the memory model's parts,
   * managed pages per owner and reservations, every buffer pool with its
   * back-pressure, the registered partitions and gates, and leaks reported.
   * Cheap enough to take ten times a second (it reads counters, nothing per
   * buffer); never throws, also after close().
   */
  metrics(): RuntimeMetrics {
    return takeRuntimeMetrics(
      {
        build: this.build,
        closed: this.closed,
        config: this.config,
        linearMemoryBytes: this.layout.byteLength,
        memoryManager: this.memoryManager,
        networkBufferPool: this.networkBufferPool,
      },
      this.ownerNames,
    );
  }

  /** Releases everything the runtime handed out in its linear memory (every such segment becomes freed). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      // Waiters of every buffer pool reject first (a listener told of it may throw; everything is released regardless).
      this.networkBufferPool.destroy('the runtime has been closed');
    } finally {
      this.memoryManager.shutdown();
      this.offHeap.close();
      this.region.close();
      // Every segment is freed; detaching the buffer lets every view of it go
      // (kept handles, wrap() views), so nothing keeps the memory alive. The last
      // runtime on a memory does it: attached ones still use it until then.
      // Detaching costs once per process: V8 then checks every DataView access
      // for detachment (the first detach invalidates a process-wide protector).
      if (--this.memory.users.count === 0) this.backend.detach(this.memory);
    }
  }

  /** True after close(). */
  isClosed(): boolean {
    return this.closed;
  }

  /** Closes the runtime: `using rt = await init()` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new ShutdownError('the runtime has been closed');
  }
}

/** Checks init()'s options: an object with known names only. */
function checkOptions(options: unknown, operation: string): InitOptions {
  if (typeof options !== 'object' || options === null) {
    throw new IllegalConfigurationError(`${operation}: options must be an object, got ${render(options)}`);
  }
  const known = new Set([...MEMORY_OPTION_NAMES, ...RUNTIME_OPTION_NAMES]);
  const unknown = Object.keys(options).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new IllegalConfigurationError(`${operation}: unknown option ${unknown.map(render).join(', ')}; known options: ${[...known].join(', ')}`);
  }
  // Checked before any memory is reserved.
  resolveManagerOptions(options as InitOptions);
  return options as InitOptions;
}

/** Resolves the options, reserves the linear memory and builds a runtime on it. @internal */
export async function createRuntime(backend: Backend, options: InitOptions = {}): Promise<Runtime> {
  checkOptions(options, 'init');
  const config = resolveMemoryConfig(options);
  const layout = computeLayout(config);
  let memory: LinearMemory;
  try {
    memory = await backend.create(layout.byteLength, options);
  } catch (err) {
    if (err instanceof RangeError) {
      throw new MemoryAllocationError(`could not reserve a linear memory of ${layout.byteLength} bytes (${err.message}); lower totalMemory`);
    }
    throw err;
  }
  checkStaticData(memory.kernels);
  return new Runtime(backend, config, layout, memory, options);
}

/**
 * A second runtime over the memory of `existing`, reading the layout from
 * its header and using its page table as it is: its own handles, the same
 * state. @internal (the threads build's attach() stands on this)
 */
export async function attachRuntime(backend: Backend, existing: LinearMemory, options: InitOptions = {}): Promise<Runtime> {
  checkOptions(options, 'attach');
  const layout = readHeader(new DataView(existing.buffer), STATIC_DATA_RESERVE);
  const config = resolveMemoryConfig({
    pageSize: layout.pageSize,
    managedMemory: layout.managedPages * layout.pageSize,
    networkMemory: layout.networkPages * layout.pageSize,
    offHeapMemory: layout.offHeapBytes,
  });
  const expected = computeLayout(config);
  const differs = (Object.keys(expected) as (keyof MemoryLayout)[]).filter((key) => expected[key] !== layout[key]);
  if (differs.length > 0) throw new InvalidArgumentError(`attach: the runtime header is inconsistent (${differs.join(', ')})`);
  const memory = await backend.attach(existing, options);
  checkStaticData(memory.kernels);
  memory.users.count += 1;
  return new Runtime(backend, config, layout, memory, options, true);
}

/** The kernels' static data must end below the layout's first part. */
function checkStaticData(kernels: Kernels): void {
  const heapBase = kernels.heapBase();
  if (heapBase > STATIC_DATA_RESERVE) {
    throw new IllegalConfigurationError(`the kernels module's static data ends at ${heapBase}, beyond the ${STATIC_DATA_RESERVE} bytes reserved for it`);
  }
}
