// The off-heap allocator kernels on their own: the wasm exports' layout
// constants against the TypeScript ones, random allocate/free sequences on
// both kernels checked against a model of the area after every step and
// against each other byte for byte, and both kernels taking turns on one area
// in one WebAssembly.Memory.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsKernels } from '../src/kernels/js-kernels.js';
import type { Kernels } from '../src/kernels/kernels.js';
import * as layout from '../src/kernels/off-heap-layout.js';
import * as pageTableLayout from '../src/kernels/page-table-layout.js';
import { instantiateKernels } from '../src/wasm/loader.js';
import { OffHeapModel } from './off-heap-model.js';

const {
  OH_AREA_BYTES,
  OH_AREA_HEADER_BYTES,
  OH_BLOCK_HEADER_BYTES,
  OH_FREE_BYTES,
  OH_FREE_HEAD,
  OH_NEXT_FREE,
  OH_PREV_FREE,
  OH_PREV_SIZE,
  OH_SIZE,
  OH_USED,
  OH_USED_BLOCKS,
  offHeapBlockBytes,
} = layout;

const WASM_PAGE = 65536;
/** The area sits above the kernels' static data, in the second wasm page. */
const AREA = WASM_PAGE;
/** A small area, so that sequences run out of room and fragment often. */
const AREA_BYTES = 2048 + 32;
const FIRST = AREA + OH_AREA_HEADER_BYTES;
const END = AREA + AREA_BYTES;

/** A fresh two-page memory with the wasm kernels over it. */
async function wasmMemory(): Promise<{ memory: WebAssembly.Memory; wasm: Kernels & WebAssembly.Exports }> {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2 });
  return { memory, wasm: await instantiateKernels(memory) };
}

interface Block {
  readonly at: number;
  readonly size: number;
  readonly used: boolean;
  readonly prevSize: number;
  readonly next: number;
  readonly prev: number;
}

/** Every block of the area in address order, read straight from the layout. */
function blocks(buffer: ArrayBuffer): Block[] {
  const view = new DataView(buffer);
  const u32 = (at: number): number => view.getUint32(at, true);
  const out: Block[] = [];
  for (let at = FIRST; at < END; ) {
    const word = u32(at + OH_SIZE);
    const size = word & ~OH_USED;
    out.push({ at, size, used: (word & OH_USED) !== 0, prevSize: u32(at + OH_PREV_SIZE), next: u32(at + OH_NEXT_FREE), prev: u32(at + OH_PREV_FREE) });
    if (size < OH_BLOCK_HEADER_BYTES || size % 16 !== 0) throw new Error(`block at ${at} has size ${size}`);
    at += size;
  }
  return out;
}

/**
 * Checks the area's structure: blocks tile it exactly, each knows the size of
 * the one below, no two free blocks touch, the free list holds exactly the
 * free blocks with consistent back links, and the header's counts agree.
 */
function checkStructure(buffer: ArrayBuffer): Block[] {
  const view = new DataView(buffer);
  const all = blocks(buffer);
  // Problems are collected and compared once: an expect() per block would dominate the property tests' time.
  const problems: string[] = [];
  if (all.reduce((sum, b) => sum + b.size, 0) !== AREA_BYTES - OH_AREA_HEADER_BYTES) problems.push('the blocks do not tile the area');
  all.forEach((b, i) => {
    if (b.prevSize !== (i === 0 ? 0 : all[i - 1]!.size)) problems.push(`prevSize of block ${i} is ${b.prevSize}`);
    if (i > 0 && !b.used && !all[i - 1]!.used) problems.push(`free blocks ${i - 1} and ${i} touch`);
    if (b.used && (b.next !== 0 || b.prev !== 0)) problems.push(`used block ${i} has links`);
  });
  const listed: number[] = [];
  let prev = 0;
  for (let at = view.getUint32(AREA + OH_FREE_HEAD, true); at !== 0; at = view.getUint32(at + OH_NEXT_FREE, true)) {
    if (view.getUint32(at + OH_PREV_FREE, true) !== prev) problems.push(`back link of free block ${at}`);
    listed.push(at);
    prev = at;
    if (listed.length > all.length) throw new Error('the free list has a cycle');
  }
  const free = all.filter((b) => !b.used);
  if (String([...listed].sort((x, y) => x - y)) !== String(free.map((b) => b.at))) problems.push(`free list ${listed} holds other blocks than ${free.map((b) => b.at)}`);
  if (view.getUint32(AREA + OH_AREA_BYTES, true) !== AREA_BYTES) problems.push('area bytes');
  if (view.getUint32(AREA + OH_FREE_BYTES, true) !== free.reduce((sum, b) => sum + b.size - OH_BLOCK_HEADER_BYTES, 0)) problems.push('free bytes');
  if (view.getUint32(AREA + OH_USED_BLOCKS, true) !== all.length - free.length) problems.push('used blocks');
  expect(problems).toEqual([]);
  return all;
}

type Command = { readonly kind: 'allocate'; readonly size: number } | { readonly kind: 'free'; readonly pick: number; readonly twice: boolean };

// Sizes around the block granularity, whole-area requests and beyond, and the largest a u32 holds.
const size = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 200 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 8 }).map((n) => n * 16) },
  { weight: 1, arbitrary: fc.integer({ min: AREA_BYTES - 64, max: AREA_BYTES + 16 }) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 31, 2 ** 32 - 16, 2 ** 32 - 1) },
);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('allocate' as const), size }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat({ max: 1000 }), twice: fc.boolean() }) },
);
const commands = fc.array(command, { minLength: 1, maxLength: 80 });

/**
 * Runs `commands` against the area, each through the kernels `pick(i)`
 * chooses, checking the model and the structure after every step; at the end
 * frees everything and checks that the area is one free block again. Returns
 * every kernel answer, in order.
 */
function run(buffer: ArrayBuffer, pick: (step: number) => Kernels, list: readonly Command[]): number[] {
  const model = new OffHeapModel(FIRST, END);
  const answers: number[] = [];
  const view = new DataView(buffer);
  pick(-1).offHeapInit(AREA, AREA_BYTES);
  checkStructure(buffer);
  list.forEach((c, step) => {
    const k = pick(step);
    if (c.kind === 'allocate') {
      const address = k.offHeapAllocate(AREA, c.size) >>> 0;
      model.allocated(c.size, address);
      answers.push(address);
    } else if (model.live.length > 0) {
      const [s] = model.live.splice(c.pick % model.live.length, 1);
      const freed = k.offHeapFree(AREA, s!.address) >>> 0;
      expect(freed).toBe(offHeapBlockBytes(s!.size));
      answers.push(freed);
      if (c.twice) {
        // A second free of the same address (nothing reallocated it) returns nothing.
        expect(k.offHeapFree(AREA, s!.address) >>> 0).toBe(0);
      }
    }
    checkStructure(buffer);
    expect(view.getUint32(AREA + OH_FREE_BYTES, true), 'free bytes').toBe(model.freeBytes());
    expect(k.offHeapLargestFree(AREA) >>> 0, 'largest free').toBe(model.largestFree());
  });
  for (const s of model.live) expect(pick(list.length).offHeapFree(AREA, s.address) >>> 0).toBe(offHeapBlockBytes(s.size));
  const all = checkStructure(buffer);
  expect(all).toHaveLength(1);
  expect(view.getUint32(AREA + OH_FREE_BYTES, true)).toBe(AREA_BYTES - OH_AREA_HEADER_BYTES - OH_BLOCK_HEADER_BYTES);
  return answers;
}

/** The area's bytes (header and blocks, payload included: the kernels write only headers). */
const areaBytes = (buffer: ArrayBuffer): Uint8Array => new Uint8Array(buffer, AREA, AREA_BYTES).slice();

describe('off-heap kernels', () => {
  it('the wasm module exports the layout offsets the TypeScript twin uses', async () => {
    const { wasm } = await wasmMemory();
    const exported = (name: string): number => (wasm[name] as WebAssembly.Global).value as number;
    const names = Object.keys(layout).filter((name) => name.startsWith('OH_') && name !== 'OH_ALIGN');
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(exported(name), name).toBe(layout[name as keyof typeof layout]);
    // The page table's offsets are named the same way; hold them to the module too.
    for (const name of Object.keys(pageTableLayout).filter((n) => n.startsWith('PT_'))) {
      expect(exported(name), name).toBe(pageTableLayout[name as keyof typeof pageTableLayout]);
    }
  });

  it('lay out a fresh area as one free block, the same in both kernels', async () => {
    const { memory, wasm } = await wasmMemory();
    wasm.offHeapInit(AREA, AREA_BYTES);
    const buffer = new ArrayBuffer(2 * WASM_PAGE);
    createJsKernels(buffer).offHeapInit(AREA, AREA_BYTES);
    expect(areaBytes(buffer)).toEqual(areaBytes(memory.buffer));
    expect(checkStructure(buffer)).toEqual([{ at: FIRST, size: AREA_BYTES - OH_AREA_HEADER_BYTES, used: false, prevSize: 0, next: 0, prev: 0 }]);
  });

  it('a 0-byte request takes a header-only block; the last 16 bytes of an area serve one', () => {
    const buffer = new ArrayBuffer(2 * WASM_PAGE);
    const k = createJsKernels(buffer);
    k.offHeapInit(AREA, AREA_BYTES);
    // All but the last 16 bytes: the area header, this block's header and the 16 left over.
    const big = k.offHeapAllocate(AREA, AREA_BYTES - 48);
    expect(big).toBe(FIRST + OH_BLOCK_HEADER_BYTES);
    const zero = k.offHeapAllocate(AREA, 0);
    // Its header is the area's last 16 bytes, so its (empty) range starts at the area's end.
    expect(zero).toBe(END);
    expect(k.offHeapAllocate(AREA, 0)).toBe(0);
    expect(checkStructure(buffer).map((b) => b.used)).toEqual([true, true]);
    expect(k.offHeapFree(AREA, zero)).toBe(16);
    expect(k.offHeapFree(AREA, big)).toBe(AREA_BYTES - 32);
    expect(checkStructure(buffer)).toHaveLength(1);
  });

  it('random allocate/free sequences keep the model on both kernels, and both write the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (list) => {
        const { memory, wasm } = await wasmMemory();
        const buffer = new ArrayBuffer(2 * WASM_PAGE);
        const js = createJsKernels(buffer);
        const fromWasm = run(memory.buffer, () => wasm, list);
        const fromJs = run(buffer, () => js, list);
        expect(fromJs).toEqual(fromWasm);
        expect(areaBytes(buffer)).toEqual(areaBytes(memory.buffer));
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('the wasm and the JS kernels take turns on one area in one WebAssembly.Memory', async () => {
    await fc.assert(
      fc.asyncProperty(commands, fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), async (list, turns) => {
        const { memory, wasm } = await wasmMemory();
        const js = createJsKernels(memory.buffer);
        const mixed = run(memory.buffer, (step) => (turns[(step + turns.length) % turns.length] ? wasm : js), list);
        // The same commands through one kernel alone give the same answers and the same bytes.
        const buffer = new ArrayBuffer(2 * WASM_PAGE);
        const js2 = createJsKernels(buffer);
        const alone = run(buffer, () => js2, list);
        expect(mixed).toEqual(alone);
        expect(areaBytes(memory.buffer)).toEqual(areaBytes(buffer));
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  // Node only: a 2 GiB memory in a browser tab is more than this suite should ask for.
  // Defined in Node alone (not skipped elsewhere, so the count of skipped tests stays 0).
  if (typeof process !== 'undefined' && typeof window === 'undefined') it('addresses from 2^31 come back from wasm as negative numbers and work as unsigned', async () => {
    const memory = new WebAssembly.Memory({ initial: 32770, maximum: 32770 });
    const wasm = await instantiateKernels(memory);
    const js = createJsKernels(memory.buffer);
    const area = 2 ** 31;
    wasm.offHeapInit(area, 4096 + 32);
    const a = wasm.offHeapAllocate(area, 100);
    expect(a).toBeLessThan(0);
    expect(a >>> 0).toBe(area + 32);
    const b = js.offHeapAllocate(area, 100);
    expect(b).toBe(area + 32 + 128);
    expect(js.offHeapFree(area, a >>> 0)).toBe(128);
    expect(wasm.offHeapFree(area, b) >>> 0).toBe(128);
    expect(js.offHeapLargestFree(area)).toBe(4096);
    expect(wasm.offHeapLargestFree(area)).toBe(4096);
  });
});
