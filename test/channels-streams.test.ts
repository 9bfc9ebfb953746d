// WHATWG stream adapters: a 64 MiB ReadableStream piped through a result
// partition and an input gate into a slow WritableStream; memory stays
// bounded by the pools, bytes arrive identical; aborting returns every
// buffer (both builds; Node and Chromium).
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { STREAM_CHUNK, streamChecker, streamChunk } from './channels-support.js';
import { expectCode } from './network-support.js';

const SEG = 32768;
const MiB = 1024 * 1024;

describe.each(builds)('$name build', ({ init, lib }) => {
  const runtime = () => init({ managedMemory: '128kb', networkMemory: 16 * SEG, offHeapMemory: '64kb', pageSize: SEG });

  it('pipeTo: 64 MiB through segmem into a slow sink, identical bytes, at most the pool’s buffers in between', { timeout: 60_000 }, async () => {
    const rt = await runtime();
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1, maxBuffersPerChannel: 6 });
    const gate = new lib.InputGate(nbp, { partition });
    const total = 64 * MiB;
    let produced = 0;
    let maxAhead = 0;
    let maxInUse = 0;
    const checker = streamChecker();
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced >= total) return controller.close();
        controller.enqueue(streamChunk(produced / STREAM_CHUNK));
        produced += STREAM_CHUNK;
      },
    });
    let writes = 0;
    const sink = new WritableStream<Uint8Array>({
      async write(chunk) {
        checker.check(chunk);
        maxAhead = Math.max(maxAhead, produced - checker.position);
        maxInUse = Math.max(maxInUse, nbp.totalNumberOfMemorySegments - nbp.numberOfAvailableMemorySegments);
        if (++writes % 16 === 0) await new Promise((r) => setTimeout(r, 0));
      },
    });
    const writable = lib.partitionWritableStream(partition);
    await Promise.all([source.pipeTo(writable), lib.gateReadableStream(gate).pipeTo(sink)]);
    expect(checker.position).toBe(total);
    expect(maxInUse).toBeLessThanOrEqual(partition.bufferPool.maxSize);
    // Between source and sink: the pool's buffers and a few chunks in the streams' queues, never the stream.
    expect(maxAhead).toBeLessThanOrEqual(partition.bufferPool.maxSize * SEG + 4 * STREAM_CHUNK);
    expect(partition.metricsSnapshot().backPressuredTimeMs).toBeGreaterThan(0);
    expect(gate.isReleased()).toBe(true);
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('the writable’s desiredSize and ready follow the pool: a write waits while every buffer is out', async () => {
    const rt = await runtime();
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1, maxBuffersPerChannel: 1 });
    const gate = new lib.InputGate(nbp, { partition });
    const writer = lib.partitionWritableStream(partition).getWriter();
    expect(writer.desiredSize).toBe(1);
    void writer.write(new Uint8Array(4 * SEG));
    await new Promise((r) => setTimeout(r, 10));
    expect(writer.desiredSize).toBe(0);
    let ready = false;
    void writer.ready.then(() => (ready = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(ready).toBe(false);
    const reading = lib.gateReadableStream(gate).pipeTo(new WritableStream());
    await writer.ready;
    expect(writer.desiredSize).toBe(1);
    await writer.close();
    await reading;
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('aborting the writable releases the partition; the reading side errors with ERR_CHANNEL_CLOSED; every buffer back', async () => {
    const rt = await runtime();
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1, maxBuffersPerChannel: 2 });
    const gate = new lib.InputGate(nbp, { partition });
    const writer = lib.partitionWritableStream(partition).getWriter();
    void writer.write(new Uint8Array(2 * SEG)).catch(() => {});
    const reader = lib.gateReadableStream(gate).getReader();
    expect((await reader.read()).value?.length).toBe(SEG);
    await writer.abort(new Error('stop'));
    expect(partition.isReleased()).toBe(true);
    const err = await reader.read().then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).toBe('ERR_CHANNEL_CLOSED');
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('cancelling the readable releases the gate and fails the producer; every buffer back', async () => {
    const rt = await runtime();
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1, maxBuffersPerChannel: 2 });
    const gate = new lib.InputGate(nbp, { partition });
    const writer = lib.partitionWritableStream(partition).getWriter();
    const writing = writer.write(new Uint8Array(8 * SEG));
    const reader = lib.gateReadableStream(gate).getReader();
    await reader.read();
    await reader.cancel();
    expect(gate.isReleased()).toBe(true);
    const err = await writing.then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).toBe('ERR_CHANNEL_CLOSED');
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('refuses what is not a partition, a gate or a chunk', async () => {
    const rt = await runtime();
    const partition = new lib.ResultPartition(rt.networkBufferPool, { numSubpartitions: 1 });
    expectCode(lib, () => lib.partitionWritableStream({} as never), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => lib.partitionWritableStream(partition, { subpartition: 1 }), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => lib.gateReadableStream(null as never), 'ERR_INVALID_ARGUMENT');
    const writer = lib.partitionWritableStream(partition).getWriter();
    const err = await writer.write('text' as never).then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).toBe('ERR_INVALID_ARGUMENT');
    partition.release();
    rt.close();
  });
});
