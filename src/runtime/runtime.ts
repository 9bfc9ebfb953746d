import { describeMemoryConfig, MEMORY_OPTION_NAMES, resolveMemoryConfig, type MemoryConfig, type MemoryOptions } from '../config/index.js';
import { IllegalConfigurationError, IllegalStateError, InvalidArgumentError, MemoryAllocationError, ShutdownError } from '../errors.js';
import type { Kernels, KernelsKind, LongKernels } from '../kernels/kernels.js';
import { MemoryManager } from '../memory/memory-manager.js';
import { resolveManagerOptions, type MemoryManagerOptions } from '../memory/manager-options.js';
import { OffHeapArea } from '../memory/off-heap-area.js';
import { MemoryRegion } from '../memory/region.js';
import { MemorySegmentFactory } from '../memory/segment-factory.js';
import { checkInteger, checkOption, checkOptionsObject } from '../util/checks.js';
import { render } from '../util/render.js';
import { checkDescriptor, checkSharedMemorySupport, type RuntimeDescriptor } from '../threads/descriptor.js';
import { RT_OFF_HEAP_LOCK } from '../threads/realm-layout.js';
import { RealmTable } from '../threads/realm-table.js';
import type { ReleasedResources } from '../threads/released.js';
import { SpinLock } from '../threads/spin-lock.js';
import { NetworkBufferPool } from '../network/network-buffer-pool.js';
import type { WasmSource } from '../wasm/loader.js';
import { readHeader, writeHeader } from './header.js';
import { computeLayout, STATIC_DATA_RESERVE, type MemoryLayout } from './layout.js';
import { OwnerNames, takeRuntimeMetrics, type RuntimeMetrics } from './metrics.js';

/** Options of init(): the memory model, the manager's switches, and (wasm build) the module to use. */
export interface InitOptions extends MemoryOptions, MemoryManagerOptions {
  /** The kernels module or its bytes, for users who load the .wasm themselves (wasm build only; ignored by segmem/js). With `shared`, it must be the threads module. */
  wasm?: WasmSource;
  /**
   * Lay the runtime out in a shared memory (a SharedArrayBuffer), so that
   * workers can attach to it (rt.share(), attach()). Default false. Browsers
   * allow it only on cross-origin isolated pages (COOP/COEP headers).
   */
  shared?: boolean;
}

const RUNTIME_OPTION_NAMES: readonly string[] = ['wasm', 'zeroOnRelease', 'leakDetection', 'onLeak', 'shared'];

/** The one linear memory and the kernels working on it. @internal */
export interface LinearMemory {
  readonly buffer: ArrayBufferLike;
  /** The runtimes using this memory (attached ones share the object); the last to close detaches it. */
  readonly users: { count: number };
  /** The wasm memory object (wasm build); null for the pure-JS build's plain buffer. */
  readonly memory: WebAssembly.Memory | null;
  /** The compiled kernels module (wasm build), which rt.share() hands to workers; null for the pure-JS build. */
  readonly module: WebAssembly.Module | null;
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
  /** Kernels over a shared memory another realm made (from a descriptor), with `module` where it came along. */
  attachShared(memory: object, module: object | null, options: InitOptions): Promise<LinearMemory>;
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
  /** True for a runtime over a shared memory (init({ shared: true }) or attach()). */
  readonly shared: boolean;
  /** This runtime's id among those attached to its shared memory (0 to 255, reused once released); 0 for an unshared runtime. */
  readonly workerId: number;
  /** @internal */
  readonly layout: MemoryLayout;
  /** @internal */
  readonly memory: LinearMemory;
  private readonly backend: Backend;
  private readonly region: MemoryRegion;
  private readonly offHeap: OffHeapArea;
  private readonly ownerNames = new OwnerNames();
  /** The shared memory's realm table; null when unshared. */
  private readonly realms: RealmTable | null;
  /** The off-heap area's lock in a shared runtime, which releaseAllOf checks as the tables' own. */
  private readonly offHeapLock: SpinLock | null;
  private closed = false;

  /**
   * @internal Use init() from 'segmem' or 'segmem/js'. With `attach`, the
   * tables in `memory` are used as another runtime laid them out.
   */
  constructor(backend: Backend, config: MemoryConfig, layout: MemoryLayout, memory: LinearMemory, options: InitOptions, attach = false, realms: RealmTable | null = null, workerId = 0) {
    this.backend = backend;
    this.shared = realms !== null;
    this.realms = realms;
    this.workerId = workerId;
    const threads = realms === null ? null : { realms, realm: workerId };
    this.build = backend.build;
    this.config = config;
    this.layout = layout;
    this.memory = memory;
    const region = new MemoryRegion(new Uint8Array(memory.buffer), memory.kernels, memory.longs);
    this.region = region;
    if (!attach) writeHeader(region.view, layout);
    this.offHeapLock = realms === null ? null : new SpinLock(realms.words, (layout.realmsTable + RT_OFF_HEAP_LOCK) >>> 2, workerId + 1, 'off-heap area');
    this.offHeap = new OffHeapArea(region, layout.offHeapBase, config.offHeapMemory, attach, this.offHeapLock);
    const segmentsEnd = layout.networkBase + layout.networkPages * config.pageSize;
    this.segments = new MemorySegmentFactory(this.offHeap, () => this.checkOpen(), { region, start: layout.offHeapBase, end: segmentsEnd });
    const pages = { table: layout.managedTable, pagesBase: layout.managedBase, pageSize: config.pageSize, pageCount: layout.managedPages };
    this.memoryManager = new MemoryManager(region, pages, options, attach, threads);
    const network = { table: layout.networkTable, base: layout.networkBase, segmentSize: config.pageSize, segmentCount: layout.networkPages };
    this.networkBufferPool = new NetworkBufferPool(region, network, attach, threads);
  }

  /**
   * A plain, structured-cloneable descriptor of this shared runtime: post it
   * to a worker, where attach(descriptor) makes a runtime over the same
   * memory and tables. Throws ERR_ILLEGAL_STATE for an unshared runtime,
   * ERR_SHUTDOWN after close().
   */
  share(): RuntimeDescriptor {
    this.checkOpen();
    if (!this.shared) throw new IllegalStateError('share: the runtime is not shared; start it with init({ shared: true })');
    const sharedMemory: object = this.memory.memory ?? this.memory.buffer;
    return { kind: 'segmem.runtime', build: this.build, sharedMemory, module: this.memory.module, header: this.layout.header };
  }

  /** Runtimes attached to this one's memory now (this one included); 1 for an unshared runtime. */
  get attachedRuntimes(): number {
    return this.realms === null || this.closed ? this.memory.users.count : this.realms.users();
  }

  /**
   * Releases everything the worker with id `workerId` holds, for a worker
   * that ended without closing its runtime (terminated, crashed): the pages of
   * its owners, their reservations and the network segments it held; its id
   * becomes free. Only for a worker that has ended: a live one would keep
   * handles to memory handed to others. Throws ERR_ILLEGAL_STATE for an
   * unshared runtime, ERR_INVALID_ARGUMENT for this runtime's own id or an id
   * out of range, ERR_SHUTDOWN after close().
   */
  releaseAllOf(workerId: number): ReleasedResources {
    this.checkOpen();
    const realms = this.realms;
    if (realms === null) throw new IllegalStateError('releaseAllOf: the runtime is not shared; only workers of a shared runtime have ids');
    checkInteger(workerId, 'releaseAllOf: workerId', 0, realms.realmCount - 1);
    if (workerId === this.workerId) {
      throw new InvalidArgumentError(`releaseAllOf: ${workerId} is this runtime's own id; release its owners with releaseAll() or close() it`);
    }
    this.offHeapLock?.checkNotHeldBy(workerId);
    const { pages, bytes } = this.memoryManager.releaseAllOf(workerId);
    const buffers = this.networkBufferPool.releaseAllOf(workerId);
    if (realms.isLive(workerId)) realms.leave(workerId);
    return { pages, bytes, buffers };
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
      // A shared memory cannot be detached: its count of users lives in the memory, for every worker to see.
      // (Its id may have been given back already by another worker's releaseAllOf.)
      if (this.realms !== null) {
        if (this.realms.isLive(this.workerId)) this.realms.leave(this.workerId);
      }
      else if (--this.memory.users.count === 0) this.backend.detach(this.memory);
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
  const checked = checkOptionsObject<InitOptions>(options, `${operation}: options`, IllegalConfigurationError);
  const known = new Set([...MEMORY_OPTION_NAMES, ...RUNTIME_OPTION_NAMES]);
  const unknown = Object.keys(checked).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new IllegalConfigurationError(`${operation}: unknown option ${unknown.map(render).join(', ')}; known options: ${[...known].join(', ')}`);
  }
  // Checked before any memory is reserved.
  resolveManagerOptions(options as InitOptions);
  checkOption((options as InitOptions).shared, 'shared', [true, false], false);
  return options as InitOptions;
}

/** Resolves the options, reserves the linear memory and builds a runtime on it. @internal */
export async function createRuntime(backend: Backend, options: InitOptions = {}): Promise<Runtime> {
  checkOptions(options, 'init');
  const shared = options.shared === true;
  if (shared) checkSharedMemorySupport('init');
  const config = resolveMemoryConfig(options);
  const layout = computeLayout(config, shared);
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
  if (!shared) return new Runtime(backend, config, layout, memory, options);
  const realms = RealmTable.layOut(memory.buffer, layout.realmsTable, layout.managedPages);
  return joined(realms, (id) => new Runtime(backend, config, layout, memory, options, false, realms, id));
}

/** Builds a runtime under a fresh worker id, given back if the build fails. */
function joined(realms: RealmTable, build: (id: number) => Runtime): Runtime {
  const id = realms.join();
  try {
    return build(id);
  } catch (err) {
    realms.leave(id);
    throw err;
  }
}

/**
 * A runtime over the shared memory `descriptor` names (from rt.share(),
 * usually in another worker): the layout read from the memory's header, the
 * tables used as they are, handles of its own and a worker id of its own.
 * @internal (attach() of each build)
 */
export async function attachShared(backend: Backend, descriptor: unknown, options: InitOptions = {}): Promise<Runtime> {
  checkOptions(options, 'attach');
  checkSharedMemorySupport('attach');
  const { sharedMemory, module, header } = checkDescriptor(descriptor, backend.build);
  const memory = await backend.attachShared(sharedMemory, module, options);
  const layout = readLayout(memory, header);
  if (layout.realmsTable === 0) throw new InvalidArgumentError('attach: the memory holds an unshared runtime');
  const config = configOf(layout);
  checkStaticData(memory.kernels);
  const realms = new RealmTable(memory.buffer, layout.realmsTable);
  return joined(realms, (id) => new Runtime(backend, config, layout, memory, options, true, realms, id));
}

/** The layout in the header at `at`, checked against the layout its sizes give. */
function readLayout(memory: LinearMemory, at: number): MemoryLayout {
  const layout = readHeader(new DataView(memory.buffer), at);
  const expected = computeLayout(configOf(layout), layout.realmsTable !== 0);
  const differs = (Object.keys(expected) as (keyof MemoryLayout)[]).filter((key) => expected[key] !== layout[key]);
  if (differs.length > 0) throw new InvalidArgumentError(`attach: the runtime header is inconsistent (${differs.join(', ')})`);
  return layout;
}

/** The memory model a layout was made from. */
function configOf(layout: MemoryLayout): MemoryConfig {
  return resolveMemoryConfig({
    pageSize: layout.pageSize,
    managedMemory: layout.managedPages * layout.pageSize,
    networkMemory: layout.networkPages * layout.pageSize,
    offHeapMemory: layout.offHeapBytes,
  });
}

/**
 * A second runtime over the memory of `existing`, reading the layout from
 * its header and using its page table as it is: its own handles, the same
 * state. @internal (the threads build's attach() stands on this)
 */
export async function attachRuntime(backend: Backend, existing: LinearMemory, options: InitOptions = {}): Promise<Runtime> {
  checkOptions(options, 'attach');
  const layout = readLayout(existing, STATIC_DATA_RESERVE);
  if (layout.realmsTable !== 0) throw new InvalidArgumentError('attach: the memory holds a shared runtime; attach it with attach(rt.share())');
  const config = configOf(layout);
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
