// Random sequences of MemoryManager operations by several owners, checked
// after every step against a plain model of the budget and the pages held,
// and the two builds cross-checked against each other.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builds, type Build } from './builds.js';
import type { MemoryManager, MemorySegment } from '../src/index.js';

const PAGE = 4096;
// Few pages, so that sequences run out of memory often.
const PAGES = 16;
const MEMORY = PAGES * PAGE;
const OWNER_COUNT = 4;

/** Owners of different kinds: the manager must tell them apart by identity. */
const makeOwners = (): unknown[] => [{ name: 'sorter' }, 'hash-join', 7, Symbol('cache')];

type Command =
  | { readonly kind: 'allocate'; readonly owner: number; readonly pages: number }
  | { readonly kind: 'releaseOne'; readonly owner: number; readonly pick: number }
  | { readonly kind: 'releaseArray'; readonly picks: readonly number[]; readonly stale: number }
  | { readonly kind: 'releaseAll'; readonly owner: number }
  | { readonly kind: 'free'; readonly owner: number; readonly pick: number; readonly dispose: boolean }
  | { readonly kind: 'reserve'; readonly owner: number; readonly bytes: number }
  | { readonly kind: 'releaseMemory'; readonly owner: number; readonly bytes: number }
  | { readonly kind: 'releaseAllMemory'; readonly owner: number }
  | { readonly kind: 'writeStale'; readonly pick: number };

const owner = fc.integer({ min: 0, max: OWNER_COUNT - 1 });
const pick = fc.nat({ max: 1000 });
// Byte counts around page sizes and the whole budget, where off-by-one errors live.
const bytes = fc.oneof(
  fc.integer({ min: 0, max: 3 * PAGE }),
  fc.integer({ min: 0, max: 4 }).map((n) => n * PAGE),
  fc.integer({ min: 0, max: MEMORY + PAGE }),
);

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('allocate' as const), owner, pages: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('releaseOne' as const), owner, pick }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('releaseArray' as const),
      picks: fc.array(pick, { maxLength: 6 }),
      stale: fc.integer({ min: 0, max: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('releaseAll' as const), owner }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), owner, pick, dispose: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reserve' as const), owner, bytes }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('releaseMemory' as const), owner, bytes }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('releaseAllMemory' as const), owner }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('writeStale' as const), pick }) },
);

const scenario = fc.record({
  commands: fc.array(command, { minLength: 1, maxLength: 60 }),
  zeroOnRelease: fc.boolean(),
});

/** A page the model believes is held. */
interface Held {
  readonly segment: MemorySegment;
  readonly owner: number;
  /** Written into the page when it was handed out; must survive every other operation. */
  readonly tag: number;
}

/** The code of what fn threw, or null when it returned. */
function errorCode(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
}

/** Marks a page as `tag`'s at both ends, so overlaps and stray writes show. */
function writeTag(segment: MemorySegment, tag: number): void {
  segment.putInt(0, tag);
  segment.putInt(PAGE - 4, ~tag);
}

/**
 * Runs `commands` on a fresh manager of `lib`, checking the model after every
 * step. Returns a trace of what the manager did (page addresses handed out,
 * errors, bytes released) for comparing builds.
 */
async function runScenario(lib: Build, commands: readonly Command[], zeroOnRelease: boolean): Promise<unknown[]> {
  const mm: MemoryManager = await lib.createMemoryManager({ memorySize: MEMORY, pageSize: PAGE, zeroOnRelease });
  const owners = makeOwners();
  const held: Held[] = [];
  const reserved = new Array<number>(OWNER_COUNT).fill(0);
  /** Handles released so far (most recent last), which must stay dead. */
  const released: MemorySegment[] = [];
  let available = MEMORY;
  let nextTag = 1;
  const trace: unknown[] = [];

  const heldBy = (o: number): Held[] => held.filter((h) => h.owner === o);
  const forget = (segment: MemorySegment): void => {
    const index = held.findIndex((h) => h.segment === segment);
    if (index < 0) return;
    held.splice(index, 1);
    released.push(segment);
    available += PAGE;
  };

  for (const [step, cmd] of commands.entries()) {
    const where = `step ${step}: ${JSON.stringify(cmd)}`;
    switch (cmd.kind) {
      case 'allocate': {
        const fits = cmd.pages * PAGE <= available;
        let pages: MemorySegment[] = [];
        const code = errorCode(() => (pages = mm.allocatePages(owners[cmd.owner], cmd.pages)));
        expect(code, where).toBe(fits ? null : 'ERR_MEMORY_ALLOCATION');
        expect(pages, where).toHaveLength(fits ? cmd.pages : 0);
        for (const segment of pages) {
          expect(segment.owner, where).toBe(owners[cmd.owner]);
          expect(segment.size, where).toBe(PAGE);
          expect(segment.isOffHeap(), where).toBe(true);
          if (zeroOnRelease) {
            const bytes = new Uint8Array(PAGE);
            segment.getBytes(0, bytes);
            expect(bytes.every((b) => b === 0), `${where}: a page came back with old bytes`).toBe(true);
          }
          const tag = nextTag++;
          writeTag(segment, tag);
          held.push({ segment, owner: cmd.owner, tag });
        }
        if (fits) available -= cmd.pages * PAGE;
        trace.push(code ?? pages.map((p) => p.address));
        break;
      }
      case 'releaseOne': {
        const mine = heldBy(cmd.owner);
        if (mine.length === 0) break;
        const { segment } = mine[cmd.pick % mine.length]!;
        mm.release(segment);
        forget(segment);
        break;
      }
      case 'free': {
        const mine = heldBy(cmd.owner);
        if (mine.length === 0) break;
        const { segment } = mine[cmd.pick % mine.length]!;
        if (cmd.dispose) segment[Symbol.dispose]();
        else segment.free();
        forget(segment);
        break;
      }
      case 'releaseArray': {
        // Pages of any owners, possibly the same one twice, plus some dead handles.
        const batch: MemorySegment[] = [];
        if (held.length > 0) for (const p of cmd.picks) batch.push(held[p % held.length]!.segment);
        for (let i = 0; i < cmd.stale && i < released.length; i++) batch.push(released[released.length - 1 - i]!);
        const listed = new Set(batch);
        mm.release(batch);
        expect(batch, `${where}: release(array) empties the array`).toHaveLength(0);
        for (const segment of listed) forget(segment);
        break;
      }
      case 'releaseAll': {
        mm.releaseAll(owners[cmd.owner]);
        for (const h of heldBy(cmd.owner)) forget(h.segment);
        break;
      }
      case 'reserve': {
        const fits = cmd.bytes <= available;
        const code = errorCode(() => mm.reserveMemory(owners[cmd.owner], cmd.bytes));
        expect(code, where).toBe(fits ? null : 'ERR_MEMORY_RESERVATION');
        if (fits) {
          reserved[cmd.owner]! += cmd.bytes;
          available -= cmd.bytes;
        }
        trace.push(code);
        break;
      }
      case 'releaseMemory': {
        const expected = Math.min(cmd.bytes, reserved[cmd.owner]!);
        const result = mm.releaseMemory(owners[cmd.owner], cmd.bytes);
        expect(result, where).toBe(expected);
        reserved[cmd.owner]! -= expected;
        available += expected;
        trace.push(result);
        break;
      }
      case 'releaseAllMemory': {
        expect(mm.releaseAllMemory(owners[cmd.owner]), where).toBe(reserved[cmd.owner]);
        available += reserved[cmd.owner]!;
        reserved[cmd.owner] = 0;
        break;
      }
      case 'writeStale': {
        if (released.length === 0) break;
        const dead = released[cmd.pick % released.length]!;
        expect(errorCode(() => dead.putInt(0, -1)), where).toBe('ERR_SEGMENT_FREED');
        expect(errorCode(() => dead.fill(0xff)), where).toBe('ERR_SEGMENT_FREED');
        break;
      }
    }
    trace.push(mm.availableMemory);
    checkInvariants(mm, where);
  }

  /** Everything the model says must hold now. */
  function checkInvariants(manager: MemoryManager, where: string): void {
    const reservedTotal = reserved.reduce((a, b) => a + b, 0);
    // The model's own books balance, and the manager agrees with them.
    expect(available, where).toBe(MEMORY - held.length * PAGE - reservedTotal);
    expect(manager.availableMemory, where).toBe(available);
    expect(manager.availableMemory, where).toBeGreaterThanOrEqual(0);
    expect(manager.verifyEmpty(), where).toBe(available === MEMORY);
    // No page is held twice: the live pages' ranges are disjoint and lie within one arena.
    const live = [...held].sort((a, b) => a.segment.address - b.segment.address);
    for (let i = 0; i < live.length; i++) {
      const { segment, owner: o, tag } = live[i]!;
      expect(segment.isFreed(), where).toBe(false);
      expect(segment.owner, where).toBe(owners[o]);
      if (i > 0) expect(live[i - 1]!.segment.address + PAGE, `${where}: pages overlap`).toBeLessThanOrEqual(segment.address);
      // The tag survived: nobody else wrote into this page.
      expect(segment.getInt(0), `${where}: page of tag ${tag} was overwritten`).toBe(tag);
      expect(segment.getInt(PAGE - 4), where).toBe(~tag);
    }
    if (live.length > 0) {
      expect(live[live.length - 1]!.segment.address + PAGE - live[0]!.segment.address, where).toBeLessThanOrEqual(MEMORY);
    }
    // Released handles stay dead (the last few, to keep each step cheap).
    for (const dead of released.slice(-8)) {
      expect(dead.isFreed(), where).toBe(true);
      expect(errorCode(() => dead.get(0)), where).toBe('ERR_SEGMENT_FREED');
    }
  }

  // Give everything back: the manager must be empty and whole again.
  for (let o = 0; o < OWNER_COUNT; o++) {
    mm.releaseAll(owners[o]);
    expect(mm.releaseAllMemory(owners[o])).toBe(reserved[o]);
  }
  for (const h of held) expect(h.segment.isFreed()).toBe(true);
  expect(mm.verifyEmpty()).toBe(true);
  expect(mm.availableMemory).toBe(MEMORY);
  const all = mm.allocatePages(owners[0], PAGES);
  expect(new Set(all.map((p) => p.address)).size).toBe(PAGES);
  expect(errorCode(() => mm.allocatePages(owners[1], 1))).toBe('ERR_MEMORY_ALLOCATION');
  trace.push(all.map((p) => p.address));
  mm.shutdown();
  return trace;
}

describe.each(builds)('$name build', ({ lib }) => {
  it('random operations by several owners keep the budget, the pages and the handles consistent', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ commands, zeroOnRelease }) => {
        await runScenario(lib, commands, zeroOnRelease);
      }),
      { numRuns: 150 },
    );
  });
});

describe('wasm and js builds', () => {
  const wasm = builds.find((b) => b.name === 'wasm')!.lib;
  const js = builds.find((b) => b.name === 'js')!.lib;

  it('driven by the same commands, hand out the same pages in the same order', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ commands, zeroOnRelease }) => {
        const fromWasm = await runScenario(wasm, commands, zeroOnRelease);
        const fromJs = await runScenario(js, commands, zeroOnRelease);
        expect(fromJs).toEqual(fromWasm);
      }),
      { numRuns: 80 },
    );
  });
});
