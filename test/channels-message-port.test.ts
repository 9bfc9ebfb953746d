// The MessagePort transport: two runtimes over a MessageChannel in one
// realm (Node and Chromium), and, in Chromium, a page reading a producer in
// a Web Worker. (Between worker_threads: channels-transports.node.test.ts.)
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { consume, produce } from './channels-support.js';
import { expectCode } from './network-support.js';

const SEG = 32768;
const MiB = 1024 * 1024;
const inBrowser = typeof window !== 'undefined' && typeof Worker !== 'undefined';

describe.each(builds)('$name build', ({ name, init, lib }) => {
  const runtime = () => init({ managedMemory: '128kb', networkMemory: 24 * SEG, offHeapMemory: '64kb', pageSize: SEG });

  it('8 MiB over 4 channels through a MessageChannel between two runtimes: in order, bounded, everything back', { timeout: 30_000 }, async () => {
    const producerRt = await runtime();
    const consumerRt = await runtime();
    const { port1, port2 } = new MessageChannel();
    const partition = new lib.ResultPartition(producerRt.networkBufferPool, { numSubpartitions: 4, maxBuffersPerChannel: 4 });
    lib.connectPartition(partition, lib.messagePortTransport(port1, { chunkBytes: 100_000 }));
    const gate = new lib.InputGate(consumerRt.networkBufferPool, { transport: lib.messagePortTransport(port2), numChannels: 4 });
    let maxHeld = 0;
    const nbp = consumerRt.networkBufferPool;
    const [written, read] = await Promise.all([
      produce(new lib.RecordWriter(partition), partition, (8 * MiB) / 4, 3000),
      consume(lib, gate, 3000, 32, () => (maxHeld = Math.max(maxHeld, nbp.totalNumberOfMemorySegments - nbp.numberOfAvailableMemorySegments))),
    ]);
    expect(read).toEqual(written);
    expect(maxHeld).toBeLessThanOrEqual(4 * 2 + 8);
    expect(gate.metricsSnapshot().channels[0]!.transport).toBe('message-port');
    gate.release();
    partition.release();
    expect(producerRt.networkBufferPool.numberOfAvailableMemorySegments).toBe(24);
    expect(nbp.numberOfAvailableMemorySegments).toBe(24);
    producerRt.close();
    consumerRt.close();
  });

  it('refuses what is not a port, and a chunk size below 64 bytes', () => {
    expectCode(lib, () => lib.messagePortTransport({} as never), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => lib.messagePortTransport(new MessageChannel().port1, { chunkBytes: 10 }), 'ERR_INVALID_ARGUMENT');
  });

  if (inBrowser) {
    it('a producer in a Web Worker, read by the page: 16 MiB over 4 channels, in order, bounded, everything back on both sides', { timeout: 60_000 }, async () => {
      const rt = await runtime();
      const worker = new Worker(new URL('./fixtures/channel-web-worker.ts', import.meta.url), { type: 'module' });
      const { port1, port2 } = new MessageChannel();
      const reported = new Promise<{ counts: number[]; backPressuredTimeMs: number; free: number; total: number; error?: string }>((resolve) =>
        worker.addEventListener('message', (e) => resolve(e.data as never), { once: true }),
      );
      worker.postMessage({ build: name, port: port2, bytesPerChannel: (16 * MiB) / 4 }, [port2]);
      const gate = new lib.InputGate(rt.networkBufferPool, { transport: lib.messagePortTransport(port1), numChannels: 4 });
      const read = await consume(lib, gate, 3000, 32);
      const report = await reported;
      expect(report.error).toBeUndefined();
      expect(read).toEqual(report.counts);
      expect(report.backPressuredTimeMs).toBeGreaterThan(0);
      expect(report.free).toBe(report.total);
      gate.release();
      expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(24);
      worker.terminate();
      rt.close();
    });
  }
});
