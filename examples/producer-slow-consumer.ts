// A fast producer and a slow consumer through a bounded buffer pool. The pool
// holds four 32 KiB buffers; once the consumer holds them all, the producer's
// next request waits until one is recycled. That wait is backpressure: the
// producer slows to the consumer's pace and nothing queues without bound.
// The pool reports how long its requests waited.
import { init, type BufferConsumer } from 'segmem';

using rt = await init({ managedMemory: 0, networkMemory: '1mb' }); // 32 network buffers of 32 KiB
const pool = rt.networkBufferPool.createBufferPool({ minSize: 4, maxSize: 4 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const RECORDS = 2000;
const record = new Uint8Array(1024); // 1 KiB records: 32 fit a buffer
const queue: BufferConsumer[] = [];
let wake: (() => void) | null = null;
let producerDone = false;

async function produce(): Promise<void> {
  let builder = await pool.requestBufferBuilderBlocking();
  queue.push(builder.createBufferConsumer());
  for (let n = 0; n < RECORDS; n++) {
    new DataView(record.buffer).setUint32(0, n);
    if (builder.append(record) < record.length) {
      // Full: hand it to the consumer and wait, if need be, for a free buffer.
      builder.finish();
      builder.close();
      wake?.();
      builder = await pool.requestBufferBuilderBlocking();
      queue.push(builder.createBufferConsumer());
      builder.append(record);
    }
    builder.commit();
  }
  builder.finish();
  builder.close();
  producerDone = true;
  wake?.();
}

async function consume(): Promise<number> {
  let expected = 0;
  while (!producerDone || queue.length > 0) {
    const consumer = queue.shift();
    if (consumer === undefined) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    while (!consumer.isFinished()) await sleep(1); // the producer is still filling it
    const buffer = consumer.build();
    const bytes = buffer.bytes();
    for (let at = 0; at < bytes.length; at += record.length) {
      const n = new DataView(bytes.buffer, bytes.byteOffset + at).getUint32(0);
      if (n !== expected++) throw new Error(`record ${n} arrived out of order`);
    }
    await sleep(5); // a slow consumer: 5 ms per buffer
    buffer.recycleBuffer();
    consumer.close();
  }
  return expected;
}

const [, received] = await Promise.all([produce(), consume()]);
console.log(`received ${received} records in order through ${pool.numBuffers} buffers`);
console.log(`the producer waited ${Math.round(pool.backPressuredTimeMs)} ms for buffers (level now ${pool.backPressureLevel})`);
pool.lazyDestroy(); // its buffers go back to the runtime's network pool
const network = rt.networkBufferPool;
console.log(`network buffers free again: ${network.numberOfAvailableMemorySegments} of ${network.totalNumberOfMemorySegments}`);
