// The page table is one layout run by two kernels: the AssemblyScript module
// and its TypeScript twin. Its header is named once on each side; these tests
// hold the two to each other, field by field and by running both kernels on
// one table.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Kernels } from '../src/kernels/kernels.js';
import { createJsKernels } from '../src/kernels/js-kernels.js';
import * as layout from '../src/kernels/page-table-layout.js';
import { instantiateKernels } from '../src/wasm/loader.js';

const HEADER_FIELDS = [
  'PT_PAGE_COUNT',
  'PT_FREE_COUNT',
  'PT_PAGE_SHIFT',
  'PT_PAGES_BASE',
  'PT_ZERO_ON_RELEASE',
  'PT_BYTES_AVAILABLE',
  'PT_FREE_SLOTS',
  'PT_HEADER_BYTES',
  'PT_BYTES_PER_PAGE',
] as const;

const PAGES = 12;
const SHIFT = 12; // 4 KiB pages
const TABLE = 1 << 16;
const PAGES_BASE = 1 << 17;

/** A wasm memory with the wasm kernels and the TypeScript kernels over the same bytes. */
async function twoKernels(): Promise<{ memory: WebAssembly.Memory; wasm: Kernels & WebAssembly.Exports; js: Kernels }> {
  const memory = new WebAssembly.Memory({ initial: 4, maximum: 4 });
  const wasm = await instantiateKernels(memory);
  return { memory, wasm, js: createJsKernels(memory.buffer) };
}

describe('page table layout', () => {
  it('names every header field at the same offset in the wasm module and in TypeScript', async () => {
    const { wasm } = await twoKernels();
    for (const name of HEADER_FIELDS) {
      const global = wasm[name] as WebAssembly.Global;
      expect(global, name).toBeInstanceOf(WebAssembly.Global);
      expect(global.value, name).toBe(layout[name]);
    }
  });

  it('sizes a table the same in both kernels and in the layout', async () => {
    const { wasm, js } = await twoKernels();
    for (const pages of [0, 1, 7, 1000, 131072]) {
      expect(wasm.pageTableBytes(pages)).toBe(layout.pageTableBytes(pages));
      expect(js.pageTableBytes(pages)).toBe(layout.pageTableBytes(pages));
    }
  });

  it('reads the header each kernel writes at the named offsets', async () => {
    for (const side of ['wasm', 'js'] as const) {
      const kernels = await twoKernels();
      const view = new DataView(kernels.memory.buffer);
      kernels[side].pagesInit(TABLE, PAGES, SHIFT, PAGES_BASE, 1);
      const field = (offset: number) => view.getUint32(TABLE + offset, true);
      expect(field(layout.PT_PAGE_COUNT), side).toBe(PAGES);
      expect(field(layout.PT_FREE_COUNT), side).toBe(PAGES);
      expect(field(layout.PT_PAGE_SHIFT), side).toBe(SHIFT);
      expect(field(layout.PT_PAGES_BASE), side).toBe(PAGES_BASE);
      expect(field(layout.PT_ZERO_ON_RELEASE), side).toBe(1);
      expect(field(layout.PT_BYTES_AVAILABLE), side).toBe(PAGES << SHIFT);
      expect(field(layout.PT_FREE_SLOTS), side).toBe(PAGES);
      expect(kernels[side].pagesAllocate(TABLE, 0, 5), side).toBe(5);
      expect(field(layout.PT_FREE_COUNT), side).toBe(PAGES - 5);
      expect(field(layout.PT_BYTES_AVAILABLE), side).toBe((PAGES - 5) << SHIFT);
      // Page 0 goes out first, then 1, 2, ...: the io area lists them.
      const io = new Int32Array(kernels.memory.buffer, TABLE + layout.pageTableArrays(PAGES).io, 5);
      expect([...io], side).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it('stores a pages base at or above 2 GiB unsigned in both kernels', async () => {
    for (const side of ['wasm', 'js'] as const) {
      const kernels = await twoKernels();
      kernels[side].pagesInit(TABLE, PAGES, SHIFT, 0x80000000 + 0x10000, 0);
      expect(new DataView(kernels.memory.buffer).getUint32(TABLE + layout.PT_PAGES_BASE, true), side).toBe(2147549184);
    }
  });

  type Op =
    | { readonly op: 'allocate'; readonly slot: number; readonly n: number }
    | { readonly op: 'release'; readonly pages: readonly number[] }
    | { readonly op: 'releaseAll'; readonly slot: number }
    | { readonly op: 'reserve'; readonly bytes: number }
    | { readonly op: 'unreserve'; readonly bytes: number }
    | { readonly op: 'slotAcquire' }
    | { readonly op: 'slotRelease'; readonly pick: number };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('allocate' as const), slot: fc.integer({ min: 0, max: 3 }), n: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ op: fc.constant('release' as const), pages: fc.array(fc.integer({ min: 0, max: PAGES + 1 }), { maxLength: 5 }) }),
    fc.record({ op: fc.constant('releaseAll' as const), slot: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ op: fc.constant('reserve' as const), bytes: fc.integer({ min: 0, max: 5 << SHIFT }) }),
    fc.record({ op: fc.constant('unreserve' as const), bytes: fc.integer({ min: 0, max: 2 << SHIFT }) }),
    fc.record({ op: fc.constant('slotAcquire' as const) }),
    fc.record({ op: fc.constant('slotRelease' as const), pick: fc.nat() }),
  );

  /** Applies `op` with `k`, keeping the reservation and slots sane the way the manager does; returns what the kernel returned. */
  function apply(k: Kernels, io: Int32Array, state: { reserved: number; slots: number[] }, op: Op): unknown {
    switch (op.op) {
      case 'allocate': {
        const n = k.pagesAllocate(TABLE, op.slot, op.n);
        return [n, [...io.subarray(0, Math.max(n, 0))]];
      }
      case 'release':
        io.set(op.pages);
        return k.pagesRelease(TABLE, op.pages.length);
      case 'releaseAll': {
        const n = k.pagesReleaseAll(TABLE, op.slot);
        return [n, [...io.subarray(0, n)]];
      }
      case 'reserve': {
        const ok = k.budgetReserve(TABLE, op.bytes);
        if (ok === 1) state.reserved += op.bytes;
        return ok;
      }
      case 'unreserve': {
        const bytes = Math.min(op.bytes, state.reserved);
        state.reserved -= bytes;
        k.budgetRelease(TABLE, bytes);
        return bytes;
      }
      case 'slotAcquire': {
        const slot = k.slotAcquire(TABLE);
        if (slot >= 0) state.slots.push(slot);
        return slot;
      }
      case 'slotRelease': {
        if (state.slots.length === 0) return null;
        const [slot] = state.slots.splice(op.pick % state.slots.length, 1);
        k.slotRelease(TABLE, slot!);
        return slot;
      }
    }
  }

  it('gives the same results and the same table bytes whichever kernel runs each step', async () => {
    const tableBytes = layout.pageTableBytes(PAGES);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), opArb), { maxLength: 40 }), fc.boolean(), async (steps, wasmInits) => {
        // One table run by both kernels, step by step as drawn...
        const mixed = await twoKernels();
        (wasmInits ? mixed.wasm : mixed.js).pagesInit(TABLE, PAGES, SHIFT, PAGES_BASE, 0);
        const mixedIo = new Int32Array(mixed.memory.buffer, TABLE + layout.pageTableArrays(PAGES).io, PAGES);
        const mixedState = { reserved: 0, slots: [] as number[] };
        // ...and one run by the TypeScript kernels alone, as the reference.
        const referenceState = { reserved: 0, slots: [] as number[] };
        const referenceBuffer = new ArrayBuffer(4 << 16);
        const reference = createJsKernels(referenceBuffer);
        reference.pagesInit(TABLE, PAGES, SHIFT, PAGES_BASE, 0);
        const referenceIo = new Int32Array(referenceBuffer, TABLE + layout.pageTableArrays(PAGES).io, PAGES);
        for (const [useWasm, op] of steps) {
          const got = apply(useWasm ? mixed.wasm : mixed.js, mixedIo, mixedState, op);
          const want = apply(reference, referenceIo, referenceState, op);
          expect(got, JSON.stringify(op)).toEqual(want);
        }
        expect(new Uint8Array(mixed.memory.buffer, TABLE, tableBytes)).toEqual(new Uint8Array(referenceBuffer, TABLE, tableBytes));
      }),
      { numRuns: 150 },
    );
  });

  it('releaseAll frees exactly the pages of one slot, in page order, in tables of any size around the scan width', async () => {
    // The wasm kernel scans ownerOf 16 entries at a time, then the rest one by one.
    const opsArb = fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('allocate' as const), slot: fc.integer({ min: 0, max: 2 }), n: fc.integer({ min: 1, max: 9 }) }),
        fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
        fc.record({ op: fc.constant('releaseAll' as const), slot: fc.integer({ min: 0, max: 2 }) }),
      ),
      { maxLength: 30 },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 70 }), opsArb, async (pages, ops) => {
        for (const side of ['wasm', 'js'] as const) {
          const kernels = await twoKernels();
          const k = kernels[side];
          k.pagesInit(TABLE, pages, SHIFT, PAGES_BASE, 0);
          const io = new Int32Array(kernels.memory.buffer, TABLE + layout.pageTableArrays(pages).io, pages);
          const model = [new Set<number>(), new Set<number>(), new Set<number>()];
          const held = () => model.reduce((n, set) => n + set.size, 0);
          for (const op of ops) {
            if (op.op === 'allocate') {
              const fits = held() + op.n <= pages;
              expect(k.pagesAllocate(TABLE, op.slot, op.n), side).toBe(fits ? op.n : -1);
              if (fits) for (const page of io.subarray(0, op.n)) model[op.slot]!.add(page);
            } else if (op.op === 'release') {
              const all = model.flatMap((set) => [...set]);
              if (all.length === 0) continue;
              const page = all[op.pick % all.length]!;
              io[0] = page;
              expect(k.pagesRelease(TABLE, 1), side).toBe(1);
              for (const set of model) set.delete(page);
            } else {
              const want = [...model[op.slot]!].sort((a, b) => a - b);
              expect(k.pagesReleaseAll(TABLE, op.slot), side).toBe(want.length);
              expect([...io.subarray(0, want.length)], side).toEqual(want);
              model[op.slot]!.clear();
            }
            const view = new DataView(kernels.memory.buffer);
            expect(view.getUint32(TABLE + layout.PT_FREE_COUNT, true), side).toBe(pages - held());
            expect(view.getUint32(TABLE + layout.PT_BYTES_AVAILABLE, true), side).toBe((pages - held()) << SHIFT);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
