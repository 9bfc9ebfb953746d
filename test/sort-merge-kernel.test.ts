// The merge kernel and the block checksum kernel (assembly/merge.ts,
// assembly/checksum.ts and their twins src/kernels/js-merge.ts,
// src/kernels/js-checksum.ts) on both builds: known answers for the
// kernels, the checksum against the format's TypeScript function on random
// bytes, and the kernel-driven merge against the per-record merge and a
// model on random runs (ties in run order, entries longer than a block).
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { FaultyStore, MemoryStore } from './spill-stores.js';
import type { Runtime } from '../src/index.js';
import { checksumBytes } from '../src/kernels/js-checksum.js';
import * as layout from '../src/kernels/merge-layout.js';
import { instantiateKernels } from '../src/wasm/loader.js';
import { toByteSink } from '../src/sort/byte-sink.js';
import { openMerge } from '../src/sort/merge-drain.js';
import { EntryOrder } from '../src/sort/merger.js';
import { OutputStage, writeStaged } from '../src/sort/output-stage.js';
import { MergedSource } from '../src/sort/sorted-source.js';
import { SpillResources } from '../src/sort/spill-resources.js';
import type { RecordSerializer } from '../src/io/serializer.js';
import type { SpillFile } from '../src/sort/spill-store.js';

const PAGE = 4096;
const RT = { managedMemory: 256 * PAGE, networkMemory: 0, offHeapMemory: '64kb', pageSize: PAGE } as const;
/** The arrays back to back, as one. */
function concat(arrays: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    all.set(a, at);
    at += a.length;
  }
  return all;
}
/** The first index where the arrays differ (their shorter length when one is a prefix of the other), or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 255);

describe('merge state layout', () => {
  it('names every constant with the same value in the wasm module and in TypeScript', async () => {
    const wasm = await instantiateKernels(new WebAssembly.Memory({ initial: 1, maximum: 1 }));
    for (const name of ['MERGE_STATE_BYTES', 'MERGE_RUN_BYTES', 'MERGE_FULL', 'MERGE_SERVICE', 'MERGE_DONE'] as const) {
      expect((wasm[name] as WebAssembly.Global).value, name).toBe(layout[name]);
    }
  });
});

describe('the spill checksum', () => {
  it('keeps the values of format version 1 (known answers)', () => {
    const bytes = pattern(1100);
    // Aligned with the lane loop, aligned below 64 bytes, unaligned, empty.
    expect([checksumBytes(bytes, 0, 1000, 0), checksumBytes(bytes, 8, 64, 3), checksumBytes(bytes, 1, 100, 5), checksumBytes(bytes, 4, 3, 0), checksumBytes(bytes, 0, 0, 9)]).toEqual(KNOWN);
  });
});
const KNOWN = [347577436, 3562449921, 1515962865, 4062570390, 3701370045];

describe.each(builds)('$name build', ({ init, lib }) => {
  let rt: Runtime;
  beforeEach(async () => {
    rt = await init(RT);
  });
  afterEach(() => rt.close());

  it('spillChecksum gives the format\'s values (known answers, and random bytes at any offset)', () => {
    const [page] = rt.memoryManager.allocatePages({}, 2);
    const kernels = page!.region.kernels!;
    const mem = page!.bytes;
    const base = page!.address;
    mem.set(pattern(1100), base);
    const sum = (at: number, n: number, seed: number) => kernels.spillChecksum(base + at, n, seed) >>> 0;
    expect([sum(0, 1000, 0), sum(8, 64, 3), sum(1, 100, 5), sum(4, 3, 0), sum(0, 0, 9)]).toEqual(KNOWN);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(7), fc.nat(), (data, offset, seed) => {
        mem.set(data, base + offset);
        expect(sum(offset, data.length, seed)).toBe(checksumBytes(mem, base + offset, data.length, seed));
      }),
    );
    rt.memoryManager.release(page!);
  });

  /**
   * Three runs of two entries each in blocks of their own: entry
   * [ 2 ][ key ][ 10 × key, run ], keys r0: 1 4, r1: 2 5, r2: 1 3; the loser
   * tree as the Merger builds it (r0 wins the tie with r2).
   */
  function threeRuns() {
    const pages = rt.memoryManager.allocatePages({}, 5);
    const [state, b0, b1, b2, out] = pages.map((p) => p.address) as [number, number, number, number, number];
    const mem = pages[0]!.bytes;
    const v = pages[0]!.view;
    const keys = [[1, 4], [2, 5], [1, 3]];
    [b0, b1, b2].forEach((b, run) => keys[run]!.forEach((key, i) => mem.set([2, key, 10 * key, run], b + 4 * i)));
    v.setUint32(state + layout.MERGE_K, 3, true);
    v.setUint32(state + layout.MERGE_KEY_BYTES, 1, true);
    [0, 2, 1].forEach((run, i) => v.setUint32(state + layout.MERGE_STATE_BYTES + 4 * i, run, true));
    const runAt = (i: number) => state + layout.MERGE_STATE_BYTES + 12 + i * layout.MERGE_RUN_BYTES;
    [b0, b1, b2].forEach((b, i) => {
      v.setUint32(runAt(i) + layout.RUN_KEY_AT, b + 1, true);
      v.setUint32(runAt(i) + layout.RUN_LENGTH, 2, true);
      v.setUint32(runAt(i) + layout.RUN_PAYLOAD_END, b + 8, true);
      v.setUint32(runAt(i) + layout.RUN_LEFT, 1, true);
      v.setUint32(runAt(i) + layout.RUN_DONE, 0, true);
    });
    const kernels = pages[0]!.region.kernels!;
    const merge = (entries: boolean, room: number) => {
      v.setUint32(state + layout.MERGE_ENTRIES, entries ? 1 : 0, true);
      const count = kernels.mergeRuns(state, out, out + room);
      const end = v.getUint32(state + layout.MERGE_END, true);
      return { count, bytes: Array.from(mem.subarray(out, end)), stop: v.getUint32(state + layout.MERGE_STOP, true), winner: v.getUint32(state + layout.MERGE_STATE_BYTES, true) };
    };
    const run = (i: number) => ({ keyAt: v.getUint32(runAt(i) + layout.RUN_KEY_AT, true), left: v.getUint32(runAt(i) + layout.RUN_LEFT, true) });
    return { merge, run, blocks: [b0, b1, b2], setDone: (i: number) => v.setUint32(runAt(i) + layout.RUN_DONE, 1, true), release: () => rt.memoryManager.release(pages) };
  }

  it('mergeRuns writes records in key order, ties in run order, and stops when a run must leave its block (known answer)', () => {
    const m = threeRuns();
    expect(m.merge(false, 100)).toEqual({ count: 4, bytes: [10, 0, 10, 2, 20, 1, 30, 2], stop: layout.MERGE_SERVICE, winner: 2 });
    // The winner's last entry was written, its run left as it was for the caller to step; the others stepped.
    expect([m.run(0), m.run(1), m.run(2)]).toEqual(m.blocks.map((b) => ({ keyAt: b + 5, left: 0 })));
    m.release();
  });

  it('mergeRuns stops before a record the output has no room for, and writes spill entries when asked (known answer)', () => {
    const full = threeRuns();
    expect(full.merge(false, 5)).toEqual({ count: 2, bytes: [10, 0, 10, 2], stop: layout.MERGE_FULL, winner: 1 });
    expect(full.merge(false, 1)).toEqual({ count: 0, bytes: [], stop: layout.MERGE_FULL, winner: 1 });
    full.release();
    const entries = threeRuns();
    expect(entries.merge(true, 100)).toEqual({ count: 4, bytes: [2, 1, 10, 0, 2, 1, 10, 2, 2, 2, 20, 1, 2, 3, 30, 2], stop: layout.MERGE_SERVICE, winner: 2 });
    entries.release();
    const done = threeRuns();
    [0, 1, 2].forEach(done.setDone);
    expect(done.merge(false, 100)).toEqual({ count: 0, bytes: [], stop: layout.MERGE_DONE, winner: 0 });
    done.release();
  });

  it('the kernel-driven merge writes what the per-record merge and a model write, entries longer than a block included (property)', async () => {
    const sorter = new lib.InMemorySorter(rt.memoryManager, { type: { k: 'int', p: 'bytes' }, key: 'k', pages: 8 });
    const keys = sorter.keys;
    const serializer = sorter.serializer as unknown as RecordSerializer;
    sorter.close();
    const entryArb = fc.record({ key: fc.integer({ min: 0, max: 6 }), length: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 100, max: 200 }), fc.integer({ min: 4000, max: 9000 })) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(entryArb, { minLength: 1, maxLength: 120 }), { minLength: 1, maxLength: 6 }), fc.boolean(), async (raw, tightOutput) => {
        const store = new MemoryStore();
        const counts = { bytesWritten: 0, bytesRead: 0 };
        const owner = {};
        const held = new SpillResources(rt.memoryManager, owner, store, keys.keyBytes, 7, counts);
        // Each run sorted by key; each record's bytes say its run and place.
        const runs = raw.map((entries, run) => [...entries].sort((a, b) => a.key - b.key).map((e, i) => ({ ...e, bytes: Uint8Array.from({ length: e.length }, (_, j) => (run * 31 + i * 7 + j) & 255) })));
        const files: SpillFile[] = [];
        for (const run of runs) {
          const writer = await held.newWriter(2);
          const key = new Uint8Array(keys.keyBytes);
          for (const e of run) {
            new DataView(key.buffer).setUint32(0, e.key);
            const wait = writer.appendFromBytes(key, 0, e.bytes, 0, e.length);
            if (wait !== null) await wait;
          }
          files.push(await held.finishWriter(writer));
        }
        const order = new EntryOrder(keys, serializer);
        expect(order.decided).toBe(true);
        const mergeAll = async (kernel: boolean) => {
          const { readers, merger, drain, statePages } = await openMerge(held, files, 40, order, PAGE, () => {});
          expect(drain !== null).toBe(true);
          const page = statePages![0]!;
          const source = new MergedSource(merger, page.region.kernels, page.bytes, page.view, kernel ? drain : null);
          const stage = new OutputStage(held.take(tightOutput ? 1 : 3));
          const chunks: Uint8Array[] = [];
          const count = await writeStaged(source, stage, toByteSink({ write: (c: Uint8Array) => void chunks.push(c) }), () => {});
          for (const r of readers) await held.closeReader(r);
          return { count, bytes: concat(chunks) };
        };
        const model = runs.flatMap((run, r) => run.map((e) => ({ ...e, r }))).sort((a, b) => a.key - b.key || a.r - b.r);
        const byKernel = await mergeAll(true);
        const perRecord = await mergeAll(false);
        expect(byKernel.count).toBe(model.length);
        expect(perRecord.count).toBe(model.length);
        expect(firstDifference(byKernel.bytes, concat(model.map((e) => e.bytes)))).toBe(-1);
        expect(firstDifference(byKernel.bytes, perRecord.bytes)).toBe(-1);
        await held.releaseAll();
        expect(rt.memoryManager.verifyEmpty()).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  describe('faults during a kernel-driven merge (writeTo, int key)', () => {
    const TYPE = { k: 'int', p: { type: 'bytes', length: 100 } } as const;
    const records = Array.from({ length: 3000 }, (_, i) => ({ k: (i * 7919) % 1009, p: new Uint8Array(100).fill(i & 255) }));
    const sorted = (store: FaultyStore | MemoryStore, signal?: AbortSignal) => new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 40, store, ...(signal ? { signal } : {}) });

    it('a damaged block deep in a run, or an entry length running past its block, is ERR_SPILL_FILE; everything goes back', async () => {
      const damage: [string, (data: Uint8Array) => void, RegExp][] = [
        ['payload byte of block 3', (data) => (data[32 + 3 * PAGE + 8 + 20]! ^= 1), /checksum of block 3/],
        [
          'entry length (checksum made to match)',
          (data) => {
            // The second entry of block 3: its length byte becomes a two-byte 16383, the block's checksum recomputed.
            const block = 32 + 3 * PAGE;
            data.set([0xff, 0x7f], block + 8 + 109);
            const payload = new DataView(data.buffer, data.byteOffset).getUint32(block, true) & 0x7fffffff;
            new DataView(data.buffer, data.byteOffset).setUint32(block + 4, checksumBytes(data, block + 8, payload, 3), true);
          },
          /runs past/,
        ],
      ];
      for (const [what, hurt, message] of damage) {
        const inner = new MemoryStore();
        const store = new FaultyStore(inner, { op: 'read', at: 0, run: () => hurt([...inner.files.values()][0]!.data) });
        const sorter = sorted(store);
        await sorter.addAll(records);
        const chunks: Uint8Array[] = [];
        const err = await sorter.writeTo({ write: (c: Uint8Array) => void chunks.push(c) }).catch((e: unknown) => e);
        expect(err, what).toBeInstanceOf(lib.SpillFileError);
        expect(err, what).toMatchObject({ code: 'ERR_SPILL_FILE' });
        expect((err as Error).message, what).toMatch(message);
        // What went out before the damage is in order.
        const out = concat(chunks);
        const keys = Array.from({ length: out.length / 104 }, (_, i) => new DataView(out.buffer).getInt32(i * 104));
        expect(keys, what).toEqual([...keys].sort((a, b) => a - b));
        expect(keys.length, what).toBeLessThan(records.length);
        expect(rt.memoryManager.verifyEmpty(), what).toBe(true);
        expect(inner.files.size, what).toBe(0);
      }
    });

    it('an abort while the output is written stops the merge with ERR_ABORTED; everything goes back', async () => {
      const inner = new MemoryStore();
      const controller = new AbortController();
      const sorter = sorted(inner, controller.signal);
      await sorter.addAll(records);
      let writes = 0;
      const err = await sorter.writeTo({ write: () => void (++writes === 2 && controller.abort('enough')) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(lib.OperationAbortedError);
      expect(err).toMatchObject({ code: 'ERR_ABORTED', cause: 'enough' });
      expect(writes).toBe(2);
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      expect(inner.files.size).toBe(0);
    });

    it('pages freed underneath the merge by the target (releaseAll on their owner, or the runtime closed) are ERR_SEGMENT_FREED, not a garbage record', async () => {
      for (const how of ['releaseAll', 'close'] as const) {
        const inner = new MemoryStore();
        const owner = { name: 'merge owner' };
        const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 40, store: inner, owner });
        await sorter.addAll(records);
        let writes = 0;
        const chunks: Uint8Array[] = [];
        const free = () => (how === 'close' ? rt.close() : rt.memoryManager.releaseAll(owner));
        const err = await sorter.writeTo({ write: (c: Uint8Array) => void (chunks.push(c.slice()), ++writes === 2 && free()) }).catch((e: unknown) => e);
        expect(err, how).toBeInstanceOf(lib.SegmentFreedError);
        expect(err, how).toMatchObject({ code: 'ERR_SEGMENT_FREED' });
        expect(chunks.length, how).toBe(2);
        expect(inner.files.size, how).toBe(0);
        if (how === 'releaseAll') expect(rt.memoryManager.verifyEmpty()).toBe(true);
      }
    });

    it('writes the records in key order, equal keys in input order (stable), as Array.prototype.sort does', async () => {
      const inner = new MemoryStore();
      const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 40, store: inner, stable: true });
      await sorter.addAll(records);
      const chunks: Uint8Array[] = [];
      expect(await sorter.writeTo({ write: (c: Uint8Array) => void chunks.push(c) })).toBe(records.length);
      const out = concat(chunks);
      const model = records.map((r, i) => ({ ...r, i })).sort((a, b) => a.k - b.k);
      const got = Array.from({ length: out.length / 104 }, (_, i) => [new DataView(out.buffer).getInt32(i * 104), out[i * 104 + 4]!]);
      expect(got).toEqual(model.map((r) => [r.k, r.i & 255]));
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
    });
  });
});
