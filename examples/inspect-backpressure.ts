// Backpressure you can watch. A producer fills 32 KiB buffers from a pool of
// eight; a consumer reads each buffer and writes its records into a sorter
// (which takes its pages from the managed memory, sorts when they are full,
// and starts over). The consumer is slow at first: the pool runs out, the
// producer waits for buffers, and the inspector shows its level HIGH. Press
// "fast consumer" in the page and the level falls to OK within a second.
//
//   node scripts/run-example.mjs examples/inspect-backpressure.ts [--port 9464] [--seconds 30]
//
// Then open the address it prints. It runs until Ctrl-C, or for --seconds.
// (Needs the optional peer dependency uplot: npm install segmem uplot.)
import { init, InMemorySorter, type BufferConsumer } from 'segmem';
import { serveInspector } from 'segmem/inspect';

const argument = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const rt = await init({ managedMemory: '8mb', networkMemory: '2mb' }); // 64 network buffers of 32 KiB
const pool = rt.networkBufferPool.createBufferPool({ minSize: 8, maxSize: 8, name: 'producer' });
const RECORD = 1024; // 1 KiB records: 32 fit a buffer
const type = { seq: 'int', key: 'int' } as const;

let consumerDelayMs = 40; // per buffer; the producer makes one every 5 ms
const stop = new AbortController();
const queue: BufferConsumer[] = [];
let wake: (() => void) | null = null;
const totals = { produced: 0, consumed: 0, sorted: 0, runs: 0 };

async function produce(): Promise<void> {
  const record = new Uint8Array(RECORD);
  const view = new DataView(record.buffer);
  let seq = 0;
  while (!stop.signal.aborted) {
    // Waits while the consumer holds all eight buffers: that wait is the back-pressure the inspector shows.
    const builder = await pool.requestBufferBuilderBlocking(undefined, { signal: stop.signal }).catch(() => null);
    if (builder === null) break;
    queue.push(builder.createBufferConsumer());
    for (let n = 0; n < 32; n++, seq++) {
      view.setInt32(0, seq);
      view.setInt32(4, (seq * 2654435761) | 0); // a scrambled sort key
      builder.appendAndCommit(record);
    }
    builder.finish();
    builder.close();
    totals.produced += 1;
    wake?.();
    await sleep(5); // reading the input
  }
}

async function consume(): Promise<void> {
  let sorter = new InMemorySorter(rt.memoryManager, { type, key: 'key', pages: 8, owner: 'sorter' });
  while (!stop.signal.aborted) {
    const consumer = queue.shift();
    if (consumer === undefined) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    const buffer = consumer.build();
    const bytes = buffer.bytes();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at < bytes.length; at += RECORD) {
      const record = { seq: view.getInt32(at), key: view.getInt32(at + 4) };
      if (!sorter.write(record)) {
        // The sorter's pages are full: sort them, and start a new run.
        sorter.sort();
        totals.sorted += sorter.size;
        totals.runs += 1;
        sorter.close();
        sorter = new InMemorySorter(rt.memoryManager, { type, key: 'key', pages: 8, owner: 'sorter' });
        sorter.write(record);
      }
    }
    await sleep(consumerDelayMs); // the slow part of consuming
    buffer.recycleBuffer();
    consumer.close();
    totals.consumed += 1;
  }
  sorter.close();
  for (const left of queue.splice(0)) left.close();
}

const inspector = await serveInspector(rt, {
  port: argument('port', 9464),
  title: 'segmem: producer, slow consumer, sorter',
  actions: {
    'fast consumer': () => void (consumerDelayMs = 1),
    'slow consumer': () => void (consumerDelayMs = 40),
  },
});
console.log(`inspector: ${inspector.url}`);

const work = Promise.all([produce(), consume()]);
const finish = () => {
  stop.abort();
  wake?.();
};
process.once('SIGINT', finish);
process.once('SIGTERM', finish);
const seconds = argument('seconds', Infinity);
const deadline = Number.isFinite(seconds) ? setTimeout(finish, seconds * 1000) : undefined;

await work;
clearTimeout(deadline);
console.log(`produced ${totals.produced} buffers, consumed ${totals.consumed}; sorted ${totals.sorted} records in ${totals.runs} runs`);
console.log(`the producer waited ${Math.round(pool.backPressuredTimeMs)} ms for buffers in all`);
pool.lazyDestroy();
rt.close(); // the inspector closes with the runtime
await inspector.closed;
console.log('inspector closed');
