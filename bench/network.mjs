/**
 * Network rows: records moved from a producer to a consumer, three ways,
 * with the same bytes in one run.
 *
 * - segmem: a BufferBuilder appends each record and commits it; its
 *   BufferConsumer builds the newly committed range as a retained slice, the
 *   reader touches it and recycles it; a full builder is closed and the next
 *   one requested from a LocalBufferPool. One builder at a time, so the pool
 *   never waits: this is the cost of the buffers themselves.
 * - Node: stream.pipeline(Readable → Writable), one fresh Buffer per chunk
 *   (the record copied into it), the Writable touching each chunk.
 * - WHATWG: ReadableStream.pipeTo(WritableStream), default queuing
 *   strategies, one fresh Uint8Array per chunk, the same touch.
 *
 * Every reader adds the chunk's first byte to a sink, each with its natural
 * accessor (segmem: the segment's get() at the slice's offset; streams: the
 * chunk's index), so no row can skip the data; none reads every byte (none
 * of them is about parsing). GB/s =
 * 10^9 bytes per second of records moved.
 *
 * `NETWORK_ROWS` are the row definitions; `measureNetworkRows(lib, options)`
 * measures them for one build (the segmem rows on that build's own runtime;
 * the stream rows are the same on either build) and returns the rows with
 * their figures, the ratios and the targets. Standalone:
 *
 *   node bench/network.mjs wasm|js [--quick]     (prints the result as JSON)
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { summarize } from './harness.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;
const SEG = 32768;
/** Buffers in the pool the segmem rows draw from. */
const POOL = 8;

const sizeLabel = (bytes) => (bytes >= KiB ? `${bytes / KiB} KiB` : `${bytes} B`);

/** Bytes moved per timed pass, by record size: a pass lasts tens of milliseconds on the slowest row of its size. */
const PASS_BYTES = { 64: 8 * MiB, 1024: 32 * MiB, 16384: 64 * MiB };

export const RECORD_SIZES = [64, 1024, 16384];

export const NETWORK_ROWS = RECORD_SIZES.flatMap((bytes) => [
  {
    id: `net-builder-${bytes}`,
    kind: 'segmem',
    recordBytes: bytes,
    title: `BufferBuilder → BufferConsumer, ${sizeLabel(bytes)} records (append, commit, build, read, recycle)`,
  },
  {
    id: `net-node-stream-${bytes}`,
    kind: 'node-stream',
    recordBytes: bytes,
    title: `Node stream.pipeline Readable → Writable, a fresh Buffer per ${sizeLabel(bytes)} chunk`,
  },
  {
    id: `net-whatwg-${bytes}`,
    kind: 'whatwg',
    recordBytes: bytes,
    title: `WHATWG ReadableStream.pipeTo(WritableStream), a fresh Uint8Array per ${sizeLabel(bytes)} chunk`,
  },
]);

/** A record of `bytes` bytes with a recognisable pattern. */
function recordOf(bytes) {
  const record = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) record[i] = (i * 31 + 7) & 0xff;
  return record;
}

/** One segmem pass: `total` bytes of `record`s through builders of `pool`. Returns the sink. (bench/inspect.mjs runs it too.) */
export function builderPass(pool, record, total) {
  let sink = 0;
  let moved = 0;
  const length = record.length;
  let builder = pool.requestBufferBuilder();
  let consumer = builder.createBufferConsumer();
  while (moved < total) {
    let offset = 0;
    while (offset < length) {
      offset += builder.append(record, offset, length - offset);
      builder.commit();
      const built = consumer.build();
      // Read through the segment, as a segmem reader does (bytes() would make a view per record).
      sink += built.memorySegment.get(built.memorySegmentOffset);
      built.recycleBuffer();
      if (builder.isFull()) {
        builder.close();
        consumer.close();
        builder = pool.requestBufferBuilder();
        consumer = builder.createBufferConsumer();
      }
    }
    moved += length;
  }
  builder.close();
  consumer.close();
  return sink;
}

/** One Node stream pass. */
async function nodeStreamPass(record, total) {
  let produced = 0;
  let sink = 0;
  const length = record.length;
  const source = new Readable({
    read() {
      while (produced < total) {
        const chunk = Buffer.allocUnsafe(length);
        chunk.set(record);
        produced += length;
        if (!this.push(chunk)) return;
      }
      this.push(null);
    },
  });
  const target = new Writable({
    write(chunk, _encoding, callback) {
      sink += chunk[0];
      callback();
    },
  });
  await pipeline(source, target);
  return sink;
}

/** One WHATWG streams pass. */
async function whatwgPass(record, total) {
  let produced = 0;
  let sink = 0;
  const length = record.length;
  const source = new ReadableStream({
    pull(controller) {
      if (produced >= total) {
        controller.close();
        return;
      }
      const chunk = new Uint8Array(length);
      chunk.set(record);
      produced += length;
      controller.enqueue(chunk);
    },
  });
  const target = new WritableStream({
    write(chunk) {
      sink += chunk[0];
    },
  });
  await source.pipeTo(target);
  return sink;
}

/** Warm-up passes, then timed ones: GB/s per pass, summarised. */
async function timePasses(pass, bytes, { warmupPasses, passes }) {
  let sink = 0;
  for (let i = 0; i < warmupPasses; i++) sink += await pass();
  const gbps = [];
  for (let i = 0; i < passes; i++) {
    const t0 = process.hrtime.bigint();
    sink += await pass();
    const ns = Number(process.hrtime.bigint() - t0);
    gbps.push(bytes / ns);
  }
  return { ...summarize(gbps), sink };
}

/**
 * Measures every row for one build. `lib` is the build's module (dist/index.js
 * or dist/js.js); the segmem rows run on a runtime of their own with POOL
 * network buffers, closed at the end.
 */
export async function measureNetworkRows(lib, { quick = false } = {}) {
  const settings = quick ? { warmupPasses: 1, passes: 3, scale: 0.25 } : { warmupPasses: 3, passes: 7, scale: 1 };
  const rt = await lib.init({ managedMemory: 0, networkMemory: POOL * SEG, offHeapMemory: 0, pageSize: SEG });
  const pool = rt.networkBufferPool.createBufferPool({ minSize: POOL, maxSize: POOL });
  const rows = [];
  let sink = 0;
  try {
    for (const row of NETWORK_ROWS) {
      const record = recordOf(row.recordBytes);
      const total = Math.max(row.recordBytes, Math.round(PASS_BYTES[row.recordBytes] * settings.scale));
      const pass =
        row.kind === 'segmem'
          ? () => builderPass(pool, record, total)
          : row.kind === 'node-stream'
            ? () => nodeStreamPass(record, total)
            : () => whatwgPass(record, total);
      // Each pass reads the first byte of every chunk: the sink of one pass is known.
      const expected = await pass();
      const { sink: s, ...gbps } = await timePasses(pass, total, settings);
      sink += s + expected;
      rows.push({ ...row, build: rt.build, bytesPerPass: total, gbps, nsPerRecord: row.recordBytes / gbps.median });
    }
    if (pool.numberOfAvailableMemorySegments !== POOL) throw new Error(`network rows: ${POOL - pool.numberOfAvailableMemorySegments} buffers not recycled`);
  } finally {
    pool.lazyDestroy();
    rt.close();
  }
  const find = (kind, bytes) => rows.find((r) => r.kind === kind && r.recordBytes === bytes).gbps.median;
  const ratios = RECORD_SIZES.map((bytes) => ({
    recordBytes: bytes,
    overNodeStream: find('segmem', bytes) / find('node-stream', bytes),
    overWhatwg: find('segmem', bytes) / find('whatwg', bytes),
  }));
  const at1k = find('segmem', 1024);
  const targets = [
    { what: `builder → consumer ≥ 5 GB/s at 1 KiB (${rt.build} build)`, value: at1k, ok: at1k >= 5 },
    { what: `builder → consumer ≥ 3× the Node stream pipeline at 1 KiB (${rt.build} build)`, value: ratios[1].overNodeStream, ok: ratios[1].overNodeStream >= 3 },
  ];
  return { build: rt.build, engine: `node ${process.version}`, quick, rows, ratios, targets, sink };
}

// Standalone: node bench/network.mjs wasm|js [--quick]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const build = process.argv[2] ?? 'wasm';
  const entry = { wasm: '../dist/index.js', js: '../dist/js.js' }[build];
  if (entry === undefined) throw new Error(`usage: node bench/network.mjs wasm|js [--quick] (got ${build})`);
  const lib = await import(entry);
  const result = await measureNetworkRows(lib, { quick: process.argv.includes('--quick') });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
