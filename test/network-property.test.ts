// Random interleavings (fast-check's scheduler) of blocking requests, aborts,
// timeouts, recycles, setNumBuffers and destroy on both builds, held to a
// model: no leak, no buffer handed to two holders, waiters served in arrival
// order, and a request that gave up never served.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { builds } from './builds.js';
import type { BufferBuilder, MemorySegment } from '../src/index.js';

const TOTAL = 4;
const MAX = 3;

type Op =
  | { kind: 'request'; abortable: boolean; timeoutMs: number | undefined }
  | { kind: 'abort'; k: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'recycle'; k: number }
  | { kind: 'request-now' }
  | { kind: 'resize'; n: number }
  | { kind: 'unpooled'; n: number }
  | { kind: 'unpooled-recycle' }
  | { kind: 'destroy' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('request' as const), abortable: fc.boolean(), timeoutMs: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('abort' as const), k: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('recycle' as const), k: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'request-now' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('resize' as const), n: fc.integer({ min: 1, max: MAX + 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unpooled' as const), n: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unpooled-recycle' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'destroy' as const }) },
);

afterEach(() => {
  vi.useRealTimers();
});

describe.each(builds)('$name build', ({ init, lib }) => {
  it('request / abort / timeout / recycle / setNumBuffers / destroy interleavings: no leak, no double hand-out, arrival order', async () => {
    vi.useFakeTimers();
    // What the runs exercised, so that a generator change cannot quietly stop testing the waiting paths.
    const seen = { waited: 0, timeouts: 0, aborts: 0, destroyed: 0 };
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(opArb, { minLength: 5, maxLength: 40, size: 'max' }), async (s, ops) => {
        // A runtime per run: a failed run's leftover reactions cannot touch the next one.
        const rt = await init({ managedMemory: '64kb', networkMemory: TOTAL * 4096, pageSize: 4096 });
        const nbp = rt.networkBufferPool;
        const pool = nbp.createBufferPool({ minSize: 1, maxSize: MAX });
        /** Lets every scheduled operation and every reaction it started run. */
        const quiesce = async () => {
          for (let i = 0; i < 4; i++) {
            await s.waitAll();
            for (let k = 0; k < 20; k++) await Promise.resolve();
          }
        };
        // The model: what the test holds, who waits, in which order requests were made and served.
        const held = new Map<MemorySegment, BufferBuilder>();
        const pending: { id: number; controller: AbortController | null; gaveUp: boolean; served: boolean }[] = [];
        const served: number[] = [];
        const unpooled: MemorySegment[][] = [];
        let nextId = 0;
        let destroyed = false;
        const problems: string[] = [];

        const hold = (builder: BufferBuilder, label: string) => {
          const segment = (builder as unknown as { buffer: { memorySegment: MemorySegment } }).buffer.memorySegment;
          if (held.has(segment)) problems.push(`${label}: segment handed out twice`);
          held.set(segment, builder);
        };
        const check = (label: string) => {
          const inPool = pool.numberOfRequestedMemorySegments;
          const out = [...unpooled].reduce((n, list) => n + list.length, 0);
          // Unpooled segments handed out reach the model a reaction later, so at any moment the sum is at most the total.
          if (nbp.numberOfAvailableMemorySegments + inPool + out > TOTAL) {
            problems.push(`${label}: ${nbp.numberOfAvailableMemorySegments} free + ${inPool} in the pool + ${out} unpooled > ${TOTAL}`);
          }
          if (!destroyed && inPool - pool.numberOfAvailableMemorySegments < held.size) problems.push(`${label}: more held than out`);
        };

        const apply = async (op: Op) => {
          switch (op.kind) {
            case 'request': {
              const id = nextId++;
              const controller = op.abortable ? new AbortController() : null;
              const entry = { id, controller, gaveUp: false, served: false };
              pending.push(entry);
              const p = pool.requestBufferBuilderBlocking(undefined, { signal: controller?.signal, timeoutMs: op.timeoutMs });
              if (pool.numberOfWaitingRequests > 0) seen.waited++;
              // Served order and holding, seen in resolution order (the scheduler interleaves the operations).
              p.then(
                (builder) => {
                  served.push(id);
                  entry.served = true;
                  if (entry.gaveUp) problems.push(`request ${id} served after giving up`);
                  hold(builder, `request ${id}`);
                },
                (err: unknown) => {
                  entry.gaveUp = true;
                  const code = (err as { code?: string }).code;
                  if (code === 'ERR_TIMEOUT') seen.timeouts++;
                  else if (code === 'ERR_POOL_DESTROYED') seen.destroyed++;
                  else if (err === 'aborted') seen.aborts++;
                  if (!['ERR_TIMEOUT', 'ERR_POOL_DESTROYED'].includes(code ?? '') && err !== 'aborted') problems.push(`request ${id}: unexpected ${String(err)}`);
                },
              );
              break;
            }
            case 'abort': {
              const abortable = pending.filter((p) => p.controller !== null && !p.served && !p.gaveUp);
              if (abortable.length > 0) abortable[op.k % abortable.length]!.controller!.abort('aborted');
              break;
            }
            case 'tick':
              vi.advanceTimersByTime(op.ms);
              break;
            case 'recycle': {
              const list = [...held.keys()];
              if (list.length === 0) break;
              const segment = list[op.k % list.length]!;
              held.get(segment)!.close();
              held.delete(segment);
              break;
            }
            case 'request-now': {
              if (destroyed) break;
              const b = pool.requestBufferBuilder();
              if (b !== null) hold(b, 'requestBufferBuilder');
              break;
            }
            case 'resize':
              if (!destroyed) pool.setNumBuffers(op.n);
              break;
            case 'unpooled': {
              if (destroyed || op.n > nbp.numberOfSpareMemorySegments) break;
              // Waits while the pool holds the segments; served or timed out, its continuation is scheduled.
              const request = nbp.requestUnpooledMemorySegments(op.n, { timeoutMs: 10 });
              request.then(
                (segs) => void unpooled.push(segs),
                () => {},
              );
              break;
            }
            case 'unpooled-recycle': {
              const segs = unpooled.shift();
              if (segs !== undefined) nbp.recycleUnpooledMemorySegments(segs);
              break;
            }
            case 'destroy':
              if (!destroyed) {
                destroyed = true;
                pool.lazyDestroy();
              }
              break;
          }
          check(op.kind);
        };

        for (const op of ops) s.schedule(Promise.resolve(op), op.kind).then(apply);
        await quiesce();
        // Drain: time out nothing more; release everything; let every waiter be served or rejected.
        for (let round = 0; round < 20 && (held.size > 0 || pending.some((p) => !p.served && !p.gaveUp)); round++) {
          for (const [segment, builder] of held) {
            builder.close();
            held.delete(segment);
          }
          for (const segs of unpooled.splice(0)) nbp.recycleUnpooledMemorySegments(segs);
          vi.advanceTimersByTime(100);
          await s.waitAll();
        }
        for (const segs of unpooled.splice(0)) nbp.recycleUnpooledMemorySegments(segs);
        for (const p of pending) if (!p.served && !p.gaveUp) p.controller?.abort('aborted');
        await quiesce();
        const stillWaiting = pending.filter((p) => !p.served && !p.gaveUp);
        if (!destroyed) pool.lazyDestroy();
        await quiesce();
        for (const [, builder] of held) builder.close();
        for (const segs of unpooled.splice(0)) nbp.recycleUnpooledMemorySegments(segs);

        // Waiters were served in arrival order.
        for (let i = 1; i < served.length; i++) if (served[i]! < served[i - 1]!) problems.push(`served ${served[i - 1]} before ${served[i]}`);
        expect(problems).toEqual([]);
        expect(stillWaiting.filter((p) => p.controller === null)).toEqual([]);
        expect(nbp.numberOfAvailableMemorySegments).toBe(TOTAL);
        expect(nbp.numberOfSpareMemorySegments).toBe(TOTAL);
        expect(vi.getTimerCount()).toBe(0);
        rt.close();
      }),
    );
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
  });
});
