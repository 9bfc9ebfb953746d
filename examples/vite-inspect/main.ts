// The inspector inside a browser app, bundled by Vite: a producer fills
// buffers from a pool of four, a consumer drains them slowly, and the
// inspector, mounted in the page, shows the producer back-pressured (HIGH).
// The "fast consumer" button speeds the consumer up, and the level falls to
// OK. npm install, then npm run dev.
import { init, type BufferConsumer } from 'segmem';
import { mountInspector } from 'segmem/inspect';

const rt = await init({ managedMemory: '4mb', networkMemory: '1mb' });
const pool = rt.networkBufferPool.createBufferPool({ minSize: 4, maxSize: 4, name: 'producer' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let consumerDelayMs = 40; // per buffer; the producer makes one every 5 ms
const queue: BufferConsumer[] = [];
let wake: (() => void) | null = null;

async function produce(): Promise<never> {
  const record = new Uint8Array(1024);
  for (;;) {
    const builder = await pool.requestBufferBuilderBlocking(); // waits while the consumer holds all four
    queue.push(builder.createBufferConsumer());
    while (builder.append(record) === record.length) builder.commit();
    builder.finish();
    builder.close();
    wake?.();
    await sleep(5);
  }
}

async function consume(): Promise<never> {
  for (;;) {
    const consumer = queue.shift();
    if (consumer === undefined) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    const buffer = consumer.build();
    await sleep(consumerDelayMs);
    buffer.recycleBuffer();
    consumer.close();
  }
}

const inspector = mountInspector(document.querySelector<HTMLElement>('#inspector')!, rt, {
  title: 'segmem in a browser app',
  actions: {
    'fast consumer': () => void (consumerDelayMs = 1),
    'slow consumer': () => void (consumerDelayMs = 40),
  },
});
// Kept on the page so that its last snapshot can be read from the console.
Object.assign(globalThis, { segmemInspector: inspector });
void produce();
void consume();
