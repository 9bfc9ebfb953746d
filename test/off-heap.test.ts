// The off-heap area through the runtime, on both builds: what availableBytes
// counts, 0-byte and whole-area segments, requests that do not fit and bad
// sizes (nothing changes), close(), random sequences against the model, and a
// second runtime attached to the same memory allocating from the same area.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemorySegment, Runtime } from '../src/index.js';
import { jsBackend } from '../src/kernels/js-backend.js';
import { OH_AREA_BYTES, OH_AREA_HEADER_BYTES, OH_BLOCK_HEADER_BYTES, offHeapAreaBytes, offHeapBlockBytes } from '../src/kernels/off-heap-layout.js';
import type { OffHeapArea } from '../src/memory/off-heap-area.js';
import { attachRuntime, type Backend } from '../src/runtime/runtime.js';
import { wasmBackend } from '../src/wasm/backend.js';
import { builds } from './builds.js';
import { OffHeapModel } from './off-heap-model.js';
import { expectCode, expectOutOfBounds, loose, SMALL_OFF_HEAP, SMALL_RUNTIME, snapshot } from './oracle.js';

const BACKENDS: Record<'wasm' | 'js', Backend> = { wasm: wasmBackend, js: jsBackend };

/** The runtime's off-heap area (internal: the tests read its accounting). */
const area = (rt: Runtime): OffHeapArea => (rt as unknown as { offHeap: OffHeapArea }).offHeap;
/** A segment's address in the linear memory (a view's byteOffset). */
const addressOf = (s: MemorySegment): number => s.wrap(0, 0).byteOffset;
/** A model over the runtime's area: blocks lie from the first block to the area's end. */
const modelOf = (rt: Runtime): OffHeapModel =>
  new OffHeapModel(rt.layout.offHeapBase + OH_AREA_HEADER_BYTES, rt.layout.offHeapBase + offHeapAreaBytes(rt.config.offHeapMemory));
/** The area's header bytes, to show that a failed call changed nothing. */
const headerOf = (rt: Runtime): number[] => Array.from(new Uint8Array(rt.memory.buffer, rt.layout.offHeapBase, OH_AREA_HEADER_BYTES));

describe.each(builds)('$name build', ({ name, init, lib }) => {
  describe('accounting', () => {
    it('a fresh area has offHeapMemory bytes available, in one block; a segment costs its bytes rounded to 16 plus a 16-byte header', async () => {
      const rt = await init(SMALL_RUNTIME);
      expect(area(rt).availableBytes).toBe(SMALL_OFF_HEAP);
      const a = rt.segments.allocateUnpooledOffHeapMemory(100);
      expect(area(rt).availableBytes).toBe(SMALL_OFF_HEAP - 112 - OH_BLOCK_HEADER_BYTES);
      const b = rt.segments.allocateUnpooledOffHeapMemory(16);
      expect(area(rt).availableBytes).toBe(SMALL_OFF_HEAP - 112 - 16 - 2 * OH_BLOCK_HEADER_BYTES);
      expect(area(rt).usedBlocks).toBe(2);
      expect(addressOf(a) % 16).toBe(0);
      expect(addressOf(b)).toBe(addressOf(a) + offHeapBlockBytes(100));
      a.free();
      // The freed block is a free block of its own: its header is not given back until it merges.
      // Left: all but b's 16 bytes, b's header, and the header of the free block a leaves.
      expect(area(rt).availableBytes).toBe(SMALL_OFF_HEAP - 16 - OH_BLOCK_HEADER_BYTES - OH_BLOCK_HEADER_BYTES);
      b.free();
      expect(area(rt).availableBytes).toBe(SMALL_OFF_HEAP);
      expect(area(rt).usedBlocks).toBe(0);
      rt.close();
    });

    it('when the free space is one block, a request fits exactly when it is at most availableBytes', async () => {
      const rt = await init(SMALL_RUNTIME);
      const first = rt.segments.allocateUnpooledOffHeapMemory(1000);
      const rest = area(rt).availableBytes;
      expectCode(lib, () => rt.segments.allocateUnpooledOffHeapMemory(rest + 1), 'ERR_MEMORY_ALLOCATION');
      const all = rt.segments.allocateUnpooledOffHeapMemory(rest);
      expect(area(rt).availableBytes).toBe(0);
      all.free();
      first.free();
      rt.close();
    });

    it('a 0-byte request gives a valid, empty, 16-byte aligned segment that takes a block header', async () => {
      const rt = await init(SMALL_RUNTIME);
      const empty = rt.segments.allocateUnpooledOffHeapMemory(0, 'empty');
      expect(empty.size).toBe(0);
      expect(empty.owner).toBe('empty');
      expect(empty.isOffHeap()).toBe(true);
      expect(empty.isFreed()).toBe(false);
      expect(addressOf(empty) % 16).toBe(0);
      expect(area(rt).availableBytes).toBe(SMALL_OFF_HEAP - OH_BLOCK_HEADER_BYTES);
      expectOutOfBounds(lib, () => empty.get(0), '0', 0);
      expect(empty.wrap(0, 0)).toHaveLength(0);
      const next = rt.segments.allocateUnpooledOffHeapMemory(0);
      expect(addressOf(next)).toBe(addressOf(empty) + OH_BLOCK_HEADER_BYTES);
      empty.free();
      next.free();
      expect(area(rt).availableBytes).toBe(SMALL_OFF_HEAP);
      rt.close();
    });

    it('one segment can take all offHeapMemory bytes; then even a 0-byte request does not fit', async () => {
      const rt = await init(SMALL_RUNTIME);
      const all = rt.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP);
      expect(addressOf(all)).toBe(rt.layout.offHeapBase + OH_AREA_HEADER_BYTES + OH_BLOCK_HEADER_BYTES);
      // The segment's last byte is the area's last byte; the managed pages start at or after it.
      expect(addressOf(all) + SMALL_OFF_HEAP).toBe(rt.layout.offHeapBase + offHeapAreaBytes(SMALL_OFF_HEAP));
      expect(addressOf(all) + SMALL_OFF_HEAP).toBeLessThanOrEqual(rt.layout.managedBase);
      expect(area(rt).availableBytes).toBe(0);
      expectCode(lib, () => rt.segments.allocateUnpooledOffHeapMemory(0), 'ERR_MEMORY_ALLOCATION');
      all.free();
      rt.close();
    });

    it('freeing a segment twice returns its block once', async () => {
      const rt = await init(SMALL_RUNTIME);
      const a = rt.segments.allocateUnpooledOffHeapMemory(64);
      const b = rt.segments.allocateUnpooledOffHeapMemory(64);
      a.free();
      const after = area(rt).availableBytes;
      a.free();
      a[Symbol.dispose]();
      expect(area(rt).availableBytes).toBe(after);
      expect(area(rt).usedBlocks).toBe(1);
      // The block a had is handed out again, and b's is still b's.
      const c = rt.segments.allocateUnpooledOffHeapMemory(64);
      expect(addressOf(c)).not.toBe(addressOf(b));
      c.free();
      b.free();
      expect(area(rt).availableBytes).toBe(SMALL_OFF_HEAP);
      rt.close();
    });
  });

  describe('requests that cannot be met change nothing', () => {
    it('sizes beyond the area are ERR_MEMORY_ALLOCATION naming the size, the bytes free and offHeapMemory', async () => {
      const rt = await init(SMALL_RUNTIME);
      const kept = rt.segments.allocateUnpooledOffHeapMemory(100);
      const before = headerOf(rt);
      for (const size of [SMALL_OFF_HEAP + 1, SMALL_OFF_HEAP * 2, 2 ** 31, 2 ** 32 - 16, 2 ** 32 - 1]) {
        const err = expectCode(lib, () => rt.segments.allocateUnpooledOffHeapMemory(size), 'ERR_MEMORY_ALLOCATION');
        expect(err).toBeInstanceOf(lib.MemoryAllocationError);
        expect(err.message).toContain(`${size} bytes`);
        expect(err.message).toContain(`${area(rt).availableBytes} of ${SMALL_OFF_HEAP} bytes free`);
        expect(err.message).toContain('offHeapMemory');
        expect(err.message).not.toContain('fragmented');
        expect(headerOf(rt)).toEqual(before);
      }
      kept.free();
      rt.close();
    });

    it('when the free bytes would hold the request but no one block does, the message names the largest free block', async () => {
      const rt = await init(SMALL_RUNTIME);
      // Eight segments of 8 KiB minus a header tile the area; free every other one.
      const eighth = SMALL_OFF_HEAP / 8 - OH_BLOCK_HEADER_BYTES;
      const segments = Array.from({ length: 8 }, () => rt.segments.allocateUnpooledOffHeapMemory(eighth));
      segments.filter((_, i) => i % 2 === 0).forEach((s) => s.free());
      expect(area(rt).availableBytes).toBe(4 * eighth);
      const before = headerOf(rt);
      const err = expectCode(lib, () => rt.segments.allocateUnpooledOffHeapMemory(eighth + 1), 'ERR_MEMORY_ALLOCATION');
      expect(err.message).toContain(`${eighth + 1} bytes`);
      expect(err.message).toContain(`${4 * eighth} of ${SMALL_OFF_HEAP} bytes free`);
      expect(err.message).toContain(`fragmented: the largest free block holds ${eighth}`);
      expect(err.message).toContain('offHeapMemory');
      expect(headerOf(rt)).toEqual(before);
      rt.close();
    });

    it('bad sizes are ERR_INVALID_ARGUMENT naming the value and the limit', async () => {
      const rt = await init(SMALL_RUNTIME);
      const kept = rt.segments.allocateUnpooledOffHeapMemory(16);
      const before = headerOf(rt);
      const bad: [unknown, string][] = [
        [-1, '-1'], [-16, '-16'], [1.5, '1.5'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
        [2 ** 32, '4294967296'], [2 ** 40, String(2 ** 40)], [16n, '16'], [Symbol('size'), 'Symbol(size)'], ['16', '16'], [null, 'null'],
      ];
      for (const [size, shown] of bad) {
        const err = expectCode(lib, () => loose(rt.segments).allocateUnpooledOffHeapMemory(size), 'ERR_INVALID_ARGUMENT');
        expect(err).toBeInstanceOf(lib.InvalidArgumentError);
        expect(err.message).toContain(shown);
        expect(err.message).toContain(String(2 ** 32 - 1));
        expect(headerOf(rt)).toEqual(before);
      }
      expect(area(rt).usedBlocks).toBe(1);
      kept.free();
      rt.close();
    });
  });

  it('close() frees every live off-heap segment and gives the area back whole', async () => {
    const rt = await init(SMALL_RUNTIME);
    // A second runtime on the same memory keeps it attached, so the area can be read after rt closes.
    const watcher = await attachRuntime(BACKENDS[name], rt.memory);
    const segments = [0, 1, 17, 4096, 100].map((n) => rt.segments.allocateUnpooledOffHeapMemory(n));
    segments[2]!.free();
    rt.close();
    for (const s of segments) expect(s.isFreed()).toBe(true);
    expect(area(watcher).usedBlocks).toBe(0);
    expect(area(watcher).availableBytes).toBe(SMALL_OFF_HEAP);
    watcher.close();
  });

  it('random allocate/free sequences keep the model: no overlap, inside the area, free bytes as the gaps give them, all back at the end', async () => {
    const rt = await init(SMALL_RUNTIME);
    const sizes = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: SMALL_OFF_HEAP + 16 }));
    const step = fc.oneof(fc.record({ allocate: sizes }), fc.record({ free: fc.nat({ max: 1000 }) }));
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const model = modelOf(rt);
        const live: { segment: MemorySegment; tag: number }[] = [];
        let tag = 0;
        for (const s of steps) {
          if ('allocate' in s) {
            let segment: MemorySegment | null = null;
            try {
              segment = rt.segments.allocateUnpooledOffHeapMemory(s.allocate);
            } catch (err) {
              expect((err as { code?: string }).code).toBe('ERR_MEMORY_ALLOCATION');
            }
            model.allocated(s.allocate, segment === null ? 0 : addressOf(segment));
            if (segment !== null) {
              tag = (tag + 1) & 0xff;
              segment.fill(tag);
              live.push({ segment, tag });
            }
          } else if (live.length > 0) {
            const { segment } = live.splice(s.free % live.length, 1)[0]!;
            const at = model.live.findIndex((m) => m.address === addressOf(segment));
            model.live.splice(at, 1);
            segment.free();
          }
          expect(area(rt).availableBytes).toBe(model.freeBytes());
        }
        // Nothing written to one segment reached another.
        for (const { segment, tag: t } of live) expect(snapshot(segment).every((b) => b === t)).toBe(true);
        for (const { segment } of live) segment.free();
        expect(area(rt).availableBytes).toBe(SMALL_OFF_HEAP);
        expect(area(rt).usedBlocks).toBe(0);
      }),
      { numRuns: 60 },
    );
    rt.close();
  });

  describe('a second runtime attached to the same memory', () => {
    const attachers = name === 'wasm' ? (['wasm', 'js'] as const) : (['js'] as const);
    it.each(attachers.map((b) => [b]))('(%s kernels) allocates from the same area without laying it out again', async (attacher) => {
      const a = await init(SMALL_RUNTIME);
      const fromA = [100, 0, 4000].map((n) => a.segments.allocateUnpooledOffHeapMemory(n, 'A'));
      fromA.forEach((s, i) => s.fill(0xa0 + i));
      const b = await attachRuntime(BACKENDS[attacher], a.memory);
      expect(b.build).toBe(attacher);
      expect(area(b).availableBytes).toBe(area(a).availableBytes);
      expect(area(b).usedBlocks).toBe(3);
      const fromB = [100, 16, 2000].map((n) => b.segments.allocateUnpooledOffHeapMemory(n, 'B'));
      fromB.forEach((s, i) => s.fill(0xb0 + i));
      expect(area(a).availableBytes).toBe(area(b).availableBytes);
      // No two blocks overlap, whichever runtime carved them.
      const model = modelOf(a);
      for (const s of [...fromA, ...fromB]) model.allocated(s.size, addressOf(s));
      expect(area(a).availableBytes).toBe(model.freeBytes());
      fromA.forEach((s, i) => expect(snapshot(s).every((x) => x === 0xa0 + i)).toBe(true));
      // Frees in either runtime return blocks to the one area; blocks freed by one are reused by the other.
      const reused = addressOf(fromA[0]!);
      fromA[0]!.free();
      fromB[1]!.free();
      // First fit: b's freed 32-byte block is too small, a's freed 128-byte block is next on the list.
      const again = b.segments.allocateUnpooledOffHeapMemory(100);
      expect(addressOf(again)).toBe(reused);
      again.free();
      // Closing b frees b's segments only.
      b.close();
      expect(fromB.every((s) => s.isFreed())).toBe(true);
      expect(fromA.slice(1).every((s) => !s.isFreed())).toBe(true);
      expect(area(a).usedBlocks).toBe(2);
      fromA[2]!.putInt(0, 7);
      expect(fromA[2]!.getInt(0)).toBe(7);
      for (const s of fromA) s.free();
      expect(area(a).availableBytes).toBe(SMALL_OFF_HEAP);
      expect(area(a).usedBlocks).toBe(0);
      a.close();
    });

    it('refuses an area whose header disagrees with the runtime header', async () => {
      const a = await init(SMALL_RUNTIME);
      const view = new DataView(a.memory.buffer);
      const at = a.layout.offHeapBase + OH_AREA_BYTES;
      view.setUint32(at, view.getUint32(at, true) - 16, true);
      const err = await attachRuntime(BACKENDS[name], a.memory).then(
        () => expect.fail('expected attach to reject'),
        (e: Error & { code?: string }) => e,
      );
      expect(err.code).toBe('ERR_INVALID_ARGUMENT');
      expect(err.message).toContain('off-heap area');
      a.close();
    });
  });
});
