// Channels across threads and processes (Node): a worker_threads producer
// over a MessagePort, a child-process producer over TCP on 127.0.0.1, and a
// consumer process killed mid-stream. The peers run the built package
// (test/fixtures/channel-peer.mjs imports dist/, which `npm test` builds).
import { fork } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { Worker, MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { consume } from './channels-support.js';
import { expectRejectCode } from './network-support.js';
import { socketTransport } from '../src/node.js';
import type { Runtime } from '../src/index.js';

const SEG = 32768;
const MiB = 1024 * 1024;
const PEER = new URL('./fixtures/channel-peer.mjs', import.meta.url);

interface ProducerReport {
  counts: number[];
  backPressuredTimeMs: number;
  maxInUse: number;
  poolMax: number;
  free: number;
  total: number;
}

/** A server on 127.0.0.1 and its first connection. */
async function listen(): Promise<{ server: Server; port: number; connection: Promise<Socket> }> {
  const server = createServer();
  const connection = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, connection };
}

/** The consumer side's checks after a run: bounded gate, every segment back. */
function expectAllBack(rt: Runtime): void {
  expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(rt.networkBufferPool.totalNumberOfMemorySegments);
}

describe.each(builds)('$name build', ({ name, init, lib }) => {
  const runtime = () => init({ managedMemory: '128kb', networkMemory: 24 * SEG, offHeapMemory: '64kb', pageSize: SEG });

  /** Reads a remote producer's records through a gate, watching its buffers; returns the counts read and the most segments the gate held. */
  async function consumeRemote(rt: Runtime, transport: ReturnType<typeof socketTransport>) {
    const gate = new lib.InputGate(rt.networkBufferPool, { transport, numChannels: 4, exclusiveBuffersPerChannel: 2, floatingBuffers: 8 });
    let maxHeld = 0;
    const nbp = rt.networkBufferPool;
    const counts = await consume(lib, gate, 3000, 32, () => (maxHeld = Math.max(maxHeld, nbp.totalNumberOfMemorySegments - nbp.numberOfAvailableMemorySegments)));
    gate.release();
    return { counts, maxHeld };
  }

  // 256 MiB on the wasm build (the size), 32 MiB on the pure-JS build: the bytes cost ~30 ms per MiB here with both sides checking.
  const acrossThreads = name === 'wasm' ? 256 * MiB : 32 * MiB;
  it(`a producer in a worker thread, over a MessagePort: ${acrossThreads / MiB} MiB over 4 channels, in order, bounded, everything back`, { timeout: 60_000 }, async () => {
    const rt = await runtime();
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(PEER, { workerData: { role: 'produce-port', build: name, port: port2, bytesPerChannel: acrossThreads / 4 }, transferList: [port2] });
    const reported = new Promise<ProducerReport>((resolve, reject) => worker.once('message', resolve).once('error', reject));
    const { counts, maxHeld } = await consumeRemote(rt, lib.messagePortTransport(port1));
    const report = await reported;
    expect(counts).toEqual(report.counts);
    expect(maxHeld).toBeLessThanOrEqual(4 * 2 + 8);
    expect(report.maxInUse).toBeLessThanOrEqual(report.poolMax);
    expect(report.backPressuredTimeMs).toBeGreaterThan(0);
    expect(report.free).toBe(report.total);
    expectAllBack(rt);
    await worker.terminate();
    rt.close();
  });

  // 256 MiB on the wasm build (the size; about 8 s here), 32 MiB on the pure-JS build, to keep the suite within its minute.
  const total = name === 'wasm' ? 256 * MiB : 32 * MiB;
  it(`a producer in another process, over TCP on 127.0.0.1: ${total / MiB} MiB over 4 channels, in order, bounded, everything back`, { timeout: 60_000 }, async () => {
    const rt = await runtime();
    const { server, port, connection } = await listen();
    const child = fork(PEER, ['produce-tcp', name, String(port), String(total / 4)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const reported = new Promise<ProducerReport>((resolve, reject) => child.once('message', (m) => resolve(m as ProducerReport)).once('error', reject));
    const socket = await connection;
    const { counts, maxHeld } = await consumeRemote(rt, socketTransport(socket));
    const report = await reported;
    expect(counts).toEqual(report.counts);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(total / 3000);
    expect(maxHeld).toBeLessThanOrEqual(4 * 2 + 8);
    expect(report.maxInUse).toBeLessThanOrEqual(report.poolMax);
    expect(report.backPressuredTimeMs).toBeGreaterThan(0);
    expect(report.free).toBe(report.total);
    expectAllBack(rt);
    server.close();
    rt.close();
  });

  it('the consumer process killed mid-stream: the producer’s waiting write fails with ERR_CHANNEL_CLOSED within 5 s, nothing leaks', { timeout: 30_000 }, async () => {
    const rt = await runtime();
    const nbp = rt.networkBufferPool;
    const { server, port, connection } = await listen();
    const child = fork(PEER, ['consume-tcp', name, String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const reading = new Promise<void>((resolve) => child.once('message', () => resolve()));
    const socket = await connection;
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 4, maxBuffersPerChannel: 2 });
    lib.connectPartition(partition, socketTransport(socket));
    const writer = new lib.RecordWriter(partition, { framing: 'raw' });
    const record = new Uint8Array(10_000);
    let killedAt = 0;
    const writing = (async () => {
      for (let i = 0; ; i++) {
        const wait = writer.write(i % 4, record);
        if (wait !== undefined) await wait;
      }
    })();
    await reading;
    killedAt = performance.now();
    child.kill('SIGKILL');
    const err = await expectRejectCode(lib, writing, 'ERR_CHANNEL_CLOSED');
    expect(performance.now() - killedAt).toBeLessThan(5000);
    expect(err.message).toContain('consumer');
    expect(partition.isReleased()).toBe(true);
    expect(partition.bufferPool.numberOfWaitingRequests).toBe(0);
    for (let i = 0; i < 100 && nbp.numberOfAvailableMemorySegments < nbp.totalNumberOfMemorySegments; i++) await new Promise((r) => setTimeout(r, 5));
    expectAllBack(rt);
    server.close();
    rt.close();
  });
});
