// release(array) checks and marks its segments in one pass: a bad element
// anywhere, after live pages of several owners, must undo every mark, leave
// the caller's array, the budget and the owners' counts as they were.
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { expectCode, SMALL_RUNTIME } from './oracle.js';
import type { MemorySegment } from '../src/index.js';

const PAGE = 4096;

describe.each(builds)('$name build', ({ init, lib }) => {
  for (const leakDetection of [false, true] as const) {
    describe(`leak detection ${leakDetection ? 'on' : 'off'}`, () => {
      const open = () => init({ ...SMALL_RUNTIME, leakDetection, onLeak: () => {} });

      const badElements: [string, (foreign: MemorySegment, rt: { segments: { wrap(bytes: Uint8Array): MemorySegment } }) => unknown][] = [
        ['a number', () => 7],
        ['null', () => null],
        ['a plain object shaped like a segment', (foreign) => ({ ...foreign })],
        ['a heap segment', (_, rt) => rt.segments.wrap(new Uint8Array(PAGE))],
        ['a page of another manager', (foreign) => foreign],
        [
          'a proxy whose prototype trap throws',
          () =>
            new Proxy(
              {},
              {
                getPrototypeOf: () => {
                  throw new Error('trap');
                },
              },
            ),
        ],
      ];
      it.each(badElements)('%s last, after live pages of two owners: refused, every page still held', async (_, bad) => {
        const rt = await open();
        const other = await open();
        const mm = rt.memoryManager;
        const a = mm.allocatePages('a', 3);
        const b = mm.allocatePages('b', 2);
        const [foreign] = other.memoryManager.allocatePages('x', 1);
        const before = mm.availableMemory;
        const list: unknown[] = [a[0], b[0], a[1], b[1], a[2], bad(foreign!, rt)];
        expect(() => mm.release(list as MemorySegment[])).toThrow();
        expect(list).toHaveLength(6);
        expect(mm.availableMemory).toBe(before);
        for (const p of [...a, ...b]) {
          expect(p.isFreed()).toBe(false);
          p.putInt(0, 42);
          expect(p.getInt(0)).toBe(42);
        }
        // The counts are intact: each owner's releaseAll frees exactly its pages.
        mm.releaseAll('b');
        expect(b.every((p) => p.isFreed())).toBe(true);
        expect(a.every((p) => !p.isFreed())).toBe(true);
        mm.release(a);
        expect(a).toHaveLength(0);
        expect(mm.verifyEmpty()).toBe(true);
        expect(mm.allocatePages('c', mm.pageCount)).toHaveLength(mm.pageCount);
        other.close();
        rt.close();
      });

      it('a non-segment is ERR_INVALID_ARGUMENT naming it, a foreign page too', async () => {
        const rt = await open();
        const other = await open();
        const mm = rt.memoryManager;
        const [page] = mm.allocatePages('a', 1);
        const [foreign] = other.memoryManager.allocatePages('x', 1);
        expect(expectCode(lib, () => mm.release([page!, 7 as never]), 'ERR_INVALID_ARGUMENT').message).toContain('7');
        expect(expectCode(lib, () => mm.release([page!, foreign!]), 'ERR_INVALID_ARGUMENT').message).toContain('not allocated by this memory manager');
        expect(page!.isFreed()).toBe(false);
        other.close();
        rt.close();
      });

      it('duplicates, freed handles and owners interleaved: each page back once, each owner counted right', async () => {
        const rt = await open();
        const mm = rt.memoryManager;
        const a = mm.allocatePages('a', 4);
        const b = mm.allocatePages('b', 3);
        const c = mm.allocatePages('c', 2);
        a[3]!.free();
        const total = mm.availableMemory;
        // a[0] twice, b[1] twice, a freed handle, owners alternating.
        mm.release([a[0]!, b[0]!, a[0]!, a[1]!, b[1]!, b[1]!, a[3]!, b[2]!]);
        expect(mm.availableMemory).toBe(total + 5 * PAGE);
        expect([a[0], a[1], b[0], b[1], b[2]].every((p) => p!.isFreed())).toBe(true);
        expect(a[2]!.isFreed()).toBe(false);
        const seen: [unknown, number][] = [];
        mm.forEachOwner((owner, pages) => seen.push([owner, pages]));
        expect(seen).toEqual([
          ['a', 1],
          ['c', 2],
        ]);
        // A handle released here fails, even after its page went to someone else.
        const again = mm.allocatePages('d', mm.availableMemory / PAGE);
        expectCode(lib, () => b[0]!.getInt(0), 'ERR_SEGMENT_FREED');
        mm.release(again);
        mm.releaseAll('a');
        mm.release(c);
        expect(mm.verifyEmpty()).toBe(true);
        rt.close();
      });
    });
  }
});
