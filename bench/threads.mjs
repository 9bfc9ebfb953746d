/**
 * Threads rows: what sharing one memory across workers costs and gives.
 *
 * - W7 (allocate 1000 pages, release them) and W8 (1000 request+recycle
 *   cycles on a LocalBufferPool) on an unshared runtime, on a shared one
 *   from one thread, and from two workers at once on one shared runtime
 *   (each on half: 500 pages, a pool of 1024 buffers). ns per page / cycle,
 *   median of the rounds, each row in fresh workers; the 2-worker figure is each worker's own median
 *   (the mean of the two), so "1 worker → 2 workers" is the cost of
 *   contention, and "unshared → shared" the cost of the atomics.
 * - The page table's lock against the lock-free alternative: a bare free
 *   stack of 1024 indices in a SharedArrayBuffer, one pop + one push per op,
 *   under a CAS spin lock and as a Treiber stack with a 16-bit ABA tag, from
 *   1 and 2 workers.
 * - A producer worker and a consumer worker moving 32 KiB chunks: segmem
 *   (segments of a 1 MiB shared pool handed over by descriptor, the bytes
 *   never copied, backpressure from the pool) against the channels' own
 *   MessagePort transport (a partition in one worker, a gate in the other,
 *   each with its own unshared runtime and 1 MiB pool), a plain MessageChannel
 *   copying each chunk (structured clone) and one transferring a fresh
 *   ArrayBuffer per chunk. GB/s = 10^9 bytes per second, from the producer's
 *   start to the consumer's last chunk.
 *
 *   node bench/threads.mjs wasm|js [--quick]     (prints the result as JSON)
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { summarize } from './harness.mjs';
import * as work from './threads-work.mjs';

const PAGE = 32768;
const W7_PAGES = 1000;
const W8_BUFFERS = 2048;
const CHUNK = 32768;

/** Runs `messages` in as many workers at once (released together by a barrier); resolves with their { start, end, result }. */
function inWorkers(messages, transfers = []) {
  const barrier = new SharedArrayBuffer(4);
  return Promise.all(
    messages.map(
      (message, i) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL('./threads-worker.mjs', import.meta.url));
          worker.once('message', (report) => {
            resolve(report);
            void worker.terminate();
          });
          worker.once('error', reject);
          worker.postMessage({ ...message, barrier, parties: messages.length }, transfers[i] ?? []);
        }),
    ),
  );
}

/** 'wasm' or 'js': which build `lib` is, from a runtime it makes. */
async function buildOf(lib) {
  const rt = await lib.init({ managedMemory: PAGE, networkMemory: 0, offHeapMemory: 0 });
  rt.close();
  return rt.build;
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const row = (id, title, r, extra = {}) => ({ id, title, median: r.median, min: r.min, max: r.max, ...extra });

async function managerRows(lib, settings) {
  const rows = [];
  const build = await buildOf(lib);
  const options = (shared) => ({ managedMemory: W7_PAGES * PAGE, networkMemory: W8_BUFFERS * PAGE, offHeapMemory: 0, shared });
  const alone = async (task, shared) => (await inWorkers([{ build, init: options(shared), task, pages: W7_PAGES, buffers: W8_BUFFERS, settings }]))[0].result;
  rows.push(row('w7-unshared', 'W7, unshared runtime, 1000 pages', await alone('w7', false)));
  rows.push(row('w8-unshared', 'W8, unshared runtime, pool of 2048', await alone('w8', false)));
  rows.push(row('w7-shared-1', 'W7, shared runtime, 1 thread, 1000 pages', await alone('w7', true)));
  rows.push(row('w8-shared-1', 'W8, shared runtime, 1 thread, pool of 2048', await alone('w8', true)));
  const shared = await lib.init(options(true));
  const descriptor = shared.share();
  const two = async (task, size) => {
    const reports = await inWorkers([0, 1].map(() => ({ build, descriptor, task, pages: size, buffers: size, settings })));
    const medians = reports.map((r) => r.result.median);
    return { median: mean(medians), min: Math.min(...medians), max: Math.max(...medians), perWorker: medians };
  };
  rows.push(row('w7-shared-2', 'W7, shared runtime, 2 workers at once, 500 pages each', await two('w7', W7_PAGES / 2)));
  rows.push(row('w8-shared-2', 'W8, shared runtime, 2 workers at once, pool of 1024 each', await two('w8', W8_BUFFERS / 2)));
  if (!shared.memoryManager.verifyEmpty()) throw new Error('threads bench: the shared manager is not empty after the W7 rows');
  shared.close();
  return rows;
}

async function lockRows(settings) {
  const rows = [];
  for (const [task, name] of [['spin', 'CAS spin lock'], ['lockfree', 'lock-free, ABA-tagged']]) {
    for (const workers of [1, 2]) {
      const stack = new SharedArrayBuffer((4 + 2 * work.STACK_SIZE) * 4);
      work.layOutStacks(new Int32Array(stack));
      const reports = await inWorkers(Array.from({ length: workers }, () => ({ task, stack, settings })));
      const medians = reports.map((r) => r.result.median);
      rows.push(row(`stack-${task}-${workers}`, `free stack pop+push, ${name}, ${workers} worker${workers > 1 ? 's' : ''}`, { median: mean(medians), min: Math.min(...medians), max: Math.max(...medians) }));
    }
  }
  return rows;
}

async function pairRows(lib, { chunks, rounds }) {
  const rows = [];
  const build = await buildOf(lib);
  for (const transport of ['segmem', 'channel', 'clone', 'transfer']) {
    const gbps = [];
    for (let r = 0; r < rounds; r++) {
      const rt = transport === 'segmem' ? await lib.init({ managedMemory: 0, networkMemory: '1mb', offHeapMemory: 0, shared: true }) : null;
      const descriptor = rt?.share();
      // The channel row: each worker has an unshared runtime with a 1 MiB network pool of its own.
      const own = transport === 'channel' ? { build, init: { managedMemory: 0, networkMemory: '1mb', offHeapMemory: 0 } } : { build: rt?.build, descriptor };
      const { port1, port2 } = new MessageChannel();
      const [producer, consumer] = await inWorkers(
        [
          { ...own, task: 'produce', transport, port: port1, count: chunks, size: CHUNK },
          { ...own, task: 'consume', transport, port: port2 },
        ],
        [[port1], [port2]],
      );
      if (typeof consumer.result !== 'number') throw new Error('threads bench: the consumer returned no sink');
      gbps.push((chunks * CHUNK) / ((consumer.end - producer.start) * 1e6));
      if (rt !== null) {
        if (rt.networkBufferPool.numberOfAvailableMemorySegments !== rt.networkBufferPool.totalNumberOfMemorySegments) throw new Error('threads bench: segments left out after the pair');
        rt.close();
      }
    }
    const title = { segmem: 'segmem: shared pool, hand-over by descriptor', channel: 'segmem channel over a MessagePort, two runtimes (records of 32 KiB − 4 bytes)', clone: 'MessageChannel, chunk copied (structured clone)', transfer: 'MessageChannel, fresh ArrayBuffer transferred' }[transport];
    rows.push(row(`pair-${transport}`, `${title}, 32 KiB chunks`, summarize(gbps), { unit: 'GB/s', bytes: chunks * CHUNK }));
  }
  return rows;
}

/** Measures every row for one build (`lib`: dist/index.js or dist/js.js). */
export async function measureThreadsRows(lib, { quick = false } = {}) {
  const settings = quick ? { warmupMs: 100, rounds: 3, roundMs: 30 } : { warmupMs: 1000, rounds: 7, roundMs: 150 };
  const pair = quick ? { chunks: 1024, rounds: 1 } : { chunks: 8192, rounds: 3 };
  const rows = [...(await managerRows(lib, settings)), ...(await lockRows(settings)), ...(await pairRows(lib, pair))];
  const get = (id) => rows.find((r) => r.id === id).median;
  const ratios = {
    w7SharedOverUnshared: get('w7-shared-1') / get('w7-unshared'),
    w7TwoOverOne: get('w7-shared-2') / get('w7-shared-1'),
    w8SharedOverUnshared: get('w8-shared-1') / get('w8-unshared'),
    w8TwoOverOne: get('w8-shared-2') / get('w8-shared-1'),
    lockFreeOverSpin2: get('stack-lockfree-2') / get('stack-spin-2'),
    segmemOverClone: get('pair-segmem') / get('pair-clone'),
    segmemOverTransfer: get('pair-segmem') / get('pair-transfer'),
    segmemOverChannel: get('pair-segmem') / get('pair-channel'),
  };
  return { build: await buildOf(lib), engine: `node ${process.version}`, quick, rows, ratios };
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** The Markdown of the threads section (registered in bench/extra-rows.mjs). */
export function renderThreads(section) {
  const out = [`## ${section.title}`, ''];
  out.push(
    'ns per op (W7: per page; W8: per request+recycle; stacks: per pop+push), median of the rounds; the 2-worker rows are the mean of each worker\'s median, both running at once on one shared runtime (each on half of it). Pair rows: GB/s (10^9 bytes/s) of 32 KiB chunks from a producer worker to a consumer worker, median of the rounds. Produced by `node bench/threads.mjs wasm|js`.',
    '',
  );
  for (const engine of section.engines) {
    for (const build of ['wasm', 'js']) {
      const result = engine.builds[build];
      if (!result) continue;
      out.push(`### ${engine.id}, ${build} build: ${result.engine}${result.quick ? ' (quick run: not a measurement)' : ''}`, '');
      out.push('| row | median | range |', '| --- | --- | --- |');
      for (const r of result.rows) out.push(`| ${r.title} | ${fmt(r.median)}${r.unit ? ` ${r.unit}` : ' ns'} | ${fmt(r.min)}–${fmt(r.max)} |`);
      const q = result.ratios;
      out.push(
        '',
        `W7 shared ÷ unshared ${q.w7SharedOverUnshared.toFixed(2)}×, 2 workers ÷ 1 ${q.w7TwoOverOne.toFixed(2)}×; W8 shared ÷ unshared ${q.w8SharedOverUnshared.toFixed(2)}×, 2 workers ÷ 1 ${q.w8TwoOverOne.toFixed(2)}×; ` +
          `lock-free ÷ spin lock (2 workers) ${q.lockFreeOverSpin2.toFixed(2)}×; segmem pair ÷ copying MessageChannel ${q.segmemOverClone.toFixed(1)}×, ÷ transferring ${q.segmemOverTransfer.toFixed(1)}×` +
          (q.segmemOverChannel === undefined ? '.' : `, ÷ the channels' MessagePort transport ${q.segmemOverChannel.toFixed(1)}×.`),
        '',
      );
    }
  }
  return out;
}

// Standalone: node bench/threads.mjs wasm|js [--quick]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const build = process.argv[2] ?? 'wasm';
  const entry = { wasm: '../dist/index.js', js: '../dist/js.js' }[build];
  if (entry === undefined) throw new Error(`usage: node bench/threads.mjs wasm|js [--quick] (got ${build})`);
  const lib = await import(entry);
  const result = await measureThreadsRows(lib, { quick: process.argv.includes('--quick') });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
