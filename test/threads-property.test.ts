// Random sequences of manager and network operations spread over three
// runtimes on one shared memory (in one realm, so that every step can be
// checked), cross-checked step by step against one unshared runtime doing the
// same with the owners told apart by runtime: one budget and one free list
// means the same successes, refusals and availability after every step; and
// releaseAllOf() of a runtime gives back exactly what it held.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';

const PAGE = 4096;
const OPTIONS = { managedMemory: 12 * PAGE, networkMemory: 6 * PAGE, offHeapMemory: 0, pageSize: PAGE } as const;
const RUNTIMES = 3;

type Step =
  | { kind: 'allocate'; rt: number; owner: number; pages: number }
  | { kind: 'releaseAll'; rt: number; owner: number }
  | { kind: 'releaseSome'; rt: number; owner: number; count: number }
  | { kind: 'reserve'; rt: number; owner: number; bytes: number }
  | { kind: 'releaseMemory'; rt: number; owner: number; bytes: number }
  | { kind: 'take'; rt: number }
  | { kind: 'recycle'; rt: number; pick: number };

const rt = fc.integer({ min: 0, max: RUNTIMES - 1 });
const owner = fc.integer({ min: 0, max: 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('allocate' as const), rt, owner, pages: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant('releaseAll' as const), rt, owner }),
  fc.record({ kind: fc.constant('releaseSome' as const), rt, owner, count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('reserve' as const), rt, owner, bytes: fc.integer({ min: 0, max: 5 * PAGE }) }),
  fc.record({ kind: fc.constant('releaseMemory' as const), rt, owner, bytes: fc.integer({ min: 0, max: 5 * PAGE }) }),
  fc.record({ kind: fc.constant('take' as const), rt }),
  fc.record({ kind: fc.constant('recycle' as const), rt, pick: fc.nat({ max: 100 }) }),
);

type Lib = (typeof builds)[number]['lib'];
type Runtime = Awaited<ReturnType<Lib['init']>>;
type Segment = InstanceType<Lib['MemorySegment']>;

/** Runs one step on `target` (owner names carry the runtime), returning what a caller sees: a count, or the error code. */
function apply(s: Step, target: Runtime, held: Map<string, Segment[]>, buffers: Segment[][], key: string): string {
  const mm = target.memoryManager;
  const name = `${s.rt}/${'owner' in s ? s.owner : ''}`;
  try {
    switch (s.kind) {
      case 'allocate': {
        const pages = mm.allocatePages(name, s.pages);
        held.set(key, [...(held.get(key) ?? []), ...pages]);
        return `ok ${pages.length}`;
      }
      case 'releaseAll':
        mm.releaseAll(name);
        held.set(key, []);
        return 'ok';
      case 'releaseSome': {
        const list = held.get(key) ?? [];
        mm.release(list.splice(0, s.count));
        return 'ok';
      }
      case 'reserve':
        mm.reserveMemory(name, s.bytes);
        return 'ok';
      case 'releaseMemory':
        return `ok ${mm.releaseMemory(name, s.bytes)}`;
      case 'take': {
        const segment = target.networkBufferPool.requestPooledMemorySegment();
        if (segment !== null) buffers[s.rt]!.push(segment);
        return segment === null ? 'none' : 'ok';
      }
      case 'recycle': {
        const list = buffers[s.rt]!;
        if (list.length === 0) return 'empty';
        target.networkBufferPool.recyclePooledMemorySegment(list.splice(s.pick % list.length, 1)[0]!);
        return 'ok';
      }
    }
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe.each(builds)('$name build', ({ init, lib }) => {
  it('three runtimes on one shared memory behave as one unshared runtime, step by step; releaseAllOf gives back what one held', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), rt, async (steps, ended) => {
        const first = await init({ ...OPTIONS, shared: true });
        const descriptor = first.share();
        const shared = [first, await lib.attach(descriptor), await lib.attach(descriptor)];
        const model = await init(OPTIONS);
        const heldShared = new Map<string, Segment[]>();
        const heldModel = new Map<string, Segment[]>();
        const buffersShared: Segment[][] = shared.map(() => []);
        const buffersModel: Segment[][] = shared.map(() => []);
        try {
          for (const s of steps) {
            const key = `${s.rt}/${'owner' in s ? s.owner : ''}`;
            expect(apply(s, shared[s.rt]!, heldShared, buffersShared, key)).toBe(apply(s, model, heldModel, buffersModel, key));
            expect(first.memoryManager.availableMemory).toBe(model.memoryManager.availableMemory);
            expect(shared[2]!.networkBufferPool.numberOfAvailableMemorySegments).toBe(model.networkBufferPool.numberOfAvailableMemorySegments);
          }
          // One runtime ends without releasing: another reclaims exactly what it held.
          const survivor = shared[(ended + 1) % RUNTIMES]!;
          const before = survivor.memoryManager.availableMemory;
          const freeBefore = survivor.networkBufferPool.numberOfAvailableMemorySegments;
          const released = survivor.releaseAllOf(shared[ended]!.workerId);
          const pages = [...heldShared.entries()].filter(([k]) => k.startsWith(`${ended}/`)).reduce((n, [, list]) => n + list.length, 0);
          expect(released.pages).toBe(pages);
          expect(released.buffers).toBe(buffersShared[ended]!.length);
          expect(survivor.memoryManager.availableMemory).toBe(before + pages * PAGE + released.bytes);
          expect(survivor.networkBufferPool.numberOfAvailableMemorySegments).toBe(freeBefore + released.buffers);
          for (let i = 0; i < RUNTIMES; i++) if (i !== ended) shared[i]!.close();
          // Everyone else closed: a fresh runtime on the memory finds it empty, and alone.
          const check = await lib.attach(descriptor);
          expect(check.memoryManager.verifyEmpty()).toBe(true);
          expect(check.networkBufferPool.numberOfAvailableMemorySegments).toBe(OPTIONS.networkMemory / PAGE);
          expect(check.attachedRuntimes).toBe(1);
          check.close();
        } finally {
          // The ended runtime is left as a crashed worker leaves it: never closed.
          shared.forEach((r, i) => i !== ended && !r.isClosed() && r.close());
          model.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
