// The batch kernels of the external sort (assembly/batch.ts and its twin
// src/kernels/js-batch.ts) on both builds: known answers for index entries
// and spill entries, the in-memory sorter's batch path against its
// per-record path on random records and keys, and the external sorter's
// addSerialized of fixed-size records (cut anywhere, several runs) against
// Array.prototype.sort, with its errors.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builds, type Build } from './builds.js';
import { oracle } from './sort-oracle.js';
import { MemoryStore } from './spill-stores.js';
import type { Runtime } from '../src/index.js';
import { SpillingSorter } from '../src/sort/spilling-sorter.js';
import * as layout from '../src/kernels/sort-layout.js';
import { readKeyValues } from '../src/sort/record-decoder.js';
import type { RecordSerializer } from '../src/io/serializer.js';

const PAGE = 4096;
const RT = { managedMemory: 512 * PAGE, networkMemory: 0, offHeapMemory: '64kb', pageSize: PAGE } as const;

const TYPE = { a: 'int', b: 'bigint', c: { type: 'bytes', length: 3 }, d: 'double', e: 'int' } as const;
type Rec = { a: number; b: bigint; c: Uint8Array; d: number; e: number };
const KIND: Record<string, string> = { a: 'int', b: 'bigint', c: 'bytes', d: 'double', e: 'int' };
const RECORD_BYTES = 4 + 8 + 3 + 8 + 4;
type Key = { field: 'a' | 'b' | 'c' | 'e'; order: 'asc' | 'desc' }[];

const recordArb = fc.record({
  a: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-2147483648, 2147483647)),
  b: fc.oneof(fc.bigInt({ min: -2n, max: 2n }), fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n)),
  c: fc.uint8Array({ minLength: 3, maxLength: 3, max: 3 }),
  d: fc.double(),
  e: fc.integer(),
});
const keyArb = fc.uniqueArray(fc.record({ field: fc.constantFrom<Key[number]['field']>('a', 'b', 'c', 'e'), order: fc.constantFrom<'asc' | 'desc'>('asc', 'desc') }), {
  minLength: 1,
  maxLength: 3,
  selector: (k) => k.field,
});

const compare = (key: Key) => (x: Rec & { id: number }, y: Rec & { id: number }) => {
  for (const { field, order } of key) {
    const c = oracle(KIND[field]!, x[field], y[field]);
    if (c !== 0) return order === 'desc' ? -c : c;
  }
  return x.id - y.id;
};

/** The records serialized back to back, as one array. */
function serialize(lib: Build, rt: Runtime, records: readonly Rec[]): Uint8Array {
  const arrays: Uint8Array[] = [];
  const out = new lib.DataOutputView({
    pageSize: PAGE,
    nextPage: () => {
      const a = new Uint8Array(PAGE);
      arrays.push(a);
      return rt.segments.wrap(a);
    },
  });
  const ser = new lib.RecordSerializer(TYPE);
  for (const r of records) ser.write(out, r);
  const all = new Uint8Array(out.position);
  for (let i = 0; i < arrays.length; i++) all.set(arrays[i]!.subarray(0, Math.min(PAGE, all.length - i * PAGE)), i * PAGE);
  return all;
}

/** The bytes of entry i (key prefix, padding, pointer) of a sorter. */
const entryOf = (s: SpillingSorter, i: number) => s.memory.slice(s.keyAddressAt(i), s.keyAddressAt(i) + s.entryBytes);

describe.each(builds)('$name build', ({ init, lib }) => {
  let rt: Runtime;
  beforeEach(async () => {
    rt = await init(RT);
  });
  afterEach(() => rt.close());

  it('sortIndexFixed writes the key plan\'s bytes, zero padding and the pointers (known answer)', () => {
    const owner = {};
    const [ctlPage, recPage, entryPage] = rt.memoryManager.allocatePages(owner, 3);
    const ctl = ctlPage!.address;
    const mem = ctlPage!.bytes;
    const dv = ctlPage!.view;
    const kernels = ctlPage!.region.kernels!;
    dv.setUint32(ctl + layout.SORT_KEY_BYTES, 5, true);
    dv.setUint32(ctl + layout.SORT_ENTRY_SHIFT, 4, true);
    [1, 2, 3, 4, 0].forEach((o, j) => dv.setUint16(ctl + layout.PLAN_OFFSETS + 2 * j, o, true));
    [0x80, 0, 0, 0, 0xff].forEach((m, j) => (mem[ctl + layout.PLAN_MASKS + j] = m));
    const records = [10, 0x81, 2, 3, 4, 99, 11, 0x01, 5, 6, 7, 98, 12, 0xff, 8, 9, 10, 97];
    mem.set(records, recPage!.address);
    mem.fill(0xaa, entryPage!.address, entryPage!.address + 64);
    kernels.sortIndexFixed(ctl, recPage!.address, 3, 6, entryPage!.address, 1000);
    const got = Array.from(mem.subarray(entryPage!.address, entryPage!.address + 52));
    const pointer = (p: number) => [p & 255, p >> 8, 0, 0];
    expect(got).toEqual([
      ...[0x01, 2, 3, 4, 0xf5, 0, 0, 0, 0, 0, 0, 0, ...pointer(1000)],
      ...[0x81, 5, 6, 7, 0xf4, 0, 0, 0, 0, 0, 0, 0, ...pointer(1006)],
      ...[0x7f, 8, 9, 10, 0xf3, 0, 0, 0, 0, 0, 0, 0, ...pointer(1012)],
      0xaa, 0xaa, 0xaa, 0xaa,
    ]);
    rt.memoryManager.release([ctlPage!, recPage!, entryPage!]);
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('sortGatherFixed writes spill entries in index order, across record pages, as many as fit (known answer)', () => {
    const owner = {};
    const [ctlPage, indexPage, rec0, rec1, dstPage] = rt.memoryManager.allocatePages(owner, 5);
    const ctl = ctlPage!.address;
    const mem = ctlPage!.bytes;
    const dv = ctlPage!.view;
    const kernels = ctlPage!.region.kernels!;
    const list = ctl + layout.SORT_LISTS;
    const table = list + 64;
    dv.setUint32(ctl + layout.SORT_KEY_BYTES, 3, true);
    dv.setUint32(ctl + layout.SORT_ENTRY_SHIFT, 3, true);
    dv.setUint32(ctl + layout.SORT_PAGE_SHIFT, Math.log2(PAGE) - 3, true);
    dv.setUint32(ctl + layout.SORT_LIST, list, true);
    dv.setUint32(list, indexPage!.address, true);
    dv.setUint32(table, rec0!.address, true);
    dv.setUint32(table + 4, rec1!.address, true);
    // Records of 130 bytes (a 2-byte length): one at 0, one straddling the pages at PAGE - 2, one at PAGE + 200.
    const size = 130;
    const pointers = [PAGE - 2, 0, PAGE + 200];
    const flat = (p: number) => (p < PAGE ? rec0!.address + p : rec1!.address + p - PAGE);
    for (const [r, p] of pointers.entries()) for (let b = 0; b < size; b++) mem[flat(p + b)] = (r * 50 + b) & 255;
    for (const [i, p] of pointers.entries()) {
      const e = indexPage!.address + 8 * i;
      mem.set([i + 1, i + 2, i + 3, 0], e);
      dv.setUint32(e + 4, p, true);
    }
    const step = 2 + 3 + size;
    const dst = dstPage!.address;
    expect(kernels.sortGatherFixed(ctl, 0, 3, table, Math.log2(PAGE), size, dst, dst + 2 * step + step - 1)).toBe(2);
    expect(kernels.sortGatherFixed(ctl, 2, 3, table, Math.log2(PAGE), size, dst + 2 * step, dst + 3 * step)).toBe(1);
    for (const [i] of pointers.entries()) {
      const at = dst + i * step;
      const record = Array.from({ length: size }, (_, b) => (i * 50 + b) & 255);
      expect(Array.from(mem.subarray(at, at + step))).toEqual([0x82, 0x01, i + 1, i + 2, i + 3, ...record]);
    }
    rt.memoryManager.release([ctlPage!, indexPage!, rec0!, rec1!, dstPage!]);
  });

  it('the batch path writes the same index entries and spill entries as the per-record path', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 500, size: 'max' }), keyArb, fc.integer({ min: 1, max: 28 }), fc.integer({ min: 5, max: 20 }), (records, key, prefix, pages) => {
        const options = { type: TYPE, key, pages, keyPrefixBytes: prefix };
        const batch = new SpillingSorter(rt.memoryManager, options);
        const single = new SpillingSorter(rt.memoryManager, options);
        const dst = rt.memoryManager.allocatePages(batch, 1)[0]!;
        try {
          expect(batch.batchable).toBe(true);
          const bytes = serialize(lib, rt, records);
          const ser = batch.serializer as unknown as RecordSerializer;
          const keyFields = key.map((k) => ser.fieldIndex(k.field));
          // The batch path, with the record that needs a page the per-record way, until the page limit refuses one.
          let added = 0;
          while (added < records.length) {
            const k = batch.writeSerializedBatch(bytes, added * RECORD_BYTES, records.length - added);
            if (k > 0) added += k;
            else if (batch.writeSerialized(readKeyValues(ser, keyFields, bytes, added * RECORD_BYTES), bytes, added * RECORD_BYTES, RECORD_BYTES)) added++;
            else break;
          }
          for (let i = 0; i < added; i++) expect(single.write(records[i]!)).toBe(true);
          expect(batch.size).toBe(added);
          for (let i = 0; i < added; i++) expect(entryOf(batch, i)).toEqual(entryOf(single, i));
          batch.sort({ stable: true });
          single.sort({ stable: true });
          expect(batch.prepareGather()).toBe(true);
          // Gathered a page at a time against the model: [ length ][ key prefix ][ record ] in sorted order.
          const step = 1 + batch.keys.keyBytes + RECORD_BYTES;
          const gathered: number[] = [];
          for (let i = 0; i < added; ) {
            const k = batch.gatherSpill(i, added, dst.address, dst.address + PAGE);
            expect(k).toBe(Math.min(added - i, Math.floor(PAGE / step)));
            gathered.push(...batch.memory.subarray(dst.address, dst.address + k * step));
            i += k;
          }
          const model: number[] = [];
          const record = new Uint8Array(RECORD_BYTES);
          for (let i = 0; i < added; i++) {
            single.viewAt(i).readBytes(record, 0, RECORD_BYTES);
            model.push(RECORD_BYTES, ...single.memory.subarray(single.keyAddressAt(i), single.keyAddressAt(i) + single.keys.keyBytes), ...record);
          }
          expect(gathered).toEqual(model);
        } finally {
          batch.close();
          single.close();
          rt.memoryManager.release([dst]);
        }
        expect(rt.memoryManager.verifyEmpty()).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the per-record path for keys the batch kernels do not cover', () => {
    for (const key of ['d', [{ field: 'a' }, { field: 'd' }]] as const) {
      const s = new SpillingSorter(rt.memoryManager, { type: TYPE, key, pages: 8 });
      expect(s.batchable).toBe(false);
      s.close();
    }
    const nullable = new SpillingSorter(rt.memoryManager, { type: { a: { type: 'int', nullable: true } }, key: 'a', pages: 8 });
    expect(nullable.batchable).toBe(false);
    nullable.close();
    const long = new SpillingSorter(rt.memoryManager, { type: { a: 'long' }, key: 'a', pages: 8 });
    expect(long.batchable).toBe(false);
    long.close();
  });

  it('external sort of fixed-size serialized records cut anywhere, over several runs, sorts like Array.prototype.sort', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { maxLength: 1500, size: 'max' }), keyArb, fc.integer({ min: 8, max: 40 }), fc.array(fc.nat(), { maxLength: 8 }), async (records, key, pages, cutSeeds) => {
        const bytes = serialize(lib, rt, records);
        const cuts = [...new Set(cutSeeds.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
        const chunks = [0, ...cuts, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1]!, end));
        const store = new MemoryStore();
        let runs = 0;
        const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key, pages, store, stable: true, onProgress: (p) => void (p.phase === 'spill' && runs++) });
        await sorter.addSerialized(chunks);
        expect(sorter.size).toBe(records.length);
        const got: Rec[] = [];
        for await (const r of sorter) got.push(r);
        const want = records.map((r, id) => ({ ...r, id })).sort(compare(key));
        expect(got.map((r) => [r.a, r.b, Array.from(r.c), r.e])).toEqual(want.map((r) => [r.a, r.b, Array.from(r.c), r.e]));
        if (records.length * RECORD_BYTES > pages * PAGE) expect(runs).toBeGreaterThan(1);
        expect(store.files.size).toBe(0);
        expect(rt.memoryManager.verifyEmpty()).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('spills fixed-size records longer than a block (the per-record way, across blocks) among a batch-gathered run', async () => {
    const type = { k: 'int', p: { type: 'bytes', length: 5000 } } as const;
    const records = Array.from({ length: 40 }, (_, i) => ({ k: (i * 17) % 40, p: new Uint8Array(5000).fill(i) }));
    const store = new MemoryStore();
    const sorter = new lib.ExternalSorter(rt.memoryManager, { type, key: 'k', pages: 40, store });
    await sorter.addAll(records);
    const got: number[] = [];
    for await (const r of sorter) {
      expect(r.p.every((b: number) => b === r.p[0])).toBe(true);
      got.push(r.k);
    }
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(store.created).toBeGreaterThan(1);
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('fixed-size serialized input: ERR_EOF for a cut-off last record, ERR_INVALID_ARGUMENT for a chunk that is not bytes, everything given back', async () => {
    const bytes = serialize(lib, rt, [{ a: 1, b: 2n, c: new Uint8Array(3), d: 0, e: 0 }]);
    for (const [chunks, code, text] of [
      [[bytes, bytes.subarray(0, 10), bytes.subarray(10, 12)], 'ERR_EOF', `12 bytes after byte ${RECORD_BYTES}`],
      [[bytes.subarray(0, 5), 'x'], 'ERR_INVALID_ARGUMENT', "after byte 0) is not a Uint8Array: 'x'"],
    ] as const) {
      const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'a', pages: 8, store: new MemoryStore() });
      const err = await sorter.addSerialized(chunks as unknown as Uint8Array[]).catch((e: unknown) => e);
      expect(err).toMatchObject({ code });
      expect((err as Error).message).toContain(text);
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
    }
  });

  it('an abort while fixed-size serialized records are added is ERR_ABORTED, and leaves no page or file', async () => {
    const records = Array.from({ length: 3000 }, (_, i) => ({ a: (i * 7919) % 1000, b: BigInt(i), c: new Uint8Array(3), d: i, e: i }));
    const bytes = serialize(lib, rt, records);
    const controller = new AbortController();
    const store = new MemoryStore();
    const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'a', pages: 8, store, signal: controller.signal, onProgress: (p) => void (p.phase === 'spill' && controller.abort('stop')) });
    const err = await sorter.addSerialized([bytes]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_ABORTED' });
    await sorter.close();
    expect(store.files.size).toBe(0);
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });
});
