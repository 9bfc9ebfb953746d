// The in-memory sorter on both builds: orders equal to Array.prototype.sort
// with an equivalent comparator, identical orders from the wasm and pure-JS
// kernels, budgets, progress, aborts and misuse.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { expectCode } from './oracle.js';
import { oracle } from './sort-oracle.js';
import type { InMemorySorter, Runtime } from '../src/index.js';
import * as layout from '../src/kernels/sort-layout.js';
import { instantiateKernels } from '../src/wasm/loader.js';

const PAGE = 4096;
const SMALL = { managedMemory: 256 * PAGE, networkMemory: 0, offHeapMemory: '64kb', pageSize: PAGE } as const;

const TYPE = {
  id: 'int',
  i: 'int',
  l: 'long',
  b: 'bigint',
  d: 'double',
  t: 'boolean',
  s: 'string',
  ns: { type: 'string', nullable: true },
  v: 'bytes',
} as const;
type Rec = { id: number; i: number; l: number; b: bigint; d: number; t: boolean; s: string; ns: string | null; v: Uint8Array };
const KIND: Record<string, string> = { id: 'int', i: 'int', l: 'long', b: 'bigint', d: 'double', t: 'boolean', s: 'string', ns: 'string', v: 'bytes' };

// Few distinct values, so that ties (on the prefix and on the whole key) are common.
const recordArb = fc.record({
  i: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-2147483648, 2147483647)),
  l: fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constantFrom(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)),
  b: fc.oneof(fc.bigInt({ min: -2n, max: 2n }), fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n)),
  d: fc.constantFrom(-0, 0, Number.NaN, Infinity, -Infinity, 1.5, -1.5),
  t: fc.boolean(),
  s: fc.oneof(fc.constantFrom('', 'a', 'ab', 'abcdefgh', 'abcdefghX', 'abcdefghA', 'é', '\u{10000}', '\uffff'), fc.string({ unit: 'binary', maxLength: 10 })),
  ns: fc.option(fc.constantFrom('', 'x', 'xxxxxxxxxy', 'xxxxxxxxxz'), { nil: null }),
  v: fc.oneof(fc.constantFrom(new Uint8Array(0), new Uint8Array([0]), new Uint8Array(9).fill(1)), fc.uint8Array({ maxLength: 10 })),
});
const keyArb = fc.uniqueArray(fc.record({ field: fc.constantFrom('i', 'l', 'b', 'd', 't', 's', 'ns', 'v'), order: fc.constantFrom('asc', 'desc') }), {
  minLength: 1,
  maxLength: 3,
  selector: (k) => k.field,
});

type Key = { field: string; order: 'asc' | 'desc' }[];
const comparator = (key: Key) => (x: Rec, y: Rec) => {
  for (const { field, order } of key) {
    const c = oracle(KIND[field]!, x[field as keyof Rec], y[field as keyof Rec]);
    if (c !== 0) return order === 'desc' ? -c : c;
  }
  return 0;
};

/** Writes `records` into a new sorter, sorts, and returns the ids in order, the pages held after writing and the phases reported. */
function sortRun(rt: Runtime, lib: (typeof builds)[number]['lib'], records: Rec[], key: Key, stable: boolean, pages: number, prefix?: number) {
  const sorter = new lib.InMemorySorter(rt.memoryManager, { type: TYPE, key, pages, ...(prefix ? { keyPrefixBytes: prefix } : {}) });
  try {
    // A tight page limit refuses records at some point: the rest are left out, in both builds alike.
    for (const r of records) if (!sorter.write(r)) break;
    const held = sorter.pagesHeld;
    const phases = new Set<string>();
    sorter.sort({ stable, onProgress: (p) => void phases.add(p.phase) });
    return { ids: Array.from(sorter, (r) => r.id), held, phases };
  } finally {
    sorter.close();
  }
}

const sortIds = (...args: Parameters<typeof sortRun>): number[] => sortRun(...args).ids;

describe('sort control block layout', () => {
  it('names every field at the same offset in the wasm module and in TypeScript', async () => {
    const wasm = await instantiateKernels(new WebAssembly.Memory({ initial: 1, maximum: 1 }));
    for (const name of ['SORT_N', 'SORT_ENTRY_SHIFT', 'SORT_PAGE_SHIFT', 'SORT_KEY_BYTES', 'SORT_FLAGS', 'SORT_CAPACITY', 'SORT_LIST', 'SORT_SPARE', 'SORT_COUNTS', 'SORT_LISTS'] as const) {
      expect((wasm[name] as WebAssembly.Global).value, name).toBe(layout[name]);
    }
  });
});

describe('wasm and pure-JS sorters', () => {
  it('sort random records into orders equal to Array.prototype.sort, and identical to each other (property)', async () => {
    const rts = await Promise.all(builds.map((b) => b.init(SMALL)));
    try {
      fc.assert(
        fc.property(
          fc.array(recordArb, { maxLength: 700 }),
          keyArb,
          fc.boolean(),
          fc.constantFrom(200, 4),
          fc.constantFrom(undefined, 5),
          (raw, key, stable, pages, prefix) => {
            let records = raw.map((r, id) => ({ id, ...r }));
            // 4 pages: control, index and record pages fill the limit, so no scratch pages can be had and introsort runs in place.
            const orders = builds.map((b, k) => sortIds(rts[k]!, b.lib, records, key, stable, pages, prefix));
            expect(orders[0]).toEqual(orders[1]);
            records = records.slice(0, orders[0]!.length);
            const want = records.slice().sort(comparator(key));
            const byId = (ids: number[]) => ids.map((id) => records[id]!);
            if (stable) expect(orders[0]).toEqual(want.map((r) => r.id));
            else {
              const cmp = comparator(key);
              const got = byId(orders[0]!);
              for (let i = 1; i < got.length; i++) expect(cmp(got[i - 1]!, got[i]!)).toBeLessThanOrEqual(0);
              expect(orders[0]!.slice().sort((a, b) => a - b)).toEqual(records.map((r) => r.id));
            }
            for (const rt of rts) expect(rt.memoryManager.verifyEmpty()).toBe(true);
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      for (const rt of rts) rt.close();
    }
  });

  it('produce identical orders with many ties, stable or not, radix and in place', async () => {
    const rts = await Promise.all(builds.map((b) => b.init(SMALL)));
    try {
      let seed = 7;
      const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
      const records: Rec[] = Array.from({ length: 3000 }, (_, id) => ({
        id, i: Math.floor(rand() * 10), l: 0, b: 0n, d: Math.floor(rand() * 4) - 2, t: rand() < 0.5,
        s: 'k'.repeat(8) + String.fromCharCode(97 + Math.floor(rand() * 3)), ns: null, v: new Uint8Array(0),
      }));
      for (const key of [[{ field: 'i', order: 'asc' }], [{ field: 's', order: 'desc' }], [{ field: 't', order: 'asc' }, { field: 'd', order: 'desc' }]] as Key[]) {
        for (const stable of [false, true]) {
          const roomy = builds.map((b, k) => sortRun(rts[k]!, b.lib, records, key, stable, 250));
          // Exactly the pages the records and index take: no scratch pages, so introsort in place.
          const tight = builds.map((b, k) => sortRun(rts[k]!, b.lib, records, key, stable, roomy[k]!.held));
          for (const runs of [roomy, tight]) {
            expect(runs[0]!.ids.length).toBe(records.length);
            expect(runs[0]!.ids).toEqual(runs[1]!.ids);
            if (stable) expect(runs[0]!.ids).toEqual(records.slice().sort(comparator(key)).map((r) => r.id));
          }
          expect([...roomy[0]!.phases]).toContain('radix');
          expect([...tight[0]!.phases]).toContain('in-place');
          if (stable) expect(tight[0]!.ids).toEqual(roomy[0]!.ids);
        }
      }
    } finally {
      for (const rt of rts) rt.close();
    }
  });
});

describe.each(builds)('$name build: in-memory sorter', ({ init, lib }) => {
  let rt: Runtime;
  beforeEach(async () => {
    rt = await init(SMALL);
  });
  afterEach(() => rt.close());

  const rec = (id: number, s = `s${id}`): Rec => ({ id, i: id % 7, l: 0 - id, b: BigInt(id), d: id / 3, t: id % 2 === 0, s, ns: id % 3 ? s : null, v: new Uint8Array([id & 255]) });
  const make = (pages: number, key: Key | string = 'i'): InMemorySorter<typeof TYPE> => new lib.InMemorySorter(rt.memoryManager, { type: TYPE, key: key as never, pages });
  const used = () => (rt.memoryManager.memorySize - rt.memoryManager.availableMemory) / PAGE;

  it('never holds more than its pages; a refused write leaves it consistent; close returns everything', () => {
    const sorter = make(6);
    let accepted = 0;
    while (sorter.write(rec(accepted, 'x'.repeat(accepted % 50)))) {
      accepted++;
      expect(used()).toBeLessThanOrEqual(6);
    }
    expect(sorter.pagesHeld).toBe(6);
    expect(sorter.size).toBe(accepted);
    // Refused again, and still consistent.
    expect(sorter.write(rec(accepted, 'y'.repeat(2000)))).toBe(false);
    let peak = 0;
    sorter.sort({ onProgress: () => void (peak = Math.max(peak, used())) });
    expect(peak).toBeLessThanOrEqual(6);
    const got = Array.from(sorter);
    expect(got.map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: accepted }, (_, k) => k));
    for (let k = 1; k < got.length; k++) expect(got[k - 1]!.i).toBeLessThanOrEqual(got[k]!.i);
    expect(got.find((r) => r.id === 3)).toEqual(rec(3, 'x'.repeat(3)));
    sorter.close();
    sorter.close();
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('writes false when the manager budget is spent, and works on once pages are back', () => {
    const hog = rt.memoryManager.allocatePages('hog', 253);
    const sorter = make(50);
    let accepted = 0;
    while (sorter.write(rec(accepted))) accepted++;
    expect(sorter.pagesHeld).toBe(3);
    rt.memoryManager.release(hog);
    expect(sorter.write(rec(accepted))).toBe(true);
    sorter.sort();
    expect(sorter.size).toBe(accepted + 1);
    sorter.close();
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('refuses bad records with stable codes and stays as it was', () => {
    const sorter = make(10);
    sorter.write(rec(1));
    for (const [patch, code] of [[{ i: Number.NaN }, 'ERR_VALUE_OUT_OF_RANGE'], [{ i: 1n }, 'ERR_INVALID_ARGUMENT'], [{ s: '\udfff' }, 'ERR_INVALID_ARGUMENT'], [{ d: Symbol('d') }, 'ERR_INVALID_ARGUMENT']] as const) {
      expectCode(lib, () => sorter.write({ ...rec(2), ...patch } as never), code);
    }
    expectCode(lib, () => sorter.write(null as never), 'ERR_INVALID_ARGUMENT');
    expect(sorter.size).toBe(1);
    sorter.sort();
    expect(Array.from(sorter)).toEqual([rec(1)]);
    expectCode(lib, () => make(2), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => new lib.InMemorySorter(rt.memoryManager, { type: TYPE, key: 'nope', pages: 5 } as never), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => sorter.sort({ stable: 1 } as never), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => sorter.sort({ onProgress: 5 } as never), 'ERR_ILLEGAL_CONFIGURATION');
    sorter.close();
  });

  it('reports progress and stops on an abort before, during or after the sort, keeping every record', () => {
    const sorter = make(250, [{ field: 'l', order: 'asc' }]);
    for (let k = 0; k < 2000; k++) sorter.write(rec(k));
    const before = new AbortController();
    before.abort('early');
    const e1 = expectCode(lib, () => sorter.sort({ signal: before.signal }), 'ERR_ABORTED');
    expect((e1 as { cause?: unknown }).cause).toBe('early');
    const during = new AbortController();
    const phases: string[] = [];
    expectCode(lib, () => sorter.sort({ signal: during.signal, onProgress: (p) => (phases.push(p.phase), during.abort()) }), 'ERR_ABORTED');
    expect(phases).toEqual(['radix']);
    expect(sorter.isSorted).toBe(false);
    expect(used()).toBe(sorter.pagesHeld);
    expect(new Set(Array.from(sorter, (r) => r.id)).size).toBe(2000);
    const progress: string[] = [];
    sorter.sort({ signal: new AbortController().signal, onProgress: (p) => progress.push(`${p.phase} ${p.completed}/${p.total}`) });
    // 2000 entries of 16 bytes fit in cache: one slice of LSD passes, then the end.
    expect(progress).toEqual(['radix 2000/2000', 'done 1/1']);
    expect(Array.from(sorter, (r) => r.id)).toEqual(Array.from({ length: 2000 }, (_, k) => 1999 - k));
    const after = new AbortController();
    sorter.sort({ signal: after.signal });
    after.abort();
    expect(sorter.isSorted).toBe(true);
    sorter.close();
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('survives progress callbacks that throw or call back into the sorter', () => {
    const sorter = make(250, 's');
    for (let k = 0; k < 1000; k++) sorter.write(rec(k, `k${k % 13}`));
    const boom = new Error('boom');
    expect(() => sorter.sort({ onProgress: () => { throw boom; } })).toThrow(boom);
    expect(used()).toBe(sorter.pagesHeld);
    const inner: string[] = [];
    sorter.sort({
      onProgress: () => {
        for (const call of [() => sorter.write(rec(1)), () => sorter.sort(), () => sorter.close(), () => sorter.recordAt(0), () => Array.from(sorter)]) {
          inner.push((expectCode(lib, call, 'ERR_ILLEGAL_STATE') as unknown as { code: string }).code);
        }
      },
    });
    expect(inner.length).toBeGreaterThan(0);
    const got = Array.from(sorter, (r) => r.s);
    expect(got).toEqual(got.slice().sort((a, b) => oracle('string', a, b)));
    sorter.close();
    for (const call of [() => sorter.write(rec(1)), () => sorter.sort(), () => sorter.viewAt(0), () => Array.from(sorter)]) expectCode(lib, call, 'ERR_ILLEGAL_STATE');
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('refuses a record whose getter calls back into the sorter, and pages released underneath it', () => {
    const sorter = make(20);
    sorter.write(rec(1));
    const sneaky = { ...rec(2) };
    Object.defineProperty(sneaky, 's', { enumerable: true, get: () => (sorter.write(rec(3)), 'sneaky') });
    expectCode(lib, () => sorter.write(sneaky), 'ERR_ILLEGAL_STATE');
    const ser = new lib.RecordSerializer(TYPE);
    const out = new lib.DataOutputView(new lib.ManagerPageSource(rt.memoryManager, 'other'));
    const nested = { ...rec(4) };
    Object.defineProperty(nested, 's', { enumerable: true, get: () => (ser.write(out, rec(5)), 'nested') });
    expectCode(lib, () => ser.write(out, nested), 'ERR_ILLEGAL_STATE');
    expect(out.position).toBe(0);
    expect(sorter.size).toBe(1);
    sorter.sort();
    expect(Array.from(sorter)).toEqual([rec(1)]);
    // Someone releases every page of the sorter's owner: it refuses to touch them again.
    const owned = new lib.InMemorySorter(rt.memoryManager, { type: TYPE, key: 'i', pages: 10, owner: 'shared owner' });
    owned.write(rec(1));
    rt.memoryManager.releaseAll('shared owner');
    expectCode(lib, () => owned.write(rec(2)), 'ERR_SEGMENT_FREED');
    expectCode(lib, () => owned.sort(), 'ERR_SEGMENT_FREED');
    owned.close();
    sorter.close();
    rt.memoryManager.releaseAll('other');
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('keeps a finished sort when the last progress report aborts', () => {
    const sorter = make(20);
    for (let k = 0; k < 100; k++) sorter.write(rec(k));
    const ctl = new AbortController();
    sorter.sort({ signal: ctl.signal, onProgress: (p) => p.phase === 'done' && ctl.abort() });
    expect(sorter.isSorted).toBe(true);
    expectCode(lib, () => sorter.sort({ signal: ctl.signal }), 'ERR_ABORTED');
    expect(sorter.isSorted).toBe(true);
    sorter.close();
  });

  it('refuses to go on iterating once written to or closed', () => {
    const sorter = make(20);
    for (let k = 0; k < 10; k++) sorter.write(rec(k));
    const it1 = sorter[Symbol.iterator]();
    it1.next();
    sorter.write(rec(10));
    expectCode(lib, () => it1.next(), 'ERR_ILLEGAL_STATE');
    const it2 = sorter.views();
    it2.next();
    sorter.close();
    expectCode(lib, () => it2.next(), 'ERR_ILLEGAL_STATE');
  });

  it('gives views of records in order without materialising them', () => {
    const sorter = make(20, [{ field: 'id', order: 'desc' }]);
    for (let k = 0; k < 100; k++) sorter.write(rec(k));
    sorter.sort();
    const ids: number[] = [];
    for (const view of sorter.views()) ids.push(view.readInt());
    expect(ids).toEqual(Array.from({ length: 100 }, (_, k) => 99 - k));
    expect(sorter.serializer.readField(sorter.viewAt(5), 's')).toBe('s94');
    expect(sorter.recordAt(99)).toEqual(rec(0));
    for (const bad of [-1, 100, 1.5, '1', 1n]) expectCode(lib, () => sorter.recordAt(bad as never), 'ERR_SEGMENT_OUT_OF_BOUNDS');
    sorter.close();
  });
});
