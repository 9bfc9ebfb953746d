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
  it('a worker that ended holding a table lock: releaseAllOf poisons the lock, and a worker waiting for it fails with ERR_ILLEGAL_STATE instead of waiting forever', { timeout: 20_000 }, async () => {
    const rt = await init(OPTIONS);
    const waiter = await spawn();
    started.push(waiter);
    // As if worker 5 had been terminated inside a page-table operation: the lock word still names it.
    const words = new Int32Array(rt.memory.buffer);
    const lock = (rt.layout.managedTable + 28) >>> 2;
    const dead = 5;
    words[lock] = dead + 1;
    const asking = waiter.next('asking');
    const outcome = waiter.run<string>({ build: name, task: 'askForPage', descriptor: rt.share() });
    await asking;
    // It waits (sleeping in Atomics.wait between spins) until the lock is given back or poisoned.
    await new Promise((resolve) => setTimeout(resolve, 100));
    let error: unknown = null;
    try {
      rt.releaseAllOf(dead);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'ERR_ILLEGAL_STATE', message: expect.stringContaining(`worker ${dead} holds the lock of the page table`) });
    expect(await outcome).toBe('ERR_ILLEGAL_STATE');
    // Every later operation on the page table fails too, naming the worker; nothing was taken.
    expect(() => rt.memoryManager.allocatePages('late', 1)).toThrow(expect.objectContaining({ code: 'ERR_ILLEGAL_STATE', message: expect.stringContaining(`worker ${dead} ended inside one of its operations`) }));
    expect(rt.memoryManager.availableMemory).toBe(32 * PAGE);
    words[lock] = 0;
    rt.close();
  });

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
