// Leak detection of the MemoryManager: pages and shared-resource leases that
// become garbage without being released are reported and their memory comes
// back; with detection off, the manager still frees everything it handed out.
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import type { LeakReport, MemoryManager, MemorySegment } from '../src/index.js';

const PAGE = 4096;
const PAGES = 16;
const MEMORY = PAGES * PAGE;

const gc = (globalThis as { gc?: () => void }).gc;

/** One macrotask: lets finalization callbacks run and ends the job that kept WeakRef targets alive. */
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Collects garbage and yields until `done()` holds, at most `rounds` times; returns whether it held. */
async function collectUntil(done: () => boolean, rounds = 50): Promise<boolean> {
  for (let i = 0; i < rounds && !done(); i++) {
    await nextTask();
    gc!();
  }
  return done();
}

/**
 * Allocates pages for `owner` and writes to them, keeping no reference: once
 * this returns, the segments are garbage. Returns a probe that tells whether
 * they were collected. Kept out of line so no stack slot of the caller holds them.
 */
function leakPages(mm: MemoryManager, owner: unknown, count: number): WeakRef<MemorySegment> {
  const pages = mm.allocatePages(owner, count);
  for (const page of pages) page.fill(0x5c);
  return new WeakRef(pages[0]!);
}

/** Takes a lease and drops it without closing it; returns a probe that tells whether it was collected. */
function leakLease(mm: MemoryManager, type: string, initializer: (bytes: number) => unknown, fraction: number): WeakRef<object> {
  const lease = mm.getSharedMemoryResourceForManagedMemory(type, initializer, fraction);
  return new WeakRef(lease);
}

// Both test projects expose gc (vitest.config.ts): without it these suites could prove nothing.
it('runs where the engine exposes gc()', () => {
  expect(typeof gc).toBe('function');
});

describe.each(builds)('$name build', ({ lib }) => {
  const managerWith = (reports: LeakReport[], leakDetection: boolean | 'stack'): Promise<MemoryManager> =>
    lib.createMemoryManager({ memorySize: MEMORY, pageSize: PAGE, leakDetection, onLeak: (report) => reports.push(report) });

  it('reports a page collected without release and reclaims it', async () => {
    const reports: LeakReport[] = [];
    const mm = await managerWith(reports, true);
    const owner = { name: 'forgetful operator' };
    const [kept] = mm.allocatePages('careful', 1);
    kept!.fill(0x11);
    leakPages(mm, owner, 1);
    expect(mm.availableMemory).toBe(MEMORY - 2 * PAGE);

    expect(await collectUntil(() => reports.length > 0)).toBe(true);

    expect(reports).toHaveLength(1);
    const report = reports[0]!;
    // The report is exactly the documented shape: nothing internal leaks into it.
    expect(Object.keys(report).sort()).toEqual(['bytes', 'kind', 'message', 'owner', 'stack']);
    expect(report.kind).toBe('segment');
    expect(report.owner).toBe(owner);
    expect(report.bytes).toBe(PAGE);
    // Without 'stack', no allocation stack is captured.
    expect(report.stack).toBeUndefined();
    expect(typeof report.message).toBe('string');
    expect(report.message).toContain(String(PAGE));
    // The leaked page is back; the page still held is untouched.
    expect(mm.availableMemory).toBe(MEMORY - PAGE);
    expect(kept!.isFreed()).toBe(false);
    const bytes = new Uint8Array(PAGE);
    kept!.getBytes(0, bytes);
    expect(bytes.every((b) => b === 0x11)).toBe(true);
    // The whole budget is usable again.
    expect(mm.allocatePages('next', PAGES - 1)).toHaveLength(PAGES - 1);
  });

  it("with 'stack', the report carries the allocation stack", async () => {
    const reports: LeakReport[] = [];
    const mm = await managerWith(reports, 'stack');
    leakPages(mm, 'op', 2);

    expect(await collectUntil(() => reports.length === 2)).toBe(true);

    for (const report of reports) {
      expect(report.kind).toBe('segment');
      expect(report.owner).toBe('op');
      expect(typeof report.stack).toBe('string');
      expect(report.stack).toContain('memory-manager-leaks.test');
      expect(report.message).toContain('memory-manager-leaks.test');
    }
    expect(mm.verifyEmpty()).toBe(true);
  });

  it('does not report pages that were released', async () => {
    const reports: LeakReport[] = [];
    const mm = await managerWith(reports, true);
    // Every release path, each dropping its handles afterwards.
    (() => {
      const pages = mm.allocatePages('a', 4);
      mm.release(pages[0]!);
      pages[1]!.free();
      pages[2]![Symbol.dispose]();
      mm.release([pages[3]!]);
      mm.allocatePages('b', 3);
      mm.releaseAll('b');
    })();
    expect(mm.verifyEmpty()).toBe(true);
    // Give the collector several chances; nothing may be reported.
    await collectUntil(() => false, 10);
    expect(reports).toEqual([]);
    expect(mm.verifyEmpty()).toBe(true);
  });

  it('reports a lease collected without being closed and releases its reservation', async () => {
    const reports: LeakReport[] = [];
    const mm = await managerWith(reports, true);
    const probe = leakLease(mm, 'block-cache', (bytes) => ({ bytes }), 0.5);
    expect(mm.availableMemory).toBe(MEMORY / 2);

    // Nothing the caller holds keeps the lease alive, so it must become collectable.
    expect(await collectUntil(() => probe.deref() === undefined), 'the dropped lease is still reachable').toBe(true);
    expect(await collectUntil(() => reports.length > 0)).toBe(true);

    expect(reports).toHaveLength(1);
    expect(reports[0]!.kind).toBe('lease');
    expect(reports[0]!.owner).toBe('block-cache');
    expect(reports[0]!.bytes).toBe(MEMORY / 2);
    expect(mm.verifyEmpty()).toBe(true);
  });

  it('a leaked lease next to an open one ends only itself; the resource lives until the last lease closes', async () => {
    const reports: LeakReport[] = [];
    const mm = await managerWith(reports, 'stack');
    let disposed = 0;
    const initializer = (bytes: number) => ({ bytes, [Symbol.dispose]: () => void (disposed += 1) });
    const kept = mm.getSharedMemoryResourceForManagedMemory('shared', initializer, 0.25);
    const probe = leakLease(mm, 'shared', initializer, 0.25);

    expect(await collectUntil(() => probe.deref() === undefined), 'the dropped lease is still reachable').toBe(true);
    expect(await collectUntil(() => reports.length > 0)).toBe(true);

    expect(reports[0]!.kind).toBe('lease');
    expect(reports[0]!.stack).toContain('memory-manager-leaks.test');
    // The kept lease still holds the resource and its memory.
    expect(disposed).toBe(0);
    expect(mm.availableMemory).toBe(MEMORY - MEMORY / 4);
    kept.close();
    expect(disposed).toBe(1);
    expect(mm.verifyEmpty()).toBe(true);
  });

  it('a page dropped, then released with releaseAll before its finalizer ran, is not taken from its next owner', async () => {
    const reports: LeakReport[] = [];
    const mm = await managerWith(reports, true);
    // The usual pattern: an operator forgets its handles and relies on releaseAll(owner).
    const probe = leakPages(mm, 'dropped', 1);
    // Wait until the segment is collected; its finalization callback is then
    // queued but cannot run before this synchronous stretch ends.
    expect(await collectUntil(() => probe.deref() === undefined)).toBe(true);
    expect(reports).toEqual([]); // the callback has not run yet: the race below is set up
    mm.releaseAll('dropped');
    expect(mm.verifyEmpty()).toBe(true);
    // The stack hands the same page to the next owner.
    const [taken] = mm.allocatePages('next', 1);
    taken!.fill(0x42);
    expect(mm.availableMemory).toBe(MEMORY - PAGE);

    // Now let the stale finalization callback run.
    await collectUntil(() => reports.length > 0, 20);

    // The next owner's page must stay its own.
    expect(taken!.isFreed()).toBe(false);
    expect(mm.availableMemory).toBe(MEMORY - PAGE);
    const others = mm.allocatePages('other', PAGES - 1);
    for (const page of others) {
      expect(page.address === taken!.address, 'a page was handed out while still held').toBe(false);
      page.fill(0x99);
    }
    const bytes = new Uint8Array(PAGE);
    taken!.getBytes(0, bytes);
    expect(bytes.every((b) => b === 0x42)).toBe(true);
    mm.releaseAll('next');
    expect(taken!.isFreed()).toBe(true);
    // releaseAll counted as a release of the dropped page, so it is no leak either.
    expect(reports).toEqual([]);
  });

  describe('with leak detection off (the default)', () => {
    it('releaseAll frees the segments the manager still holds strongly', async () => {
      const mm = await lib.createMemoryManager({ memorySize: MEMORY, pageSize: PAGE });
      const probe = leakPages(mm, 'op', 3);
      const kept = mm.allocatePages('op', 2);
      await collectUntil(() => false, 5);
      // The manager keeps its own references, so the dropped segments were never collected.
      expect(probe.deref()).toBeDefined();
      expect(mm.availableMemory).toBe(MEMORY - 5 * PAGE);
      mm.releaseAll('op');
      expect(probe.deref()!.isFreed()).toBe(true);
      kept.forEach((page) => expect(page.isFreed()).toBe(true));
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('shutdown frees every segment handed out', async () => {
      const mm = await lib.createMemoryManager({ memorySize: MEMORY, pageSize: PAGE });
      const probe = leakPages(mm, 'a', 2);
      const kept = mm.allocatePages('b', 2);
      await collectUntil(() => false, 5);
      mm.shutdown();
      expect(probe.deref()!.isFreed()).toBe(true);
      kept.forEach((page) => expect(page.isFreed()).toBe(true));
    });
  });

  it('with leak detection on, releaseAll and shutdown still free segments that are alive', async () => {
    const reports: LeakReport[] = [];
    const mm = await managerWith(reports, true);
    const a = mm.allocatePages('a', 3);
    const b = mm.allocatePages('b', 3);
    mm.releaseAll('a');
    a.forEach((page) => expect(page.isFreed()).toBe(true));
    expect(mm.availableMemory).toBe(MEMORY - 3 * PAGE);
    mm.shutdown();
    b.forEach((page) => expect(page.isFreed()).toBe(true));
    await collectUntil(() => false, 5);
    expect(reports).toEqual([]);
  });
});
