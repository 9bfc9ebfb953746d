// A producer worker and a consumer worker move 256 MiB through one shared
// network pool of 1 MiB (32 segments of 32 KiB): each segment is filled,
// handed over by descriptor through a MessageChannel, adopted, checked word
// by word and recycled; the full pool makes the producer wait for the
// consumer's recycles. Node worker_threads and Chromium Web Workers.
import { afterAll, describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { spawn, type TestWorker } from './threads/spawn.js';

const MOVED = 256 * 2 ** 20;
const OPTIONS = { managedMemory: 0, networkMemory: '1mb', offHeapMemory: 0, shared: true } as const;

const started: TestWorker[] = [];
afterAll(async () => {
  await Promise.all(started.map((w) => w.terminate()));
});

describe.each(builds)('$name build', ({ name, init }) => {
  it('256 MiB from a producer to a consumer worker, with backpressure, bytes identical', { timeout: 60_000 }, async () => {
    const rt = await init(OPTIONS);
    const total = rt.networkBufferPool.totalNumberOfMemorySegments;
    expect(total).toBe(32);
    const [producer, consumer] = [await spawn(), await spawn()];
    started.push(producer, consumer);
    const channel = new MessageChannel();
    const descriptor = rt.share();
    const [sent, received] = await Promise.all([
      producer.run<{ sent: number; waits: number; ms: number }>({ build: name, task: 'produce', descriptor, bytes: MOVED, port: channel.port1 }, [channel.port1]),
      consumer.run<{ received: number; mismatches: number; outOfOrder: number; bytes: number }>({ build: name, task: 'consume', descriptor, port: channel.port2 }, [channel.port2]),
    ]);
    expect(sent.sent).toBe(MOVED / 32768);
    expect(received).toEqual({ received: MOVED / 32768, mismatches: 0, outOfOrder: 0, bytes: MOVED });
    // Backpressure: the producer found the pool empty and waited for the consumer.
    expect(sent.waits).toBeGreaterThan(0);
    expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(total);
    expect(rt.attachedRuntimes).toBe(1);
    rt.close();
  });
});
