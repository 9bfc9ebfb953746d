/**
 * A runtime's metrics as one plain-data snapshot: the memory model's parts,
 * managed pages per owner and reservations, every network buffer pool, the
 * partitions and gates registered with the network pool, and the leaks
 * reported. It is what the inspector (segmem/inspect) draws, and what a
 * user's own dashboard can log or send: numbers, strings, booleans, null,
 * arrays and objects of those, made fresh on every call, so
 * `JSON.stringify` of it is lossless (a local channel's credit, which it
 * does not need, is null rather than Infinity for that reason).
 *
 * Taking one reads counters only: one object per owner, pool, partition and
 * gate, none per page or buffer, so its cost does not grow with the traffic
 * (`node bench/inspect.mjs`). It never throws: not while buffers move, not
 * after close(), not when a registered part fails (that part is counted in
 * `network.failedSources` instead).
 */
import type { MemoryConfig } from '../config/index.js';
import type { KernelsKind } from '../kernels/kernels.js';
import type { LeakDetection } from '../memory/leak-detector.js';
import type { MemoryManager } from '../memory/memory-manager.js';
import { backPressureLevel, type BackPressureLevel } from '../network/backpressure.js';
import type { LocalBufferPool } from '../network/local-buffer-pool.js';
import type { GateMetrics, PartitionMetrics } from '../network/metrics.js';
import type { NetworkBufferPool } from '../network/network-buffer-pool.js';
import { render } from '../util/render.js';

/** One part of the memory model, in bytes. */
export interface MemoryPartMetrics {
  /** 'managed', 'network', 'off-heap' or 'user' (left to the JS heap). */
  readonly name: 'managed' | 'network' | 'off-heap' | 'user';
  /** Its size. */
  readonly bytes: number;
}

/** The memory model (rt.config), in bytes. */
export interface MemoryModelMetrics {
  /** The total the parts add up to. */
  readonly totalBytes: number;
  /** Bytes per page (managed pages and network buffers alike). */
  readonly pageSize: number;
  /** Bytes of the linear memory: the parts in it plus their tables. */
  readonly linearMemoryBytes: number;
  /** managed, network, off-heap and user (left to the JS heap), in that order. */
  readonly parts: readonly MemoryPartMetrics[];
}

/** What one owner holds of the managed memory. */
export interface OwnerMetrics {
  /** The owner as text: a string owner as it is, any other as its kind and a number stable for the runtime's life ("an InMemorySorter #2"). */
  readonly owner: string;
  /** Pages it holds. */
  readonly pages: number;
  /** Bytes it has reserved with reserveMemory() (shared resources included). */
  readonly reservedBytes: number;
}

/** The managed memory (rt.memoryManager). */
export interface ManagedMemoryMetrics {
  /** Bytes per page. */
  readonly pageSize: number;
  /** Pages in all. */
  readonly totalPages: number;
  /** Pages handed out. */
  readonly pagesInUse: number;
  /** Bytes reserved without pages. */
  readonly reservedBytes: number;
  /** Bytes neither in pages handed out nor reserved. */
  readonly availableBytes: number;
  /** Every owner holding pages or a reservation, in the order they first allocated. */
  readonly owners: readonly OwnerMetrics[];
}

/** One LocalBufferPool. */
export interface BufferPoolMetrics {
  /** The pool's name (createBufferPool's `name`, or `pool-<n>`). */
  readonly name: string;
  /** Its current size: buffers it may hold. */
  readonly size: number;
  /** Buffers it always holds. */
  readonly minSize: number;
  /** Buffers it may grow to; null for no bound but the network pool. */
  readonly maxSize: number | null;
  /** Segments it holds: available ones and those out in buffers (overdraft included). */
  readonly held: number;
  /** Buffers out (written into, queued or being read). */
  readonly inUse: number;
  /** Buffers ready to be handed out. */
  readonly available: number;
  /** Blocking requests waiting for a buffer. */
  readonly waiters: number;
  /** Milliseconds requests waited, in all. */
  readonly backPressuredTimeMs: number;
  /** Milliseconds of the last second during which a request waited (0 to 1000). */
  readonly backPressuredTimeMsPerSecond: number;
  /** OK (≤ 10 % of the last second), LOW (≤ 50 %) or HIGH. */
  readonly level: BackPressureLevel;
}

/** The network memory (rt.networkBufferPool) and what is made over it. */
export interface NetworkMetrics {
  /** Bytes per buffer. */
  readonly bufferSize: number;
  /** Buffers in all. */
  readonly totalBuffers: number;
  /** Buffers on the global free list (in no pool, not out unpooled). */
  readonly freeBuffers: number;
  /** Buffers out through requestUnpooledMemorySegments() and requestPooledMemorySegment(). */
  readonly unpooledBuffers: number;
  /** requestUnpooledMemorySegments() calls waiting. */
  readonly unpooledWaiters: number;
  /** Every LocalBufferPool made from the network pool and not destroyed, in the order they were made. */
  readonly pools: readonly BufferPoolMetrics[];
  /** The result partitions registered with the network pool. */
  readonly partitions: readonly PartitionMetrics[];
  /** The input gates registered with the network pool. */
  readonly gates: readonly GateMetrics[];
  /** Registered parts whose snapshot failed this time (left out above). */
  readonly failedSources: number;
}

/** Leaks found by leak detection (init's `leakDetection`). */
export interface LeakMetrics {
  /** The setting: false (off), true, or 'stack'. */
  readonly detection: LeakDetection;
  /** Pages and leases reported as garbage-collected unreleased. */
  readonly reported: number;
  /** Bytes those held (given back when they were reported). */
  readonly bytes: number;
}

/** A runtime's metrics at one moment (rt.metrics()). */
export interface RuntimeMetrics {
  /** Milliseconds since the epoch when it was taken. */
  readonly timestamp: number;
  /** 'wasm' or 'js'. */
  readonly build: KernelsKind;
  /** True once the runtime is closed: the parts below then read empty. */
  readonly closed: boolean;
  /** The memory model: its parts, their total and the page size, in bytes. */
  readonly model: MemoryModelMetrics;
  /** The managed memory (rt.memoryManager). */
  readonly managed: ManagedMemoryMetrics;
  /** The network memory (rt.networkBufferPool). */
  readonly network: NetworkMetrics;
  /** Leak detection's findings. */
  readonly leaks: LeakMetrics;
}

/** What a snapshot reads from a runtime. @internal */
export interface MetricsInputs {
  readonly build: KernelsKind;
  readonly closed: boolean;
  readonly config: MemoryConfig;
  readonly linearMemoryBytes: number;
  readonly memoryManager: MemoryManager;
  readonly networkBufferPool: NetworkBufferPool;
}

/**
 * Names owners that are not strings: "a Foo #n", n counting the objects met,
 * held weakly so that a snapshot keeps no owner alive. One per runtime. @internal
 */
export class OwnerNames {
  private readonly numbers = new WeakMap<object, number>();
  private next = 1;

  /** The owner as text; never throws (render() does not). */
  name(owner: unknown): string {
    if (typeof owner === 'string') return owner;
    if ((typeof owner !== 'object' && typeof owner !== 'function') || owner === null) return render(owner);
    let n = this.numbers.get(owner);
    if (n === undefined) {
      n = this.next++;
      this.numbers.set(owner, n);
    }
    return `${render(owner)} #${n}`;
  }
}

/** Takes a runtime's snapshot. @internal */
export function takeRuntimeMetrics(rt: MetricsInputs, owners: OwnerNames): RuntimeMetrics {
  const { config } = rt;
  return {
    timestamp: Date.now(),
    build: rt.build,
    closed: rt.closed,
    model: {
      totalBytes: config.totalMemory,
      pageSize: config.pageSize,
      linearMemoryBytes: rt.linearMemoryBytes,
      parts: [
        { name: 'managed', bytes: config.managedMemory },
        { name: 'network', bytes: config.networkMemory },
        { name: 'off-heap', bytes: config.offHeapMemory },
        { name: 'user', bytes: config.userMemory },
      ],
    },
    managed: managedMetrics(rt.memoryManager, owners),
    network: networkMetrics(rt.networkBufferPool),
    leaks: rt.memoryManager.leakStatistics(),
  };
}

function managedMetrics(manager: MemoryManager, names: OwnerNames): ManagedMemoryMetrics {
  const owners: OwnerMetrics[] = [];
  let pagesInUse = 0;
  let reservedBytes = 0;
  manager.forEachOwner((owner, pages, reserved) => {
    owners.push({ owner: names.name(owner), pages, reservedBytes: reserved });
    pagesInUse += pages;
    reservedBytes += reserved;
  });
  return { pageSize: manager.pageSize, totalPages: manager.pageCount, pagesInUse, reservedBytes, availableBytes: manager.availableMemory, owners };
}

function networkMetrics(network: NetworkBufferPool): NetworkMetrics {
  const pools: BufferPoolMetrics[] = [];
  for (const pool of network.bufferPools) pools.push(poolMetrics(pool));
  const partitions: PartitionMetrics[] = [];
  const gates: GateMetrics[] = [];
  const failedSources = network.metrics.collect(partitions, gates);
  const outside = network.numberOfSegmentsOutsidePools;
  return {
    bufferSize: network.memorySegmentSize,
    totalBuffers: network.totalNumberOfMemorySegments,
    freeBuffers: network.numberOfAvailableMemorySegments,
    unpooledBuffers: outside.unpooled + outside.pooled,
    unpooledWaiters: outside.waitingRequests,
    pools,
    partitions,
    gates,
    failedSources,
  };
}

function poolMetrics(pool: LocalBufferPool): BufferPoolMetrics {
  const held = pool.numberOfRequestedMemorySegments;
  const available = pool.numberOfAvailableMemorySegments;
  const perSecond = pool.backPressuredTimeMsPerSecond;
  return {
    name: pool.name,
    size: pool.numBuffers,
    minSize: pool.minSize,
    maxSize: pool.maxSize === Infinity ? null : pool.maxSize,
    held,
    inUse: held - available,
    available,
    waiters: pool.numberOfWaitingRequests,
    backPressuredTimeMs: pool.backPressuredTimeMs,
    backPressuredTimeMsPerSecond: perSecond,
    level: backPressureLevel(perSecond / 1000),
  };
}
