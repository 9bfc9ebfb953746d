// A worker terminated while it holds pages, a reservation and network
// segments: a surviving worker reclaims them by the ended worker's id, and the
// manager is empty afterwards. Node worker_threads and Chromium Web Workers.
import { afterAll, describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { spawn, type TestWorker } from './threads/spawn.js';

const PAGE = 4096;
const OPTIONS = { managedMemory: 32 * PAGE, networkMemory: 16 * PAGE, offHeapMemory: 0, pageSize: PAGE, shared: true } as const;

const started: TestWorker[] = [];
afterAll(async () => {
  await Promise.all(started.map((w) => w.terminate()));
});

describe.each(builds)('$name build', ({ name, init }) => {
  it('a terminated worker leaks nothing: a survivor reclaims its pages, reservation and buffers by id', async () => {
    const rt = await init(OPTIONS);
    const [holder, survivor] = [await spawn(), await spawn()];
    started.push(holder, survivor);
    const holding = holder.next('holding');
    void holder.run({ build: name, task: 'hold', descriptor: rt.share(), pages: 5, bytes: 3 * PAGE, buffers: 4 }).catch(() => undefined);
    const report = await holding;
    expect(report).toMatchObject({ pages: 5, buffers: 4 });
    const id = report.workerId as number;
    expect(rt.memoryManager.availableMemory).toBe(24 * PAGE);
    expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(12);
    expect(rt.attachedRuntimes).toBe(2);
    await holder.terminate();
    // The ended worker's memory is still taken until someone reclaims it.
    expect(rt.memoryManager.verifyEmpty()).toBe(false);
    const reclaimed = await survivor.run<Record<string, number>>({ build: name, task: 'reclaim', descriptor: rt.share(), id });
    expect(reclaimed).toEqual({ pages: 5, bytes: 3 * PAGE, buffers: 4, available: 32 * PAGE, buffersFree: 16 });
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
    expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    // Both ids are free again: the survivor closed, the ended worker's was released.
    expect(rt.attachedRuntimes).toBe(1);
    const pages = rt.memoryManager.allocatePages('all', 32);
    expect(new Set(pages.map((p) => p.address)).size).toBe(32);
    rt.memoryManager.release(pages);
    rt.close();
  });
});
