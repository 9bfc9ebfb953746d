// The external sorter on both builds, in Node and Chromium, over an in-memory
// spill store (and, where the engine has one, the Origin Private File
// System): orders equal to Array.prototype.sort for budgets that make 1, 2,
// fan-in and more than fan-in runs, the builds agreeing, every output form,
// and the faults: store errors mid-run, corrupt and truncated spill files,
// aborts at every await. After each, no page is held and no file is left.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builds, type Build } from './builds.js';
import { oracle } from './sort-oracle.js';
import { enospc, FaultyStore, MemoryStore, type Fault } from './spill-stores.js';
import { makeRecords, TYPE, type Rec } from './external-sort-records.js';
import type { ExternalSortProgress, Runtime, SpillStore } from '../src/index.js';

const PAGE = 4096;
const RT = { managedMemory: 512 * PAGE, networkMemory: 0, offHeapMemory: '64kb', pageSize: PAGE } as const;
type Key = { field: 'k' | 's'; order: 'asc' | 'desc' }[];

const recordArb = fc.record({
  k: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-2147483648, 2147483647)),
  // Shared 8-byte prefixes: the normalized key ties and the full key decides.
  s: fc.oneof(fc.constantFrom('', 'a', 'abcdefgh', 'abcdefghX', 'abcdefghA', 'é', '\u{10000}'), fc.string({ maxLength: 12 })),
  b: fc.uint8Array({ maxLength: 300 }),
});
const keyArb = fc.constantFrom<Key>([{ field: 'k', order: 'asc' }], [{ field: 's', order: 'desc' }], [{ field: 'k', order: 'desc' }, { field: 's', order: 'asc' }]);

const compare = (key: Key) => (x: Rec, y: Rec) => {
  for (const { field, order } of key) {
    const c = oracle(field === 'k' ? 'int' : 'string', x[field], y[field]);
    if (c !== 0) return order === 'desc' ? -c : c;
  }
  return 0;
};

const withIds = (records: Omit<Rec, 'id'>[]): Rec[] => records.map((r, id) => ({ id, ...r }));

/** Sorts `records` externally (stable), returning the ids in order and the last progress. */
async function sortIds(lib: Build, rt: Runtime, records: Rec[], key: Key, pages: number, fanIn: number, store: SpillStore) {
  let last: ExternalSortProgress | null = null;
  let runs = 0;
  const onProgress = (p: ExternalSortProgress) => {
    last = p;
    if (p.phase === 'spill') runs++;
  };
  const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key, pages, fanIn, store, stable: true, onProgress });
  await sorter.addAll(records);
  const ids: number[] = [];
  for await (const r of sorter) ids.push(r.id);
  return { ids, runs, progress: last as ExternalSortProgress | null };
}

describe.each(builds)('$name build', ({ init, lib }) => {
  let rt: Runtime;
  beforeEach(async () => {
    rt = await init(RT);
  });
  afterEach(() => rt.close());

  it('sorts like Array.prototype.sort (stable) for budgets making 1, 2, fan-in and more runs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { maxLength: 400 }), keyArb, fc.constantFrom(8, 10, 16, 64), async (raw, key, pages) => {
        const records = withIds(raw);
        const store = new MemoryStore();
        const { ids } = await sortIds(lib, rt, records, key, pages, 3, store);
        expect(ids).toEqual(records.slice().sort(compare(key)).map((r) => r.id));
        expect(rt.memoryManager.verifyEmpty()).toBe(true);
        expect(store.files.size).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it.each([
    [50, 1, 0],
    [100, 2, 1],
    [150, 3, 1],
    [2000, 32, 4],
  ])('%i records in 8 pages of 4 KiB make %i runs and %i merge passes (fan-in 3)', async (n, runs, passes) => {
    const records = makeRecords(n, 7);
    const store = new MemoryStore();
    const result = await sortIds(lib, rt, records, [{ field: 'k', order: 'asc' }], 8, 3, store);
    expect(result.ids).toEqual(records.slice().sort(compare([{ field: 'k', order: 'asc' }])).map((r) => r.id));
    const progress = result.progress;
    expect(result.runs).toBe(runs === 1 ? 0 : runs);
    expect(progress).toMatchObject({ phase: 'done', mergePasses: passes, recordsRead: n });
    // Every byte written is read back once: by the merge passes and the last merge.
    expect(progress!.bytesRead).toBe(progress!.bytesWritten);
    if (runs === 1) expect(progress).toMatchObject({ runsSpilled: 0, bytesWritten: 0 });
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
    expect(store.created).toBe(progress!.runsSpilled);
    expect(store.files.size).toBe(0);
  });

  it('spills records longer than a block across several blocks', async () => {
    const records: Rec[] = [];
    for (let id = 0; id < 40; id++) records.push({ id, k: (id * 7) % 11, s: '', b: new Uint8Array(id % 3 === 0 ? 9000 + id : 30).fill(id) });
    const store = new MemoryStore();
    const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 24, fanIn: 4, store, stable: true });
    await sorter.addAll(records);
    const out: Rec[] = [];
    for await (const r of sorter) out.push(r);
    const expected = records.slice().sort(compare([{ field: 'k', order: 'asc' }]));
    expect(out.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    for (const r of out) expect(r.b).toEqual(records[r.id]!.b);
    expect(store.created).toBeGreaterThan(1);
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('writes the result serialized to a WritableStream and reads it back with addSerialized', async () => {
    const records = makeRecords(1500, 3);
    const store = new MemoryStore();
    const first = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 's', pages: 8, store });
    await first.addAll(records);
    const chunks: Uint8Array[] = [];
    const stream = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) });
    expect(await first.writeTo(stream)).toBe(1500);
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
    // Back in, cut at odd places, sorted on another key.
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) (all.set(c, at), (at += c.length));
    const cuts = [0, 1, 7, 1000, 5003, all.length];
    const second = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'id', pages: 8, store });
    await second.addSerialized(cuts.slice(1).map((end, i) => all.subarray(cuts[i]!, end)));
    const ids: number[] = [];
    const written: Uint8Array[] = [];
    await second.writeTo({ write: (c: Uint8Array) => void written.push(c) });
    const ser = new lib.RecordSerializer(TYPE);
    for (const c of written) {
      const input = new lib.DataInputView([rt.segments.wrap(c)]);
      while (input.remaining > 0) ids.push(ser.read(input).id);
    }
    expect(ids).toEqual(records.map((r) => r.id));
    expect(store.files.size).toBe(0);
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('rejects serialized input that ends inside a record (ERR_EOF), giving everything back', async () => {
    const store = new MemoryStore();
    const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
    const err = await sorter.addSerialized([new Uint8Array([0, 0, 0, 1, 0, 0])]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_EOF' });
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
    await expect(sorter.add({ id: 1, k: 1, s: '', b: new Uint8Array(0) })).rejects.toMatchObject({ code: 'ERR_ILLEGAL_STATE' });
  });

  describe('faults', () => {
    const records = makeRecords(1200, 11);

    /** Runs a whole sort through a faulty store; returns the error (or null) and checks that nothing is left. */
    async function sortThrough(fault: Fault | null, options: { signal?: AbortSignal } = {}) {
      const inner = new MemoryStore();
      const store = new FaultyStore(inner, fault);
      let error: unknown = null;
      try {
        const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, fanIn: 3, store, ...options });
        await sorter.addAll(records);
        let n = 0;
        for await (const r of sorter) if (r.id >= 0) n++;
        expect(n).toBe(records.length);
      } catch (err) {
        error = err;
      }
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      expect([...inner.files.keys()]).toEqual([]);
      return { error, store };
    }

    it('an ENOSPC on a write mid-run is ERR_SPILL_STORE with the cause kept', async () => {
      for (const at of [0, 1, 5]) {
        const { error } = await sortThrough({ op: 'write', at });
        expect(error).toBeInstanceOf(lib.SpillStoreError);
        expect(error).toMatchObject({ code: 'ERR_SPILL_STORE', cause: { code: 'ENOSPC' } });
        expect((error as Error).message).toMatch(/ENOSPC/);
      }
    });

    it('a failing create, read or seal is ERR_SPILL_STORE', async () => {
      for (const op of ['create', 'read', 'seal'] as const) {
        const { error } = await sortThrough({ op, at: 2, error: () => new Error(`${op} refused`) });
        expect(error, op).toMatchObject({ code: 'ERR_SPILL_STORE' });
        expect((error as Error).message).toContain(`${op} refused`);
      }
    });

    it('a corrupted block, header or format version is ERR_SPILL_FILE, never a garbage record', async () => {
      const damage: [string, (f: { data: Uint8Array; size: number }) => void, RegExp][] = [
        ['payload byte', (f) => (f.data[32 + 8 + 20]! ^= 1), /checksum of block 0/],
        ['header byte', (f) => (f.data[17]! ^= 4), /header checksum/],
        ['magic', (f) => (f.data[0] = 0x41), /not a segmem spill file/],
        ['version', (f) => (f.data[4] = 9), /format version 9/],
        ['truncated block', (f) => (f.size -= 100), /truncated/],
        ['truncated header', (f) => (f.size = 10), /truncated/],
        ['fingerprint', (f) => (f.data[8]! ^= 1), /header checksum|another type/],
      ];
      for (const [what, hurt, message] of damage) {
        const inner = new MemoryStore();
        // Damage the first run as soon as the merge is about to read it.
        const store = new FaultyStore(inner, { op: 'read', at: 0, run: () => hurt([...inner.files.values()][0]!) });
        const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, fanIn: 3, store });
        await sorter.addAll(records);
        const out: number[] = [];
        const err = await (async () => {
          for await (const r of sorter) out.push(r.k);
        })().catch((e: unknown) => e);
        expect(err, what).toBeInstanceOf(lib.SpillFileError);
        expect(err, what).toMatchObject({ code: 'ERR_SPILL_FILE' });
        expect((err as Error).message, what).toMatch(message);
        expect(out, what).toEqual([]);
        expect(rt.memoryManager.verifyEmpty(), what).toBe(true);
        expect(inner.files.size, what).toBe(0);
      }
    });

    it('a run of another record type is ERR_SPILL_FILE', async () => {
      const inner = new MemoryStore();
      const other = new lib.ExternalSorter(rt.memoryManager, { type: { id: 'int', k: 'long', s: 'string', b: 'bytes' }, key: 'k', pages: 8, store: inner });
      await other.addAll(records);
      const foreign = [...inner.files.values()][0]!;
      const theirs = new Set(inner.files.values());
      const swapIn = () => {
        const mine = [...inner.files.values()].find((f) => !theirs.has(f) && f.sealed)!;
        mine.data = foreign.data.slice();
        mine.size = foreign.size;
      };
      const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store: new FaultyStore(inner, { op: 'read', at: 0, run: swapIn }) });
      await sorter.addAll(records);
      await expect(sorter.writeTo({ write: () => {} })).rejects.toMatchObject({ code: 'ERR_SPILL_FILE', message: expect.stringMatching(/another type or key/) });
      await other.close();
      expect(inner.files.size).toBe(0);
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
    });

    it('an abort at any store call is ERR_ABORTED (or, after the last, changes nothing)', async () => {
      const { store: counting } = await sortThrough(null);
      const total = counting.calls;
      expect(total).toBeGreaterThan(20);
      let aborted = 0;
      for (let at = 0; at <= total; at++) {
        const ctl = new AbortController();
        const { error } = await sortThrough({ at, run: () => ctl.abort(new Error('stop')) }, { signal: ctl.signal });
        if (error === null) continue;
        aborted++;
        expect(error, `abort at call ${at}`).toMatchObject({ code: 'ERR_ABORTED', cause: { message: 'stop' } });
      }
      expect(aborted).toBeGreaterThan(total - 5);
      // A sort per store call: 4.5-5.1 s on a loaded 2-core machine, past the default 5 s.
    }, 30_000);

    it('an abort from a progress callback during the merge passes is ERR_ABORTED', async () => {
      const ctl = new AbortController();
      const store = new MemoryStore();
      const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, fanIn: 3, store, signal: ctl.signal, onProgress: (p) => p.phase === 'merge' && ctl.abort() });
      await sorter.addAll(makeRecords(2000, 5));
      await expect(sorter.writeTo({ write: () => {} })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      expect(store.files.size).toBe(0);
    });

    it('an error thrown by onProgress or by the output target ends the sort the same way', async () => {
      const store = new MemoryStore();
      const boom = new Error('from the callback');
      const a = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store, onProgress: () => { throw boom; } });
      await expect(a.addAll(records)).rejects.toBe(boom);
      const b = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      await b.addAll(records);
      await expect(b.writeTo({ write: () => Promise.reject(enospc()) })).rejects.toMatchObject({ code: 'ENOSPC' });
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      expect(store.files.size).toBe(0);
    });

    it('an iterable that throws mid-way rejects with its error, after spilling, and gives everything back; a record getter that throws refuses that record only', async () => {
      const store = new MemoryStore();
      const boom = new Error('source failed');
      function* failing() {
        yield* records;
        throw boom;
      }
      const a = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      await expect(a.addAll(failing())).rejects.toBe(boom);
      expect(store.created).toBeGreaterThan(1);
      // A record whose getter throws is refused like any bad record: the 700 before it stay, and the sorter goes on.
      const b = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      const poisoned = Object.freeze([...records.slice(0, 700), Object.defineProperty({ id: 0, s: '', b: new Uint8Array(0) }, 'k', { get: () => { throw boom; }, enumerable: true })]);
      await expect(b.addAll(poisoned as Rec[])).rejects.toBe(boom);
      expect(b.size).toBe(700);
      await b.addAll(records.slice(700, 800));
      const ids: number[] = [];
      for await (const r of b) ids.push(r.id);
      expect(ids.sort((x, y) => x - y)).toEqual(records.slice(0, 800).map((r) => r.id));
      async function* slow() {
        for (const r of records.slice(0, 300)) yield r;
        throw boom;
      }
      const c = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      await expect(c.addAll(slow())).rejects.toBe(boom);
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      expect(store.files.size).toBe(0);
    });

    it('close() mid-iteration, break, and a second iteration give everything back', async () => {
      const store = new MemoryStore();
      const a = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      await a.addAll(records);
      let n = 0;
      for await (const r of a) if (r && ++n === 10) break;
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      expect(store.files.size).toBe(0);
      await expect(a.writeTo({ write: () => {} })).rejects.toMatchObject({ code: 'ERR_ILLEGAL_STATE' });
      // A second iteration is refused and leaves the first one going.
      const c = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      await c.addAll(records);
      const first = c[Symbol.asyncIterator]();
      expect((await first.next()).done).toBe(false);
      await expect(c[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'ERR_ILLEGAL_STATE' });
      let rest = 1;
      while (!(await first.next()).done) rest++;
      expect(rest).toBe(records.length);
      const b = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      await b.addAll(records);
      const it = b[Symbol.asyncIterator]();
      await it.next();
      await b.close();
      await b.close();
      await expect(it.next()).rejects.toMatchObject({ code: 'ERR_ILLEGAL_STATE' });
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      expect(store.files.size).toBe(0);
    });

    it('close() while a spill is being written stops it (ERR_ABORTED) and waits for it', async () => {
      const store = new MemoryStore();
      const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      const adding = sorter.addAll(records);
      const closing = sorter.close();
      await expect(adding).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      await closing;
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      expect(store.files.size).toBe(0);
    });
  });

  describe('misuse', () => {
    it('refuses bad options with typed errors naming the value and the limit', async () => {
      const store = new MemoryStore();
      const mm = rt.memoryManager;
      const make = (o: object) => () => new lib.ExternalSorter(mm, { type: TYPE, key: 'k', pages: 8, store, ...o });
      expect(make({ pages: 7 })).toThrow(/pages must be a whole number from 8 .* got 7/);
      expect(make({ pages: 8n })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
      expect(make({ fanIn: 1 })).toThrow(/fanIn must be a whole number from 2 to 4, got 1/);
      expect(make({ fanIn: Symbol('x') })).toThrow(/got Symbol\(x\)/);
      expect(make({ stable: 'yes' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
      expect(make({ signal: {} })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
      expect(make({ onProgress: 5 })).toThrow(expect.objectContaining({ code: 'ERR_ILLEGAL_CONFIGURATION' }));
      expect(make({ store: {} })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
      expect(make({ key: 'nope' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
      expect(() => new lib.ExternalSorter({} as never, { type: TYPE, key: 'k', pages: 8, store })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
      expect(mm.verifyEmpty()).toBe(true);
      // Refused arguments change nothing: the sorter goes on and sorts.
      const sorter = make({})();
      await expect(sorter.addAll(5 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/got 5/) });
      await expect(sorter.addSerialized(Symbol('c') as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      await expect(sorter.writeTo({} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      await expect(sorter.writeTo({ write: () => {} }, { end: 1 as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      await sorter.addAll(makeRecords(300, 1));
      const written: Uint8Array[] = [];
      expect(await sorter.writeTo({ write: (c: Uint8Array) => void written.push(c) })).toBe(300);
      // Handed out once: a second output is refused, and changes nothing either.
      await expect(sorter.writeTo({ write: () => {} })).rejects.toMatchObject({ code: 'ERR_ILLEGAL_STATE' });
      expect(mm.verifyEmpty()).toBe(true);
      expect(store.files.size).toBe(0);
    });

    it('a record that does not match the type is refused, nothing of it kept, and the sorter goes on, even at a spill', async () => {
      const store = new MemoryStore();
      const a = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      const good = makeRecords(1500, 5);
      const bad: [unknown, string][] = [
        [{ id: 1, k: 1.5, s: '', b: new Uint8Array(0) }, 'ERR_VALUE_OUT_OF_RANGE'],
        [{ id: 1, k: 2 ** 31, s: '', b: new Uint8Array(0) }, 'ERR_VALUE_OUT_OF_RANGE'],
        [{ id: 1, k: 1n, s: '', b: new Uint8Array(0) }, 'ERR_INVALID_ARGUMENT'],
        [{ id: 1, k: Symbol('k'), s: '', b: new Uint8Array(0) }, 'ERR_INVALID_ARGUMENT'],
        [{ id: 1, k: 1, s: '\ud800', b: new Uint8Array(0) }, 'ERR_INVALID_ARGUMENT'],
        [null, 'ERR_INVALID_ARGUMENT'],
      ];
      let spills = 0;
      for (let i = 0; i < good.length; i++) {
        // Bad records between the good ones, including right where the pages are full and a run is spilled.
        if (i % 250 === 0) {
          const [record, code] = bad[(i / 250) % bad.length]!;
          await expect(a.add(record as Rec)).rejects.toMatchObject({ code });
        }
        await a.add(good[i]!);
        if (store.created > spills) {
          spills = store.created;
          const [record, code] = bad[spills % bad.length]!;
          await expect(a.add(record as Rec)).rejects.toMatchObject({ code });
        }
      }
      expect(spills).toBeGreaterThan(1);
      expect(a.size).toBe(good.length);
      const keys: number[] = [];
      for await (const r of a) keys.push(r.k);
      expect(keys).toEqual(good.map((r) => r.k).sort((x, y) => x - y));
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      expect(store.files.size).toBe(0);
    });

    it('a record too large for the budget rejects and gives everything back', async () => {
      const store = new MemoryStore();
      const b = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      await expect(b.add({ id: 1, k: 1, s: '', b: new Uint8Array(5 * PAGE) })).rejects.toMatchObject({ code: 'ERR_MEMORY_ALLOCATION', message: expect.stringMatching(/4 pages/) });
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
    });

    it('refuses a second operation while one runs, and re-entrant calls from callbacks', async () => {
      const store = new MemoryStore();
      const records = makeRecords(600, 2);
      let inner: Promise<void> | null = null;
      const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store, onProgress: () => void (inner ??= sorter.add(records[0]!)) });
      const first = sorter.addAll(records);
      await expect(sorter.add(records[0]!)).rejects.toMatchObject({ code: 'ERR_ILLEGAL_STATE', message: expect.stringMatching(/another operation/) });
      await first;
      await expect(inner).rejects.toMatchObject({ code: 'ERR_ILLEGAL_STATE' });
      const ids: number[] = [];
      for await (const r of sorter) ids.push(r.id);
      expect(ids.length).toBe(600);
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      expect(store.files.size).toBe(0);
    });
  });

  if (lib.OpfsSpillStore.isAvailable()) {
    it('sorts through the Origin Private File System and leaves no file in it', async () => {
      const store = new lib.OpfsSpillStore('segmem-test');
      const records = makeRecords(1500, 9);
      const { ids, progress } = await sortIds(lib, rt, records, [{ field: 'k', order: 'asc' }], 8, 3, store);
      expect(ids).toEqual(records.slice().sort(compare([{ field: 'k', order: 'asc' }])).map((r) => r.id));
      expect(progress!.runsSpilled).toBeGreaterThan(3);
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('segmem-test');
      const left: string[] = [];
      for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) left.push(name);
      expect(left).toEqual([]);
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      // The default store is the OPFS here.
      expect(new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8 }).store).toBeInstanceOf(lib.OpfsSpillStore);
    });
  } else {
    it('without an OPFS and without a store, says that a spill directory is needed (ERR_SPILL_STORE)', () => {
      expect(() => new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8 })).toThrow(
        expect.objectContaining({ code: 'ERR_SPILL_STORE', message: expect.stringMatching(/needs a spill directory.*NodeSpillStore/) }),
      );
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
    });
  }
});

describe('wasm and pure-JS builds', () => {
  it('sort random records identically, spilled or not', async () => {
    const [wasm, js] = await Promise.all(builds.map((b) => b.init(RT)));
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(recordArb, { maxLength: 300 }), keyArb, fc.constantFrom(8, 64), async (raw, key, pages) => {
          const records = withIds(raw);
          const a = await sortIds(builds[0]!.lib, wasm!, records, key, pages, 3, new MemoryStore());
          const b = await sortIds(builds[1]!.lib, js!, records, key, pages, 3, new MemoryStore());
          expect(a.ids).toEqual(b.ids);
          expect(a.progress).toEqual(b.progress);
        }),
        { numRuns: 25 },
      );
    } finally {
      wasm!.close();
      js!.close();
    }
  });
});
