// A pending wait for network segments keeps a Node worker alive: a pending
// Atomics.waitAsync alone does not, so a worker whose only task is that wait
// would exit before the segment it waits for comes back.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';

describe.each(builds)('$name build', ({ name, init }) => {
  it('a worker waiting only for a segment stays alive until another worker recycles one', async () => {
    const rt = await init({ managedMemory: 0, networkMemory: 4 * 4096, offHeapMemory: 0, pageSize: 4096, shared: true });
    const held = Array.from({ length: 4 }, () => rt.networkBufferPool.requestPooledMemorySegment()!);
    const worker = new Worker(new URL('./threads/wait-alone.mjs', import.meta.url), { workerData: { build: name, descriptor: rt.share() } });
    const messages: string[] = [];
    const exited = new Promise<number>((resolve) => worker.on('exit', resolve));
    await new Promise<void>((resolve) => worker.on('message', (m: string) => (messages.push(m), m === 'waiting' && resolve())));
    // Long enough for an unreferenced worker with nothing pending to have exited.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(messages).toEqual(['waiting']);
    rt.networkBufferPool.recyclePooledMemorySegment(held.pop()!);
    expect(await exited).toBe(0);
    expect(messages).toEqual(['waiting', 'got']);
    for (const s of held) rt.networkBufferPool.recyclePooledMemorySegment(s);
    expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(4);
    expect(rt.attachedRuntimes).toBe(1);
    rt.close();
  });
});
