/**
 * The workloads of bench/threads.mjs, run in the main thread (unshared and
 * shared 1-worker rows) and in its workers (bench/threads-worker.mjs, the
 * 2-worker rows): W7 and W8 of bench-workloads.md, scaled to a share of the
 * memory when several workers run them at once, the producer and consumer of
 * the cross-worker pair, and the bare free stacks of the lock comparison.
 */
import { timeRounds } from './harness.mjs';

/** W7: allocatePages(owner, pages) then release(all); ns per page. */
export function w7(rt, pages, settings) {
  const mm = rt.memoryManager;
  const owner = `w7-${rt.workerId}`;
  return timeRounds(
    (n) => {
      let sink = 0;
      for (let k = 0; k < n; k++) {
        const held = mm.allocatePages(owner, pages);
        sink += held.length;
        mm.release(held);
      }
      return sink;
    },
    pages,
    settings,
  );
}

/** W8: 1000 × { requestBuffer, recycleBuffer } on a LocalBufferPool of `buffers` (min = max); ns per cycle. */
export function w8(rt, buffers, settings) {
  const pool = rt.networkBufferPool.createBufferPool({ minSize: buffers, maxSize: buffers });
  try {
    return timeRounds(
      (n) => {
        let s = 0;
        for (let k = 0; k < n; k++) {
          for (let i = 0; i < 1000; i++) {
            const b = pool.requestBuffer();
            s += b.maxCapacity;
            b.recycleBuffer();
          }
        }
        return s;
      },
      1000,
      settings,
    );
  } finally {
    pool.lazyDestroy();
  }
}

/**
 * Two bare free stacks of page indices over one SharedArrayBuffer, popped and
 * pushed back by every worker at once: what the page table's lock costs
 * against the lock-free alternative it was measured against.
 *
 *   words[0] lock (spin)   words[1] top (spin)   words[2] head (lock-free: index | tag << 16)
 *   words[4 ..]            stack (spin)          next links (lock-free)
 */
export const STACK_SIZE = 1024;

export function layOutStacks(words) {
  words.fill(0);
  words[1] = STACK_SIZE;
  for (let i = 0; i < STACK_SIZE; i++) words[4 + i] = i;
  // Lock-free: a linked stack 0 → 1 → … → STACK_SIZE - 1, 0xffff ends it.
  for (let i = 0; i < STACK_SIZE; i++) words[4 + STACK_SIZE + i] = i + 1 < STACK_SIZE ? i + 1 : 0xffff;
  words[2] = 0;
}

/** One pop and one push under a CAS spin lock; ns per pop+push. */
export function spinStack(words, settings) {
  const pass = (n) => {
    let sink = 0;
    for (let k = 0; k < n * 1000; k++) {
      while (Atomics.compareExchange(words, 0, 0, 1) !== 0);
      const top = words[1] - 1;
      const page = words[4 + top];
      words[1] = top;
      Atomics.store(words, 0, 0);
      sink += page;
      while (Atomics.compareExchange(words, 0, 0, 1) !== 0);
      words[4 + words[1]] = page;
      words[1] += 1;
      Atomics.store(words, 0, 0);
    }
    return sink;
  };
  return timeRounds(pass, 1000, settings);
}

/** One pop and one push on a Treiber stack whose head carries a 16-bit ABA tag; ns per pop+push. */
export function lockFreeStack(words, settings) {
  const next = 4 + STACK_SIZE;
  const pass = (n) => {
    let sink = 0;
    for (let k = 0; k < n * 1000; k++) {
      let head, page;
      do {
        head = Atomics.load(words, 2);
        page = head & 0xffff;
      } while (Atomics.compareExchange(words, 2, head, (Atomics.load(words, next + page) & 0xffff) | ((((head >>> 16) + 1) & 0xffff) << 16)) !== head);
      sink += page;
      do {
        head = Atomics.load(words, 2);
        Atomics.store(words, next + page, head & 0xffff);
      } while (Atomics.compareExchange(words, 2, head, page | ((((head >>> 16) + 1) & 0xffff) << 16)) !== head);
    }
    return sink;
  };
  return timeRounds(pass, 1000, settings);
}

/** Fills a 32 KiB chunk with bytes derived from `seq` (a few words, so the fill costs little beside the transport). */
function stamp(bytes, seq) {
  bytes[0] = seq & 0xff;
  bytes[bytes.length - 1] = (seq >>> 8) & 0xff;
}

/**
 * The producer of a cross-worker pair: `count` chunks of `size` bytes to
 * `port`, by one of three transports:
 * - 'segmem': a network segment of the shared pool, filled in place, handed
 *   over by descriptor (the bytes never move); a full pool makes it wait.
 * - 'clone': a plain MessageChannel, the chunk copied by structured clone.
 * - 'transfer': a plain MessageChannel, a fresh ArrayBuffer per chunk, transferred.
 * - 'channel': the channels' MessagePort transport between two unshared
 *   runtimes (`lib` the build): records of `size` − 4 bytes, so that each
 *   32 KiB buffer carries one record with its length prefix; credit from
 *   the consumer's gate makes it wait.
 */
export async function produce(rt, transport, port, count, size, lib) {
  if (transport === 'channel') return produceOverChannel(lib, rt, port, count, size);
  const pool = rt?.networkBufferPool;
  const chunk = new Uint8Array(size);
  for (let seq = 0; seq < count; seq++) {
    if (transport === 'segmem') {
      let segment = pool.requestPooledMemorySegment();
      while (segment === null) {
        await pool.whenAvailable();
        segment = pool.requestPooledMemorySegment();
      }
      stamp(segment.wrap(0, size), seq);
      port.postMessage(pool.handOver(segment));
    } else if (transport === 'clone') {
      stamp(chunk, seq);
      port.postMessage(chunk);
    } else {
      const fresh = new Uint8Array(size);
      stamp(fresh, seq);
      port.postMessage(fresh, [fresh.buffer]);
    }
    // Let the consumer's recycles and the port's queue drain now and then (clone and transfer have no backpressure of their own).
    if (transport !== 'segmem' && (seq & 63) === 63) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  port.postMessage(null);
}

/** The 'channel' producer: a partition of one subpartition connected to `port`. */
async function produceOverChannel(lib, rt, port, count, size) {
  const partition = new lib.ResultPartition(rt.networkBufferPool, { numSubpartitions: 1 });
  lib.connectPartition(partition, lib.messagePortTransport(port));
  const writer = new lib.RecordWriter(partition);
  const record = new Uint8Array(size - 4);
  for (let seq = 0; seq < count; seq++) {
    stamp(record, seq);
    const wait = writer.write(0, record);
    if (wait !== undefined) await wait;
  }
  await partition.finish();
  partition.release();
}

/** The 'channel' consumer: an input gate over `port`, reading two bytes of every record; resolves with the sum. */
async function consumeOverChannel(lib, rt, port) {
  const gate = new lib.InputGate(rt.networkBufferPool, { transport: lib.messagePortTransport(port), numChannels: 1 });
  const reader = new lib.RecordReader(gate);
  let sink = 0;
  for (;;) {
    let record = reader.poll();
    if (record === null) {
      record = await reader.next();
      if (record === null) break;
    }
    sink += record[0] + record[record.length - 1];
  }
  gate.release();
  return sink;
}

/** The consumer: reads two bytes of every chunk (adopting and recycling segmem's); resolves with the sum at the end. */
export function consume(rt, transport, port, lib) {
  if (transport === 'channel') return consumeOverChannel(lib, rt, port);
  const pool = rt?.networkBufferPool;
  let sink = 0;
  return new Promise((resolve) => {
    port.onmessage = (event) => {
      const data = event.data;
      if (data === null) {
        port.onmessage = null;
        resolve(sink);
        return;
      }
      if (transport === 'segmem') {
        const segment = pool.adopt(data);
        sink += segment.get(0) + segment.get(segment.size - 1);
        pool.recyclePooledMemorySegment(segment);
      } else sink += data[0] + data[data.length - 1];
    };
  });
}
