// sortAsync() on both builds, and the MSD-first radix plan under sort() and
// sortAsync() alike: orders equal to a stable sort and to each other, the
// event loop served during a long sort, an abort at every yield point
// leaving every record in place, progress, misuse and pages released
// underneath a running sort.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { expectCode } from './oracle.js';
import type { InMemorySorter, Runtime, SortProgress } from '../src/index.js';
import { LEAF_BYTES } from '../src/sort/radix-plan.js';

const TYPE = { k: 'int', id: 'int' } as const;
const STRING_TYPE = { s: 'string', id: 'int' } as const;
type Rec = { k: number; id: number };

/** A deterministic xorshift32 source. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x | 0;
  };
}

/** Key shapes that take the plan down each of its paths: random, a constant top byte, few values, one byte varying, all equal. */
const SHAPES = {
  random: (r: () => number) => r(),
  small: (r: () => number) => (r() >>> 0) % 5000,
  few: (r: () => number) => ((r() >>> 0) % 4) - 2,
  lowByte: (r: () => number) => 0x1234500 + ((r() >>> 0) & 255),
  topHeavy: (r: () => number) => ((r() >>> 0) % 10 === 0 ? r() : 7),
  equal: () => -1,
} as const;
type Shape = keyof typeof SHAPES;

const keysOf = (shape: Shape, n: number, seed: number): Int32Array => {
  const r = xorshift(seed);
  const keys = new Int32Array(n);
  for (let i = 0; i < n; i++) keys[i] = SHAPES[shape](r);
  return keys;
};

/** Entries of 8 bytes (an int key) in one cache-sized range: more than this and the plan splits by MSD passes first. */
const LEAF_ENTRIES = LEAF_BYTES >> 3;

/** Ids in the order a stable sort by key puts them (radix sort is stable). */
const stableOrder = (keys: Int32Array): number[] => Array.from(keys.keys()).sort((a, b) => keys[a]! - keys[b]! || a - b);

describe('wasm and pure-JS sorters, radix plan', () => {
  it('sort keys of every shape, beyond one leaf, into a stable order, the same from sort() and sortAsync() in both builds (property)', async () => {
    const rts = await Promise.all(builds.map((b) => b.init({ managedMemory: '16mb', networkMemory: 0 })));
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...(Object.keys(SHAPES) as Shape[])), fc.integer({ min: 1, max: 0x7fffffff }), fc.integer({ min: LEAF_ENTRIES + 1, max: 3 * LEAF_ENTRIES }), fc.boolean(), async (shape, seed, n, desc) => {
          const keys = keysOf(shape, n, seed);
          const want = stableOrder(desc ? keys.map((k) => -1 - k) : keys);
          for (const [i, b] of builds.entries()) {
            const key = desc ? [{ field: 'k', order: 'desc' }] : 'k';
            for (const mode of ['sync', 'async'] as const) {
              const sorter = new b.lib.InMemorySorter(rts[i]!.memoryManager, { type: TYPE, key: key as never, pages: 400 });
              try {
                let written = 0;
                while (written < n && sorter.write({ k: keys[written]!, id: written })) written++;
                expect(written).toBe(n);
                if (mode === 'sync') sorter.sort();
                else await sorter.sortAsync();
                expect(sorter.isSorted).toBe(true);
                const got = Array.from(sorter, (r) => r.id);
                expect(got.length).toBe(n);
                // One mismatch is enough to fail; whole arrays of 100,000 ids are slow to print.
                expect(got.findIndex((id, at) => id !== want[at])).toBe(-1);
              } finally {
                sorter.close();
              }
            }
          }
        }),
        { numRuns: 12 },
      );
      for (const rt of rts) expect(rt.memoryManager.verifyEmpty()).toBe(true);
    } finally {
      for (const rt of rts) rt.close();
    }
  }, 120_000);
});

describe.each(builds)('$name build: sortAsync', ({ init, lib }) => {
  let rt: Runtime;
  beforeEach(async () => {
    rt = await init({ managedMemory: '40mb', networkMemory: 0 });
  });
  afterEach(() => rt.close());

  const used = () => (rt.memoryManager.memorySize - rt.memoryManager.availableMemory) / rt.memoryManager.pageSize;
  const filled = (keys: Int32Array, pages = 1200): InMemorySorter<typeof TYPE> => {
    const sorter = new lib.InMemorySorter(rt.memoryManager, { type: TYPE, key: 'k', pages });
    for (let id = 0; id < keys.length; id++) if (!sorter.write({ k: keys[id]!, id })) throw new Error(`sorter full at ${id}`);
    return sorter;
  };
  /** Every id once, in any order. */
  const allIds = (sorter: InMemorySorter<typeof TYPE>): boolean => {
    const seen = new Uint8Array(sorter.size);
    for (const view of sorter.views()) {
      view.readInt();
      const id = view.readInt();
      if (seen[id]) return false;
      seen[id] = 1;
    }
    return seen.every((x) => x === 1);
  };

  it('lets timers fire while it sorts 1,000,000 records, and orders them as sort() does', async () => {
    const n = 1_000_000;
    const keys = keysOf('random', n, 99);
    const sorter = filled(keys);
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks++;
      if (running) setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    const reports: SortProgress[] = [];
    const sorting = sorter.sortAsync({ onProgress: (p) => reports.push(p) });
    expect(sorter.isSorted).toBe(false);
    await sorting;
    running = false;
    expect(ticks).toBeGreaterThan(0);
    expect(reports.length).toBeGreaterThan(4);
    const got = new Int32Array(n);
    let i = 0;
    for (const view of sorter.views()) got[i++] = view.readInt();
    const want = keys.slice().sort();
    expect(got.findIndex((k, at) => k !== want[at])).toBe(-1);
    sorter.close();
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  }, 60_000);

  it('reports progress that never decreases within a phase, ends each phase at its total and ends with done', async () => {
    const sorter = new lib.InMemorySorter(rt.memoryManager, { type: STRING_TYPE, key: 's', pages: 1200 });
    const r = xorshift(5);
    // Prefixes of 8 bytes tie often: the tie-break phase runs too.
    for (let id = 0; id < 60_000; id++) sorter.write({ s: `commonpf${(r() >>> 0) % 5000}`, id });
    const reports: SortProgress[] = [];
    await sorter.sortAsync({ onProgress: (p) => reports.push(p) });
    expect(reports.at(-1)).toEqual({ phase: 'done', completed: 1, total: 1 });
    const phases = [...new Set(reports.map((p) => p.phase))];
    expect(phases).toEqual(['radix', 'ties', 'done']);
    for (const phase of phases) {
      const mine = reports.filter((p) => p.phase === phase);
      for (let k = 1; k < mine.length; k++) expect(mine[k]!.completed).toBeGreaterThanOrEqual(mine[k - 1]!.completed);
      expect(mine.at(-1)!.completed).toBe(mine.at(-1)!.total);
    }
    expect(reports.filter((p) => p.phase === 'radix').length).toBeGreaterThanOrEqual(2);
    const got = Array.from(sorter, (x) => x.s);
    expect(got).toEqual(got.slice().sort());
    sorter.close();
  });

  it('stops at every yield point on an abort, keeping every record and giving back its scratch pages; sorts again afterwards', async () => {
    const n = 200_000;
    const keys = keysOf('random', n, 7);
    const sorter = filled(keys);
    const held = sorter.pagesHeld;
    let points = 0;
    await sorter.sortAsync({ onProgress: () => void points++ });
    expect(points).toBeGreaterThan(4);
    sorter.write({ k: 0, id: n });
    for (let at = 1; at < points; at++) {
      // From the callback itself, and from a microtask, which runs while the sort waits for its next turn.
      for (const from of ['callback', 'microtask'] as const) {
        const ctl = new AbortController();
        let count = 0;
        const onProgress = () => {
          if (++count !== at) return;
          if (from === 'callback') ctl.abort(`stop ${at}`);
          else queueMicrotask(() => ctl.abort(`stop ${at}`));
        };
        const err = await sorter.sortAsync({ signal: ctl.signal, onProgress }).then(
          () => expect.fail(`sort ${from} ${at} finished`),
          (e: Error & { code?: string; cause?: unknown }) => e,
        );
        expect(err.code).toBe('ERR_ABORTED');
        expect(err).toBeInstanceOf(lib.OperationAbortedError);
        expect(err.cause).toBe(`stop ${at}`);
        expect(sorter.isSorted).toBe(false);
        expect(sorter.pagesHeld).toBe(held);
        expect(used()).toBe(held);
        expect(allIds(sorter)).toBe(true);
      }
    }
    await sorter.sortAsync();
    const got = Array.from(sorter, (r) => r.k);
    const want = [...keys, 0].sort((a, b) => a - b);
    expect(got.findIndex((k, i) => k !== want[i])).toBe(-1);
    sorter.close();
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  }, 120_000);

  it('keeps every record, once each, after an abort in the middle of a split (sync and async)', async () => {
    const sorter = filled(keysOf('topHeavy', 150_000, 3));
    for (const mode of ['sync', 'async'] as const) {
      for (let at = 1; at <= 3; at++) {
        const ctl = new AbortController();
        let count = 0;
        const options = { signal: ctl.signal, onProgress: () => void (++count === at && ctl.abort()) };
        if (mode === 'sync') expectCode(lib, () => sorter.sort(options), 'ERR_ABORTED');
        else await expect(sorter.sortAsync(options)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
        expect(allIds(sorter)).toBe(true);
      }
    }
    sorter.close();
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('rejects, never throws, on bad options, an aborted signal or a closed sorter', async () => {
    const sorter = filled(keysOf('random', 100, 1));
    for (const [options, code] of [
      [null, 'ERR_INVALID_ARGUMENT'],
      [{ stable: 'yes' }, 'ERR_INVALID_ARGUMENT'],
      [{ signal: {} }, 'ERR_INVALID_ARGUMENT'],
      [{ onProgress: Symbol('x') }, 'ERR_ILLEGAL_CONFIGURATION'],
      [{ signal: AbortSignal.abort('no') }, 'ERR_ABORTED'],
    ] as const) {
      let promise: Promise<void> | undefined;
      expect(() => (promise = sorter.sortAsync(options as never))).not.toThrow();
      await expect(promise).rejects.toMatchObject({ code });
    }
    expect(sorter.isSorted).toBe(false);
    await sorter.sortAsync({ stable: true });
    expect(sorter.isSorted).toBe(true);
    sorter.close();
    await expect(sorter.sortAsync()).rejects.toMatchObject({ code: 'ERR_ILLEGAL_STATE' });
  });

  it('refuses every other call while it runs, and rejects with what onProgress throws', async () => {
    const sorter = filled(keysOf('random', 100_000, 11));
    const sorting = sorter.sortAsync();
    const refused = [() => sorter.write({ k: 1, id: 1 }), () => sorter.sort(), () => sorter.close(), () => sorter.recordAt(0), () => sorter.viewAt(0), () => Array.from(sorter)];
    for (const call of refused) expectCode(lib, call, 'ERR_ILLEGAL_STATE');
    await expect(sorter.sortAsync()).rejects.toMatchObject({ code: 'ERR_ILLEGAL_STATE' });
    await sorting;
    expect(sorter.isSorted).toBe(true);
    sorter.write({ k: -5, id: 100_000 });
    const boom = new Error('boom');
    let calls = 0;
    await expect(sorter.sortAsync({ onProgress: () => { if (++calls === 2) throw boom; } })).rejects.toBe(boom);
    expect(sorter.isSorted).toBe(false);
    expect(allIds(sorter)).toBe(true);
    expect(used()).toBe(sorter.pagesHeld);
    sorter.close();
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('sorts in place, in slices, as sort() does when no scratch pages can be had, and stops at every yield point on an abort', async () => {
    const n = 120_000;
    const keys = keysOf('few', n, 17);
    // Exactly the pages the records and index take: no room for scratch pages.
    const probe = filled(keys);
    const tight = probe.pagesHeld;
    probe.close();
    const sorter = filled(keys, tight);
    let points = 0;
    const phases = new Set<string>();
    await sorter.sortAsync({ stable: true, onProgress: (p) => void (points++, phases.add(p.phase)) });
    expect([...phases]).toEqual(['in-place', 'done']);
    expect(points).toBeGreaterThan(4);
    // With the stable option the pointer breaks ties: one order only, the stable one.
    expect(Array.from(sorter, (r) => r.id)).toEqual(stableOrder(keys));
    sorter.write({ k: 1, id: n });
    for (let at = 1; at < points - 1; at++) {
      const ctl = new AbortController();
      let count = 0;
      const sorting = sorter.sortAsync({ signal: ctl.signal, onProgress: () => void (++count === at && queueMicrotask(() => ctl.abort())) });
      await expect(sorting).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      expect(sorter.pagesHeld).toBe(tight);
      expect(allIds(sorter)).toBe(true);
    }
    sorter.sort({ stable: true });
    const want = stableOrder(Int32Array.from([...keys, 1]));
    expect(Array.from(sorter, (r) => r.id)).toEqual(want);
    sorter.close();
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  }, 60_000);

  it('stops with ERR_SEGMENT_FREED when the manager shuts down while it yields', async () => {
    const sorter = filled(keysOf('random', 150_000, 19));
    const sorting = sorter.sortAsync({ onProgress: () => queueMicrotask(() => rt.memoryManager.shutdown()) });
    await expect(sorting).rejects.toMatchObject({ code: 'ERR_SEGMENT_FREED' });
    expect(() => sorter.close()).not.toThrow();
    await expect(sorter.sortAsync()).rejects.toMatchObject({ code: 'ERR_ILLEGAL_STATE' });
  });

  it('stops with ERR_SEGMENT_FREED when its pages are released while it yields, touching none of them again', async () => {
    const sorter = new lib.InMemorySorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 1200, owner: 'shared owner' });
    const keys = keysOf('random', 150_000, 13);
    for (let id = 0; id < keys.length; id++) sorter.write({ k: keys[id]!, id });
    let reports = 0;
    const sorting = sorter.sortAsync({ onProgress: () => void (++reports === 2 && queueMicrotask(() => rt.memoryManager.releaseAll('shared owner'))) });
    await expect(sorting).rejects.toMatchObject({ code: 'ERR_SEGMENT_FREED' });
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
    // Another owner's pages, taken after the release, stay as they were written.
    const [page] = rt.memoryManager.allocatePages('other', 1);
    page!.putInt(0, 42);
    sorter.close();
    expect(page!.getInt(0)).toBe(42);
    rt.memoryManager.releaseAll('other');
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });
});

