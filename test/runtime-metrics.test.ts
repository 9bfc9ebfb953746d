// rt.metrics(): the runtime snapshot the inspector draws. Its numbers are the
// runtime's own (config, manager, pools, registered parts, leaks), it is
// plain data, it never throws (while buffers move, after close, with a
// faulty registered part) and its size does not grow with buffers out.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { builds } from './builds.js';
import { expectCode, flush, netRuntime, PAGE } from './network-support.js';
import type { BufferBuilder, GateMetrics, NetworkBuffer, PartitionMetrics, Runtime, RuntimeMetrics } from '../src/index.js';
import type { MetricsSource } from '../src/network/metrics.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** A partition whose numbers the test sets. */
function fakePartition(id: string, level: PartitionMetrics['level'] = 'OK'): PartitionMetrics {
  return {
    kind: 'partition',
    id,
    backPressuredTimeMs: 1200,
    backPressuredTimeMsPerSecond: level === 'HIGH' ? 800 : 0,
    level,
    poolSize: 8,
    poolInUse: 5,
    subpartitions: [{ index: 0, backlog: 3, credit: 2, bytesWritten: 4096, buffersSent: 7 }],
  };
}

function fakeGate(id: string): GateMetrics {
  return {
    kind: 'gate',
    id,
    floatingPoolSize: 4,
    floatingInUse: 1,
    channels: [{ index: 0, credit: 2, backlog: 3, buffersQueued: 1, buffersInFlight: 2, exclusiveBuffers: 2, floatingBuffers: 1, bytesReceived: 8192, transport: 'local' }],
  };
}

/** Every value in a snapshot, counted: how big its structure is, whatever the numbers. */
function countNodes(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 1;
  return 1 + Object.values(value).reduce<number>((n, v) => n + countNodes(v), 0);
}

/** The buffer arithmetic every snapshot must satisfy. */
function expectConsistent(m: RuntimeMetrics): void {
  let held = 0;
  for (const pool of m.network.pools) {
    expect(pool.inUse + pool.available).toBe(pool.held);
    expect(pool.inUse).toBeGreaterThanOrEqual(0);
    expect(pool.backPressuredTimeMsPerSecond).toBeGreaterThanOrEqual(0);
    expect(pool.backPressuredTimeMsPerSecond).toBeLessThanOrEqual(1000);
    held += pool.held;
  }
  if (!m.closed) expect(held + m.network.freeBuffers + m.network.unpooledBuffers).toBe(m.network.totalBuffers);
  expect(m.managed.pagesInUse * m.managed.pageSize + m.managed.reservedBytes + m.managed.availableBytes).toBe(m.managed.totalPages * m.managed.pageSize);
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each(builds)('$name build', ({ init, lib }) => {
  it("reports the memory model's parts as rt.config resolved them", async () => {
    using rt = await init({ totalMemory: '64mb', pageSize: 8192 });
    const m = rt.metrics();
    expect(m.build).toBe(rt.build);
    expect(m.closed).toBe(false);
    expect(m.model.totalBytes).toBe(rt.config.totalMemory);
    expect(m.model.pageSize).toBe(8192);
    expect(m.model.linearMemoryBytes).toBe(rt.linearMemoryBytes);
    expect(m.model.parts).toEqual([
      { name: 'managed', bytes: rt.config.managedMemory },
      { name: 'network', bytes: rt.config.networkMemory },
      { name: 'off-heap', bytes: rt.config.offHeapMemory },
      { name: 'user', bytes: rt.config.userMemory },
    ]);
    expect(m.model.parts.reduce((sum, p) => sum + p.bytes, 0)).toBe(rt.config.totalMemory);
    expect(Math.abs(m.timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('counts managed pages per owner and reservations, and forgets owners that hold nothing', async () => {
    using rt = await init({ managedMemory: 32 * PAGE, networkMemory: 4 * PAGE, pageSize: PAGE });
    const mm = rt.memoryManager;
    class Join {}
    const join = new Join();
    const sorterPages = mm.allocatePages('sorter', 3);
    mm.allocatePages(join, 2);
    mm.reserveMemory('hash-table', 3 * PAGE);
    mm.reserveMemory('sorter', 100);
    let m = rt.metrics();
    expect(m.managed.owners).toEqual([
      { owner: 'sorter', pages: 3, reservedBytes: 100 },
      { owner: 'a Join #1', pages: 2, reservedBytes: 0 },
      { owner: 'hash-table', pages: 0, reservedBytes: 3 * PAGE },
    ]);
    expect(m.managed).toMatchObject({ pageSize: PAGE, totalPages: 32, pagesInUse: 5, reservedBytes: 3 * PAGE + 100, availableBytes: mm.availableMemory });
    expectConsistent(m);

    mm.release(sorterPages);
    mm.releaseAll(join);
    mm.releaseAllMemory('hash-table');
    m = rt.metrics();
    expect(m.managed.owners).toEqual([{ owner: 'sorter', pages: 0, reservedBytes: 100 }]);
    // The same object keeps its number; another object of the class gets the next one.
    mm.allocatePages(join, 1);
    mm.allocatePages(new Join(), 1);
    expect(rt.metrics().managed.owners.map((o) => o.owner)).toEqual(['sorter', 'a Join #1', 'a Join #2']);
    expectConsistent(rt.metrics());
  });

  it('reports every buffer pool: size, held, in use, available, waiters, by name', async () => {
    using rt = await netRuntime(init, 16);
    const producer = rt.networkBufferPool.createBufferPool({ minSize: 2, maxSize: 4, name: 'producer' });
    const other = rt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: Infinity });
    const builders: BufferBuilder[] = [];
    for (let i = 0; i < 4; i++) builders.push(producer.requestBufferBuilder()!);
    const waiting = producer.requestBufferBuilderBlocking();
    const m = rt.metrics();
    const [p, o] = m.network.pools;
    expect(p).toMatchObject({ name: 'producer', size: producer.numBuffers, minSize: 2, maxSize: 4, held: 4, inUse: 4, available: 0, waiters: 1 });
    expect(o).toMatchObject({ name: 'pool-1', minSize: 1, maxSize: null, size: other.numBuffers, inUse: 0 });
    expect(o!.available).toBe(other.numberOfAvailableMemorySegments);
    expect(m.network).toMatchObject({ bufferSize: PAGE, totalBuffers: 16, freeBuffers: rt.networkBufferPool.numberOfAvailableMemorySegments, unpooledBuffers: 0 });
    expectConsistent(m);

    builders.pop()!.close();
    (await waiting).close();
    for (const b of builders) b.close();
    const after = rt.metrics().network.pools[0]!;
    expect(after).toMatchObject({ inUse: 0, waiters: 0 });
    producer.lazyDestroy();
    expect(rt.metrics().network.pools.map((pool) => pool.name)).toEqual(['pool-1']);
  });

  it("reports a producer's back-pressured time per second and level, HIGH while it waits and OK after", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    using rt = await netRuntime(init, 4);
    const pool = rt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 1, name: 'producer' });
    const held = pool.requestBufferBuilder()!;
    const waiting = pool.requestBufferBuilderBlocking();
    vi.advanceTimersByTime(800);
    let p = rt.metrics().network.pools[0]!;
    expect(p.level).toBe('HIGH');
    expect(p.backPressuredTimeMsPerSecond).toBeGreaterThan(700);
    expect(p.backPressuredTimeMs).toBeGreaterThanOrEqual(800);
    held.close();
    (await waiting).close();
    vi.advanceTimersByTime(1500);
    p = rt.metrics().network.pools[0]!;
    expect(p).toMatchObject({ level: 'OK', backPressuredTimeMsPerSecond: 0, waiters: 0 });
    expect(p.backPressuredTimeMs).toBeGreaterThanOrEqual(800);
  });

  it('counts unpooled buffers and their waiting requests', async () => {
    using rt = await netRuntime(init, 4);
    const network = rt.networkBufferPool;
    const two = await network.requestUnpooledMemorySegments(2);
    expect(rt.metrics().network).toMatchObject({ unpooledBuffers: 2, unpooledWaiters: 0, freeBuffers: 2 });
    network.recycleUnpooledMemorySegments(two);
    // A lone resizable pool holds every buffer; an unpooled request then waits for it to give some back.
    const pool = network.createBufferPool({ minSize: 1, maxSize: 4 });
    const held = [pool.requestBuffer()!, pool.requestBuffer()!, pool.requestBuffer()!, pool.requestBuffer()!];
    const controller = new AbortController();
    const waiting = network.requestUnpooledMemorySegments(3, { signal: controller.signal });
    waiting.catch(() => undefined);
    expect(rt.metrics().network).toMatchObject({ unpooledWaiters: 1, unpooledBuffers: 0, freeBuffers: 0 });
    controller.abort();
    await flush();
    expect(rt.metrics().network.unpooledWaiters).toBe(0);
    for (const b of held) b.recycleBuffer();
    expectConsistent(rt.metrics());
  });

  it('includes the partitions and gates registered with the network pool; a faulty one is counted, not thrown', async () => {
    using rt = await netRuntime(init, 4);
    const registry = rt.networkBufferPool.metrics;
    const partition: MetricsSource = { metricsSnapshot: () => fakePartition('partition-0', 'HIGH') };
    const gate: MetricsSource = { metricsSnapshot: () => fakeGate('gate-1') };
    const throwing: MetricsSource = {
      metricsSnapshot: () => {
        throw new Error('broken source');
      },
    };
    const wrongKind = { metricsSnapshot: () => ({ kind: 'neither' }) } as unknown as MetricsSource;
    const kindThrows = {
      metricsSnapshot: () => ({
        get kind(): never {
          throw new Error('getter');
        },
      }),
    } as unknown as MetricsSource;
    registry.add(partition, 'partition');
    registry.add(throwing, 'partition');
    registry.add(gate, 'gate');
    registry.add(wrongKind, 'gate');
    registry.add(kindThrows, 'gate');
    const m = rt.metrics();
    expect(m.network.partitions).toEqual([fakePartition('partition-0', 'HIGH')]);
    expect(m.network.gates).toEqual([fakeGate('gate-1')]);
    expect(m.network.failedSources).toBe(3);
    registry.delete(partition);
    registry.delete(throwing);
    registry.delete(wrongKind);
    registry.delete(kindThrows);
    expect(rt.metrics().network).toMatchObject({ partitions: [], failedSources: 0 });
  });

  it('is plain data: JSON gives back the same snapshot', async () => {
    using rt = await netRuntime(init, 8);
    rt.memoryManager.allocatePages({ any: 'object' }, 2);
    const pool = rt.networkBufferPool.createBufferPool({ minSize: 2, maxSize: Infinity });
    const buffer = pool.requestBuffer()!;
    const m = rt.metrics();
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
    expect(structuredClone(m)).toEqual(m);
    buffer.recycleBuffer();
  });

  it('does not grow with the buffers out: one entry per pool, none per buffer', async () => {
    using rt = await netRuntime(init, 64);
    const pool = rt.networkBufferPool.createBufferPool({ minSize: 64, maxSize: 64, name: 'p' });
    const idle = countNodes(rt.metrics());
    const out: NetworkBuffer[] = [];
    for (let i = 0; i < 64; i++) out.push(pool.requestBuffer()!);
    const waiting = [pool.requestBufferBuilderBlocking(), pool.requestBufferBuilderBlocking()];
    const busy = rt.metrics();
    expect(busy.network.pools[0]).toMatchObject({ inUse: 64, waiters: 2 });
    expect(countNodes(busy)).toBe(idle);
    for (const b of out) b.recycleBuffer();
    for (const w of waiting) (await w).close();
  });

  it('never throws while buffers move, and its numbers always add up (against a model of what is out)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('request' as const), fc.constant('recycle' as const), fc.constant('wait' as const), fc.integer({ min: 1, max: 6 })), { maxLength: 60 }),
        async (ops) => {
          using rt = await netRuntime(init, 8);
          const pool = rt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 6, name: 'moving' });
          const out: (NetworkBuffer | BufferBuilder)[] = [];
          const waits: Promise<BufferBuilder>[] = [];
          for (const op of ops) {
            if (op === 'request') {
              const b = pool.requestBuffer();
              if (b !== null) out.push(b);
            } else if (op === 'recycle') {
              const b = out.shift();
              if (b !== undefined) 'close' in b ? b.close() : b.recycleBuffer();
            } else if (op === 'wait') {
              waits.push(pool.requestBufferBuilderBlocking().then((b) => (out.push(b), b)));
            } else {
              pool.setNumBuffers(op);
            }
            await flush(3);
            const m = rt.metrics();
            expectConsistent(m);
            expect(m.network.pools[0]!.inUse).toBe(out.length);
          }
          const releaseAll = () => {
            for (const b of out.splice(0)) 'close' in b ? b.close() : b.recycleBuffer();
          };
          releaseAll();
          pool.lazyDestroy();
          await Promise.allSettled(waits);
          releaseAll();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('after close() reads empty and says closed, without throwing', async () => {
    const rt: Runtime = await netRuntime(init, 4);
    rt.memoryManager.allocatePages('held', 1);
    const pool = rt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 2 });
    pool.requestBuffer();
    rt.close();
    const m = rt.metrics();
    expect(m).toMatchObject({ closed: true, managed: { owners: [], pagesInUse: 0, reservedBytes: 0 }, network: { pools: [], freeBuffers: 0 } });
    expectConsistent(m);
  });

  it('createBufferPool refuses a name that is not a short string, creating nothing', async () => {
    using rt = await netRuntime(init, 4);
    for (const name of ['', 'x'.repeat(201), 7, Symbol('n'), 1n, null, { toString: () => 'p' }]) {
      const err = expectCode(lib, () => rt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 1, name: name as string }), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toMatch(/name must be a string of 1 to 200 characters, got /);
    }
    expect(rt.networkBufferPool.numberOfBufferPools).toBe(0);
    expect(rt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 1, name: 'x'.repeat(200) }).name).toBe('x'.repeat(200));
  });

  if (typeof gc === 'function') {
    it('counts the leaks reported and the bytes they held', async () => {
      const reports: number[] = [];
      using rt = await init({ managedMemory: 8 * PAGE, networkMemory: 0, pageSize: PAGE, leakDetection: true, onLeak: (r) => reports.push(r.bytes) });
      expect(rt.metrics().leaks).toEqual({ detection: true, reported: 0, bytes: 0 });
      (() => {
        rt.memoryManager.allocatePages('leaky', 2);
      })();
      for (let i = 0; i < 50 && reports.length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        gc();
      }
      expect(reports.length).toBe(2);
      expect(rt.metrics().leaks).toEqual({ detection: true, reported: 2, bytes: 2 * PAGE });
      expect(rt.metrics().managed.owners).toEqual([]);
    });
  }

  it('reports leak detection off with nothing reported', async () => {
    using rt = await init({ managedMemory: 8 * PAGE, networkMemory: 0, pageSize: PAGE });
    expect(rt.metrics().leaks).toEqual({ detection: false, reported: 0, bytes: 0 });
  });
});
