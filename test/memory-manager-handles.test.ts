// Long random sequences of allocations and releases by several owners, some
// of which never let go of every page, checked against a model of which
// handles are live: releaseAll(owner) and shutdown() must free exactly the
// live handles of the owners they cover, however many allocate/release cycles
// came before (the manager keeps each owner's handles in batches and sweeps
// the freed ones out from time to time).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builds, type Build } from './builds.js';
import type { MemorySegment } from '../src/index.js';

const PAGE = 4096;
const PAGES = 24;
const OWNER_COUNT = 3;

type Command =
  | { readonly kind: 'allocate'; readonly owner: number; readonly pages: number }
  | { readonly kind: 'cycle'; readonly owner: number; readonly pages: number; readonly times: number }
  | { readonly kind: 'release'; readonly owner: number; readonly picks: readonly number[] }
  | { readonly kind: 'free'; readonly owner: number; readonly pick: number }
  | { readonly kind: 'releaseAll'; readonly owner: number };

const owner = fc.integer({ min: 0, max: OWNER_COUNT - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('allocate' as const), owner, pages: fc.integer({ min: 1, max: 4 }) }) },
  // Enough cycles in a row to leave an owner that still holds pages with many freed handles.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cycle' as const), owner, pages: fc.integer({ min: 1, max: 3 }), times: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const), owner, picks: fc.array(fc.nat({ max: 100 }), { maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), owner, pick: fc.nat({ max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('releaseAll' as const), owner }) },
);

/** Runs `commands`, checking after each one that exactly the model's live handles are live. */
async function run(lib: Build, commands: readonly Command[], leakDetection: boolean): Promise<void> {
  const mm = await lib.createMemoryManager({ memorySize: PAGES * PAGE, pageSize: PAGE, leakDetection });
  const owners = [{ name: 'sorter' }, 'join', 3];
  const live = owners.map(() => new Set<MemorySegment>());
  const everyHandle: MemorySegment[] = [];
  const heldPages = () => live.reduce((n, set) => n + set.size, 0);

  const allocate = (o: number, pages: number): MemorySegment[] => {
    if (heldPages() + pages > PAGES) return [];
    const got = mm.allocatePages(owners[o], pages);
    for (const segment of got) {
      live[o]!.add(segment);
      everyHandle.push(segment);
    }
    return got;
  };
  const check = (where: string): void => {
    expect(mm.availableMemory, where).toBe((PAGES - heldPages()) * PAGE);
    const wrong = everyHandle.filter((s) => s.isFreed() === live.some((set) => set.has(s)));
    expect(wrong.length, `${where}: handles whose state differs from the model`).toBe(0);
  };

  for (const [step, cmd] of commands.entries()) {
    const where = `step ${step}: ${JSON.stringify(cmd)}`;
    const mine = [...live[cmd.owner]!];
    switch (cmd.kind) {
      case 'allocate':
        allocate(cmd.owner, cmd.pages);
        break;
      case 'cycle':
        for (let k = 0; k < cmd.times; k++) {
          const got = allocate(cmd.owner, cmd.pages);
          for (const segment of got) live[cmd.owner]!.delete(segment);
          mm.release(got);
        }
        break;
      case 'release': {
        if (mine.length === 0) break;
        const batch = cmd.picks.map((p) => mine[p % mine.length]!);
        for (const segment of batch) live[cmd.owner]!.delete(segment);
        mm.release(batch);
        break;
      }
      case 'free':
        if (mine.length === 0) break;
        mine[cmd.pick % mine.length]!.free();
        live[cmd.owner]!.delete(mine[cmd.pick % mine.length]!);
        break;
      case 'releaseAll':
        mm.releaseAll(owners[cmd.owner]);
        live[cmd.owner]!.clear();
        break;
    }
    check(where);
  }
  // A released handle fails even though its page went to someone else since.
  const dead = everyHandle.find((s) => s.isFreed());
  if (dead !== undefined) expect(() => dead.putInt(0, 1)).toThrow(expect.objectContaining({ code: 'ERR_SEGMENT_FREED' }));
  mm.shutdown();
  expect(everyHandle.filter((s) => !s.isFreed()).length, 'handles left live by shutdown()').toBe(0);
}

describe.each(builds)('$name build', ({ lib }) => {
  it('releaseAll and shutdown free exactly the live handles after many allocate/release cycles of several owners', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 80 }), fc.boolean(), (commands, leakDetection) => run(lib, commands, leakDetection)),
      { numRuns: 60 },
    );
  });

  it('an owner that keeps one page while cycling thousands of others keeps its handles right', async () => {
    // Far beyond the sweep's slack: the sweep must keep the pinned page's handle.
    await run(lib, [
      { kind: 'allocate', owner: 0, pages: 1 },
      ...Array.from({ length: 100 }, () => ({ kind: 'cycle' as const, owner: 0, pages: 3, times: 20 })),
      { kind: 'allocate', owner: 1, pages: 2 },
      { kind: 'releaseAll', owner: 0 },
    ], false);
  });
});
