/**
 * Channel rows: records moved end to end from a producer to a consumer,
 * segmem's channels beside plain Node transports carrying the same bytes
 * in the same run, for 1 KiB and 16 KiB records.
 *
 * - local: RecordWriter → ResultPartition → InputGate (local channel:
 *   buffers handed over by reference) → RecordReader, one thread; the
 *   reader takes records as spans (nothing allocated per record), and in a
 *   second row as a Uint8Array view each (what a view per record costs).
 * - worker: the producer in a worker thread (bench/channels-peer.mjs), its
 *   partition sent over a MessagePort transport to a gate in this thread.
 * - tcp: a partition and a gate in this process, connected over a loopback
 *   TCP socket (socketTransport on both ends).
 * Beside them:
 * - Node stream.pipeline Readable → Writable, a fresh Buffer per record.
 * - MessageChannel: the worker posts one fresh copy of each record per message.
 * - raw socket: the same bytes written to a loopback socket in 64 KiB writes
 *   (honouring 'drain'), the reader touching each chunk: the link's ceiling.
 *
 * Every reader adds the first byte of each record (or chunk) to a sink. GB/s =
 * 10^9 bytes of records per second, median of the timed passes.
 *
 *   node bench/channels.mjs wasm|js [--quick]     (prints the result as JSON)
 */
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { summarize } from './harness.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;
const SEG = 32768;
export const CHANNEL_RECORD_SIZES = [1024, 16384];
/** Bytes per timed pass: tens of milliseconds on the slowest row. */
const PASS_BYTES = 64 * MiB;

const sizeLabel = (bytes) => `${bytes / KiB} KiB`;

export const CHANNEL_ROWS = CHANNEL_RECORD_SIZES.flatMap((bytes) => [
  { id: `ch-local-${bytes}`, kind: 'local', recordBytes: bytes, title: `segmem local channel, ${sizeLabel(bytes)} records (writer → partition → gate → reader, records as spans)` },
  { id: `ch-local-views-${bytes}`, kind: 'local-views', recordBytes: bytes, title: `segmem local channel, ${sizeLabel(bytes)} records, each read as a Uint8Array view` },
  { id: `ch-node-stream-${bytes}`, kind: 'node-stream', recordBytes: bytes, title: `Node stream.pipeline, a fresh Buffer per ${sizeLabel(bytes)} record` },
  { id: `ch-worker-${bytes}`, kind: 'worker', recordBytes: bytes, title: `segmem over a MessagePort from a worker thread, ${sizeLabel(bytes)} records` },
  { id: `ch-message-channel-${bytes}`, kind: 'message-channel', recordBytes: bytes, title: `MessageChannel from a worker thread, one ${sizeLabel(bytes)} record per message` },
  { id: `ch-tcp-${bytes}`, kind: 'tcp', recordBytes: bytes, title: `segmem over loopback TCP, ${sizeLabel(bytes)} records` },
  { id: `ch-raw-socket-${bytes}`, kind: 'raw-socket', recordBytes: bytes, title: `raw loopback socket, the same bytes in 64 KiB writes` },
]);

function recordOf(bytes) {
  const record = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) record[i] = (i * 31 + 7) & 0xff;
  return record;
}

/** Writes `total` bytes of `record`s to subpartition 0, then finishes. */
async function writeRecords(lib, partition, record, total) {
  const writer = new lib.RecordWriter(partition);
  for (let moved = 0; moved < total; moved += record.length) {
    const wait = writer.write(0, record);
    if (wait !== undefined) await wait;
  }
  await partition.finish();
}

/**
 * Reads every record of `gate` (polling while records are there, waiting only
 * when none are); returns the sink. By default as spans (pollSpan/nextSpan:
 * nothing allocated per record); `views` takes each record as a Uint8Array
 * view (poll/next), the row that shows what a view per record costs.
 */
async function readRecords(lib, gate, views = false) {
  const reader = new lib.RecordReader(gate);
  let sink = 0;
  if (views) {
    for (;;) {
      let record = reader.poll();
      if (record === null) {
        record = await reader.next();
        if (record === null) break;
      }
      sink += record[0];
    }
  } else {
    for (;;) {
      let span = reader.pollSpan();
      if (span === null) {
        span = await reader.nextSpan();
        if (span === null) break;
      }
      sink += span.bytes[span.offset];
    }
  }
  gate.release();
  return sink;
}

async function localPass(lib, rt, record, total, views = false) {
  const partition = new lib.ResultPartition(rt.networkBufferPool, { numSubpartitions: 1 });
  const gate = new lib.InputGate(rt.networkBufferPool, { partition });
  const [, sink] = await Promise.all([writeRecords(lib, partition, record, total), readRecords(lib, gate, views)]);
  partition.release();
  return sink;
}

async function nodeStreamPass(record, total) {
  let produced = 0;
  let sink = 0;
  const source = new Readable({
    read() {
      while (produced < total) {
        const chunk = Buffer.allocUnsafe(record.length);
        chunk.set(record);
        produced += record.length;
        if (!this.push(chunk)) return;
      }
      this.push(null);
    },
  });
  await pipeline(source, new Writable({ write: (chunk, _e, cb) => ((sink += chunk[0]), cb()) }));
  return sink;
}

/** Asks the worker for one pass over a fresh MessageChannel; `receive(port)` consumes it. */
async function workerPass(worker, kind, record, total, receive) {
  const { port1, port2 } = new MessageChannel();
  const done = once(worker, 'message');
  worker.postMessage({ kind, port: port2, recordBytes: record.length, total }, [port2]);
  const sink = await receive(port1);
  await done;
  port1.close();
  return sink;
}

function receiveMessages(port) {
  return new Promise((resolve) => {
    let sink = 0;
    port.on('message', (chunk) => {
      if (chunk === null) resolve(sink);
      else sink += chunk[0];
    });
  });
}

/** A connected pair of loopback sockets. */
async function socketPair() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const client = connect(server.address().port, '127.0.0.1');
  await once(client, 'connect');
  const [socket] = await accepted;
  server.close();
  return [client, socket];
}

async function tcpPass(lib, node, rt, record, total) {
  const [a, b] = await socketPair();
  const partition = new lib.ResultPartition(rt.networkBufferPool, { numSubpartitions: 1 });
  lib.connectPartition(partition, node.socketTransport(a));
  const gate = new lib.InputGate(rt.networkBufferPool, { transport: node.socketTransport(b), numChannels: 1 });
  const [, sink] = await Promise.all([writeRecords(lib, partition, record, total), readRecords(lib, gate)]);
  partition.release();
  a.destroy();
  b.destroy();
  return sink;
}

async function rawSocketPass(record, total) {
  const [a, b] = await socketPair();
  const block = new Uint8Array(64 * KiB);
  for (let i = 0; i < block.length; i += record.length) block.set(record.subarray(0, Math.min(record.length, block.length - i)), i);
  let sink = 0;
  let received = 0;
  const read = new Promise((resolve) =>
    b.on('data', (chunk) => {
      sink += chunk[0];
      received += chunk.length;
      if (received >= total) resolve();
    }),
  );
  for (let sent = 0; sent < total; sent += block.length) {
    if (!a.write(block)) await once(a, 'drain');
  }
  await read;
  a.destroy();
  b.destroy();
  return sink;
}

/** Warm-up passes for at least `warmupMs` (the async paths need a dozen passes to reach their optimised code), then timed ones. */
async function timePasses(pass, bytes, { warmupPasses, warmupMs, passes }) {
  let sink = 0;
  const warmEnd = performance.now() + warmupMs;
  for (let i = 0; i < warmupPasses || performance.now() < warmEnd; i++) sink += await pass();
  const gbps = [];
  for (let i = 0; i < passes; i++) {
    const t0 = process.hrtime.bigint();
    sink += await pass();
    gbps.push(bytes / Number(process.hrtime.bigint() - t0));
  }
  return { ...summarize(gbps), sink };
}

/** Measures every row for one build (`lib`: dist/index.js or dist/js.js; `node`: dist/node.js). */
export async function measureChannelRows(lib, node, build, { quick = false } = {}) {
  const settings = quick ? { warmupPasses: 2, warmupMs: 300, passes: 3, scale: 0.25 } : { warmupPasses: 3, warmupMs: 1500, passes: 7, scale: 1 };
  const rt = await lib.init({ managedMemory: 0, networkMemory: 96 * SEG, offHeapMemory: 0, pageSize: SEG });
  const worker = new Worker(new URL('./channels-peer.mjs', import.meta.url), { workerData: { build } });
  await once(worker, 'message');
  const rows = [];
  let sink = 0;
  try {
    for (const row of CHANNEL_ROWS) {
      const record = recordOf(row.recordBytes);
      const total = Math.round((PASS_BYTES * settings.scale) / row.recordBytes) * row.recordBytes;
      const pass = {
        local: () => localPass(lib, rt, record, total),
        'local-views': () => localPass(lib, rt, record, total, true),
        'node-stream': () => nodeStreamPass(record, total),
        worker: () => workerPass(worker, 'segmem', record, total, (port) => readRecords(lib, new lib.InputGate(rt.networkBufferPool, { transport: lib.messagePortTransport(port), numChannels: 1 }))),
        'message-channel': () => workerPass(worker, 'message-channel', record, total, receiveMessages),
        tcp: () => tcpPass(lib, node, rt, record, total),
        'raw-socket': () => rawSocketPass(record, total),
      }[row.kind];
      const { sink: s, ...gbps } = await timePasses(pass, total, settings);
      sink += s;
      rows.push({ ...row, build: rt.build, bytesPerPass: total, gbps });
    }
    const left = rt.networkBufferPool.totalNumberOfMemorySegments - rt.networkBufferPool.numberOfAvailableMemorySegments;
    if (left !== 0) throw new Error(`channel rows: ${left} network buffers not back in the pool`);
  } finally {
    await worker.terminate();
    rt.close();
  }
  const find = (kind, bytes) => rows.find((r) => r.kind === kind && r.recordBytes === bytes).gbps.median;
  const ratios = CHANNEL_RECORD_SIZES.map((bytes) => ({
    recordBytes: bytes,
    localOverNodeStream: find('local', bytes) / find('node-stream', bytes),
    workerOverMessageChannel: find('worker', bytes) / find('message-channel', bytes),
    rawSocketOverTcp: find('raw-socket', bytes) / find('tcp', bytes),
  }));
  const k1 = ratios[0];
  const targets = [
    { what: `local channel ≥ 3× the Node stream pipeline at 1 KiB (${rt.build} build)`, value: k1.localOverNodeStream, ok: k1.localOverNodeStream >= 3 },
    { what: `worker transport ≥ 4× one-record-per-message MessageChannel at 1 KiB (${rt.build} build)`, value: k1.workerOverMessageChannel, ok: k1.workerOverMessageChannel >= 4 },
    ...ratios.map((r) => ({ what: `raw socket ÷ TCP channel ≤ 1.5× at ${sizeLabel(r.recordBytes)} (${rt.build} build)`, value: r.rawSocketOverTcp, ok: r.rawSocketOverTcp <= 1.5 })),
  ];
  return { build: rt.build, engine: `node ${process.version}`, quick, rows, ratios, targets, sink };
}

// Standalone: node bench/channels.mjs wasm|js [--quick]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const build = process.argv[2] ?? 'wasm';
  const entry = { wasm: '../dist/index.js', js: '../dist/js.js' }[build];
  if (entry === undefined) throw new Error(`usage: node bench/channels.mjs wasm|js [--quick] (got ${build})`);
  const lib = await import(entry);
  const node = await import('../dist/node.js');
  const result = await measureChannelRows(lib, node, build, { quick: process.argv.includes('--quick') });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
