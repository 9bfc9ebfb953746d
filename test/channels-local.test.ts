// Result partitions read by input gates in the same runtime: buffers handed
// over by reference, records in order per channel, events in their place,
// backpressure from the producer's pool, and everything back in the global
// pool afterwards (both builds).
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { consume, produce, recordOf } from './channels-support.js';
import { expectCode, expectRejectCode, flush, NOT_COUNTS } from './network-support.js';

const SEG = 32768;
const MiB = 1024 * 1024;

describe.each(builds)('$name build', ({ name, init, lib }) => {
  const runtime = (buffers: number) => init({ managedMemory: '128kb', networkMemory: buffers * SEG, offHeapMemory: '64kb', pageSize: SEG });

  // 256 MiB once: the wasm build in Node (the size; ~7 s here, checking every byte). 64 MiB for the pure-JS
  // build in Node, 32 MiB in Chromium (where 256 MiB took 15 s), to keep the channel suites near their minute of CI time.
  const inBrowser = typeof window !== 'undefined';
  const total = inBrowser ? 32 * MiB : name === 'wasm' ? 256 * MiB : 64 * MiB;
  it(`moves ${total / MiB} MiB of records over 4 subpartitions to a slow consumer: in order, bounded, back-pressured, nothing left out`, { timeout: 60_000 }, async () => {
    const rt = await runtime(32);
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 4, maxBuffersPerChannel: 4 });
    const gate = new lib.InputGate(nbp, { partition });
    const pool = partition.bufferPool;
    let maxInUse = 0;
    const watch = () => {
      maxInUse = Math.max(maxInUse, pool.numberOfRequestedMemorySegments - pool.numberOfAvailableMemorySegments);
    };
    const [written, read] = await Promise.all([produce(new lib.RecordWriter(partition), partition, total / 4, 3000), consume(lib, gate, 3000, 64, watch)]);
    expect(read).toEqual(written);
    expect(maxInUse).toBeGreaterThan(0);
    expect(maxInUse).toBeLessThanOrEqual(pool.maxSize);
    const metrics = partition.metricsSnapshot();
    expect(metrics.backPressuredTimeMs).toBeGreaterThan(0);
    expect(metrics.subpartitions.map((s) => s.bytesWritten)).toEqual(written.map((_, c) => metrics.subpartitions[c]!.bytesWritten));
    expect(metrics.subpartitions.every((s) => s.bytesWritten >= total / 4)).toBe(true);
    gate.release();
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('a resizable partition pool holds no more than its maximum from the start', async () => {
    const rt = await runtime(32);
    const partition = new lib.ResultPartition(rt.networkBufferPool, { numSubpartitions: 4, maxBuffersPerChannel: 4 });
    expect(partition.bufferPool.numBuffers).toBe(8);
    expect(partition.bufferPool.numberOfRequestedMemorySegments).toBeLessThanOrEqual(8);
    partition.release();
    expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(32);
    rt.close();
  });

  it('hands buffers over by reference: the consumer reads the producer pool’s own segment', async () => {
    const rt = await runtime(16);
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1 });
    const gate = new lib.InputGate(nbp, { partition });
    const writer = new lib.RecordWriter(partition, { framing: 'raw' });
    expect(writer.write(0, new Uint8Array([1, 2, 3]))).toBeUndefined();
    partition.flush();
    const item = await gate.next();
    expect(item?.kind).toBe('buffer');
    if (item?.kind !== 'buffer') throw new Error('expected a buffer');
    expect(item.buffer.memorySegment.owner).toBe(partition.bufferPool);
    expect([...item.buffer.bytes()]).toEqual([1, 2, 3]);
    // The consumer's reference is one of those on the segment: the producer's builder still holds its own.
    expect(item.buffer.refCnt()).toBeGreaterThanOrEqual(2);
    item.buffer.recycleBuffer();
    gate.release();
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('keeps events and the end in their place among the buffers; needs no buffer for them', async () => {
    const rt = await runtime(16);
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 2 });
    const gate = new lib.InputGate(nbp, { partition });
    const writer = new lib.RecordWriter(partition);
    writer.write(0, new Uint8Array([7]));
    partition.emitEvent(0, new Uint8Array([0xee]));
    writer.write(0, new Uint8Array([8, 9]));
    partition.broadcastEvent(new Uint8Array([0xbb]));
    const finished = partition.finish();
    const seen: string[] = [];
    const reader = new lib.RecordReader(gate, { onEvent: (c, p) => seen.push(`event ${c}:${[...p].join(',')}`) });
    for (;;) {
      const r = await reader.next();
      if (r === null) break;
      seen.push(`record ${reader.channel}:${[...r].join(',')}`);
    }
    await finished;
    expect(seen.filter((s) => s.includes(' 0:'))).toEqual(['record 0:7', 'event 0:238', 'record 0:8,9', 'event 0:187']);
    expect(seen.filter((s) => s.includes(' 1:'))).toEqual(['event 1:187']);
    expect(await gate.next()).toBeNull();
    gate.release();
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('reads records as spans without a view each: one span object, in place, a record across buffers in the scratch array', async () => {
    const rt = await runtime(8);
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1 });
    const gate = new lib.InputGate(nbp, { partition });
    const writer = new lib.RecordWriter(partition);
    // 0 bytes, 5 bytes, then SEG bytes (it must span two buffers), then 3 bytes.
    const records = [new Uint8Array(0), Uint8Array.of(1, 2, 3, 4, 5), Uint8Array.from({ length: SEG }, (_, i) => (i * 7) & 0xff), Uint8Array.of(9, 8, 7)];
    const writing = (async () => {
      for (const r of records) {
        const wait = writer.write(0, r);
        if (wait !== undefined) await wait;
      }
      await partition.finish();
    })();
    const reader = new lib.RecordReader(gate);
    const spans: unknown[] = [];
    const seen: number[][] = [];
    for (let span = await reader.nextSpan(); span !== null; span = await reader.nextSpan()) {
      spans.push(span);
      expect(span).toBeInstanceOf(lib.RecordSpan);
      expect(span.channel).toBe(0);
      expect([...span.toUint8Array()]).toEqual([...span.bytes.subarray(span.offset, span.offset + span.length)]);
      seen.push([...span.toUint8Array()]);
    }
    await writing;
    expect(seen).toEqual(records.map((r) => [...r]));
    expect(new Set(spans).size).toBe(1);
    expect(reader.pollSpan()).toBeNull();
    gate.release();
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('keeps reading when a caller writes the span it was given (its fields are the caller’s to spoil, not the reader’s state)', async () => {
    const rt = await runtime(8);
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 2 });
    const gate = new lib.InputGate(nbp, { partition });
    const writer = new lib.RecordWriter(partition);
    // Records of a third of a buffer, so that buffers are read out while their last record is the span.
    const record = (i: number) => new Uint8Array(Math.floor(SEG / 3)).fill(i);
    const writing = (async () => {
      for (let i = 0; i < 24; i++) {
        const wait = writer.write(i % 2, record(i));
        if (wait !== undefined) await wait;
      }
      await partition.finish();
    })();
    const reader = new lib.RecordReader(gate);
    const seen: number[] = [];
    const spoil: unknown[] = [99, -5, 1, 0.5, 'x', Symbol('s'), 2 ** 40, null];
    let k = 0;
    for (let span = await reader.nextSpan(); span !== null; span = await reader.nextSpan()) {
      const bytes = span.toUint8Array();
      seen.push(bytes[0]!);
      expect(reader.channel).toBe(bytes[0]! % 2);
      Object.assign(span, { channel: spoil[k++ % spoil.length], offset: -1, length: 2 ** 31, bytes: new Uint8Array(1) });
    }
    await writing;
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    gate.release();
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('reports the backlog (finished buffers queued) and delivers a partial buffer only on flush', async () => {
    const rt = await runtime(32);
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 2, maxBuffersPerChannel: 8 });
    const gate = new lib.InputGate(nbp, { partition });
    const writer = new lib.RecordWriter(partition, { framing: 'raw' });
    const chunk = new Uint8Array(SEG);
    expect(writer.write(1, chunk)).toBeUndefined();
    expect(writer.write(1, chunk)).toBeUndefined();
    expect(writer.write(1, new Uint8Array(10))).toBeUndefined();
    expect(partition.backlog(1)).toBe(2);
    expect(partition.backlog(0)).toBe(0);
    expect(gate.metricsSnapshot().channels[1]!.backlog).toBe(2);
    const sizes: number[] = [];
    for (let i = 0; i < 2; i++) {
      const item = gate.poll();
      if (item?.kind !== 'buffer') throw new Error('expected a buffer');
      sizes.push(item.buffer.size);
      item.buffer.recycleBuffer();
    }
    expect(sizes).toEqual([SEG, SEG]);
    expect(gate.poll()).toBeNull();
    expect(partition.backlog(1)).toBe(0);
    partition.flush(1);
    const last = await gate.next();
    if (last?.kind !== 'buffer') throw new Error('expected a buffer');
    expect(last.buffer.size).toBe(10);
    last.buffer.recycleBuffer();
    gate.release();
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('refuses bad options and arguments with typed errors naming the value', async () => {
    const rt = await runtime(16);
    const nbp = rt.networkBufferPool;
    for (const [value, shown] of NOT_COUNTS) {
      const err = expectCode(lib, () => new lib.ResultPartition(nbp, { numSubpartitions: value as number }), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toContain(shown);
    }
    expectCode(lib, () => new lib.ResultPartition(nbp, { numSubpartitions: 0 }), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => new lib.ResultPartition(nbp, null as never), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => new lib.ResultPartition(nbp, { numSubpartitions: 100 }), 'ERR_INSUFFICIENT_BUFFERS');
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 2 });
    const writer = new lib.RecordWriter(partition);
    expect(expectCode(lib, () => writer.write(2, new Uint8Array(1)), 'ERR_INVALID_ARGUMENT').message).toContain('2');
    expect(expectCode(lib, () => writer.write(0, [1, 2] as never), 'ERR_INVALID_ARGUMENT').message).toContain('an array of 2');
    expectCode(lib, () => writer.write(1n as never, new Uint8Array(1)), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => partition.emitEvent(0, new Uint8Array(65537)), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => new lib.RecordWriter(partition, { framing: 'lines' as never }), 'ERR_ILLEGAL_CONFIGURATION');
    expectCode(lib, () => new lib.InputGate(nbp, { partition: {} as never }), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => new lib.InputGate(nbp, { partition, subpartitions: [0, 0] }), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => new lib.InputGate(nbp, { partition, subpartitions: [Symbol('s') as never] }), 'ERR_INVALID_ARGUMENT');
    const gate = new lib.InputGate(nbp, { partition, subpartitions: Object.freeze([1, 0]) });
    expectCode(lib, () => new lib.InputGate(nbp, { partition }), 'ERR_ILLEGAL_STATE');
    expectCode(lib, () => new lib.RecordReader({} as never), 'ERR_INVALID_ARGUMENT');
    const finished = partition.finish();
    expectCode(lib, () => writer.write(0, new Uint8Array(1)), 'ERR_ILLEGAL_STATE');
    expectCode(lib, () => partition.emitEvent(0, new Uint8Array(1)), 'ERR_ILLEGAL_STATE');
    expect(await gate.next()).toMatchObject({ kind: 'end' });
    expect(await gate.next()).toMatchObject({ kind: 'end' });
    expect(await gate.next()).toBeNull();
    await finished;
    gate.release();
    partition.release();
    expectCode(lib, () => writer.write(0, new Uint8Array(1)), 'ERR_CHANNEL_CLOSED');
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('refuses a wrong pool, partition or gate and options that are not an object, at the call, with ERR_INVALID_ARGUMENT naming the value', async () => {
    const rt = await runtime(16);
    const nbp = rt.networkBufferPool;
    const notObjects: [unknown, string][] = [[null, 'null'], [7, '7'], ['x', "'x'"], [1n, '1n'], [Symbol('o'), 'Symbol(o)'], [[1], 'an array of 1'], [() => 0, 'function']];
    const wrongThings: [unknown, string][] = [[undefined, 'undefined'], [null, 'null'], [{}, 'object'], [1n, '1n'], [Symbol('t'), 'Symbol(t)'], [rt.memoryManager, 'MemoryManager']];
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1 });
    const gate = new lib.InputGate(nbp, { partition });
    const before = nbp.numberOfAvailableMemorySegments;
    for (const [value, shown] of wrongThings) {
      const calls: [string, () => unknown][] = [
        ['ResultPartition', () => new lib.ResultPartition(value as never, { numSubpartitions: 1 })],
        ['InputGate', () => new lib.InputGate(value as never, { partition })],
        ['RecordWriter', () => new lib.RecordWriter(value as never)],
        ['RecordReader', () => new lib.RecordReader(value as never)],
      ];
      for (const [what, call] of calls) {
        const message = expectCode(lib, call, 'ERR_INVALID_ARGUMENT').message;
        expect(message).toContain(what);
        expect(message.toLowerCase()).toContain(shown.toLowerCase());
      }
    }
    for (const [value, shown] of notObjects) {
      const calls: [string, () => unknown][] = [
        ['ResultPartition: options', () => new lib.ResultPartition(nbp, value as never)],
        ['InputGate: options', () => new lib.InputGate(nbp, value as never)],
        ['RecordWriter: options', () => new lib.RecordWriter(partition, value as never)],
        ['RecordReader: options', () => new lib.RecordReader(gate, value as never)],
        ['memoryTransportPair: options', () => lib.memoryTransportPair(value as never)],
        ['partitionWritableStream: options', () => lib.partitionWritableStream(partition, value as never)],
      ];
      for (const [what, call] of calls) {
        const message = expectCode(lib, call, 'ERR_INVALID_ARGUMENT').message;
        expect(message).toContain(what);
        expect(message).toContain(shown);
      }
    }
    // Missing options: the first required one is named.
    expect(expectCode(lib, () => new lib.ResultPartition(nbp, undefined as never), 'ERR_INVALID_ARGUMENT').message).toContain('numSubpartitions');
    expect(expectCode(lib, () => new lib.InputGate(nbp, undefined as never), 'ERR_INVALID_ARGUMENT').message).toContain('transport');
    expect(expectCode(lib, () => nbp.createBufferPool(undefined as never), 'ERR_INVALID_ARGUMENT').message).toContain('minSize');
    // Nothing was taken by the refused calls.
    expect(nbp.numberOfAvailableMemorySegments).toBe(before);
    gate.release();
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('a second write to a subpartition while one waits for a buffer is refused; the first completes', async () => {
    const rt = await runtime(16);
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1, maxBuffersPerChannel: 1 });
    const gate = new lib.InputGate(nbp, { partition });
    const writer = new lib.RecordWriter(partition, { framing: 'raw' });
    const big = new Uint8Array(3 * SEG);
    const waiting = writer.write(0, big);
    expect(waiting).toBeInstanceOf(Promise);
    expectCode(lib, () => writer.write(0, new Uint8Array(1)), 'ERR_ILLEGAL_STATE');
    // Neither an event nor the end may cut into the waiting record: refused, and nothing queued.
    expectCode(lib, () => partition.broadcastEvent(new Uint8Array(1)), 'ERR_ILLEGAL_STATE');
    await expectRejectCode(lib, partition.finish(), 'ERR_ILLEGAL_STATE');
    let received = 0;
    const kinds: string[] = [];
    const reading = (async () => {
      for (;;) {
        const item = await gate.next();
        if (item === null) return;
        kinds.push(item.kind);
        if (item.kind === 'buffer') {
          received += item.buffer.size;
          item.buffer.recycleBuffer();
        }
      }
    })();
    await waiting;
    await partition.finish();
    await reading;
    expect(received).toBe(3 * SEG);
    expect(kinds.filter((k) => k !== 'buffer')).toEqual(['end']);
    gate.release();
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('a consumer that releases early fails the waiting producer with ERR_CHANNEL_CLOSED; every buffer goes back', async () => {
    const rt = await runtime(16);
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 2, maxBuffersPerChannel: 2 });
    const gate = new lib.InputGate(nbp, { partition });
    const writer = new lib.RecordWriter(partition);
    const held = (async () => {
      const item = await gate.next();
      return item;
    })();
    let wait: Promise<void> | undefined;
    for (let i = 0; wait === undefined; i++) wait = writer.write(i % 2, recordOf(0, 5, 3000).length > 0 ? new Uint8Array(5000) : new Uint8Array(1));
    const heldItem = await held;
    gate.release();
    await expectRejectCode(lib, wait, 'ERR_CHANNEL_CLOSED');
    expectCode(lib, () => writer.write(0, new Uint8Array(1)), 'ERR_CHANNEL_CLOSED');
    await expectRejectCode(lib, partition.finish(), 'ERR_CHANNEL_CLOSED');
    partition.release();
    // The buffer the reader still holds comes back when it recycles it.
    if (heldItem?.kind === 'buffer') {
      expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments - 1);
      heldItem.buffer.recycleBuffer();
    }
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('a producer that releases before its end fails the gate: next() rejects with ERR_CHANNEL_CLOSED', async () => {
    const rt = await runtime(16);
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1 });
    const gate = new lib.InputGate(nbp, { partition });
    const pending = gate.next();
    await flush();
    partition.release();
    await expectRejectCode(lib, pending, 'ERR_CHANNEL_CLOSED');
    await expectRejectCode(lib, gate.next(), 'ERR_CHANNEL_CLOSED');
    expect(gate.isReleased()).toBe(true);
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('a gate released before its end refuses next() with ERR_CHANNEL_CLOSED; one released after it gives null', async () => {
    const rt = await runtime(16);
    const nbp = rt.networkBufferPool;
    const early = new lib.InputGate(nbp, { partition: new lib.ResultPartition(nbp, { numSubpartitions: 1 }) });
    early.release();
    await expectRejectCode(lib, early.next(), 'ERR_CHANNEL_CLOSED');
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1 });
    const gate = new lib.InputGate(nbp, { partition });
    const finished = partition.finish();
    expect(await gate.next()).toMatchObject({ kind: 'end', channel: 0 });
    await finished;
    gate.release();
    expect(await gate.next()).toBeNull();
    rt.close();
  });

  it('registers partitions and gates with the pool’s metrics while they live; snapshots are plain JSON data', async () => {
    const rt = await runtime(16);
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 2 });
    const gate = new lib.InputGate(nbp, { partition });
    new lib.RecordWriter(partition).write(1, new Uint8Array(100));
    const snapshot = (nbp as unknown as { metrics: { snapshot(): unknown[] } }).metrics.snapshot();
    expect(snapshot.map((s) => (s as { id: string }).id)).toEqual([partition.id, gate.id]);
    expect(partition.id).toMatch(/^partition-\d+$/);
    expect(gate.id).toMatch(/^gate-\d+$/);
    const p = partition.metricsSnapshot();
    expect(p).toMatchObject({ kind: 'partition', level: 'OK', poolSize: partition.bufferPool.numBuffers, poolInUse: 1 });
    expect(p.subpartitions[1]).toMatchObject({ index: 1, backlog: 0, bytesWritten: 104, buffersSent: 0, credit: null });
    const g = gate.metricsSnapshot();
    expect(g.channels.map((c) => c.transport)).toEqual(['local', 'local']);
    // Lossless through JSON (what the inspector's event stream sends): a local channel's credit is null, not Infinity.
    expect(JSON.parse(JSON.stringify(g))).toEqual(g);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(g.channels[0]!.credit).toBeNull();
    gate.release();
    partition.release();
    expect((nbp as unknown as { metrics: { snapshot(): unknown[] } }).metrics.snapshot()).toEqual([]);
    rt.close();
  });
});
