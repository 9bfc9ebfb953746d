// The radix plan's MSD passes (sortCount and sortScatter over slices, then
// leaves) for 8-, 16- and 32-byte entries, on the default page of 32 KiB,
// whose scatter loops the wasm build compiles with constant shifts, and on
// 4 KiB and 16 KiB pages, which take the general loops: orders equal to a
// stable sort by key in both builds (so identical to each other), every
// record read back once, every page given back.
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { LEAF_BYTES, SLICE_WORK } from '../src/sort/radix-plan.js';

/** A deterministic xorshift32 source of unsigned 32-bit values. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** Record types whose keys fill 8-, 16- and 32-byte index entries (4, 8 and 20 key bytes). */
const SHAPES = [
  { name: '8-byte entries (int key)', entryBytes: 8, type: { a: 'int', id: 'int' }, key: 'a' },
  { name: '16-byte entries (long key)', entryBytes: 16, type: { a: 'long', id: 'int' }, key: 'a' },
  { name: '32-byte entries (long, long, int key)', entryBytes: 32, type: { a: 'long', b: 'long', c: 'int', id: 'int' }, key: ['a', 'b', 'c'] },
] as const;

type Rec = { a: number; b?: number; c?: number; id: number };

/** `n` records: keys from few top values (long runs in one MSD bucket) or spread over the whole range. */
function recordsOf(entryBytes: number, n: number, seed: number, spread: boolean): Rec[] {
  const r = xorshift(seed);
  const int = () => (spread ? r() | 0 : ((r() % 3) << 24) | (r() & 0xffff));
  const long = () => (spread ? (r() % 0x1fffff) * 2 ** 32 + r() - 2 ** 52 : (r() % 3) * 2 ** 40 + (r() & 0xffff));
  return Array.from({ length: n }, (_, id) => (entryBytes === 8 ? { a: int(), id } : entryBytes === 16 ? { a: long(), id } : { a: long() % 5, b: long(), c: int(), id }));
}

/** Ids in the order of a stable sort by (a, b, c). */
function stableOrder(records: Rec[]): number[] {
  return [...records].sort((x, y) => x.a - y.a || (x.b ?? 0) - (y.b ?? 0) || (x.c ?? 0) - (y.c ?? 0) || x.id - y.id).map((x) => x.id);
}

describe.each(builds)('$name build: radix MSD passes', ({ init, lib }) => {
  for (const pageSize of [4096, 16384, 32768]) {
    for (const shape of SHAPES) {
      it(`sorts ${shape.name} beyond one leaf into a stable order on ${pageSize / 1024} KiB pages`, async () => {
        const leafEntries = LEAF_BYTES / shape.entryBytes;
        const rt = await init({ managedMemory: '24mb', networkMemory: 0, pageSize });
        try {
          // Spread keys: one MSD level; few top values: ranges split again, starting inside pages.
          for (const [n, spread] of [[leafEntries + 777, true], [2 * leafEntries + 5, false]] as const) {
            const records = recordsOf(shape.entryBytes, n, n * 31 + pageSize, spread);
            const sorter = new lib.InMemorySorter(rt.memoryManager, { type: shape.type, key: shape.key as never, pages: rt.memoryManager.pageCount });
            try {
              for (const record of records) expect(sorter.write(record as never)).toBe(true);
              sorter.sort();
              const got = Array.from(sorter, (x) => (x as Rec).id);
              // One mismatch is enough to fail; whole arrays of ids are slow to print.
              const want = stableOrder(records);
              expect(got.length).toBe(n);
              expect(got.findIndex((id, at) => id !== want[at])).toBe(-1);
            } finally {
              sorter.close();
            }
          }
          expect(rt.memoryManager.verifyEmpty()).toBe(true);
        } finally {
          rt.close();
        }
      }, 60_000);
    }
  }

  it('sorts 16-byte entries across slice ends that fall inside MSD ranges (sort and sortAsync alike)', async () => {
    // Few top values: the second MSD level splits ranges that start inside pages, so its slices end mid-page.
    const n = SLICE_WORK + 20_000;
    const rt = await init({ managedMemory: '48mb', networkMemory: 0 });
    try {
      const records = recordsOf(16, n, 12345, false);
      const want = stableOrder(records);
      for (const mode of ['sync', 'async'] as const) {
        const sorter = new lib.InMemorySorter(rt.memoryManager, { type: { a: 'long', id: 'int' }, key: 'a', pages: rt.memoryManager.pageCount });
        try {
          for (const record of records) expect(sorter.write(record as never)).toBe(true);
          if (mode === 'sync') sorter.sort();
          else await sorter.sortAsync();
          const got = Array.from(sorter, (x) => (x as Rec).id);
          expect(got.findIndex((id, at) => id !== want[at])).toBe(-1);
        } finally {
          sorter.close();
        }
      }
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
    } finally {
      rt.close();
    }
  }, 120_000);
});
