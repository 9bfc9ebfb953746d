// N workers (2, 4, 8) run random allocate / release / releaseAll / reserve
// sequences against one shared MemoryManager, stamping every page they hold
// and claiming its index in a shared ledger: no page may be held by two
// owners at once, the bytes held never exceed the budget, and everything is
// back at the end. The same for network buffers. Node: worker_threads over
// dist/ (test/threads/worker-node.mjs); Chromium: Web Workers over src/.
import { afterAll, describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { inBrowser, spawnAll, type TestWorker } from './threads/spawn.js';

const PAGE = 4096;
/** Fewer pages than the workers ask for, so that allocations are refused and the budget is contended. */
const OPTIONS = { managedMemory: 48 * PAGE, networkMemory: 24 * PAGE, offHeapMemory: 0, pageSize: PAGE, shared: true } as const;
/** Operations per worker: 8 workers on a 2-core machine finish within a few seconds. */
const OPERATIONS = 4000;

interface RunResult {
  counts: Record<string, number>;
  violations: string[];
  workerId: number;
}

const started: TestWorker[] = [];
afterAll(async () => {
  await Promise.all(started.map((w) => w.terminate()));
});

async function workers(n: number): Promise<TestWorker[]> {
  const list = await spawnAll(n);
  started.push(...list);
  return list;
}

describe.each(builds)('$name build', ({ name, init }) => {
  if (inBrowser) {
    it('the page is cross-origin isolated (the test server sends COOP/COEP)', () => {
      expect(globalThis.crossOriginIsolated).toBe(true);
    });
  }

  describe.each([2, 4, 8])('%i workers', (n) => {
    it('random page and reservation sequences: no page held twice, the budget kept, everything back', async () => {
      const rt = await init(OPTIONS);
      const mm = rt.memoryManager;
      const ledger = new SharedArrayBuffer((mm.pageCount + 1) * 4);
      const pool = await workers(n);
      const results = await Promise.all(
        pool.map((w, i) => w.run<RunResult>({ build: name, task: 'managerRandom', descriptor: rt.share(), seed: 1000 * n + i, operations: OPERATIONS, ledger, tag: i + 1 })),
      );
      for (const r of results) expect(r.violations).toEqual([]);
      // Contention happened: pages were handed out and refused across the workers.
      expect(results.reduce((s, r) => s + r.counts.allocated!, 0)).toBeGreaterThan(n * 500);
      expect(results.some((r) => r.counts.refused! > 0)).toBe(true);
      for (const r of results) expect(r.workerId).toBeGreaterThan(0);
      expect(Array.from(new Int32Array(ledger))).toEqual(new Array(mm.pageCount + 1).fill(0));
      expect(mm.verifyEmpty()).toBe(true);
      expect(mm.availableMemory).toBe(mm.memorySize);
      expect(rt.attachedRuntimes).toBe(1);
      // The table is whole: every page can be taken again, once.
      const all = mm.allocatePages('all', mm.pageCount);
      expect(new Set(all.map((p) => p.address)).size).toBe(mm.pageCount);
      mm.release(all);
      rt.close();
    });

    it('random network segment and buffer sequences: no segment held twice, every one back', async () => {
      const rt = await init(OPTIONS);
      const global = rt.networkBufferPool;
      const total = global.totalNumberOfMemorySegments;
      const ledger = new SharedArrayBuffer((total + 1) * 4);
      const pool = await workers(n);
      const results = await Promise.all(
        pool.map((w, i) => w.run<RunResult>({ build: name, task: 'buffersRandom', descriptor: rt.share(), seed: 7000 * n + i, operations: OPERATIONS, ledger, tag: i + 1 })),
      );
      for (const r of results) expect(r.violations).toEqual([]);
      expect(results.reduce((s, r) => s + r.counts.taken!, 0)).toBeGreaterThan(n * 500);
      expect(Array.from(new Int32Array(ledger, 0, total))).toEqual(new Array(total).fill(0));
      expect(global.numberOfAvailableMemorySegments).toBe(total);
      const every = Array.from({ length: total }, () => global.requestPooledMemorySegment());
      expect(new Set(every.map((s) => s!.address)).size).toBe(total);
      for (const s of every) global.recyclePooledMemorySegment(s!);
      rt.close();
    });
  });
});
