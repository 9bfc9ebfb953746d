import { describeMemoryConfig, MEMORY_OPTION_NAMES, resolveMemoryConfig, type MemoryConfig, type MemoryOptions } from '../config/index.js';
import { IllegalConfigurationError, MemoryAllocationError, ShutdownError } from '../errors.js';
import type { Kernels, KernelsKind } from '../kernels/kernels.js';
import { MemoryManager, type MemoryManagerOptions } from '../memory/memory-manager.js';
import { OffHeapArena } from '../memory/off-heap-arena.js';
import { MemorySegmentFactory } from '../memory/segment-factory.js';
import type { WasmSource } from '../wasm/loader.js';
import { computeLayout, WASM_PAGE, type MemoryLayout } from './layout.js';

/** Options of init(): the memory model, the manager's switches, and (wasm build) the module to use. */
export interface InitOptions extends MemoryOptions, MemoryManagerOptions {
  /** The kernels module or its bytes, for users who load the .wasm themselves (wasm build only; ignored by segmem/js). */
  wasm?: WasmSource;
}

const RUNTIME_OPTION_NAMES: readonly string[] = ['wasm', 'zeroOnRelease', 'leakDetection', 'onLeak'];

/** Linear memory kept below segmem's layout for the kernels' static data. */
export const STATIC_DATA_RESERVE = WASM_PAGE;

/** The one linear memory and the kernels working on it. @internal */
export interface LinearMemory {
  readonly buffer: ArrayBuffer;
  readonly kernels: Kernels;
}

/** Makes the linear memory of `byteLength` bytes and its kernels: the one thing the two builds do differently. @internal */
export type MemoryProvider = (byteLength: number, options: InitOptions) => Promise<LinearMemory>;

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
  /** @internal */
  readonly layout: MemoryLayout;
  /** @internal */
  readonly memory: LinearMemory;
  private readonly arena: OffHeapArena;
  private closed = false;

  /** @internal Use init() from 'segmem' or 'segmem/js'. */
  constructor(build: KernelsKind, config: MemoryConfig, layout: MemoryLayout, memory: LinearMemory, options: InitOptions) {
    this.build = build;
    this.config = config;
    this.layout = layout;
    this.memory = memory;
    const heap = new Uint8Array(memory.buffer);
    const view = new DataView(memory.buffer);
    this.arena = new OffHeapArena(heap, view, memory.kernels, layout.offHeapBase, config.offHeapMemory);
    this.segments = new MemorySegmentFactory(this.arena, () => this.checkOpen());
    this.memoryManager = new MemoryManager(
      {
        heap,
        view,
        kernels: memory.kernels,
        table: layout.managedTable,
        arenaBase: layout.managedBase,
        pageSize: config.pageSize,
        pageCount: layout.managedPages,
      },
      options,
    );
  }

  /** Bytes of the linear memory (all parts plus the page table), fixed for the runtime's life. */
  get linearMemoryBytes(): number {
    return this.layout.byteLength;
  }

  /** The memory model as a text table: each part's exact bytes, its size in binary units (KiB, MiB, GiB) and its share of the total, then the page size. */
  describe(): string {
    return describeMemoryConfig(this.config);
  }

  /** Releases everything the runtime handed out in its linear memory (every such segment becomes freed). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.memoryManager.shutdown();
    this.arena.close();
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

/** Resolves the options, reserves the linear memory and builds a runtime on it. @internal */
export async function createRuntime(build: KernelsKind, provide: MemoryProvider, options: InitOptions = {}): Promise<Runtime> {
  if (typeof options !== 'object' || options === null) {
    throw new IllegalConfigurationError(`init: options must be an object, got ${String(options)}`);
  }
  const known = new Set([...MEMORY_OPTION_NAMES, ...RUNTIME_OPTION_NAMES]);
  const unknown = Object.keys(options).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new IllegalConfigurationError(`init: unknown option ${unknown.map((k) => `'${k}'`).join(', ')}; known options: ${[...known].join(', ')}`);
  }
  const config = resolveMemoryConfig(options);
  const layout = computeLayout(config, STATIC_DATA_RESERVE);
  let memory: LinearMemory;
  try {
    memory = await provide(layout.byteLength, options);
  } catch (err) {
    if (err instanceof RangeError) {
      throw new MemoryAllocationError(`could not reserve a linear memory of ${layout.byteLength} bytes (${err.message}); lower totalMemory`);
    }
    throw err;
  }
  const heapBase = memory.kernels.heapBase();
  if (heapBase > STATIC_DATA_RESERVE) {
    throw new IllegalConfigurationError(`the kernels module's static data ends at ${heapBase}, beyond the ${STATIC_DATA_RESERVE} bytes reserved for it`);
  }
  return new Runtime(build, config, layout, memory, options);
}
