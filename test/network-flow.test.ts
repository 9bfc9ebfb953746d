// A fast producer and a slow consumer move 256 MiB of length-prefixed records
// through a small pool on both builds: every byte arrives in order, the
// buffers in use never exceed the pool, back-pressured time is reported, and
// afterwards every segment is back in the global pool.
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import type { BufferBuilder, BufferConsumer } from '../src/index.js';

const MiB = 1024 * 1024;
const TOTAL = 256 * MiB;
const SEG = 32768;
const POOL = 8;
const HEADER = 8;
const MAX_PAYLOAD = 2000;

/** The payload length of record `seq`: 100 to 1999 bytes, varying so records straddle buffers at every offset. */
const payloadLength = (seq: number): number => 100 + ((seq * 7919) % 1900);

/** The running hash: h' = h·31 + byte (mod 2^32), over every payload byte in order. */
const step = (h: number, byte: number): number => (Math.imul(h, 31) + byte) | 0;

describe.each(builds)('$name build', ({ init }) => {
  it('256 MiB through a pool of 8 buffers: in order, bounded, back-pressured, nothing left out', { timeout: 60_000 }, async () => {
    const rt = await init({ managedMemory: '128kb', networkMemory: 16 * SEG });
    const nbp = rt.networkBufferPool;
    const pool = nbp.createBufferPool({ minSize: POOL, maxSize: POOL });

    // One record buffer, reused: the payload pattern is fixed, the header changes per record.
    const record = new Uint8Array(HEADER + MAX_PAYLOAD);
    const header = new DataView(record.buffer);
    for (let i = 0; i < MAX_PAYLOAD; i++) record[HEADER + i] = (i * 13 + 5) & 0xff;
    // The hash of a record's payload follows from its length: h·31^len + H(pattern[0..len)).
    const pow = new Int32Array(MAX_PAYLOAD + 1);
    const prefix = new Int32Array(MAX_PAYLOAD + 1);
    pow[0] = 1;
    for (let i = 0; i < MAX_PAYLOAD; i++) {
      pow[i + 1] = Math.imul(pow[i]!, 31);
      prefix[i + 1] = step(prefix[i]!, record[HEADER + i]!);
    }

    const queue: BufferConsumer[] = [];
    let wake: (() => void) | null = null;
    let producerDone = false;
    let maxInUse = 0;
    let waits = 0;
    const inUse = () => pool.numberOfRequestedMemorySegments - pool.numberOfAvailableMemorySegments;
    const hand = (c: BufferConsumer) => {
      queue.push(c);
      wake?.();
      wake = null;
    };

    let expectedHash = 0;
    let records = 0;
    const producer = async () => {
      let builder: BufferBuilder | null = null;
      let written = 0;
      const next = async (): Promise<BufferBuilder> => {
        if (pool.numberOfAvailableMemorySegments === 0) waits++;
        const b = await pool.requestBufferBuilderBlocking();
        maxInUse = Math.max(maxInUse, inUse());
        hand(b.createBufferConsumer());
        return b;
      };
      builder = await next();
      for (let seq = 0; written < TOTAL; seq++) {
        const len = payloadLength(seq);
        header.setUint32(0, len, true);
        header.setUint32(4, seq, true);
        let offset = 0;
        const size = HEADER + len;
        while (offset < size) {
          offset += builder.append(record, offset, size - offset);
          if (builder.isFull()) {
            builder.finish();
            builder.close();
            builder = await next();
          }
        }
        builder.commit();
        expectedHash = (Math.imul(expectedHash, pow[len]!) + prefix[len]!) | 0;
        written += size;
        records++;
      }
      builder.finish();
      builder.close();
      producerDone = true;
      wake?.();
    };

    let hash = 0;
    let received = 0;
    let seqSeen = 0;
    let bad = 0;
    const consumer = async () => {
      // Parser state across buffers: header bytes collected so far, then payload bytes left.
      const head = new Uint8Array(HEADER);
      const headView = new DataView(head.buffer);
      let headFill = 0;
      let left = 0;
      let buffers = 0;
      for (;;) {
        const c = queue[0];
        if (c === undefined || (!c.isFinished() && !c.isDataAvailable())) {
          if (producerDone && c === undefined) break;
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        const built = c.build();
        const bytes = built.bytes();
        let i = 0;
        const n = bytes.length;
        while (i < n) {
          if (left === 0) {
            head[headFill++] = bytes[i++]!;
            if (headFill === HEADER) {
              headFill = 0;
              left = headView.getUint32(0, true);
              if (headView.getUint32(4, true) !== seqSeen || left !== payloadLength(seqSeen)) bad++;
              seqSeen++;
            }
            continue;
          }
          const start = i;
          const end = Math.min(n, i + left);
          let h = hash;
          for (; i < end; i++) h = (Math.imul(h, 31) + bytes[i]!) | 0;
          hash = h;
          left -= end - start;
        }
        received += n;
        built.recycleBuffer();
        if (c.isFinished() && !c.isDataAvailable()) {
          c.close();
          queue.shift();
          // The slow part: every few buffers the consumer yields to the event loop.
          if (++buffers % 32 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
        }
      }
    };

    await Promise.all([producer(), consumer()]);
    expect(bad).toBe(0);
    expect(seqSeen).toBe(records);
    expect(received).toBeGreaterThanOrEqual(TOTAL);
    expect(hash).toBe(expectedHash);
    expect(maxInUse).toBeLessThanOrEqual(POOL);
    expect(waits).toBeGreaterThan(0);
    expect(pool.backPressuredTimeMs).toBeGreaterThan(0);
    expect(['OK', 'LOW', 'HIGH']).toContain(pool.backPressureLevel);
    expect(pool.numberOfAvailableMemorySegments).toBe(POOL);
    pool.lazyDestroy();
    expect(nbp.numberOfAvailableMemorySegments).toBe(nbp.totalNumberOfMemorySegments);
    rt.close();
  });
});
