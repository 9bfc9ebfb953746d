// The global NetworkBufferPool on both builds: the runtime's network memory,
// pooled and unpooled segments, waiting, bad input, destroy and close
// (after the semantics of Flink's NetworkBufferPoolTest).
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { NOT_COUNTS, PAGE, expectCode, expectRejectCode, flush, netRuntime, takeBuffers, track } from './network-support.js';
import type { MemorySegment } from '../src/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe.each(builds)('$name build', ({ init, lib }) => {
  describe('rt.networkBufferPool', () => {
    it("holds exactly the memory model's network part: 32 MiB of 32 KiB pages is 1024 buffers", async () => {
      const rt = await init({ managedMemory: '1mb', networkMemory: '32mb' });
      const nbp = rt.networkBufferPool;
      expect(nbp).toBeInstanceOf(lib.NetworkBufferPool);
      expect(rt.config.networkMemory).toBe(32 * MiB);
      expect(nbp.totalNumberOfMemorySegments).toBe(1024);
      expect(nbp.totalNumberOfMemorySegments * nbp.memorySegmentSize).toBe(rt.config.networkMemory);
      expect(nbp.memorySegmentSize).toBe(rt.config.pageSize);
      expect(nbp.numberOfAvailableMemorySegments).toBe(1024);
      expect(rt.describe()).toMatch(/network/);
      expect(rt.describe()).toContain('32');
      rt.close();
    });

    it('follows the page size, derived network memory and a zero network part', async () => {
      const small = await init({ managedMemory: '64kb', networkMemory: '64kb', pageSize: 4096 });
      expect(small.networkBufferPool.totalNumberOfMemorySegments).toBe(16);
      expect(small.networkBufferPool.memorySegmentSize).toBe(4096);
      small.close();
      const derived = await init({ totalMemory: '256mb' });
      expect(derived.networkBufferPool.totalNumberOfMemorySegments).toBe(derived.config.networkMemory / derived.config.pageSize);
      derived.close();
      const none = await init({ managedMemory: '64kb', networkMemory: 0 });
      expect(none.networkBufferPool.totalNumberOfMemorySegments).toBe(0);
      expect(none.networkBufferPool.requestPooledMemorySegment()).toBeNull();
      expectCode(lib, () => none.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 1 }), 'ERR_INSUFFICIENT_BUFFERS');
      none.close();
    });

    it('hands out distinct off-heap segments of the network area, which read and write', async () => {
      const rt = await netRuntime(init, 8);
      const nbp = rt.networkBufferPool;
      const segs: MemorySegment[] = [];
      for (let i = 0; i < 8; i++) segs.push(nbp.requestPooledMemorySegment()!);
      expect(nbp.requestPooledMemorySegment()).toBeNull();
      expect(nbp.numberOfAvailableMemorySegments).toBe(0);
      segs.forEach((s, i) => {
        expect(s.size).toBe(PAGE);
        expect(s.isOffHeap()).toBe(true);
        s.putInt(0, i * 7 + 1);
        s.putInt(PAGE - 4, -i - 1);
      });
      segs.forEach((s, i) => {
        expect(s.getInt(0)).toBe(i * 7 + 1);
        expect(s.getInt(PAGE - 4)).toBe(-i - 1);
      });
      // Managed pages are elsewhere: writing them leaves the network segments alone.
      const [page] = rt.memoryManager.allocatePages('op', 1);
      page!.fill(0xff);
      segs.forEach((s, i) => expect(s.getInt(0)).toBe(i * 7 + 1));
      nbp.recyclePooledMemorySegment(segs[0]!);
      expect(segs[0]!.isFreed()).toBe(true);
      segs[1]!.free();
      expect(nbp.numberOfAvailableMemorySegments).toBe(2);
      rt.close();
    });
  });

  describe('createBufferPool', () => {
    it('takes the minimum at creation and refuses one that does not fit, naming required, available, total, size and the option', async () => {
      const rt = await netRuntime(init, 10);
      const nbp = rt.networkBufferPool;
      const a = nbp.createBufferPool({ minSize: 6, maxSize: 6 });
      expect(a.numberOfAvailableMemorySegments).toBe(6);
      expect(nbp.numberOfAvailableMemorySegments).toBe(4);
      const err = expectCode(lib, () => nbp.createBufferPool({ minSize: 5, maxSize: 8 }), 'ERR_INSUFFICIENT_BUFFERS');
      expect(err).toBeInstanceOf(lib.InsufficientBuffersError);
      expect(err.message).toContain('requires 5');
      expect(err.message).toContain('4 available');
      expect(err.message).toContain('10 buffers');
      expect(err.message).toContain(`${PAGE} bytes`);
      expect(err.message).toContain('networkMemory');
      expect(nbp.numberOfAvailableMemorySegments).toBe(4);
      expect(nbp.numberOfBufferPools).toBe(1);
      const b = nbp.createBufferPool({ minSize: 4, maxSize: 4 });
      expect(b.numberOfAvailableMemorySegments).toBe(4);
      rt.close();
    });

    it.each(NOT_COUNTS)('refuses minSize %s with a message naming it, changing nothing', async (value, shown) => {
      const rt = await netRuntime(init, 4);
      const nbp = rt.networkBufferPool;
      const err = expectCode(lib, () => nbp.createBufferPool({ minSize: value as number, maxSize: 2 }), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toContain(`minSize ${shown}`);
      expect(nbp.numberOfBufferPools).toBe(0);
      expect(nbp.numberOfAvailableMemorySegments).toBe(4);
      rt.close();
    });

    it('refuses min above max, a max of 0, bad channel and overdraft counts, and a non-object', async () => {
      const rt = await netRuntime(init, 4);
      const nbp = rt.networkBufferPool;
      const err = expectCode(lib, () => nbp.createBufferPool({ minSize: 3, maxSize: 2 }), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toContain('minSize 3 is above maxSize 2');
      expectCode(lib, () => nbp.createBufferPool({ minSize: 0, maxSize: 0 }), 'ERR_INVALID_ARGUMENT');
      expectCode(lib, () => nbp.createBufferPool({ minSize: 1, maxSize: 2, numSubpartitions: -1 }), 'ERR_INVALID_ARGUMENT');
      expectCode(lib, () => nbp.createBufferPool({ minSize: 1, maxSize: 2, maxBuffersPerChannel: 0 }), 'ERR_INVALID_ARGUMENT');
      expectCode(lib, () => nbp.createBufferPool({ minSize: 1, maxSize: 2, maxOverdraftBuffersPerGate: 1.5 }), 'ERR_INVALID_ARGUMENT');
      expectCode(lib, () => nbp.createBufferPool({ minSize: 1, maxSize: 2, expectedSize: 0 }), 'ERR_INVALID_ARGUMENT');
      expectCode(lib, () => nbp.createBufferPool(null as never), 'ERR_INVALID_ARGUMENT');
      expect(nbp.numberOfBufferPools).toBe(0);
      expect(nbp.numberOfAvailableMemorySegments).toBe(4);
      rt.close();
    });
  });

  describe('requestUnpooledMemorySegments', () => {
    it('hands out n segments at once and takes them back', async () => {
      const rt = await netRuntime(init, 10);
      const nbp = rt.networkBufferPool;
      const segs = await nbp.requestUnpooledMemorySegments(4);
      expect(segs).toHaveLength(4);
      expect(new Set(segs).size).toBe(4);
      expect(nbp.numberOfAvailableMemorySegments).toBe(6);
      expect(nbp.numberOfSpareMemorySegments).toBe(6);
      expect(await nbp.requestUnpooledMemorySegments(0)).toEqual([]);
      nbp.recycleUnpooledMemorySegments(segs);
      expect(segs.every((s) => s.isFreed())).toBe(true);
      expect(nbp.numberOfAvailableMemorySegments).toBe(10);
      expect(nbp.numberOfSpareMemorySegments).toBe(10);
      rt.close();
    });

    it('beyond what is not required throws InsufficientBuffersError naming required, available, total, size and networkMemory', async () => {
      const rt = await netRuntime(init, 10);
      const nbp = rt.networkBufferPool;
      nbp.createBufferPool({ minSize: 7, maxSize: 7 });
      const err = expectCode(lib, () => nbp.requestUnpooledMemorySegments(4), 'ERR_INSUFFICIENT_BUFFERS');
      expect(err.message).toMatch(/requires 4 buffers, 3 available \(10 buffers of 4096 bytes/);
      expect(err.message).toContain('networkMemory');
      expect(nbp.numberOfSpareMemorySegments).toBe(3);
      expect(await nbp.requestUnpooledMemorySegments(3)).toHaveLength(3);
      rt.close();
    });

    it('waits while the segments are held by a pool that will give them back, and the pool shrinks to make room', async () => {
      const rt = await netRuntime(init, 10);
      const nbp = rt.networkBufferPool;
      const pool = nbp.createBufferPool({ minSize: 2, maxSize: 10 });
      expect(pool.numBuffers).toBe(10);
      const held = takeBuffers(pool, 10);
      const request = track(nbp.requestUnpooledMemorySegments(5));
      expect(pool.numBuffers).toBe(5);
      await flush();
      expect(request.settled).toBe(false);
      for (let i = 0; i < 4; i++) held[i]!.recycleBuffer();
      await flush();
      expect(request.settled).toBe(false);
      held[4]!.recycleBuffer();
      await flush();
      expect(request.settled).toBe(true);
      expect(request.value).toHaveLength(5);
      // The pool is at its new size: recycling gives to its own queue now.
      held[5]!.recycleBuffer();
      expect(pool.numberOfAvailableMemorySegments).toBe(1);
      nbp.recycleUnpooledMemorySegments(request.value!);
      expect(pool.numBuffers).toBe(10);
      rt.close();
    });

    it('serves waiting requests in arrival order', async () => {
      const rt = await netRuntime(init, 6);
      const nbp = rt.networkBufferPool;
      const pool = nbp.createBufferPool({ minSize: 0, maxSize: 6 });
      const held = takeBuffers(pool, 6);
      const first = track(nbp.requestUnpooledMemorySegments(3));
      const second = track(nbp.requestUnpooledMemorySegments(1));
      held[0]!.recycleBuffer();
      await flush();
      // One free segment would do for the second, but the first came first.
      expect(second.settled).toBe(false);
      held[1]!.recycleBuffer();
      held[2]!.recycleBuffer();
      await flush();
      expect(first.settled).toBe(true);
      expect(second.settled).toBe(false);
      held[3]!.recycleBuffer();
      await flush();
      expect(second.settled).toBe(true);
      rt.close();
    });

    it('an abort before or while waiting rejects with the reason and leaves nothing reserved', async () => {
      const rt = await netRuntime(init, 4);
      const nbp = rt.networkBufferPool;
      const pool = nbp.createBufferPool({ minSize: 0, maxSize: 4 });
      const held = takeBuffers(pool, 4);
      const already = new AbortController();
      already.abort(new Error('no longer needed'));
      await expect(nbp.requestUnpooledMemorySegments(2, { signal: already.signal })).rejects.toThrow('no longer needed');
      expect(pool.numBuffers).toBe(4);
      const controller = new AbortController();
      const waiting = nbp.requestUnpooledMemorySegments(2, { signal: controller.signal });
      expect(pool.numBuffers).toBe(2);
      controller.abort('stop');
      await expect(waiting).rejects.toBe('stop');
      expect(nbp.numberOfSpareMemorySegments).toBe(4);
      expect(pool.numBuffers).toBe(4);
      // Aborting after it was served changes nothing.
      held.forEach((b) => b.recycleBuffer());
      const late = new AbortController();
      const segs = await nbp.requestUnpooledMemorySegments(2, { signal: late.signal });
      late.abort();
      expect(segs.every((s) => !s.isFreed())).toBe(true);
      nbp.recycleUnpooledMemorySegments(segs);
      expect(nbp.numberOfSpareMemorySegments).toBe(4);
      rt.close();
    });

    it('times out with a typed ERR_TIMEOUT and holds nothing', async () => {
      const rt = await netRuntime(init, 4);
      const nbp = rt.networkBufferPool;
      const pool = nbp.createBufferPool({ minSize: 0, maxSize: 4 });
      const held = takeBuffers(pool, 4);
      const err = await expectRejectCode(lib, nbp.requestUnpooledMemorySegments(3, { timeoutMs: 5 }), 'ERR_TIMEOUT');
      expect(err).toBeInstanceOf(lib.TimeoutError);
      expect(err.message).toContain('5 ms');
      held.forEach((b) => b.recycleBuffer());
      expect(nbp.numberOfSpareMemorySegments).toBe(4);
      expect(pool.numBuffers).toBe(4);
      rt.close();
    });

    it('refuses bad counts and options with a message naming the value', async () => {
      const rt = await netRuntime(init, 4);
      const nbp = rt.networkBufferPool;
      for (const [value, shown] of NOT_COUNTS) {
        const err = expectCode(lib, () => nbp.requestUnpooledMemorySegments(value as number), 'ERR_INVALID_ARGUMENT');
        expect(err.message).toContain(`n ${shown}`);
      }
      expectCode(lib, () => nbp.requestUnpooledMemorySegments(1, { timeoutMs: -1 }), 'ERR_INVALID_ARGUMENT');
      expectCode(lib, () => nbp.requestUnpooledMemorySegments(1, { signal: {} as AbortSignal }), 'ERR_INVALID_ARGUMENT');
      expect(nbp.numberOfSpareMemorySegments).toBe(4);
      rt.close();
    });

    it('recycleUnpooledMemorySegments refuses foreign, pooled, recycled and repeated segments, all or nothing', async () => {
      const rt = await netRuntime(init, 6);
      const other = await netRuntime(init, 6);
      const nbp = rt.networkBufferPool;
      const segs = await nbp.requestUnpooledMemorySegments(2);
      const foreign = await other.networkBufferPool.requestUnpooledMemorySegments(1);
      const page = rt.memoryManager.allocatePages('op', 1)[0]!;
      const pooled = nbp.requestPooledMemorySegment()!;
      const cases: [unknown[], string][] = [
        [[segs[0], foreign[0]], 'ERR_INVALID_ARGUMENT'],
        [[segs[0], page], 'ERR_INVALID_ARGUMENT'],
        [[segs[0], pooled], 'ERR_INVALID_ARGUMENT'],
        [[segs[0], 'x'], 'ERR_INVALID_ARGUMENT'],
        [[segs[0], segs[0]], 'ERR_REFERENCE_COUNT'],
      ];
      for (const [list, code] of cases) {
        expectCode(lib, () => nbp.recycleUnpooledMemorySegments(list as MemorySegment[]), code as 'ERR_INVALID_ARGUMENT');
        expect(segs[0]!.isFreed()).toBe(false);
        expect(nbp.numberOfAvailableMemorySegments).toBe(3);
        expect(nbp.numberOfSpareMemorySegments).toBe(4);
      }
      expectCode(lib, () => nbp.recycleUnpooledMemorySegments('x' as never), 'ERR_INVALID_ARGUMENT');
      nbp.recycleUnpooledMemorySegments(segs);
      const again = expectCode(lib, () => nbp.recycleUnpooledMemorySegments([segs[1]!]), 'ERR_REFERENCE_COUNT');
      expect(again.message).toContain('already given back');
      expect(nbp.numberOfAvailableMemorySegments).toBe(5);
      expect(other.networkBufferPool.numberOfAvailableMemorySegments).toBe(5);
      rt.close();
      other.close();
    });
  });

  describe('availability, destroy and close', () => {
    it('whenAvailable resolves at once while a segment is free, else when one comes back', async () => {
      const rt = await netRuntime(init, 2);
      const nbp = rt.networkBufferPool;
      await nbp.whenAvailable();
      const a = nbp.requestPooledMemorySegment()!;
      const b = nbp.requestPooledMemorySegment()!;
      const waiting = track(nbp.whenAvailable());
      expect(nbp.whenAvailable()).toBe(nbp.whenAvailable());
      await flush();
      expect(waiting.settled).toBe(false);
      nbp.recyclePooledMemorySegment(a);
      await flush();
      expect(waiting.settled).toBe(true);
      nbp.recyclePooledMemorySegment(b);
      rt.close();
    });

    it('destroy fails every waiter, destroys every pool, frees every segment still out and refuses further use', async () => {
      const rt = await netRuntime(init, 4);
      const nbp = rt.networkBufferPool;
      const pool = nbp.createBufferPool({ minSize: 2, maxSize: 4 });
      const buffers = takeBuffers(pool, 4);
      const blocked = pool.requestBufferBuilderBlocking();
      const unpooled = nbp.requestUnpooledMemorySegments(2);
      nbp.destroy();
      await expectRejectCode(lib, blocked, 'ERR_POOL_DESTROYED');
      await expectRejectCode(lib, unpooled, 'ERR_POOL_DESTROYED');
      expect(pool.isDestroyed()).toBe(true);
      expect(buffers.every((b) => b.memorySegment.isFreed())).toBe(true);
      // Recycling after destroy is harmless; using the pools is refused.
      buffers.forEach((b) => b.recycleBuffer());
      expectCode(lib, () => pool.requestBuffer(), 'ERR_POOL_DESTROYED');
      expectCode(lib, () => nbp.requestPooledMemorySegment(), 'ERR_POOL_DESTROYED');
      expectCode(lib, () => nbp.createBufferPool({ minSize: 1, maxSize: 1 }), 'ERR_POOL_DESTROYED');
      expect(nbp.isDestroyed()).toBe(true);
      nbp.destroy();
      rt.close();
    });

    it('rt.close() rejects every waiter with BufferPoolDestroyedError and frees every buffer still out', async () => {
      const rt = await netRuntime(init, 3);
      const nbp = rt.networkBufferPool;
      const pool = nbp.createBufferPool({ minSize: 3, maxSize: 3 });
      const builder = pool.requestBufferBuilder()!;
      const consumer = builder.createBufferConsumer();
      const rest = takeBuffers(pool, 2);
      const waiting = pool.requestBufferBuilderBlocking(undefined, { timeoutMs: 60_000 });
      rt.close();
      const err = await expectRejectCode(lib, waiting, 'ERR_POOL_DESTROYED');
      expect(err.message).toContain('closed');
      expect(rest.every((b) => b.memorySegment.isFreed())).toBe(true);
      expectCode(lib, () => builder.append(new Uint8Array(4)), 'ERR_SEGMENT_FREED');
      builder.close();
      consumer.close();
      rest.forEach((b) => b.recycleBuffer());
    });

    it("a network segment's free() gives it back to the free list, whoever holds it", async () => {
      const rt = await netRuntime(init, 4);
      const nbp = rt.networkBufferPool;
      const pool = nbp.createBufferPool({ minSize: 2, maxSize: 2 });
      const buffer = pool.requestBuffer()!;
      buffer.memorySegment.free();
      // Back on the free list, and the pool, below its minimum, took another at once.
      expect(pool.numberOfRequestedMemorySegments).toBe(2);
      expect(pool.numberOfAvailableMemorySegments).toBe(2);
      expect(nbp.numberOfAvailableMemorySegments).toBe(2);
      // Recycling the buffer of the freed segment changes nothing.
      buffer.recycleBuffer();
      expect(pool.numberOfAvailableMemorySegments).toBe(2);
      const [u] = await nbp.requestUnpooledMemorySegments(1);
      u!.free();
      expect(nbp.numberOfSpareMemorySegments).toBe(2);
      // The pool refills itself from the free list up to its size.
      expect(pool.requestBuffer()).not.toBeNull();
      expect(pool.requestBuffer()).not.toBeNull();
      expect(pool.requestBuffer()).toBeNull();
      rt.close();
    });
  });
});
