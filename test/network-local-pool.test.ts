// LocalBufferPool on both builds: requests, recycling, sizes, quotas,
// overdraft, listeners, blocking requests (order, abort, timeout, destroy),
// availability and back-pressure time (after the semantics of Flink's
// LocalBufferPoolTest), and the sharing of spare buffers among pools (after
// BufferPoolFactoryTest).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { builds } from './builds.js';
import { NOT_COUNTS, expectCode, expectRejectCode, flush, netRuntime, takeBuffers, track } from './network-support.js';
import type { BufferBuilder, BufferListener, LocalBufferPool, NetworkBuffer, Runtime } from '../src/index.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A listener that records what it is given and keeps asking for `wanted` buffers. */
function recordingListener(wanted: number, onBuffer?: (buffer: NetworkBuffer) => void) {
  const got: NetworkBuffer[] = [];
  let destroyed = 0;
  const listener: BufferListener = {
    notifyBufferAvailable(buffer) {
      got.push(buffer);
      onBuffer?.(buffer);
      return got.length < wanted;
    },
    notifyBufferDestroyed() {
      destroyed++;
    },
  };
  return { listener, got, destroyed: () => destroyed };
}

describe.each(builds)('$name build', ({ init, lib }) => {
  let rt: Runtime;
  const pool = async (total: number, options: Parameters<Runtime['networkBufferPool']['createBufferPool']>[0]): Promise<LocalBufferPool> => {
    rt = await netRuntime(init, total);
    return rt.networkBufferPool.createBufferPool(options);
  };
  afterEach(() => rt?.close());

  describe('requests and recycling', () => {
    it('hands out at most its size, then null; recycled buffers are handed out again', async () => {
      const p = await pool(10, { minSize: 4, maxSize: 4 });
      expect(p).toBeInstanceOf(lib.LocalBufferPool);
      expect(p.numBuffers).toBe(4);
      expect(p.numberOfAvailableMemorySegments).toBe(4);
      const buffers = takeBuffers(p, 4);
      expect(p.requestBuffer()).toBeNull();
      expect(p.requestBufferBuilder()).toBeNull();
      expect(new Set(buffers.map((b) => b.memorySegment)).size).toBe(4);
      buffers[2]!.recycleBuffer();
      expect(p.numberOfAvailableMemorySegments).toBe(1);
      const again = p.requestBuffer()!;
      expect(again.memorySegment).toBe(buffers[2]!.memorySegment);
      for (const b of [...buffers.slice(0, 2), buffers[3]!, again]) b.recycleBuffer();
      expect(p.numberOfAvailableMemorySegments).toBe(4);
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(6);
    });

    it('a new buffer holds one reference, is empty, data, and spans the segment', async () => {
      const p = await pool(2, { minSize: 1, maxSize: 1 });
      const b = p.requestBuffer()!;
      expect(b).toBeInstanceOf(lib.NetworkBuffer);
      expect(b.refCnt()).toBe(1);
      expect(b.size).toBe(0);
      expect(b.readerIndex).toBe(0);
      expect(b.maxCapacity).toBe(rt.networkBufferPool.memorySegmentSize);
      expect(b.dataType).toBe('data');
      expect(b.isBuffer()).toBe(true);
      b.recycleBuffer();
    });

    it('requests after destroy throw BufferPoolDestroyedError; buffers out return to the global pool when recycled', async () => {
      const p = await pool(6, { minSize: 3, maxSize: 3 });
      const buffers = takeBuffers(p, 2);
      p.lazyDestroy();
      expect(p.isDestroyed()).toBe(true);
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(4);
      expect(rt.networkBufferPool.numberOfBufferPools).toBe(0);
      expectCode(lib, () => p.requestBuffer(), 'ERR_POOL_DESTROYED');
      expectCode(lib, () => p.requestBufferBuilder(), 'ERR_POOL_DESTROYED');
      expectCode(lib, () => p.setNumBuffers(3), 'ERR_POOL_DESTROYED');
      await expectRejectCode(lib, p.requestBufferBuilderBlocking(), 'ERR_POOL_DESTROYED');
      buffers[0]!.recycleBuffer();
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(5);
      buffers[1]!.recycleBuffer();
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(6);
      p.lazyDestroy();
      await p.whenAvailable();
    });

    it('recycling into the wrong pool or runtime is refused before any count changes', async () => {
      const p = await pool(4, { minSize: 2, maxSize: 2 });
      const other = rt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 1 });
      const foreignRt = await netRuntime(init, 2);
      const foreignPool = foreignRt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 1 });
      const mine = p.requestBuffer()!;
      const err = expectCode(lib, () => new lib.NetworkBuffer(mine.memorySegment, other), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toContain('another buffer pool');
      const err2 = expectCode(lib, () => new lib.NetworkBuffer(mine.memorySegment, foreignPool), 'ERR_INVALID_ARGUMENT');
      expect(err2.message).toContain("another runtime's buffer pool");
      expectCode(lib, () => foreignPool.recycle(mine.memorySegment, -1), 'ERR_INVALID_ARGUMENT');
      expect(mine.refCnt()).toBe(1);
      expect(foreignPool.numberOfAvailableMemorySegments).toBe(1);
      expect(p.numberOfAvailableMemorySegments).toBe(1);
      mine.recycleBuffer();
      expect(p.numberOfAvailableMemorySegments).toBe(2);
      foreignRt.close();
    });
  });

  describe('size', () => {
    it('setNumBuffers above max clamps, below min throws naming both, and refuses non-counts', async () => {
      const p = await pool(20, { minSize: 2, maxSize: 8 });
      p.setNumBuffers(100);
      expect(p.numBuffers).toBe(8);
      const err = expectCode(lib, () => p.setNumBuffers(1), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toContain('numBuffers 1');
      expect(err.message).toContain('minSize 2');
      for (const [value, shown] of NOT_COUNTS) {
        const e = expectCode(lib, () => p.setNumBuffers(value as number), 'ERR_INVALID_ARGUMENT');
        expect(e.message).toContain(shown);
      }
      expect(p.numBuffers).toBe(8);
    });

    it('shrinking returns available excess at once and the rest as it is recycled', async () => {
      const p = await pool(10, { minSize: 1, maxSize: 10 });
      expect(p.numBuffers).toBe(10);
      const buffers = takeBuffers(p, 6);
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(3);
      p.setNumBuffers(3);
      expect(p.numberOfAvailableMemorySegments).toBe(0);
      expect(p.numberOfRequestedMemorySegments).toBe(6);
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(4);
      for (let i = 0; i < 3; i++) buffers[i]!.recycleBuffer();
      expect(p.numberOfAvailableMemorySegments).toBe(0);
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(7);
      buffers[3]!.recycleBuffer();
      expect(p.numberOfAvailableMemorySegments).toBe(1);
      expect(p.requestBuffer()).not.toBeNull();
      expect(p.requestBuffer()).toBeNull();
      p.setNumBuffers(5);
      expect(p.requestBuffer()).not.toBeNull();
    });
  });

  describe('channels and overdraft', () => {
    it('a channel at maxBuffersPerChannel makes the pool unavailable until one of its buffers comes back', async () => {
      const p = await pool(10, { minSize: 6, maxSize: 6, numSubpartitions: 3, maxBuffersPerChannel: 2 });
      const a = p.requestBufferBuilder(0)!;
      expect(p.isAvailable()).toBe(true);
      const b = p.requestBufferBuilder(0)!;
      expect(p.isAvailable()).toBe(false);
      const waiting = track(p.whenAvailable());
      // A request still succeeds (the quota is about availability, as in Flink), and counts.
      const c = p.requestBufferBuilder(1)!;
      expect(c).not.toBeNull();
      a.close();
      await flush();
      expect(p.isAvailable()).toBe(true);
      expect(waiting.settled).toBe(true);
      b.close();
      c.close();
      expect(p.numberOfAvailableMemorySegments).toBe(6);
    });

    it('refuses channels outside the pool', async () => {
      const p = await pool(4, { minSize: 2, maxSize: 2, numSubpartitions: 2 });
      for (const channel of [2, -2, 1.5, '0', 1n]) {
        const err = expectCode(lib, () => p.requestBufferBuilder(channel as number), 'ERR_INVALID_ARGUMENT');
        expect(err.message).toContain('0 to 1');
      }
      await expectRejectCode(lib, p.requestBufferBuilderBlocking(5), 'ERR_INVALID_ARGUMENT');
      expect(p.numberOfAvailableMemorySegments).toBe(2);
    });

    it('overdraft: beyond its size a pool takes up to maxOverdraftBuffersPerGate from the global pool, and gives them back', async () => {
      const p = await pool(10, { minSize: 3, maxSize: 3, maxOverdraftBuffersPerGate: 2 });
      const regular = takeBuffers(p, 3);
      expect(p.isAvailable()).toBe(false);
      const over = takeBuffers(p, 2);
      expect(p.requestBuffer()).toBeNull();
      expect(p.numberOfRequestedMemorySegments).toBe(5);
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(5);
      regular[0]!.recycleBuffer();
      // Still over its size: the segment goes back to the global pool.
      expect(p.numberOfAvailableMemorySegments).toBe(0);
      expect(p.isAvailable()).toBe(false);
      over.forEach((b) => b.recycleBuffer());
      expect(p.numberOfAvailableMemorySegments).toBe(1);
      expect(p.isAvailable()).toBe(true);
      regular.slice(1).forEach((b) => b.recycleBuffer());
      expect(p.numberOfAvailableMemorySegments).toBe(3);
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(7);
    });
  });

  describe('listeners', () => {
    it('a listener is given recycled buffers in order and may ask for more; false when a buffer is available', async () => {
      const p = await pool(4, { minSize: 2, maxSize: 2 });
      expect(p.addBufferListener(recordingListener(1).listener)).toBe(false);
      const held = takeBuffers(p, 2);
      const first = recordingListener(2);
      const second = recordingListener(1);
      expect(p.addBufferListener(first.listener)).toBe(true);
      expect(p.addBufferListener(second.listener)).toBe(true);
      held[0]!.recycleBuffer();
      expect(first.got).toHaveLength(1);
      expect(second.got).toHaveLength(0);
      held[1]!.recycleBuffer();
      expect(second.got).toHaveLength(1);
      first.got[0]!.recycleBuffer();
      // first asked for a second buffer and queued again behind second.
      expect(first.got).toHaveLength(2);
      expect(p.numberOfAvailableMemorySegments).toBe(0);
      [...first.got.slice(1), ...second.got].forEach((b) => b.recycleBuffer());
      expect(p.numberOfAvailableMemorySegments).toBe(2);
    });

    it('re-entrant listeners that recycle or request inside the callback keep the pool consistent', async () => {
      const p = await pool(4, { minSize: 2, maxSize: 2 });
      const held = takeBuffers(p, 2);
      let inner: NetworkBuffer | null = null;
      const recycler = recordingListener(1, (b) => b.recycleBuffer());
      const requester = recordingListener(1, () => {
        inner = p.requestBuffer();
      });
      p.addBufferListener(recycler.listener);
      p.addBufferListener(requester.listener);
      held[0]!.recycleBuffer();
      // recycler gave its buffer straight back; it went on to requester, whose own request found nothing.
      expect(recycler.got).toHaveLength(1);
      expect(requester.got).toHaveLength(1);
      expect(inner).toBeNull();
      expect(p.numberOfAvailableMemorySegments).toBe(0);
      held[1]!.recycleBuffer();
      expect(p.numberOfAvailableMemorySegments).toBe(1);
      requester.got[0]!.recycleBuffer();
      expect(p.numberOfAvailableMemorySegments).toBe(2);
    });

    it("a listener that throws gets no buffer: it comes back, the pool stays consistent, and the error reaches the recycler's caller", async () => {
      const p = await pool(2, { minSize: 1, maxSize: 1 });
      const held = p.requestBuffer()!;
      p.addBufferListener({
        notifyBufferAvailable() {
          throw new Error('listener failed');
        },
        notifyBufferDestroyed() {},
      });
      expect(() => held.recycleBuffer()).toThrow('listener failed');
      expect(held.isRecycled()).toBe(true);
      expect(p.numberOfAvailableMemorySegments).toBe(1);
      expect(p.requestBuffer()).not.toBeNull();
    });

    it('destroy tells waiting listeners', async () => {
      const p = await pool(2, { minSize: 1, maxSize: 1 });
      const held = p.requestBuffer()!;
      const l = recordingListener(1);
      p.addBufferListener(l.listener);
      p.lazyDestroy();
      expect(l.destroyed()).toBe(1);
      expect(p.addBufferListener(l.listener)).toBe(false);
      held.recycleBuffer();
      expect(l.got).toHaveLength(0);
      expectCode(lib, () => p.addBufferListener({} as BufferListener), 'ERR_INVALID_ARGUMENT');
    });
  });

  describe('blocking requests', () => {
    it('resolve at once when a buffer is free, else in arrival order as buffers are recycled', async () => {
      const p = await pool(4, { minSize: 2, maxSize: 2 });
      const a = await p.requestBufferBuilderBlocking();
      const b = await p.requestBufferBuilderBlocking();
      const order: number[] = [];
      const waiting = [0, 1, 2].map((i) => p.requestBufferBuilderBlocking().then((builder) => (order.push(i), builder)));
      expect(p.numberOfWaitingRequests).toBe(3);
      a.close();
      await flush();
      expect(order).toEqual([0]);
      b.close();
      await flush();
      expect(order).toEqual([0, 1]);
      const first = await waiting[0]!;
      first.close();
      await flush();
      expect(order).toEqual([0, 1, 2]);
      for (const w of waiting.slice(1)) (await w).close();
      expect(p.numberOfAvailableMemorySegments).toBe(2);
      expect(p.numberOfWaitingRequests).toBe(0);
    });

    it('abort before waiting, while waiting and after being served: the reason, and never a leaked or doubled buffer', async () => {
      const p = await pool(2, { minSize: 1, maxSize: 1 });
      const before = new AbortController();
      before.abort(new Error('before'));
      // Aborted before: rejected even though a buffer is free, and the buffer stays.
      await expect(p.requestBufferBuilderBlocking(undefined, { signal: before.signal })).rejects.toThrow('before');
      expect(p.numberOfAvailableMemorySegments).toBe(1);
      const held = await p.requestBufferBuilderBlocking();
      const during = new AbortController();
      const aborted = p.requestBufferBuilderBlocking(undefined, { signal: during.signal });
      const next = p.requestBufferBuilderBlocking();
      during.abort('during');
      await expect(aborted).rejects.toBe('during');
      held.close();
      // The buffer skips the request that gave up.
      const got = await next;
      const after = new AbortController();
      got.close();
      const served = await p.requestBufferBuilderBlocking(undefined, { signal: after.signal });
      after.abort();
      served.close();
      expect(p.numberOfAvailableMemorySegments).toBe(1);
      expect(p.numberOfWaitingRequests).toBe(0);
    });

    it('time out with a typed ERR_TIMEOUT; a recycle that wins the race serves the request instead', async () => {
      vi.useFakeTimers();
      const p = await pool(2, { minSize: 1, maxSize: 1 });
      const held = p.requestBuffer()!;
      const timingOut = p.requestBufferBuilderBlocking(undefined, { timeoutMs: 50 });
      const racing = p.requestBufferBuilderBlocking(undefined, { timeoutMs: 100 });
      vi.advanceTimersByTime(50);
      const err = await expectRejectCode(lib, timingOut, 'ERR_TIMEOUT');
      expect(err).toBeInstanceOf(lib.TimeoutError);
      expect(err.message).toContain('50 ms');
      vi.advanceTimersByTime(49);
      held.recycleBuffer();
      vi.advanceTimersByTime(10);
      const builder = await racing;
      expect(p.numberOfAvailableMemorySegments).toBe(0);
      builder.close();
      expect(p.numberOfAvailableMemorySegments).toBe(1);
      await expectRejectCode(lib, (async () => {
        const only = p.requestBuffer()!;
        try {
          return await p.requestBufferBuilderBlocking(undefined, { timeoutMs: 0 });
        } finally {
          only.recycleBuffer();
        }
      })(), 'ERR_TIMEOUT');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('destroy while waiting rejects with BufferPoolDestroyedError', async () => {
      const p = await pool(2, { minSize: 1, maxSize: 1 });
      const held = p.requestBuffer()!;
      const waiting = p.requestBufferBuilderBlocking(undefined, { timeoutMs: 10_000 });
      p.lazyDestroy();
      await expectRejectCode(lib, waiting, 'ERR_POOL_DESTROYED');
      held.recycleBuffer();
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(2);
    });

    it('bad options reject with a message naming the value', async () => {
      const p = await pool(2, { minSize: 1, maxSize: 1 });
      const err = await expectRejectCode(lib, p.requestBufferBuilderBlocking(undefined, { timeoutMs: Number.NaN }), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toContain('NaN');
      await expectRejectCode(lib, p.requestBufferBuilderBlocking(undefined, 5 as never), 'ERR_INVALID_ARGUMENT');
      await expectRejectCode(lib, p.requestBufferBuilderBlocking(undefined, { signal: 'x' as never }), 'ERR_INVALID_ARGUMENT');
      expect(p.numberOfAvailableMemorySegments).toBe(1);
    });

    it('many concurrent request/recycle rounds: every request served, never more out than the pool, nothing lost', async () => {
      const p = await pool(16, { minSize: 8, maxSize: 8, numSubpartitions: 4 });
      let out = 0;
      let maxOut = 0;
      let served = 0;
      let seed = 7;
      const random = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const worker = async (id: number) => {
        for (let round = 0; round < 200; round++) {
          const builders: BufferBuilder[] = [];
          // At most two each, four workers: never more wanted at once than the pool holds (no hold-and-wait deadlock).
          const want = 1 + random(2);
          for (let k = 0; k < want; k++) {
            builders.push(await p.requestBufferBuilderBlocking((id + k) % 4));
            out++;
            maxOut = Math.max(maxOut, out);
          }
          for (let y = random(3); y > 0; y--) await Promise.resolve();
          for (const b of builders) {
            b.close();
            out--;
            served++;
          }
        }
      };
      await Promise.all([0, 1, 2, 3].map(worker));
      expect(maxOut).toBeLessThanOrEqual(8);
      expect(served).toBeGreaterThan(800);
      expect(p.numberOfAvailableMemorySegments).toBe(8);
      expect(p.numberOfWaitingRequests).toBe(0);
      p.lazyDestroy();
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    });
  });

  describe('availability and back-pressure', () => {
    it('whenAvailable: one promise per unavailable period, resolved when a request would succeed', async () => {
      const p = await pool(2, { minSize: 1, maxSize: 1 });
      expect(p.isAvailable()).toBe(true);
      await p.whenAvailable();
      const b = p.requestBuffer()!;
      expect(p.isAvailable()).toBe(false);
      const w1 = p.whenAvailable();
      expect(p.whenAvailable()).toBe(w1);
      const state = track(w1);
      await flush();
      expect(state.settled).toBe(false);
      b.recycleBuffer();
      await flush();
      expect(state.settled).toBe(true);
      expect(p.requestBuffer()).not.toBeNull();
      expect(p.whenAvailable()).not.toBe(w1);
    });

    it('counts the time blocking requests spend waiting, once for overlapping waits, and its share of the last second', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
      const p = await pool(2, { minSize: 1, maxSize: 1 });
      expect(p.backPressuredTimeMs).toBe(0);
      expect(p.backPressureLevel).toBe('OK');
      const held = p.requestBuffer()!;
      const w1 = p.requestBufferBuilderBlocking();
      const w2 = p.requestBufferBuilderBlocking();
      vi.advanceTimersByTime(300);
      expect(p.backPressuredTimeMs).toBeCloseTo(300, 5);
      held.recycleBuffer();
      (await w1).close();
      (await w2).close();
      expect(p.backPressuredTimeMs).toBeCloseTo(300, 5);
      expect(p.backPressuredTimeMsPerSecond).toBeGreaterThan(0);
      expect(p.backPressuredTimeMsPerSecond).toBeLessThanOrEqual(300 + 1e-6);
      expect(p.backPressureLevel).toBe(p.backPressuredTimeMsPerSecond > 100 ? 'LOW' : 'OK');
      vi.advanceTimersByTime(2000);
      expect(p.backPressuredTimeMsPerSecond).toBe(0);
      expect(p.backPressureLevel).toBe('OK');
      // Waiting the whole time: HIGH.
      const again = p.requestBuffer()!;
      const w3 = p.requestBufferBuilderBlocking();
      vi.advanceTimersByTime(1500);
      expect(p.backPressuredTimeMsPerSecond).toBeCloseTo(1000, 5);
      expect(p.backPressureLevel).toBe('HIGH');
      expect(p.backPressuredTimeMs).toBeCloseTo(1800, 5);
      again.recycleBuffer();
      (await w3).close();
      expect(lib.backPressureLevel(0.1)).toBe('OK');
      expect(lib.backPressureLevel(0.5)).toBe('LOW');
      expect(lib.backPressureLevel(0.51)).toBe('HIGH');
    });
  });

  describe('sharing spare buffers', () => {
    it('a lone resizable pool gets every spare buffer; a bounded one stops at its max; fixed pools keep their min', async () => {
      rt = await netRuntime(init, 20);
      const nbp = rt.networkBufferPool;
      const lone = nbp.createBufferPool({ minSize: 2, maxSize: Infinity });
      expect(lone.numBuffers).toBe(20);
      const fixed = nbp.createBufferPool({ minSize: 5, maxSize: 5 });
      expect(fixed.numBuffers).toBe(5);
      expect(lone.numBuffers).toBe(15);
      const bounded = nbp.createBufferPool({ minSize: 1, maxSize: 2 });
      expect(bounded.numBuffers).toBe(2);
      expect(lone.numBuffers).toBe(13);
      expect(lone.numBuffers + fixed.numBuffers + bounded.numBuffers).toBe(20);
      fixed.lazyDestroy();
      expect(lone.numBuffers).toBe(18);
    });

    it('pools share in proportion to their expected sizes, never below min or above max, and take it back on destroy', async () => {
      rt = await netRuntime(init, 100);
      const nbp = rt.networkBufferPool;
      const a = nbp.createBufferPool({ minSize: 10, maxSize: 100, expectedSize: 1 });
      const b = nbp.createBufferPool({ minSize: 10, maxSize: 100, expectedSize: 3 });
      // 80 spare: 20 and 60.
      expect([a.numBuffers, b.numBuffers]).toEqual([30, 70]);
      const c = nbp.createBufferPool({ minSize: 0, maxSize: 5, expectedSize: 100 });
      // c is capped at 5; the other 75 are shared 1:3 (18.75, 56.25).
      expect(c.numBuffers).toBe(5);
      expect([a.numBuffers, b.numBuffers]).toEqual([29, 66]);
      expect(a.numBuffers + b.numBuffers + c.numBuffers).toBe(100);
      b.lazyDestroy();
      expect([a.numBuffers, c.numBuffers]).toEqual([95, 5]);
    });

    it('equal pools share equally, with the leftover to the older pool; an unpooled request shrinks them and its recycle restores them', async () => {
      rt = await netRuntime(init, 11);
      const nbp = rt.networkBufferPool;
      const a = nbp.createBufferPool({ minSize: 1, maxSize: 20 });
      const b = nbp.createBufferPool({ minSize: 1, maxSize: 20 });
      expect([a.numBuffers, b.numBuffers]).toEqual([6, 5]);
      const segs = await nbp.requestUnpooledMemorySegments(5);
      expect([a.numBuffers, b.numBuffers]).toEqual([3, 3]);
      nbp.recycleUnpooledMemorySegments(segs);
      expect([a.numBuffers, b.numBuffers]).toEqual([6, 5]);
    });

    it('a new pool whose minimum is held by another pool gets it as that pool recycles', async () => {
      rt = await netRuntime(init, 6);
      const nbp = rt.networkBufferPool;
      const big = nbp.createBufferPool({ minSize: 1, maxSize: 6 });
      const held = takeBuffers(big, 6);
      const late = nbp.createBufferPool({ minSize: 3, maxSize: 3 });
      expect(big.numBuffers).toBe(3);
      expect(late.numberOfAvailableMemorySegments).toBe(0);
      const waiting = late.requestBufferBuilderBlocking();
      held[0]!.recycleBuffer();
      const builder = await waiting;
      held[1]!.recycleBuffer();
      held[2]!.recycleBuffer();
      expect(late.numberOfRequestedMemorySegments).toBe(3);
      builder.close();
      held.slice(3).forEach((h) => h.recycleBuffer());
      expect(big.numberOfAvailableMemorySegments + late.numberOfAvailableMemorySegments).toBe(6);
    });
  });
});
