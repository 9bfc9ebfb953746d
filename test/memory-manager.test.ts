// Behaviour of the MemoryManager: pages, owners, release paths, reservations,
// sizing, shared resources, shutdown and zeroing, on both builds.
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import type { MemoryManager, MemorySegment, SegmemErrorCode } from '../src/index.js';

// Sizes written out so that expectations do not lean on the code under test.
const KiB = 1024;
const MiB = 1024 * KiB;
const PAGE = 4096;
const PAGES = 64;
const MEMORY = PAGES * PAGE;
const DEFAULT_PAGE = 32768;

/** Runs fn and returns what it threw; fails when it returns normally. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

/** Asserts fn throws an error with `code` and returns it. */
function expectCode(fn: () => unknown, code: SegmemErrorCode): Error {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(Error);
  expect((err as { code?: unknown }).code).toBe(code);
  return err as Error;
}

/** Asserts every read and write through `segment` fails because it was freed. */
function expectFreedHandle(segment: MemorySegment): void {
  expect(segment.isFreed()).toBe(true);
  expectCode(() => segment.get(0), 'ERR_SEGMENT_FREED');
  expectCode(() => segment.put(0, 1), 'ERR_SEGMENT_FREED');
  expectCode(() => segment.getInt(0), 'ERR_SEGMENT_FREED');
  expectCode(() => segment.putLong(8, 1n), 'ERR_SEGMENT_FREED');
  expectCode(() => segment.putBytes(0, new Uint8Array(16)), 'ERR_SEGMENT_FREED');
  expectCode(() => segment.getBytes(0, new Uint8Array(16)), 'ERR_SEGMENT_FREED');
}

/** True when every byte of the segment equals `value`. */
function allBytesAre(segment: MemorySegment, value: number): boolean {
  const bytes = new Uint8Array(segment.size);
  segment.getBytes(0, bytes);
  return bytes.every((b) => b === value);
}

/** Fills a page with a pattern derived from `seed`, so that neighbouring pages differ at every byte. */
function writePattern(segment: MemorySegment, seed: number): void {
  const bytes = new Uint8Array(segment.size);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (seed * 31 + i * 7) & 0xff;
  segment.putBytes(0, bytes);
}

/** True when the page still holds the pattern of `seed`. */
function hasPattern(segment: MemorySegment, seed: number): boolean {
  const bytes = new Uint8Array(segment.size);
  segment.getBytes(0, bytes);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== ((seed * 31 + i * 7) & 0xff)) return false;
  return true;
}

describe.each(builds)('$name build', ({ init, lib }) => {
  /** A small standalone manager: 64 pages of 4 KiB. */
  const smallManager = (options: { zeroOnRelease?: boolean } = {}): Promise<MemoryManager> =>
    lib.createMemoryManager({ memorySize: MEMORY, pageSize: PAGE, ...options });

  describe('construction and page size', () => {
    it('rt.memoryManager uses 32 KiB pages by default and holds the managed memory of the config', async () => {
      const rt = await init({ managedMemory: '1mb', networkMemory: 0 });
      const mm = rt.memoryManager;
      expect(mm.pageSize).toBe(DEFAULT_PAGE);
      expect(mm.memorySize).toBe(MiB);
      expect(rt.config.managedMemory).toBe(MiB);
      expect(mm.availableMemory).toBe(MiB);
      expect(mm.computeNumberOfPages(1)).toBe(32);
      const pages = mm.allocatePages('op', 32);
      expect(pages.map((p) => p.size)).toEqual(new Array(32).fill(DEFAULT_PAGE));
      expect(mm.availableMemory).toBe(0);
      rt.close();
    });

    it('createMemoryManager takes a size as bytes or as text and defaults to 32 KiB pages', async () => {
      const fromText = await lib.createMemoryManager({ memorySize: '256kb' });
      expect(fromText.pageSize).toBe(DEFAULT_PAGE);
      expect(fromText.memorySize).toBe(256 * KiB);
      expect(fromText.computeNumberOfPages(1)).toBe(8);
      const fromBytes = await smallManager();
      expect(fromBytes.pageSize).toBe(PAGE);
      expect(fromBytes.memorySize).toBe(MEMORY);
      expect(fromBytes.availableMemory).toBe(MEMORY);
      expect(fromBytes.verifyEmpty()).toBe(true);
      expect(fromBytes.isShutdown()).toBe(false);
    });

    it.each([4096, 65536])('works with pages of %i bytes (init and createMemoryManager)', async (pageSize) => {
      const rt = await init({ managedMemory: 8 * pageSize, networkMemory: 0, pageSize });
      const standalone = await lib.createMemoryManager({ memorySize: 8 * pageSize, pageSize });
      for (const mm of [rt.memoryManager, standalone]) {
        expect(mm.pageSize).toBe(pageSize);
        expect(mm.memorySize).toBe(8 * pageSize);
        const pages = mm.allocatePages('op', 8);
        pages.forEach((page, i) => {
          expect(page.size).toBe(pageSize);
          // The last byte of every page is addressable, one past it is not.
          page.put(pageSize - 1, i + 1);
          expectCode(() => page.put(pageSize, 0), 'ERR_SEGMENT_OUT_OF_BOUNDS');
        });
        pages.forEach((page, i) => expect(page.get(pageSize - 1)).toBe(i + 1));
        expect(mm.availableMemory).toBe(0);
      }
      rt.close();
    });

    it.each([5000, 2048, 3 * 4096])('rejects a page size of %i bytes', async (pageSize) => {
      const viaInit = await init({ managedMemory: 48 * KiB, networkMemory: 0, pageSize }).catch((err: unknown) => err);
      expect(viaInit).toBeInstanceOf(lib.IllegalConfigurationError);
      expect((viaInit as Error & { code: string }).code).toBe('ERR_ILLEGAL_CONFIGURATION');
      expect((viaInit as Error).message).toContain('pageSize');

      const viaManager = await lib.createMemoryManager({ memorySize: 48 * KiB, pageSize }).catch((err: unknown) => err);
      expect(viaManager).toBeInstanceOf(lib.IllegalConfigurationError);
      expect((viaManager as Error & { code: string }).code).toBe('ERR_ILLEGAL_CONFIGURATION');
      expect((viaManager as Error).message).toContain('pageSize');
    });
  });

  describe('allocatePages', () => {
    it('hands out the requested number of off-heap pages, recording the owner', async () => {
      const mm = await smallManager();
      const owner = { name: 'sorter' };
      const pages = mm.allocatePages(owner, 5);
      expect(pages).toHaveLength(5);
      for (const page of pages) {
        expect(page.size).toBe(PAGE);
        expect(page.isOffHeap()).toBe(true);
        expect(page.isFreed()).toBe(false);
        expect(page.owner).toBe(owner);
      }
      expect(mm.availableMemory).toBe(MEMORY - 5 * PAGE);
      expect(mm.verifyEmpty()).toBe(false);
    });

    it('accepts any non-null owner, falsy ones included', async () => {
      const mm = await smallManager();
      const owners: unknown[] = ['task', 0, false, '', Symbol('op'), 42n, () => 0];
      for (const owner of owners) {
        const [page] = mm.allocatePages(owner, 1);
        expect(page!.owner).toBe(owner);
      }
      expect(mm.availableMemory).toBe(MEMORY - owners.length * PAGE);
      for (const owner of owners) mm.releaseAll(owner);
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('hands out distinct pages that do not overlap', async () => {
      const mm = await smallManager();
      // Two owners, allocations in several batches, so that pages of different calls are compared too.
      const pages = [...mm.allocatePages('a', 10), ...mm.allocatePages('b', 30), ...mm.allocatePages('a', 24)];
      expect(pages).toHaveLength(PAGES);
      expect(mm.availableMemory).toBe(0);
      pages.forEach((page, i) => writePattern(page, i));
      pages.forEach((page, i) => expect(hasPattern(page, i), `page ${i}`).toBe(true));
      // Every page has its own PAGE-byte range.
      const starts = pages.map((p) => p.address).sort((x, y) => x - y);
      for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(PAGE);
    });

    it('returns an empty array for zero pages and takes nothing', async () => {
      const mm = await smallManager();
      expect(mm.allocatePages('op', 0)).toEqual([]);
      expect(mm.availableMemory).toBe(MEMORY);
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('refuses more pages than available, names the numbers, and allocates nothing', async () => {
      const mm = await smallManager();
      const held = mm.allocatePages('a', 20);
      const err = expectCode(() => mm.allocatePages('b', 45), 'ERR_MEMORY_ALLOCATION');
      expect(err).toBeInstanceOf(lib.MemoryAllocationError);
      expect(err.message).toContain('45');
      expect(err.message).toContain('44');
      expect(err.message).toContain('managedMemory');
      // Nothing was half-allocated: the budget is intact and exactly the rest can be taken.
      expect(mm.availableMemory).toBe(44 * PAGE);
      const rest = mm.allocatePages('b', 44);
      expect(rest).toHaveLength(44);
      expect(mm.availableMemory).toBe(0);
      expectCode(() => mm.allocatePages('c', 1), 'ERR_MEMORY_ALLOCATION');
      // The pages held before the failure are still intact and usable.
      held.forEach((page, i) => writePattern(page, i));
      rest.forEach((page, i) => writePattern(page, 100 + i));
      held.forEach((page, i) => expect(hasPattern(page, i)).toBe(true));
    });

    it('counts only whole pages when a reservation leaves a partial page', async () => {
      const mm = await smallManager();
      mm.reserveMemory('r', 3 * PAGE + 100);
      // 64 pages minus 3 pages and 100 bytes leaves room for 60 whole pages.
      const err = expectCode(() => mm.allocatePages('op', 61), 'ERR_MEMORY_ALLOCATION');
      expect(err.message).toContain('61');
      expect(err.message).toContain('60');
      expect(mm.allocatePages('op', 60)).toHaveLength(60);
      expect(mm.availableMemory).toBe(PAGE - 100);
      expectCode(() => mm.allocatePages('op', 1), 'ERR_MEMORY_ALLOCATION');
    });

    it.each([-1, 1.5, NaN, Infinity])('rejects numPages %s', async (numPages) => {
      const mm = await smallManager();
      const err = expectCode(() => mm.allocatePages('op', numPages), 'ERR_INVALID_ARGUMENT');
      expect(err).toBeInstanceOf(lib.InvalidArgumentError);
      expect(mm.availableMemory).toBe(MEMORY);
    });

    it.each([null, undefined])('rejects a %s owner', async (owner) => {
      const mm = await smallManager();
      expectCode(() => mm.allocatePages(owner, 1), 'ERR_INVALID_ARGUMENT');
      expect(mm.availableMemory).toBe(MEMORY);
    });
  });

  describe('owners', () => {
    it('releaseAll(owner) frees that owner\'s pages only', async () => {
      const mm = await smallManager();
      const ownerA = { name: 'A' };
      const ownerB = { name: 'B' };
      // Interleave the two owners' allocations so their pages are mixed in the arena.
      const a1 = mm.allocatePages(ownerA, 3);
      const b1 = mm.allocatePages(ownerB, 2);
      const a2 = mm.allocatePages(ownerA, 4);
      const b2 = mm.allocatePages(ownerB, 5);
      const a = [...a1, ...a2];
      const b = [...b1, ...b2];
      b.forEach((page, i) => writePattern(page, i));
      a.forEach((page, i) => writePattern(page, 50 + i));

      mm.releaseAll(ownerA);

      a.forEach(expectFreedHandle);
      expect(mm.availableMemory).toBe(MEMORY - b.length * PAGE);
      b.forEach((page, i) => {
        expect(page.isFreed()).toBe(false);
        expect(page.owner).toBe(ownerB);
        expect(hasPattern(page, i)).toBe(true);
      });
      // The freed pages are reusable and do not disturb B's.
      const c = mm.allocatePages('C', PAGES - b.length);
      c.forEach((page) => page.fill(0xee));
      b.forEach((page, i) => expect(hasPattern(page, i)).toBe(true));

      mm.releaseAll(ownerB);
      b.forEach(expectFreedHandle);
      c.forEach((page) => expect(allBytesAre(page, 0xee)).toBe(true));
      expect(mm.availableMemory).toBe(b.length * PAGE);
    });

    it('releaseAll of an owner without pages, or twice, changes nothing', async () => {
      const mm = await smallManager();
      const kept = mm.allocatePages('kept', 2);
      mm.releaseAll('nobody');
      mm.allocatePages('gone', 3);
      mm.releaseAll('gone');
      mm.releaseAll('gone');
      expect(mm.availableMemory).toBe(MEMORY - 2 * PAGE);
      expect(kept.every((p) => !p.isFreed())).toBe(true);
    });

    it('releaseAll releases pages, not the owner\'s reservation', async () => {
      const mm = await smallManager();
      mm.allocatePages('op', 4);
      mm.reserveMemory('op', 1000);
      mm.releaseAll('op');
      expect(mm.availableMemory).toBe(MEMORY - 1000);
      expect(mm.releaseAllMemory('op')).toBe(1000);
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('keeps owners apart while many more owners come and go than there are pages', async () => {
      const mm = await smallManager();
      const longLived = { name: 'long-lived' };
      const kept = mm.allocatePages(longLived, 10);
      kept.forEach((page, i) => writePattern(page, i));
      // 5 × 64 short-lived owners, each taking pages and giving them back by a different path.
      for (let round = 0; round < 5 * PAGES; round++) {
        const owner = { round };
        const pages = mm.allocatePages(owner, 1 + (round % 3));
        pages.forEach((page) => page.fill(round & 0xff));
        if (round % 4 === 0) mm.releaseAll(owner);
        else if (round % 4 === 1) mm.release(pages);
        else if (round % 4 === 2) pages.forEach((page) => page.free());
        else pages.forEach((page) => mm.release(page));
        expect(mm.availableMemory, `round ${round}`).toBe(MEMORY - 10 * PAGE);
      }
      // A short-lived owner's pages and the long-lived owner's list stay separate.
      const other = mm.allocatePages('other', PAGES - 10);
      kept.forEach((page, i) => expect(hasPattern(page, i)).toBe(true));
      mm.releaseAll(longLived);
      kept.forEach(expectFreedHandle);
      expect(other.every((page) => !page.isFreed())).toBe(true);
      expect(mm.availableMemory).toBe(10 * PAGE);
      mm.releaseAll('other');
      expect(mm.verifyEmpty()).toBe(true);
      expect(mm.allocatePages('last', PAGES)).toHaveLength(PAGES);
    });

    it('releaseAll also frees pages of an owner that released some of them one by one', async () => {
      const mm = await smallManager();
      const pages = mm.allocatePages('op', 6);
      mm.release(pages[1]!);
      pages[4]!.free();
      mm.release([pages[0]!]);
      mm.releaseAll('op');
      pages.forEach(expectFreedHandle);
      expect(mm.verifyEmpty()).toBe(true);
      expect(mm.allocatePages('next', PAGES)).toHaveLength(PAGES);
    });
  });

  describe('release', () => {
    it('release(segment) returns the page and the handle stops working', async () => {
      const mm = await smallManager();
      const [page, other] = mm.allocatePages('op', 2);
      mm.release(page!);
      expectFreedHandle(page!);
      expect(mm.availableMemory).toBe(MEMORY - PAGE);
      expect(other!.isFreed()).toBe(false);
    });

    it('a released handle stays dead after its page went to a new owner, and cannot disturb it', async () => {
      const mm = await smallManager();
      const [old] = mm.allocatePages('first', 1);
      const start = old!.address;
      old!.fill(0x11);
      mm.release(old!);

      // The free list is a stack: the page just released is the next one handed out.
      const [reused] = mm.allocatePages('second', 1);
      expect(reused!.address).toBe(start);
      expect(reused!.owner).toBe('second');
      reused!.fill(0x5a);

      expectFreedHandle(old!);
      expectCode(() => old!.fill(0), 'ERR_SEGMENT_FREED');
      expectCode(() => old!.putInt(0, -1), 'ERR_SEGMENT_FREED');
      expectCode(() => old!.putDouble(PAGE - 8, 1.5), 'ERR_SEGMENT_FREED');
      expectCode(() => old!.copyTo(0, reused!, 0, 16), 'ERR_SEGMENT_FREED');
      expectCode(() => old!.wrap(0, 16), 'ERR_SEGMENT_FREED');
      expect(allBytesAre(reused!, 0x5a)).toBe(true);

      // Freeing or releasing the old handle again must not take the page from its new owner.
      old!.free();
      mm.release(old!);
      mm.release([old!]);
      expect(reused!.isFreed()).toBe(false);
      expect(mm.availableMemory).toBe(MEMORY - PAGE);
      expect(allBytesAre(reused!, 0x5a)).toBe(true);
    });

    it('releasing a segment twice returns its memory once', async () => {
      const mm = await smallManager();
      const pages = mm.allocatePages('op', 4);
      mm.release(pages[0]!);
      mm.release(pages[0]!);
      expect(mm.availableMemory).toBe(MEMORY - 3 * PAGE);
      // The same segment twice in one array, and an already released one.
      mm.release([pages[1]!, pages[1]!, pages[0]!]);
      expect(mm.availableMemory).toBe(MEMORY - 2 * PAGE);
      mm.releaseAll('op');
      mm.release(pages[2]!);
      expect(mm.availableMemory).toBe(MEMORY);
      expect(mm.verifyEmpty()).toBe(true);
      // Had anything been counted twice, the budget would now exceed the pages.
      expect(mm.allocatePages('op', PAGES)).toHaveLength(PAGES);
      expectCode(() => mm.allocatePages('op', 1), 'ERR_MEMORY_ALLOCATION');
    });

    it('release(array) frees every segment in it and empties the array', async () => {
      const mm = await smallManager();
      const kept = mm.allocatePages('op', 2);
      const pages = mm.allocatePages('op', 7);
      const handles = [...pages];
      mm.release(pages);
      expect(pages).toHaveLength(0);
      handles.forEach(expectFreedHandle);
      expect(mm.availableMemory).toBe(MEMORY - 2 * PAGE);
      expect(kept.every((p) => !p.isFreed())).toBe(true);
      // An empty array is fine too.
      const none: MemorySegment[] = [];
      mm.release(none);
      expect(mm.availableMemory).toBe(MEMORY - 2 * PAGE);
    });

    it('release(array) can mix owners; each loses only the listed pages', async () => {
      const mm = await smallManager();
      const a = mm.allocatePages('a', 3);
      const b = mm.allocatePages('b', 3);
      mm.release([a[0]!, b[2]!, a[2]!]);
      expect(mm.availableMemory).toBe(MEMORY - 3 * PAGE);
      expect([a[1], b[0], b[1]].every((p) => !p!.isFreed())).toBe(true);
      mm.releaseAll('a');
      expect(b[0]!.isFreed()).toBe(false);
      expect(mm.availableMemory).toBe(MEMORY - 2 * PAGE);
      mm.releaseAll('b');
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('refuses a page of another manager and releases nothing', async () => {
      const mm = await smallManager();
      const otherManager = await smallManager();
      const rt = await init({ managedMemory: MEMORY, networkMemory: 0, pageSize: PAGE });
      const mine = mm.allocatePages('op', 2);
      const foreign = otherManager.allocatePages('op', 1)[0]!;
      const fromRuntime = rt.memoryManager.allocatePages('op', 1)[0]!;
      foreign.fill(7);

      for (const stranger of [foreign, fromRuntime]) {
        expectCode(() => mm.release(stranger), 'ERR_INVALID_ARGUMENT');
        const batch = [mine[0]!, stranger, mine[1]!];
        expectCode(() => mm.release(batch), 'ERR_INVALID_ARGUMENT');
        // The whole batch was refused: nothing freed, the array untouched.
        expect(batch).toHaveLength(3);
        expect(mine.every((p) => !p.isFreed())).toBe(true);
        expect(stranger.isFreed()).toBe(false);
      }
      expect(mm.availableMemory).toBe(MEMORY - 2 * PAGE);
      expect(otherManager.availableMemory).toBe(MEMORY - PAGE);
      expect(rt.memoryManager.availableMemory).toBe(MEMORY - PAGE);
      expect(allBytesAre(foreign, 7)).toBe(true);
      rt.close();
    });

    it('refuses unpooled segments and values that are not segments', async () => {
      const rt = await init({ managedMemory: MEMORY, networkMemory: 0, offHeapMemory: '64kb', pageSize: PAGE });
      const mm = rt.memoryManager;
      const [mine] = mm.allocatePages('op', 1);
      const strangers: unknown[] = [
        rt.segments.allocateUnpooledSegment(PAGE, 'op'),
        rt.segments.allocateUnpooledOffHeapMemory(PAGE, 'op'),
        rt.segments.wrap(new Uint8Array(PAGE)),
        new Uint8Array(PAGE),
        {},
      ];
      for (const stranger of strangers) {
        expectCode(() => mm.release(stranger as MemorySegment), 'ERR_INVALID_ARGUMENT');
        expectCode(() => mm.release([mine!, stranger as MemorySegment]), 'ERR_INVALID_ARGUMENT');
        if (stranger instanceof lib.MemorySegment) expect(stranger.isFreed()).toBe(false);
      }
      expect(mine!.isFreed()).toBe(false);
      expect(mm.availableMemory).toBe(MEMORY - PAGE);
      rt.close();
    });

    it('seg.free() on a managed page gives the page back', async () => {
      const mm = await smallManager();
      const [page, other] = mm.allocatePages('op', 2);
      const start = page!.address;
      page!.free();
      expectFreedHandle(page!);
      expect(mm.availableMemory).toBe(MEMORY - PAGE);
      page!.free();
      expect(mm.availableMemory).toBe(MEMORY - PAGE);
      expect(mm.allocatePages('next', 1)[0]!.address).toBe(start);
      expect(other!.isFreed()).toBe(false);
    });

    it('seg[Symbol.dispose]() on a managed page gives the page back', async () => {
      const mm = await smallManager();
      const [page] = mm.allocatePages('op', 1);
      page![Symbol.dispose]();
      expectFreedHandle(page!);
      expect(mm.verifyEmpty()).toBe(true);
      // A released page is not counted again by releaseAll.
      mm.releaseAll('op');
      expect(mm.availableMemory).toBe(MEMORY);
      expect(mm.allocatePages('op', PAGES)).toHaveLength(PAGES);
    });
  });

  describe('reservations', () => {
    it('reservations and pages draw on one budget', async () => {
      const mm = await smallManager();
      mm.reserveMemory('r', 10 * PAGE);
      expect(mm.availableMemory).toBe(MEMORY - 10 * PAGE);
      expectCode(() => mm.allocatePages('op', 55), 'ERR_MEMORY_ALLOCATION');
      const pages = mm.allocatePages('op', 54);
      expect(mm.availableMemory).toBe(0);
      expectCode(() => mm.reserveMemory('r', 1), 'ERR_MEMORY_RESERVATION');

      // Pages released make room for reservations, and the reverse.
      mm.release(pages.splice(0, 2));
      mm.reserveMemory('r2', 2 * PAGE);
      expect(mm.availableMemory).toBe(0);
      expect(mm.releaseMemory('r', 3 * PAGE)).toBe(3 * PAGE);
      expect(mm.allocatePages('op', 3)).toHaveLength(3);
      expect(mm.availableMemory).toBe(0);
    });

    it('refuses a reservation beyond the budget, naming the bytes, and reserves nothing', async () => {
      const mm = await smallManager();
      mm.allocatePages('op', 60);
      mm.reserveMemory('r', 1000);
      const wanted = 4 * PAGE;
      const err = expectCode(() => mm.reserveMemory('r', wanted), 'ERR_MEMORY_RESERVATION');
      expect(err).toBeInstanceOf(lib.MemoryReservationError);
      expect(err.message).toContain(String(wanted));
      expect(err.message).toContain(String(4 * PAGE - 1000));
      expect(mm.availableMemory).toBe(4 * PAGE - 1000);
      // Exactly what is left can still be reserved.
      mm.reserveMemory('r', 4 * PAGE - 1000);
      expect(mm.availableMemory).toBe(0);
      expect(mm.releaseAllMemory('r')).toBe(4 * PAGE);
    });

    it('releaseMemory returns the bytes released, clamped to what the owner reserved', async () => {
      const mm = await smallManager();
      mm.reserveMemory('a', 5000);
      mm.reserveMemory('a', 3000);
      mm.reserveMemory('b', 700);
      expect(mm.availableMemory).toBe(MEMORY - 8700);
      expect(mm.releaseMemory('a', 2500)).toBe(2500);
      expect(mm.availableMemory).toBe(MEMORY - 6200);
      expect(mm.releaseMemory('a', 10_000)).toBe(5500);
      expect(mm.availableMemory).toBe(MEMORY - 700);
      expect(mm.releaseMemory('a', 1)).toBe(0);
      expect(mm.releaseMemory('nobody', 100)).toBe(0);
      expect(mm.releaseMemory('b', 0)).toBe(0);
      expect(mm.availableMemory).toBe(MEMORY - 700);
    });

    it('releaseAllMemory releases the owner\'s whole reservation, and only that', async () => {
      const mm = await smallManager();
      mm.reserveMemory('a', 1234);
      mm.reserveMemory('a', 4321);
      mm.reserveMemory('b', 99);
      const pages = mm.allocatePages('a', 2);
      expect(mm.releaseAllMemory('a')).toBe(5555);
      expect(mm.releaseAllMemory('a')).toBe(0);
      expect(mm.releaseAllMemory('nobody')).toBe(0);
      expect(mm.availableMemory).toBe(MEMORY - 99 - 2 * PAGE);
      expect(pages.every((p) => !p.isFreed())).toBe(true);
      expect(mm.releaseAllMemory('b')).toBe(99);
      mm.release(pages);
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('a reservation of zero bytes is allowed and changes nothing', async () => {
      const mm = await smallManager();
      mm.reserveMemory('r', 0);
      expect(mm.verifyEmpty()).toBe(true);
      mm.allocatePages('op', PAGES);
      mm.reserveMemory('r', 0);
      expect(mm.availableMemory).toBe(0);
    });

    it.each([-1, 1.5, NaN])('rejects %s bytes', async (bytes) => {
      const mm = await smallManager();
      mm.reserveMemory('r', 100);
      expectCode(() => mm.reserveMemory('r', bytes), 'ERR_INVALID_ARGUMENT');
      expectCode(() => mm.releaseMemory('r', bytes), 'ERR_INVALID_ARGUMENT');
      expect(mm.availableMemory).toBe(MEMORY - 100);
    });

    it.each([null, undefined])('rejects a %s owner', async (owner) => {
      const mm = await smallManager();
      expectCode(() => mm.reserveMemory(owner, 100), 'ERR_INVALID_ARGUMENT');
      expectCode(() => mm.releaseMemory(owner, 100), 'ERR_INVALID_ARGUMENT');
      expect(mm.availableMemory).toBe(MEMORY);
    });
  });

  describe('sizing', () => {
    it('computeNumberOfPages is floor(pages × fraction)', async () => {
      const mm = await smallManager();
      expect(mm.computeNumberOfPages(1)).toBe(64);
      expect(mm.computeNumberOfPages(0.5)).toBe(32);
      expect(mm.computeNumberOfPages(0.3)).toBe(19); // 19.2
      expect(mm.computeNumberOfPages(0.999)).toBe(63); // 63.936
      expect(mm.computeNumberOfPages(1 / 64)).toBe(1);
      expect(mm.computeNumberOfPages(0.01)).toBe(0); // 0.64
    });

    it('computeMemorySize is floor(memorySize × fraction)', async () => {
      const mm = await smallManager();
      expect(mm.computeMemorySize(1)).toBe(262144);
      expect(mm.computeMemorySize(0.5)).toBe(131072);
      expect(mm.computeMemorySize(0.3)).toBe(78643); // 78643.2
      expect(mm.computeMemorySize(0.001)).toBe(262); // 262.144
      // Sizing does not depend on what is currently held.
      mm.allocatePages('op', 10);
      expect(mm.computeMemorySize(0.5)).toBe(131072);
      expect(mm.computeNumberOfPages(0.5)).toBe(32);
    });

    it.each([0, -0.1, 1.1, NaN, Infinity])('rejects the fraction %s', async (fraction) => {
      const mm = await smallManager();
      const err = expectCode(() => mm.computeNumberOfPages(fraction), 'ERR_INVALID_ARGUMENT');
      expect(err).toBeInstanceOf(lib.InvalidArgumentError);
      expectCode(() => mm.computeMemorySize(fraction), 'ERR_INVALID_ARGUMENT');
    });
  });

  describe('shared memory resources', () => {
    /** A resource that counts how often it was disposed. */
    class Resource {
      disposed = 0;
      constructor(readonly bytes: number) {}
      [Symbol.dispose](): void {
        this.disposed += 1;
      }
    }

    it('one resource per type, built once, reserved once, shared by every lease', async () => {
      const mm = await smallManager();
      const sizes: number[] = [];
      const initializer = (bytes: number): Resource => {
        sizes.push(bytes);
        return new Resource(bytes);
      };
      const first = mm.getSharedMemoryResourceForManagedMemory('rocksdb', initializer, 0.3);
      const second = mm.getSharedMemoryResourceForManagedMemory('rocksdb', initializer, 0.3);
      const third = mm.getSharedMemoryResourceForManagedMemory('rocksdb', initializer, 0.3);
      expect(sizes).toEqual([78643]);
      expect(first.resource).toBeInstanceOf(Resource);
      expect(second.resource).toBe(first.resource);
      expect(third.resource).toBe(first.resource);
      expect(first.size).toBe(78643);
      expect(mm.availableMemory).toBe(MEMORY - 78643);
      // The reservation limits pages like any other.
      expect(mm.allocatePages('op', 44)).toHaveLength(44); // 183501 bytes left: 44 whole pages
      expectCode(() => mm.allocatePages('op', 1), 'ERR_MEMORY_ALLOCATION');
      mm.releaseAll('op');

      // Closing some leases, and one of them twice, keeps the resource alive.
      first.close();
      first.close();
      expect(first.isClosed()).toBe(true);
      second[Symbol.dispose]();
      expect(second.isClosed()).toBe(true);
      expect(first.resource.disposed).toBe(0);
      expect(mm.availableMemory).toBe(MEMORY - 78643);
      expect(mm.verifyEmpty()).toBe(false);

      // The last lease releases the memory and disposes the resource, once.
      third.close();
      third.close();
      expect(first.resource.disposed).toBe(1);
      expect(mm.availableMemory).toBe(MEMORY);
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('different types get separate resources and reservations', async () => {
      const mm = await smallManager();
      const a = mm.getSharedMemoryResourceForManagedMemory('a', (bytes) => new Resource(bytes), 0.25);
      const b = mm.getSharedMemoryResourceForManagedMemory('b', (bytes) => new Resource(bytes), 0.5);
      expect(a.resource).not.toBe(b.resource);
      expect(a.resource.bytes).toBe(65536);
      expect(b.resource.bytes).toBe(131072);
      expect(mm.availableMemory).toBe(MEMORY - 65536 - 131072);
      a.close();
      expect(a.resource.disposed).toBe(1);
      expect(b.resource.disposed).toBe(0);
      expect(mm.availableMemory).toBe(MEMORY - 131072);
      b.close();
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('does not touch a reservation made directly by an owner of the same name', async () => {
      const mm = await smallManager();
      mm.reserveMemory('cache', 1000);
      const lease = mm.getSharedMemoryResourceForManagedMemory('cache', () => ({}), 0.5);
      lease.close();
      expect(mm.availableMemory).toBe(MEMORY - 1000);
      expect(mm.releaseAllMemory('cache')).toBe(1000);
    });

    it('disposes a resource through close() when it has no Symbol.dispose', async () => {
      const mm = await smallManager();
      let closed = 0;
      const lease = mm.getSharedMemoryResourceForManagedMemory('plain', () => ({ close: () => void (closed += 1) }), 0.1);
      lease.close();
      lease.close();
      expect(closed).toBe(1);
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('accepts resources that are not disposable', async () => {
      const mm = await smallManager();
      const lease = mm.getSharedMemoryResourceForManagedMemory('number', (bytes) => bytes * 2, 1);
      expect(lease.resource).toBe(2 * MEMORY);
      expect(mm.availableMemory).toBe(0);
      lease.close();
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('undoes the reservation when the initializer throws, and passes the error on', async () => {
      const mm = await smallManager();
      mm.allocatePages('op', 3);
      const before = mm.availableMemory;
      const failure = new Error('initializer failed');
      let calls = 0;
      const err = thrown(() =>
        mm.getSharedMemoryResourceForManagedMemory('broken', () => {
          calls += 1;
          // The reservation is in place while the initializer runs.
          expect(mm.availableMemory).toBe(before - 26214);
          throw failure;
        }, 0.1),
      );
      expect(err).toBe(failure);
      expect(calls).toBe(1);
      expect(mm.availableMemory).toBe(before);
      // The failed type is not cached: the next call builds it anew.
      const lease = mm.getSharedMemoryResourceForManagedMemory('broken', (bytes) => new Resource(bytes), 0.1);
      expect(lease.resource.bytes).toBe(26214);
      expect(mm.availableMemory).toBe(before - 26214);
      lease.close();
      expect(mm.availableMemory).toBe(before);
    });

    it('after the last lease closed, the next call creates a new resource', async () => {
      const mm = await smallManager();
      let built = 0;
      const initializer = (bytes: number): Resource => {
        built += 1;
        return new Resource(bytes);
      };
      const first = mm.getSharedMemoryResourceForManagedMemory('t', initializer, 0.5);
      first.close();
      const second = mm.getSharedMemoryResourceForManagedMemory('t', initializer, 0.5);
      expect(built).toBe(2);
      expect(second.resource).not.toBe(first.resource);
      expect(first.resource.disposed).toBe(1);
      expect(second.resource.disposed).toBe(0);
      expect(second.isClosed()).toBe(false);
      // Closing the old lease again must not end the new resource.
      first.close();
      expect(second.resource.disposed).toBe(0);
      expect(mm.availableMemory).toBe(MEMORY - 131072);
      second.close();
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('refuses a resource larger than the budget left, without building it', async () => {
      const mm = await smallManager();
      mm.allocatePages('op', 40);
      let built = 0;
      const err = expectCode(
        () => mm.getSharedMemoryResourceForManagedMemory('big', () => (built += 1), 0.5),
        'ERR_MEMORY_RESERVATION',
      );
      expect(err.message).toContain('131072');
      expect(built).toBe(0);
      expect(mm.availableMemory).toBe(24 * PAGE);
    });

    it.each([0, -0.1, 1.1, NaN])('rejects the fraction %s', async (fraction) => {
      const mm = await smallManager();
      expectCode(() => mm.getSharedMemoryResourceForManagedMemory('t', () => ({}), fraction), 'ERR_INVALID_ARGUMENT');
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('rejects an empty type or a missing initializer, reserving nothing', async () => {
      const mm = await smallManager();
      expectCode(() => mm.getSharedMemoryResourceForManagedMemory('', () => ({}), 0.5), 'ERR_INVALID_ARGUMENT');
      const notAFunction = 42 as unknown as () => object;
      expectCode(() => mm.getSharedMemoryResourceForManagedMemory('t', notAFunction, 0.5), 'ERR_INVALID_ARGUMENT');
      expect(mm.verifyEmpty()).toBe(true);
    });
  });

  describe('verifyEmpty and shutdown', () => {
    it('verifyEmpty is true exactly when nothing is held or reserved', async () => {
      const mm = await smallManager();
      expect(mm.verifyEmpty()).toBe(true);
      const pages = mm.allocatePages('op', 1);
      expect(mm.verifyEmpty()).toBe(false);
      mm.reserveMemory('op', 1);
      mm.release(pages);
      expect(mm.verifyEmpty()).toBe(false);
      mm.releaseMemory('op', 1);
      expect(mm.verifyEmpty()).toBe(true);
    });

    it('shutdown frees every segment and refuses further use', async () => {
      const mm = await smallManager();
      const a = mm.allocatePages('a', 5);
      const b = mm.allocatePages({ name: 'b' }, 7);
      mm.reserveMemory('c', 1000);
      const lease = mm.getSharedMemoryResourceForManagedMemory('t', () => ({}), 0.1);

      mm.shutdown();

      expect(mm.isShutdown()).toBe(true);
      [...a, ...b].forEach(expectFreedHandle);
      const shut = (fn: () => unknown): void => {
        const err = expectCode(fn, 'ERR_SHUTDOWN');
        expect(err).toBeInstanceOf(lib.ShutdownError);
      };
      shut(() => mm.allocatePages('a', 1));
      shut(() => mm.release(a[0]!));
      shut(() => mm.release(b));
      shut(() => mm.releaseAll('a'));
      shut(() => mm.reserveMemory('c', 1));
      shut(() => mm.releaseMemory('c', 1));
      shut(() => mm.releaseAllMemory('c'));
      shut(() => mm.getSharedMemoryResourceForManagedMemory('t', () => ({}), 0.1));
      // Handles and leases can still be let go of without errors.
      a[0]!.free();
      b[0]![Symbol.dispose]();
      lease.close();
      expect(lease.isClosed()).toBe(true);
      // Idempotent.
      mm.shutdown();
      expect(mm.isShutdown()).toBe(true);
    });

    it('rt.close() shuts the runtime\'s manager down', async () => {
      const rt = await init({ managedMemory: '1mb', networkMemory: 0 });
      const mm = rt.memoryManager;
      const pages = mm.allocatePages('op', 3);
      rt.close();
      expect(mm.isShutdown()).toBe(true);
      pages.forEach(expectFreedHandle);
      expectCode(() => mm.allocatePages('op', 1), 'ERR_SHUTDOWN');
    });

    it('shutting one manager down leaves another alone', async () => {
      const one = await smallManager();
      const two = await smallManager();
      one.allocatePages('op', 1);
      const [kept] = two.allocatePages('op', 1);
      one.shutdown();
      expect(kept!.isFreed()).toBe(false);
      kept!.putInt(0, 77);
      expect(kept!.getInt(0)).toBe(77);
      expect(two.isShutdown()).toBe(false);
    });
  });

  describe('zeroOnRelease', () => {
    it('is off by default: a page handed out again still holds its previous bytes', async () => {
      // This is the documented default (zeroing costs more than the allocation), not an accident.
      const rt = await init({ managedMemory: '1mb', networkMemory: 0 });
      const standalone = await smallManager();
      for (const mm of [rt.memoryManager, standalone]) {
        const [page] = mm.allocatePages('first', 1);
        page!.fill(0xab);
        const start = page!.address;
        mm.release(page!);
        // The free list is a stack, so the same page comes back.
        const [again] = mm.allocatePages('second', 1);
        expect(again!.address).toBe(start);
        expect(allBytesAre(again!, 0xab)).toBe(true);
      }
      rt.close();
    });

    it('when on, no page shows its previous owner\'s bytes, whichever way it was released', async () => {
      const mm = await smallManager({ zeroOnRelease: true });
      const pages = mm.allocatePages('first', PAGES);
      pages.forEach((page) => page.fill(0xab));
      // Release the pages through every path.
      mm.release(pages[0]!);
      pages[1]!.free();
      pages[2]![Symbol.dispose]();
      mm.release(pages.slice(3, 30));
      mm.releaseAll('first');
      expect(mm.verifyEmpty()).toBe(true);

      const fresh = mm.allocatePages('second', PAGES);
      fresh.forEach((page, i) => expect(allBytesAre(page, 0), `page ${i}`).toBe(true));
    });

    it('can be switched on through init()', async () => {
      const rt = await init({ managedMemory: MEMORY, networkMemory: 0, pageSize: PAGE, zeroOnRelease: true });
      const mm = rt.memoryManager;
      const [page] = mm.allocatePages('first', 1);
      page!.fill(0xab);
      mm.release(page!);
      const all = mm.allocatePages('second', PAGES);
      all.forEach((p) => expect(allBytesAre(p, 0)).toBe(true));
      rt.close();
    });
  });
});
