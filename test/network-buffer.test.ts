// NetworkBuffer reference counting and slices, and BufferBuilder /
// BufferConsumer, on both builds (after the semantics of Flink's
// NetworkBuffer tests and BufferBuilderAndConsumerTest).
import { afterEach, describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { expectCode, netRuntime } from './network-support.js';
import type { LocalBufferPool, MemorySegment, NetworkBuffer, Runtime } from '../src/index.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const readAll = (buffer: NetworkBuffer) => Array.from(buffer.bytes());

describe.each(builds)('$name build', ({ init, lib }) => {
  let rt: Runtime;
  let pool: LocalBufferPool;
  const setUp = async (size = 2) => {
    rt = await netRuntime(init, 4);
    pool = rt.networkBufferPool.createBufferPool({ minSize: size, maxSize: size });
  };
  afterEach(() => rt?.close());

  describe('NetworkBuffer reference counts', () => {
    it('retain adds, recycle drops, and the segment returns once, at zero', async () => {
      await setUp(1);
      const b = pool.requestBuffer()!;
      expect(b.retainBuffer()).toBe(b);
      expect(b.refCnt()).toBe(2);
      b.recycleBuffer();
      expect(b.isRecycled()).toBe(false);
      expect(pool.numberOfAvailableMemorySegments).toBe(0);
      b.recycleBuffer();
      expect(b.isRecycled()).toBe(true);
      expect(b.refCnt()).toBe(0);
      expect(pool.numberOfAvailableMemorySegments).toBe(1);
    });

    it('use after the count reaches zero is ERR_REFERENCE_COUNT, and an over-recycle never returns the segment twice', async () => {
      await setUp(1);
      const b = pool.requestBuffer()!;
      b.recycleBuffer();
      const err = expectCode(lib, () => b.recycleBuffer(), 'ERR_REFERENCE_COUNT');
      expect(err).toBeInstanceOf(lib.IllegalReferenceCountError);
      expect(err.message).toContain('reference count is 0');
      expectCode(lib, () => b.retainBuffer(), 'ERR_REFERENCE_COUNT');
      expectCode(lib, () => b.bytes(), 'ERR_REFERENCE_COUNT');
      expectCode(lib, () => b.readOnlySlice(), 'ERR_REFERENCE_COUNT');
      expectCode(lib, () => b.setSize(1), 'ERR_REFERENCE_COUNT');
      expectCode(lib, () => (b.readerIndex = 0), 'ERR_REFERENCE_COUNT');
      expect(pool.numberOfAvailableMemorySegments).toBe(1);
      const next = pool.requestBuffer()!;
      expect(pool.requestBuffer()).toBeNull();
      // The stale handle still cannot touch the new holder's count.
      expectCode(lib, () => b.recycleBuffer(), 'ERR_REFERENCE_COUNT');
      expect(next.refCnt()).toBe(1);
      next[Symbol.dispose]();
      next[Symbol.dispose]();
      expect(pool.numberOfAvailableMemorySegments).toBe(1);
    });

    it('readerIndex, size and readableBytes, with bounds; bytes() views the readable range', async () => {
      await setUp(1);
      const b = pool.requestBuffer()!;
      b.memorySegment.putBytes(0, bytes(1, 2, 3, 4, 5));
      b.setSize(5);
      expect(b.size).toBe(5);
      expect(b.readableBytes()).toBe(5);
      b.readerIndex = 2;
      expect(b.readableBytes()).toBe(3);
      expect(readAll(b)).toEqual([3, 4, 5]);
      for (const bad of [-1, 6, 1.5, Number.NaN]) expectCode(lib, () => (b.readerIndex = bad), 'ERR_SEGMENT_OUT_OF_BOUNDS');
      expectCode(lib, () => b.setSize(1), 'ERR_SEGMENT_OUT_OF_BOUNDS');
      expectCode(lib, () => b.setSize(b.maxCapacity + 1), 'ERR_SEGMENT_OUT_OF_BOUNDS');
      expect(b.readerIndex).toBe(2);
      b.bytes()[0] = 33;
      expect(b.memorySegment.get(2)).toBe(33);
      b.recycleBuffer();
    });

    it('read-only slices share the count without taking a reference, nest, and are bounded by the size', async () => {
      await setUp(1);
      const b = pool.requestBuffer()!;
      b.memorySegment.putBytes(0, bytes(10, 11, 12, 13, 14, 15));
      b.setSize(6);
      b.readerIndex = 1;
      const s = b.readOnlySlice();
      expect(readAll(s)).toEqual([11, 12, 13, 14, 15]);
      expect(s.refCnt()).toBe(1);
      const t = s.readOnlySlice(1, 2);
      expect(readAll(t)).toEqual([12, 13]);
      expect(b.memorySegmentOffset).toBe(0);
      expect(s.memorySegmentOffset).toBe(1);
      expect(t.memorySegmentOffset).toBe(2);
      expect(t.memorySegment.get(t.memorySegmentOffset)).toBe(12);
      expect(t.size).toBe(2);
      expect(t.maxCapacity).toBe(2);
      expectCode(lib, () => t.setSize(1), 'ERR_ILLEGAL_STATE');
      expectCode(lib, () => s.readOnlySlice(3, 3), 'ERR_SEGMENT_OUT_OF_BOUNDS');
      for (const bad of [1n, Symbol('i'), '1', -1, 0.5]) {
        expectCode(lib, () => s.readOnlySlice(bad as never), 'ERR_SEGMENT_OUT_OF_BOUNDS');
        expectCode(lib, () => s.readOnlySlice(0, bad as never), 'ERR_SEGMENT_OUT_OF_BOUNDS');
      }
      expect(b.refCnt()).toBe(1);
      t.retainBuffer();
      expect(b.refCnt()).toBe(2);
      b.recycleBuffer();
      expect(readAll(t)).toEqual([12, 13]);
      t.recycleBuffer();
      expect(s.isRecycled()).toBe(true);
      expectCode(lib, () => s.bytes(), 'ERR_REFERENCE_COUNT');
      expect(pool.numberOfAvailableMemorySegments).toBe(1);
    });

    it('data and event buffers; a buffer over a segment of the caller with its own recycler', async () => {
      await setUp(1);
      const seg = rt.segments.allocateUnpooledSegment(64);
      const recycled: MemorySegment[] = [];
      const event = new lib.NetworkBuffer(seg, { recycle: (s) => void recycled.push(s) }, 'event', 8);
      expect(event.dataType).toBe('event');
      expect(event.isBuffer()).toBe(false);
      expect(event.size).toBe(8);
      event.recycleBuffer();
      expect(recycled).toEqual([seg]);
      expectCode(lib, () => new lib.NetworkBuffer(seg, {} as never), 'ERR_INVALID_ARGUMENT');
      expectCode(lib, () => new lib.NetworkBuffer('x' as never, pool), 'ERR_INVALID_ARGUMENT');
      expectCode(lib, () => new lib.NetworkBuffer(seg, pool, 'other' as never), 'ERR_INVALID_ARGUMENT');
      expectCode(lib, () => new lib.NetworkBuffer(seg, { recycle() {} }, 'data', 65), 'ERR_INVALID_ARGUMENT');
      for (const missing of [undefined, null, 1n, Symbol('s')]) {
        expect(expectCode(lib, () => new lib.NetworkBuffer(missing as never, { recycle() {} }), 'ERR_INVALID_ARGUMENT').message).toContain('expected a MemorySegment');
      }
      const whole = new lib.NetworkBuffer(seg, { recycle() {} });
      expect(whole.maxCapacity).toBe(64);
      whole.recycleBuffer();
      for (const ratio of [Symbol('r'), 1n, Number.NaN, '0.2', undefined]) {
        expect(expectCode(lib, () => lib.backPressureLevel(ratio as never), 'ERR_INVALID_ARGUMENT').message).toContain('ratio');
      }
      expect([0, 0.1, 0.1000001, 0.5, 0.5000001, 1, -0.5, 2].map((r) => lib.backPressureLevel(r))).toEqual(['OK', 'OK', 'LOW', 'LOW', 'HIGH', 'HIGH', 'OK', 'HIGH']);
    });
  });

  describe('BufferBuilder and BufferConsumer', () => {
    it('appended bytes are invisible until committed; build() returns the newly committed range', async () => {
      await setUp();
      const builder = pool.requestBufferBuilder()!;
      expect(builder).toBeInstanceOf(lib.BufferBuilder);
      const consumer = builder.createBufferConsumer();
      expect(builder.append(bytes(1, 2, 3))).toBe(3);
      expect(consumer.isDataAvailable()).toBe(false);
      const empty = consumer.build();
      expect(empty.size).toBe(0);
      empty.recycleBuffer();
      builder.commit();
      expect(consumer.isDataAvailable()).toBe(true);
      expect(consumer.writtenBytes).toBe(3);
      const first = consumer.build();
      expect(readAll(first)).toEqual([1, 2, 3]);
      expect(builder.appendAndCommit(bytes(4, 5))).toBe(2);
      const second = consumer.build();
      expect(readAll(second)).toEqual([4, 5]);
      expect(first.refCnt()).toBe(4);
      for (const x of [first, second]) x.recycleBuffer();
      builder.close();
      consumer.close();
      expect(pool.numberOfAvailableMemorySegments).toBe(2);
    });

    it('append takes part of an array, small and large, and checks the range', async () => {
      await setUp();
      const builder = pool.requestBufferBuilder()!;
      const src = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
      expect(builder.append(src, 5, 3)).toBe(3);
      expect(builder.append(src, 10, 200)).toBe(200);
      expect(builder.append(src.subarray(250))).toBe(50);
      builder.commit();
      const consumer = builder.createBufferConsumerFromBeginning();
      const all = readAll(consumer.build());
      expect(all).toEqual([5, 6, 7, ...Array.from({ length: 200 }, (_, i) => (10 + i) & 0xff), ...Array.from({ length: 50 }, (_, i) => (250 + i) & 0xff)]);
      for (const [offset, length] of [[-1, 1], [0, 301], [299, 2], [1.5, 1], [1n, 1], [Symbol('o'), 1], [0, 1n], [0, Symbol('l')], [1n, undefined]] as unknown as [number, number][]) {
        expectCode(lib, () => builder.append(src, offset, length), 'ERR_SEGMENT_OUT_OF_BOUNDS');
      }
      for (const notArray of [undefined, null, [1, 2], 'ab']) {
        expect(expectCode(lib, () => builder.append(notArray as never), 'ERR_INVALID_ARGUMENT').message).toContain('expected a Uint8Array');
        expectCode(lib, () => builder.appendAndCommit(notArray as never), 'ERR_INVALID_ARGUMENT');
      }
      expect(builder.writtenBytes).toBe(253);
    });

    it('append writes what fits and returns that count; isFull, writableBytes, trim, finish', async () => {
      await setUp();
      const builder = pool.requestBufferBuilder()!;
      const size = builder.maxCapacity;
      expect(builder.writableBytes).toBe(size);
      expect(builder.append(new Uint8Array(size - 2))).toBe(size - 2);
      expect(builder.append(bytes(7, 8, 9, 10))).toBe(2);
      expect(builder.isFull()).toBe(true);
      expect(builder.append(bytes(1))).toBe(0);
      const other = pool.requestBufferBuilder()!;
      other.append(bytes(1, 2, 3));
      other.trim(1);
      expect(other.maxCapacity).toBe(3);
      expect(other.isFull()).toBe(true);
      other.trim(10);
      expect(other.writableBytes).toBe(7);
      expect(other.finish()).toBe(3);
      expect(other.isFinished()).toBe(true);
      expectCode(lib, () => other.append(bytes(1)), 'ERR_ILLEGAL_STATE');
      expectCode(lib, () => other.append([1, 2] as never), 'ERR_INVALID_ARGUMENT');
      const consumer = other.createBufferConsumerFromBeginning();
      expect(consumer.isFinished()).toBe(true);
      const built = consumer.build();
      expect(readAll(built)).toEqual([1, 2, 3]);
      built.recycleBuffer();
      consumer.close();
      other.close();
      builder.close();
      expect(pool.numberOfAvailableMemorySegments).toBe(2);
    });

    it('a consumer reads from the commit position at its creation, or from the beginning; a second consumer is an error', async () => {
      await setUp();
      const builder = pool.requestBufferBuilder()!;
      builder.appendAndCommit(bytes(1, 2));
      builder.append(bytes(3));
      const consumer = builder.createBufferConsumer();
      expect(consumer.currentReaderPosition).toBe(2);
      builder.commit();
      expect(readAll(consumer.build())).toEqual([3]);
      const err = expectCode(lib, () => builder.createBufferConsumer(), 'ERR_ILLEGAL_STATE');
      expect(err).toBeInstanceOf(lib.IllegalStateError);
      expectCode(lib, () => builder.createBufferConsumerFromBeginning(), 'ERR_ILLEGAL_STATE');
      const other = pool.requestBufferBuilder()!;
      other.appendAndCommit(bytes(9, 8));
      const fromStart = other.createBufferConsumerFromBeginning();
      expect(readAll(fromStart.build())).toEqual([9, 8]);
    });

    it('copy() reads independently; skip(n) within what is committed', async () => {
      await setUp();
      const builder = pool.requestBufferBuilder()!;
      const consumer = builder.createBufferConsumer();
      builder.appendAndCommit(bytes(1, 2, 3, 4, 5));
      consumer.skip(2);
      const copy = consumer.copy();
      expect(readAll(consumer.build())).toEqual([3, 4, 5]);
      copy.skip(1);
      expect(readAll(copy.build())).toEqual([4, 5]);
      const err = expectCode(lib, () => consumer.skip(1), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toContain('0 to 0');
      expectCode(lib, () => consumer.skip(-1), 'ERR_INVALID_ARGUMENT');
      copy.close();
      copy.close();
      expectCode(lib, () => copy.build(), 'ERR_ILLEGAL_STATE');
    });

    it('the segment returns only when builder, consumer, copies and every built buffer are released, in any order', async () => {
      for (const order of [
        ['builder', 'consumer', 'built', 'copy'],
        ['built', 'copy', 'consumer', 'builder'],
        ['consumer', 'copy', 'builder', 'built'],
      ]) {
        await setUp(1);
        const builder = pool.requestBufferBuilder()!;
        const consumer = builder.createBufferConsumer();
        builder.appendAndCommit(bytes(1, 2, 3));
        const built = consumer.build();
        const copy = consumer.copy();
        const release: Record<string, () => void> = {
          builder: () => builder.close(),
          consumer: () => consumer.close(),
          built: () => built.recycleBuffer(),
          copy: () => copy.close(),
        };
        order.forEach((what, k) => {
          expect(pool.numberOfAvailableMemorySegments, `${order} before ${what}`).toBe(0);
          release[what]!();
          if (k < order.length - 1) expect(pool.requestBuffer()).toBeNull();
        });
        expect(pool.numberOfAvailableMemorySegments).toBe(1);
        // Closing twice releases once.
        builder.close();
        consumer.close();
        expect(pool.numberOfAvailableMemorySegments).toBe(1);
        rt.close();
      }
    });

    it("appendFrom copies another segment's range in place, as much as fits, and checks the range", async () => {
      await setUp();
      const builder = pool.requestBufferBuilder()!;
      const source = pool.requestBuffer()!;
      const seg = source.memorySegment;
      for (let i = 0; i < 100; i++) seg.put(i, i);
      expect(builder.appendFrom(seg, 10, 5)).toBe(5);
      builder.commit();
      const consumer = builder.createBufferConsumerFromBeginning();
      expect(readAll(consumer.build())).toEqual([10, 11, 12, 13, 14]);
      builder.append(new Uint8Array(builder.writableBytes - 3));
      expect(builder.appendFrom(seg, 0, 10)).toBe(3);
      expectCode(lib, () => builder.appendFrom(seg, seg.size - 2, 3), 'ERR_INVALID_ARGUMENT');
      expectCode(lib, () => builder.appendFrom(seg, -1, 3), 'ERR_INVALID_ARGUMENT');
      expectCode(lib, () => builder.appendFrom(new Uint8Array(3) as never, 0, 3), 'ERR_INVALID_ARGUMENT');
      // From a heap segment too.
      const other = pool.requestBufferBuilder();
      expect(other).toBeNull();
      source.recycleBuffer();
      const third = pool.requestBufferBuilder()!;
      expect(third.appendFrom(rt.segments.wrap(bytes(5, 6, 7)), 1, 2)).toBe(2);
      third.commit();
      const c3 = third.createBufferConsumerFromBeginning();
      expect(readAll(c3.build())).toEqual([6, 7]);
    });

    it('builders for a channel count against its quota until released', async () => {
      rt = await netRuntime(init, 4);
      pool = rt.networkBufferPool.createBufferPool({ minSize: 4, maxSize: 4, numSubpartitions: 2, maxBuffersPerChannel: 1 });
      const builder = pool.requestBufferBuilder(1)!;
      expect(pool.isAvailable()).toBe(false);
      const consumer = builder.createBufferConsumer();
      builder.close();
      expect(pool.isAvailable()).toBe(false);
      consumer.close();
      expect(pool.isAvailable()).toBe(true);
    });
  });
});
