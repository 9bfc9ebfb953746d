// A shared runtime and runtimes attached to it by descriptor, within one
// realm: one budget, one free list, disjoint pages, worker ids, clean-up of
// an ended worker by id, and every refusal with its code. The suites with
// real workers are threads-*.test.ts beside this one.
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { expectCode } from './threads/support.js';

const PAGE = 4096;
const OPTIONS = { managedMemory: 16 * PAGE, networkMemory: 8 * PAGE, offHeapMemory: '64kb', pageSize: PAGE, shared: true } as const;

describe.each(builds)('$name build', ({ name, init, lib }) => {
  it('attaches by descriptor: one budget, disjoint pages, ids of their own', async () => {
    const a = await init(OPTIONS);
    expect(a.shared).toBe(true);
    expect(a.workerId).toBe(0);
    const descriptor = a.share();
    expect(descriptor.kind).toBe('segmem.runtime');
    expect(descriptor.build).toBe(name);
    expect(descriptor.module === null).toBe(name === 'js');
    const held = a.memoryManager.allocatePages('a', 5);
    held.forEach((page, i) => page.putInt(0, 7000 + i));
    a.memoryManager.reserveMemory('a', 2 * PAGE);
    const b = await lib.attach(descriptor);
    expect(b.workerId).toBe(1);
    expect(b.shared).toBe(true);
    expect(a.attachedRuntimes).toBe(2);
    expect(b.config.managedMemory).toBe(16 * PAGE);
    expect(b.memoryManager.availableMemory).toBe(9 * PAGE);
    const mine = b.memoryManager.allocatePages('b', 9);
    expect(new Set([...held, ...mine].map((p) => p.address)).size).toBe(14);
    expect(held.map((p) => p.getInt(0))).toEqual([7000, 7001, 7002, 7003, 7004]);
    const err = expectCode(lib, () => a.memoryManager.allocatePages('a', 1), 'ERR_MEMORY_ALLOCATION');
    expect(err.message).toContain('requested 1 pages, 0 available');
    b.memoryManager.releaseAll('b');
    expect(a.memoryManager.availableMemory).toBe(9 * PAGE);
    a.memoryManager.release(held);
    a.memoryManager.releaseAllMemory('a');
    expect(b.memoryManager.verifyEmpty()).toBe(true);
    b.close();
    expect(a.attachedRuntimes).toBe(1);
    a.close();
    // A shared memory is never detached.
    expect(a.memory.buffer.byteLength).toBe(a.linearMemoryBytes);
  });

  it('releaseAllOf() gives back what an ended worker held: pages, reservations, network segments, its id', async () => {
    const a = await init(OPTIONS);
    const b = await lib.attach(a.share());
    b.memoryManager.allocatePages('x', 3);
    b.memoryManager.allocatePages('y', 2);
    b.memoryManager.reserveMemory('y', 3 * PAGE);
    b.networkBufferPool.requestPooledMemorySegment();
    const pool = b.networkBufferPool.createBufferPool({ minSize: 2, maxSize: 2 });
    expect(pool.numberOfAvailableMemorySegments).toBe(2);
    const kept = a.memoryManager.allocatePages('a', 1);
    expect(a.memoryManager.availableMemory).toBe(7 * PAGE);
    expect(a.networkBufferPool.numberOfAvailableMemorySegments).toBe(5);
    // b "ends" without closing: a reclaims everything by its id.
    expect(a.releaseAllOf(b.workerId)).toEqual({ pages: 5, bytes: 3 * PAGE, buffers: 3 });
    expect(a.memoryManager.availableMemory).toBe(15 * PAGE);
    expect(a.networkBufferPool.numberOfAvailableMemorySegments).toBe(8);
    expect(a.attachedRuntimes).toBe(1);
    expect(kept[0]!.isFreed()).toBe(false);
    // Its id is free for the next worker; nothing is left to release twice.
    const c = await lib.attach(a.share());
    expect(c.workerId).toBe(1);
    expect(a.releaseAllOf(1)).toEqual({ pages: 0, bytes: 0, buffers: 0 });
    a.memoryManager.release(kept);
    expect(a.memoryManager.verifyEmpty()).toBe(true);
    a.close();
  });

  it('releaseAllOf() refuses a worker that ended holding a table lock (mid-operation), with ERR_ILLEGAL_STATE', async () => {
    const a = await init(OPTIONS);
    const b = await lib.attach(a.share());
    b.memoryManager.allocatePages('b', 2);
    // As if b had been terminated inside a page-table operation: the lock word still names it.
    const words = new Int32Array(a.memory.buffer);
    const lock = (a.layout.managedTable + 28) >>> 2;
    words[lock] = b.workerId + 1;
    const err = expectCode(lib, () => a.releaseAllOf(b.workerId), 'ERR_ILLEGAL_STATE');
    expect(err.message).toContain(`worker ${b.workerId} holds the lock of the page table`);
    expect(a.memoryManager.availableMemory).toBe(14 * PAGE);
    words[lock] = 0;
    expect(a.releaseAllOf(b.workerId).pages).toBe(2);
    expect(a.memoryManager.verifyEmpty()).toBe(true);
    a.close();
  });

  it('the pools of every worker draw on one count of required buffers', async () => {
    const a = await init(OPTIONS);
    const b = await lib.attach(a.share());
    const pool = a.networkBufferPool.createBufferPool({ minSize: 6, maxSize: 6 });
    expect(b.networkBufferPool.numberOfSpareMemorySegments).toBe(2);
    const err = expectCode(lib, () => b.networkBufferPool.createBufferPool({ minSize: 4, maxSize: 4 }), 'ERR_INSUFFICIENT_BUFFERS');
    expect(err.message).toContain('requires 4 buffers, 2 available');
    expectCode(lib, () => b.networkBufferPool.requestUnpooledMemorySegments(3), 'ERR_INSUFFICIENT_BUFFERS');
    const unpooled = await b.networkBufferPool.requestUnpooledMemorySegments(2);
    expect(a.networkBufferPool.numberOfSpareMemorySegments).toBe(0);
    b.networkBufferPool.recycleUnpooledMemorySegments(unpooled);
    expect(a.networkBufferPool.numberOfSpareMemorySegments).toBe(2);
    // a ends without destroying its pool: its requirement goes with releaseAllOf.
    expect(b.releaseAllOf(a.workerId).buffers).toBe(6);
    expect(b.networkBufferPool.numberOfSpareMemorySegments).toBe(8);
    const mine = b.networkBufferPool.createBufferPool({ minSize: 8, maxSize: 8 });
    expect(mine.numberOfAvailableMemorySegments).toBe(8);
    expect(pool.isDestroyed()).toBe(false);
    mine.lazyDestroy();
    b.close();
  });

  it("a worker's resizable pool gives back what another worker's new minimum needs", async () => {
    const a = await init(OPTIONS);
    const b = await lib.attach(a.share());
    const elastic = a.networkBufferPool.createBufferPool({ minSize: 0, maxSize: 8 });
    // A burst: all 8 buffers out, then back in the pool (not in the global list).
    const burst = Array.from({ length: 8 }, () => elastic.requestBuffer()!);
    for (const buffer of burst) buffer.recycleBuffer();
    expect(elastic.numberOfAvailableMemorySegments).toBe(8);
    expect(a.networkBufferPool.numberOfAvailableMemorySegments).toBe(0);
    // b's minimum is required at once; a's pool hears of it and shrinks to the spare left.
    const fixed = b.networkBufferPool.createBufferPool({ minSize: 5, maxSize: 5 });
    const builder = await fixed.requestBufferBuilderBlocking(undefined, { timeoutMs: 4000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(elastic.numBuffers).toBe(3);
    expect(fixed.numberOfAvailableMemorySegments).toBe(4);
    builder.close();
    fixed.lazyDestroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(elastic.numBuffers).toBe(8);
    b.close();
    a.close();
  });

  it('waits for network segments are woken when another runtime on the memory recycles', async () => {
    const a = await init(OPTIONS);
    const b = await lib.attach(a.share());
    const held: InstanceType<typeof lib.MemorySegment>[] = [];
    for (let i = 0; i < 8; i++) held.push(a.networkBufferPool.requestPooledMemorySegment()!);
    expect(b.networkBufferPool.requestPooledMemorySegment()).toBeNull();
    let woken = false;
    const available = b.networkBufferPool.whenAvailable().then(() => (woken = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(woken).toBe(false);
    a.networkBufferPool.recyclePooledMemorySegment(held.pop()!);
    await available;
    expect(b.networkBufferPool.numberOfAvailableMemorySegments).toBe(1);
    // A pool's blocking request waits for the global list, and a recycle elsewhere serves it.
    const taken = b.networkBufferPool.requestPooledMemorySegment()!;
    const pool = b.networkBufferPool.createBufferPool({ minSize: 0, maxSize: 4 });
    const waiting = pool.requestBufferBuilderBlocking(undefined, { timeoutMs: 4000 });
    a.networkBufferPool.recyclePooledMemorySegment(held.pop()!);
    const builder = await waiting;
    expect(builder.writableBytes).toBe(PAGE);
    builder.close();
    b.networkBufferPool.recyclePooledMemorySegment(taken);
    b.close();
    expect(a.networkBufferPool.numberOfAvailableMemorySegments).toBe(2);
    a.close();
  });

  it('passes segments by address: views without ownership, buffers and pages handed over once', async () => {
    const a = await init(OPTIONS);
    const b = await lib.attach(a.share());
    // A view: the same bytes, no ownership.
    const [page] = a.memoryManager.allocatePages('a', 1);
    page.putInt(8, 0x1234);
    const view = b.segments.open(structuredClone(a.segments.share(page)));
    expect(view.getInt(8)).toBe(0x1234);
    view.putInt(12, 99);
    expect(page.getInt(12)).toBe(99);
    view.free();
    expect(page.isFreed()).toBe(false);
    expect(a.memoryManager.availableMemory).toBe(15 * PAGE);
    expectCode(lib, () => a.segments.share(a.segments.allocateUnpooledSegment(8)), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => b.segments.open({ kind: 'segmem.segment', handover: 'view', byteOffset: 0, size: 16 }), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => b.segments.open({ kind: 'segmem.segment', handover: 'view', byteOffset: -1, size: 16 } as never), 'ERR_INVALID_ARGUMENT');

    // A page handed over: the sender's handle is freed, the receiver's owner holds it, once.
    const described = a.memoryManager.handOver(page);
    expect(page.isFreed()).toBe(true);
    expect(a.memoryManager.availableMemory).toBe(15 * PAGE);
    const adopted = b.memoryManager.adopt(described, 'b');
    expect(adopted.getInt(8)).toBe(0x1234);
    expectCode(lib, () => b.memoryManager.adopt(described, 'b'), 'ERR_ILLEGAL_STATE');
    expectCode(lib, () => b.memoryManager.adopt({ ...described, handover: 'buffer' }, 'b'), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => b.memoryManager.adopt(described, null), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => b.memoryManager.adopt({ ...described, byteOffset: described.byteOffset + 1 }, 'b'), 'ERR_INVALID_ARGUMENT');
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); } });
    expectCode(lib, () => b.memoryManager.adopt(hostile as never, 'b'), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => b.memoryManager.handOver('page' as never), 'ERR_INVALID_ARGUMENT');
    b.memoryManager.releaseAll('b');
    expect(adopted.isFreed()).toBe(true);
    expect(a.memoryManager.verifyEmpty()).toBe(true);

    // A network segment handed over, adopted, recycled by the receiver.
    const segment = a.networkBufferPool.requestPooledMemorySegment()!;
    segment.putInt(0, 77);
    const buffer = b.networkBufferPool.adopt(a.networkBufferPool.handOver(segment));
    expect(segment.isFreed()).toBe(true);
    expect(buffer.getInt(0)).toBe(77);
    expect(a.networkBufferPool.numberOfAvailableMemorySegments).toBe(7);
    b.networkBufferPool.recyclePooledMemorySegment(buffer);
    expect(a.networkBufferPool.numberOfAvailableMemorySegments).toBe(8);
    expectCode(lib, () => a.networkBufferPool.handOver(segment), 'ERR_REFERENCE_COUNT');

    // Handed over and never adopted: the sender's id still answers for them.
    const c = await lib.attach(a.share());
    const lostPage = c.memoryManager.handOver(c.memoryManager.allocatePages('c', 1)[0]!);
    const lostBuffer = c.networkBufferPool.handOver(c.networkBufferPool.requestPooledMemorySegment()!);
    expect(a.releaseAllOf(c.workerId)).toEqual({ pages: 1, bytes: 0, buffers: 1 });
    expectCode(lib, () => b.memoryManager.adopt(lostPage, 'b'), 'ERR_ILLEGAL_STATE');
    expectCode(lib, () => b.networkBufferPool.adopt(lostBuffer), 'ERR_ILLEGAL_STATE');
    expect(a.memoryManager.verifyEmpty()).toBe(true);
    expect(a.networkBufferPool.numberOfAvailableMemorySegments).toBe(8);
    b.close();
    a.close();
  });

  it('refuses what is not a shared runtime, with codes', async () => {
    const plain = await init({ ...OPTIONS, shared: false });
    expect(plain.shared).toBe(false);
    expectCode(lib, () => plain.share(), 'ERR_ILLEGAL_STATE');
    expectCode(lib, () => plain.releaseAllOf(1), 'ERR_ILLEGAL_STATE');
    expectCode(lib, () => plain.memoryManager.releaseAllOf(1), 'ERR_ILLEGAL_STATE');
    expectCode(lib, () => plain.memoryManager.handOver(plain.memoryManager.allocatePages('p', 1)[0]!), 'ERR_ILLEGAL_STATE');
    expectCode(lib, () => plain.networkBufferPool.handOver(plain.networkBufferPool.requestPooledMemorySegment()!), 'ERR_ILLEGAL_STATE');
    plain.close();
    await expect(init({ ...OPTIONS, shared: 'yes' as never })).rejects.toMatchObject({ code: 'ERR_ILLEGAL_CONFIGURATION' });
    const a = await init(OPTIONS);
    const throwing = new Proxy({}, { get: () => { throw new Error('no'); } });
    for (const bad of [undefined, null, 12n, Symbol('d'), {}, throwing, Object.freeze({ kind: 'segmem.runtime' }), { ...a.share(), header: -1 }, { ...a.share(), sharedMemory: new ArrayBuffer(8) }]) {
      await expect(lib.attach(bad as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    const other = builds.find((b) => b.name !== name)!;
    const err = await other.lib.attach(a.share()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect((err as Error).message).toContain(`'${name}' build`);
    expectCode(lib, () => a.releaseAllOf(a.workerId), 'ERR_INVALID_ARGUMENT');
    for (const id of [-1, 256, 1.5, 1n, '1']) expectCode(lib, () => a.releaseAllOf(id as never), 'ERR_INVALID_ARGUMENT');
    a.close();
    expectCode(lib, () => a.share(), 'ERR_SHUTDOWN');
  });

  it('without cross-origin isolation, init({ shared: true }) fails naming COOP/COEP', async () => {
    const own = Object.getOwnPropertyDescriptor(globalThis, 'crossOriginIsolated');
    Object.defineProperty(globalThis, 'crossOriginIsolated', { value: false, configurable: true, writable: true });
    try {
      const err = await init(OPTIONS).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(lib.SharedMemoryUnavailableError);
      expect(err).toMatchObject({ code: 'ERR_SHARED_MEMORY_UNAVAILABLE' });
      expect((err as Error).message).toContain('Cross-Origin-Opener-Policy: same-origin');
      expect((err as Error).message).toContain('Cross-Origin-Embedder-Policy: require-corp');
      // Unshared runtimes need no isolation.
      (await init({ ...OPTIONS, shared: false })).close();
    } finally {
      if (own === undefined) delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
      else Object.defineProperty(globalThis, 'crossOriginIsolated', own);
    }
  });
});
