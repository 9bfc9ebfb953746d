// Node stream adapters (segmem/node): stream.pipeline() of a 64 MiB source
// through a result partition and an input gate, locally and over TCP on
// 127.0.0.1, into a slow sink: bounded by the pools, identical bytes;
// write() false and 'drain' follow the pool; destroy returns every buffer.
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { STREAM_CHUNK, streamChecker, streamChunk } from './channels-support.js';
import { gateReadable, partitionWritable, socketTransport } from '../src/node.js';

const SEG = 32768;
const MiB = 1024 * 1024;

/** A 64 KiB-chunk source of `total` bytes, counting what it produced. */
function source(total: number, counter: { produced: number }): Readable {
  return new Readable({
    read() {
      if (counter.produced >= total) return void this.push(null);
      const chunk = streamChunk(counter.produced / STREAM_CHUNK);
      counter.produced += STREAM_CHUNK;
      this.push(chunk);
    },
  });
}

/** A sink that checks every byte and pauses for a timer turn every 16 chunks; tracks how far the source ran ahead. */
function slowSink(counter: { produced: number; maxAhead: number }): { sink: Writable; checker: ReturnType<typeof streamChecker> } {
  const checker = streamChecker();
  let writes = 0;
  const sink = new Writable({
    write(chunk: Uint8Array, _encoding, callback) {
      checker.check(chunk);
      counter.maxAhead = Math.max(counter.maxAhead, counter.produced - checker.position);
      if (++writes % 16 === 0) setTimeout(callback, 0);
      else callback();
    },
  });
  return { sink, checker };
}

describe.each(builds)('$name build', ({ name, init, lib }) => {
  const runtime = () => init({ managedMemory: '128kb', networkMemory: 24 * SEG, offHeapMemory: '64kb', pageSize: SEG });

  it('pipeline(): 64 MiB through a local channel into a slow sink, identical bytes, bounded by the pool', { timeout: 60_000 }, async () => {
    const rt = await runtime();
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1, maxBuffersPerChannel: 6 });
    const gate = new lib.InputGate(nbp, { partition });
    const total = 64 * MiB;
    const counter = { produced: 0, maxAhead: 0 };
    const { sink, checker } = slowSink(counter);
    await Promise.all([pipeline(source(total, counter), partitionWritable(partition)), pipeline(gateReadable(gate), sink)]);
    expect(checker.position).toBe(total);
    // Between source and sink: the pool's buffers plus the streams' own high-water marks (16 KiB each side, a chunk or two).
    expect(counter.maxAhead).toBeLessThanOrEqual(partition.bufferPool.maxSize * SEG + 4 * STREAM_CHUNK);
    expect(partition.metricsSnapshot().backPressuredTimeMs).toBeGreaterThan(0);
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  // 64 MiB on the wasm build; 16 MiB on the pure-JS build, whose path is the same code, to save CI time.
  const overTcp = name === 'wasm' ? 64 * MiB : 16 * MiB;
  it(`pipeline(): ${overTcp / MiB} MiB over TCP on 127.0.0.1 between two runtimes, identical bytes, both sides bounded and back`, { timeout: 60_000 }, async () => {
    const producerRt = await runtime();
    const consumerRt = await runtime();
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const client = connect((server.address() as { port: number }).port, '127.0.0.1');
    await once(client, 'connect');
    const [socket] = await accepted;
    const partition = new lib.ResultPartition(producerRt.networkBufferPool, { numSubpartitions: 1, maxBuffersPerChannel: 6 });
    lib.connectPartition(partition, socketTransport(client));
    const gate = new lib.InputGate(consumerRt.networkBufferPool, { transport: socketTransport(socket), numChannels: 1 });
    const total = overTcp;
    const counter = { produced: 0, maxAhead: 0 };
    const { sink, checker } = slowSink(counter);
    await Promise.all([pipeline(source(total, counter), partitionWritable(partition)), pipeline(gateReadable(gate), sink)]);
    expect(checker.position).toBe(total);
    // The producer's pool, the gate's buffers, the sockets' 1 MiB high-water mark and kernel buffers, the streams' marks.
    expect(counter.maxAhead).toBeLessThanOrEqual(16 * MiB);
    partition.release();
    server.close();
    for (let i = 0; i < 100 && producerRt.networkBufferPool.numberOfAvailableMemorySegments < 24; i++) await new Promise((r) => setTimeout(r, 5));
    expect(producerRt.networkBufferPool.numberOfAvailableMemorySegments).toBe(24);
    expect(consumerRt.networkBufferPool.numberOfAvailableMemorySegments).toBe(24);
    producerRt.close();
    consumerRt.close();
  });

  it("write() returns false while the pool's buffers are out, and 'drain' comes when the reader catches up", async () => {
    const rt = await runtime();
    const nbp = rt.networkBufferPool;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1, maxBuffersPerChannel: 1 });
    const gate = new lib.InputGate(nbp, { partition });
    const writable = partitionWritable(partition, { highWaterMark: SEG });
    let accepted = 0;
    while (writable.write(new Uint8Array(SEG))) accepted++;
    expect(accepted).toBeLessThan(10);
    const drained = once(writable, 'drain');
    const reading = pipeline(gateReadable(gate), new Writable({ write: (_c, _e, cb) => cb() }));
    await drained;
    writable.end();
    await Promise.all([once(writable, 'finish'), reading]);
    partition.release();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });

  it('destroying either side cancels the channel: the other side errors with ERR_CHANNEL_CLOSED, every buffer back', async () => {
    const rt = await runtime();
    const nbp = rt.networkBufferPool;
    for (const side of ['writable', 'readable'] as const) {
      const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1, maxBuffersPerChannel: 2 });
      const gate = new lib.InputGate(nbp, { partition });
      const writable = partitionWritable(partition);
      const readable = gateReadable(gate);
      // Either errors with the failure: the error events are expected (errored holds them).
      writable.on('error', () => {});
      readable.on('error', () => {});
      // (events.once would reject on the 'error' that comes first.)
      const closed = (stream: Readable | Writable) => new Promise<void>((resolve) => stream.once('close', () => resolve()));
      const writableError = closed(writable).then(() => writable.errored as (Error & { code?: string }) | null);
      const readableError = closed(readable).then(() => readable.errored as (Error & { code?: string }) | null);
      for (let i = 0; i < 8; i++) writable.write(new Uint8Array(SEG));
      await once(readable, 'readable');
      // The reader reads on (it learns of the failure when it asks for more); the writer waits for a buffer.
      if (side === 'writable') {
        writable.destroy();
        readable.resume();
      } else readable.destroy();
      const other = side === 'writable' ? await readableError : await writableError;
      expect(other?.code, String(other)).toBe('ERR_CHANNEL_CLOSED');
      expect(side === 'writable' ? partition.isReleased() : gate.isReleased()).toBe(true);
      partition.release();
      gate.release();
      readable.destroy();
      writable.destroy();
      expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    }
    rt.close();
  });
});
