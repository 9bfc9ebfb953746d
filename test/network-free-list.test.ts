// The network pool's free list in linear memory: the AssemblyScript kernel and
// its TypeScript twin over the same layout, held to the same constants and the
// same results, batch by batch, and able to run a list the other laid out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as layout from '../src/kernels/buffer-pool-layout.js';
import { createJsKernels } from '../src/kernels/js-kernels.js';
import type { Kernels } from '../src/kernels/kernels.js';
import { instantiateKernels } from '../src/wasm/loader.js';

const TABLE = 65536 + 64;
const BASE = 1 << 20;
const SHIFT = 12;

async function bothKernels(): Promise<{ memory: WebAssembly.Memory; wasm: Kernels & WebAssembly.Exports; js: Kernels }> {
  const memory = new WebAssembly.Memory({ initial: 32, maximum: 32 });
  const wasm = await instantiateKernels(memory);
  return { memory, wasm, js: createJsKernels(memory.buffer) };
}

/** The free list's state: free count and the free stack, bottom first. */
function stateOf(memory: WebAssembly.Memory, table: number): { free: number; stack: number[] } {
  const u32 = new Uint32Array(memory.buffer);
  const free = u32[(table + layout.NB_FREE_COUNT) >>> 2]!;
  const stack = Array.from(u32.subarray((table + layout.NB_HEADER_BYTES) >>> 2, ((table + layout.NB_HEADER_BYTES) >>> 2) + free));
  return { free, stack };
}

function ioOf(memory: WebAssembly.Memory, table: number, count: number, n: number): number[] {
  const at = (table + layout.bufferTableArrays(count).io) >>> 2;
  return Array.from(new Int32Array(memory.buffer).subarray(at, at + n));
}

function setIo(memory: WebAssembly.Memory, table: number, count: number, indices: number[]): void {
  new Int32Array(memory.buffer).set(indices, (table + layout.bufferTableArrays(count).io) >>> 2);
}

describe('network free list layout', () => {
  it('the TypeScript layout constants equal the ones the wasm module exports', async () => {
    const { wasm } = await bothKernels();
    const value = (name: string) => (wasm[name] as WebAssembly.Global).value as number;
    expect(value('NB_SEGMENT_COUNT')).toBe(layout.NB_SEGMENT_COUNT);
    expect(value('NB_FREE_COUNT')).toBe(layout.NB_FREE_COUNT);
    expect(value('NB_SEGMENT_SHIFT')).toBe(layout.NB_SEGMENT_SHIFT);
    expect(value('NB_SEGMENTS_BASE')).toBe(layout.NB_SEGMENTS_BASE);
    expect(value('NB_LOCK')).toBe(layout.NB_LOCK);
    expect(value('NB_HEADER_BYTES')).toBe(layout.NB_HEADER_BYTES);
    expect(value('NB_BYTES_PER_SEGMENT')).toBe(layout.NB_BYTES_PER_SEGMENT);
    for (const n of [0, 1, 7, 2048]) expect(wasm.bufferTableBytes(n)).toBe(layout.bufferTableBytes(n));
  });

  it('init writes the header and a full stack, segment 0 on top, in both implementations', async () => {
    const { memory, wasm, js } = await bothKernels();
    for (const [name, k] of [['wasm', wasm], ['js', js]] as const) {
      k.buffersInit(TABLE, 5, SHIFT, BASE);
      const u32 = new Uint32Array(memory.buffer, TABLE, 8);
      expect([u32[0], u32[1], u32[2], u32[3], u32[4]], name).toEqual([5, 5, SHIFT, BASE, 0]);
      expect(stateOf(memory, TABLE).stack, name).toEqual([4, 3, 2, 1, 0]);
      expect(k.buffersTake(TABLE, 2), name).toBe(2);
      expect(ioOf(memory, TABLE, 5, 2), name).toEqual([0, 1]);
    }
  });

  it('take is all or none; give skips free and out-of-range indices, so a double give frees once', async () => {
    const { memory, wasm, js } = await bothKernels();
    for (const [name, k] of [['wasm', wasm], ['js', js]] as const) {
      k.buffersInit(TABLE, 4, SHIFT, BASE);
      expect(k.buffersTake(TABLE, 5), name).toBe(-1);
      expect(stateOf(memory, TABLE).free, name).toBe(4);
      expect(k.buffersTake(TABLE, 4), name).toBe(4);
      expect(k.buffersTake(TABLE, 1), name).toBe(-1);
      setIo(memory, TABLE, 4, [2, 2, 9, -1, 0]);
      expect(k.buffersGive(TABLE, 5), name).toBe(2);
      expect(stateOf(memory, TABLE), name).toEqual({ free: 2, stack: [2, 0] });
      setIo(memory, TABLE, 4, [2]);
      expect(k.buffersGive(TABLE, 1), name).toBe(0);
    }
  });

  it('a property: any sequence of batches gives the same results and state in both, and one can continue the other', async () => {
    const { memory, wasm, js } = await bothKernels();
    const count = 16;
    const ops = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('take' as const), n: fc.integer({ min: 0, max: 20 }) }),
        fc.record({ kind: fc.constant('give' as const), indices: fc.array(fc.integer({ min: -2, max: 20 }), { maxLength: 16 }) }),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(ops, fc.boolean(), (list, alternate) => {
        const other = TABLE + 4096;
        wasm.buffersInit(TABLE, count, SHIFT, BASE);
        js.buffersInit(other, count, SHIFT, BASE);
        // A plain model: which indices are out.
        const out = new Set<number>();
        list.forEach((op, i) => {
          // Alternate which implementation runs the first list, so each continues the other's state.
          const first = alternate && i % 2 === 1 ? js : wasm;
          if (op.kind === 'take') {
            const a = first.buffersTake(TABLE, op.n);
            const b = js.buffersTake(other, op.n);
            expect(a).toBe(b);
            const free = count - out.size;
            expect(a).toBe(op.n <= free ? op.n : -1);
            if (a > 0) {
              const taken = ioOf(memory, TABLE, count, a);
              expect(ioOf(memory, other, count, a)).toEqual(taken);
              for (const index of taken) {
                expect(out.has(index)).toBe(false);
                out.add(index);
              }
            }
          } else {
            setIo(memory, TABLE, count, op.indices);
            setIo(memory, other, count, op.indices);
            const a = first.buffersGive(TABLE, op.indices.length);
            expect(js.buffersGive(other, op.indices.length)).toBe(a);
            let expected = 0;
            for (const index of op.indices) if (out.delete(index)) expected++;
            expect(a).toBe(expected);
          }
          expect(stateOf(memory, TABLE)).toEqual(stateOf(memory, other));
          expect(stateOf(memory, TABLE).free).toBe(count - out.size);
        });
      }),
      { numRuns: 200 },
    );
  });
});
