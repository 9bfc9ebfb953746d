// MemorySegmentFactory and the runtime around it: wrapping arrays, plain and
// off-heap allocation, exhaustion and reuse of the off-heap area, close(),
// independent runtimes, and init()'s option and module checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemorySegment, Runtime } from '../src/index.js';
import { bundledWasmBytes } from '../src/wasm/loader.js';
import { OH_BLOCK_HEADER_BYTES as OFF_HEAP_BLOCK_HEADER } from '../src/kernels/off-heap-layout.js';
import { builds } from './builds.js';
import { expectBytes, expectCode, expectFreed, expectOutOfBounds, loose, SMALL_OFF_HEAP, SMALL_RUNTIME, snapshot } from './oracle.js';

/** The smallest valid wasm module: a header and nothing else. */
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** A valid module exporting one function named "copy" (one of segmem's names) and nothing else. */
const COPY_ONLY_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x08, 0x01, 0x04, 0x63, 0x6f, 0x70, 0x79, 0x00, 0x00, // export "copy" = function 0
  0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, // code section: an empty body
]);

/** Rejections of init() are checked like throws. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  expect.fail('expected init() to reject');
}

/** Exercises a runtime's kernels: a copy, a compare, an equality, a swap and a byte swap in its linear memory. */
function exerciseKernels(rt: Runtime): void {
  const a = rt.segments.allocateUnpooledOffHeapMemory(64);
  const b = rt.segments.allocateUnpooledOffHeapMemory(64);
  for (let i = 0; i < 64; i++) a.put(i, i);
  a.copyTo(0, b, 0, 64);
  expect(b.equalTo(a, 0, 0, 64)).toBe(true);
  b.put(40, 200);
  expect(a.compare(b, 0, 0, 64)).toBe(-1);
  b.byteSwap(0, 64, 8);
  expect(b.get(0)).toBe(7);
  a.swapBytes(new Uint8Array(64), b, 0, 0, 64);
  expect(a.get(0)).toBe(7);
  expect(b.get(0)).toBe(0);
  a.fill(3, 60);
  expect(a.get(63)).toBe(3);
  a.free();
  b.free();
}

describe.each(builds)('$name build', ({ name, init, lib }) => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await init(SMALL_RUNTIME);
  });
  afterAll(() => rt.close());

  describe('wrap', () => {
    it('shares the bytes both ways', () => {
      const bytes = new Uint8Array(16);
      const segment = rt.segments.wrap(bytes);
      expect(segment.size).toBe(16);
      expect(segment.isOffHeap()).toBe(false);
      expect(segment.owner).toBe(null);
      segment.putInt(4, 0x01020304);
      expect(Array.from(bytes.subarray(4, 8))).toEqual([4, 3, 2, 1]);
      bytes[15] = 0x99;
      expect(segment.get(15)).toBe(0x99);
      expect(segment.wrap(0, 16).buffer).toBe(bytes.buffer);
    });

    it('addresses a subarray from its own start and cannot reach past its end', () => {
      const whole = new Uint8Array(32).map((_, i) => i);
      const segment = rt.segments.wrap(whole.subarray(10, 20));
      expect(segment.size).toBe(10);
      expect(segment.get(0)).toBe(10);
      expect(segment.getIntBigEndian(6)).toBe((16 << 24) | (17 << 16) | (18 << 8) | 19);
      expectOutOfBounds(lib, () => segment.get(10), 10);
      expectOutOfBounds(lib, () => segment.getInt(7), 7);
      segment.fill(0xff);
      expect(whole[9]).toBe(9);
      expect(whole[20]).toBe(20);
    });

    it('wraps an empty array', () => {
      const segment = rt.segments.wrap(new Uint8Array(0));
      expect(segment.size).toBe(0);
      expectOutOfBounds(lib, () => segment.get(0), 0);
    });

    it('rejects anything but a Uint8Array with ERR_INVALID_ARGUMENT', () => {
      for (const notBytes of [null, undefined, [1, 2], new ArrayBuffer(4), new Int8Array(4), 'abc']) {
        expectCode(lib, () => loose(rt.segments).wrap(notBytes), 'ERR_INVALID_ARGUMENT');
        expectCode(lib, () => loose(rt.segments).wrapCopy(notBytes), 'ERR_INVALID_ARGUMENT');
      }
    });
  });

  describe('wrapCopy', () => {
    it('copies a range: later changes on either side do not show on the other', () => {
      const bytes = new Uint8Array(20).map((_, i) => i + 1);
      const segment = rt.segments.wrapCopy(bytes, 5, 12);
      expect(segment.size).toBe(7);
      expect(Array.from(snapshot(segment))).toEqual([6, 7, 8, 9, 10, 11, 12]);
      segment.put(0, 0);
      bytes[6] = 0;
      expect(bytes[5]).toBe(6);
      expect(segment.get(1)).toBe(7);
      expect(segment.isOffHeap()).toBe(false);
    });

    it('copies all of the array by default, and from start to the end', () => {
      const bytes = new Uint8Array([1, 2, 3, 4]);
      expect(Array.from(snapshot(rt.segments.wrapCopy(bytes)))).toEqual([1, 2, 3, 4]);
      expect(Array.from(snapshot(rt.segments.wrapCopy(bytes, 2)))).toEqual([3, 4]);
      expect(rt.segments.wrapCopy(bytes, 4, 4).size).toBe(0);
      expect(rt.segments.wrapCopy(bytes, 0, 0).size).toBe(0);
    });

    it('rejects ranges outside the array with ERR_SEGMENT_OUT_OF_BOUNDS', () => {
      const bytes = new Uint8Array(8);
      for (const [start, end] of [[3, 2], [0, 9], [9, 9], [-1, 4], [1.5, 4], [0, 4.5], [NaN, 4], [0, NaN], ['1', 4], [0, Infinity], [2 ** 32, 2 ** 32]] as const) {
        expectOutOfBounds(lib, () => loose(rt.segments).wrapCopy(bytes, start, end), String(start), String(end), 8);
      }
    });
  });

  describe('allocateUnpooledSegment', () => {
    it('gives zeroed plain memory of the size asked for, with its owner', () => {
      const owner = { name: 'me' };
      const segment = rt.segments.allocateUnpooledSegment(100, owner);
      expect(segment.size).toBe(100);
      expect(segment.owner).toBe(owner);
      expect(segment.isOffHeap()).toBe(false);
      expect(segment.isFreed()).toBe(false);
      expect(snapshot(segment).every((b) => b === 0)).toBe(true);
      // Plain memory: not a view of the runtime's linear memory.
      expect(segment.wrap(0, 1).buffer.byteLength).toBe(100);
      expect(rt.segments.allocateUnpooledSegment(4).owner).toBe(null);
      expect(rt.segments.allocateUnpooledSegment(0).size).toBe(0);
      segment.free();
      expectFreed(lib, () => segment.get(0));
    });

    it('two plain segments do not share bytes', () => {
      const a = rt.segments.allocateUnpooledSegment(8);
      const b = rt.segments.allocateUnpooledSegment(8);
      a.fill(1);
      expect(snapshot(b).every((x) => x === 0)).toBe(true);
    });

    it('rejects sizes that are not whole numbers from 0 to 2^32 - 1 with ERR_INVALID_ARGUMENT', () => {
      for (const size of [-1, 1.5, NaN, Infinity, 2 ** 32, '8', undefined]) {
        const err = expectCode(lib, () => loose(rt.segments).allocateUnpooledSegment(size), 'ERR_INVALID_ARGUMENT');
        expect(err.message).toContain(String(size));
        expectCode(lib, () => loose(rt.segments).allocateUnpooledOffHeapMemory(size), 'ERR_INVALID_ARGUMENT');
      }
    });
  });

  describe('allocateUnpooledOffHeapMemory', () => {
    it('gives a segment in the linear memory: isOffHeap(), owner, and a view of the one buffer', () => {
      const owner = Symbol('owner');
      const a = rt.segments.allocateUnpooledOffHeapMemory(100, owner);
      const b = rt.segments.allocateUnpooledOffHeapMemory(100);
      expect(a.isOffHeap()).toBe(true);
      expect(a.size).toBe(100);
      expect(a.owner).toBe(owner);
      expect(b.owner).toBe(null);
      expect(a.wrap(0, 1).buffer.byteLength).toBe(rt.linearMemoryBytes);
      expect(a.wrap(0, 1).buffer).toBe(b.wrap(0, 1).buffer);
      // Distinct segments of one memory do not overlap.
      a.fill(1);
      b.fill(2);
      expect(snapshot(a).every((x) => x === 1)).toBe(true);
      a.free();
      b.free();
    });

    it('fails with ERR_MEMORY_ALLOCATION naming offHeapMemory when the area is exhausted', () => {
      const all = rt.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP);
      for (const size of [1, 16, 0]) {
        const err = expectCode(lib, () => rt.segments.allocateUnpooledOffHeapMemory(size), 'ERR_MEMORY_ALLOCATION');
        expect(err).toBeInstanceOf(lib.MemoryAllocationError);
        expect(err.message).toContain('offHeapMemory');
      }
      all.free();
      const err = expectCode(lib, () => rt.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP + 1), 'ERR_MEMORY_ALLOCATION');
      expect(err.message).toContain(String(SMALL_OFF_HEAP + 1));
      expect(err.message).toContain('offHeapMemory');
    });

    it('freeing returns the space: the same allocation succeeds again, many times', () => {
      for (let round = 0; round < 50; round++) {
        const all = rt.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP);
        all.free();
      }
      const again = rt.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP);
      again.free();
    });

    it('freeing twice returns the space once', () => {
      const all = rt.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP);
      all.free();
      all.free();
      all[Symbol.dispose]();
      const again = rt.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP);
      expectCode(lib, () => rt.segments.allocateUnpooledOffHeapMemory(16), 'ERR_MEMORY_ALLOCATION');
      again.free();
    });

    it('freed blocks merge with their free neighbours, whichever is freed first', () => {
      // Sixteen segments whose blocks (a 16-byte header each) take SMALL_OFF_HEAP / 16 bytes apiece;
      // n merged neighbours hold a segment of n blocks' bytes minus one header.
      const blockBytes = SMALL_OFF_HEAP / 16;
      const span = (n: number): number => n * blockBytes - OFF_HEAP_BLOCK_HEADER;
      for (const order of [[5, 6, 7], [7, 6, 5], [5, 7, 6], [6, 5, 7]]) {
        const blocks = Array.from({ length: 16 }, () => rt.segments.allocateUnpooledOffHeapMemory(span(1)));
        expectCode(lib, () => rt.segments.allocateUnpooledOffHeapMemory(16), 'ERR_MEMORY_ALLOCATION');
        const [first, second, third] = order as [number, number, number];
        blocks[first]!.free();
        blocks[second]!.free();
        // Two free blocks: a two-block allocation fits only if they are neighbours.
        const pairFits = Math.abs(first - second) === 1;
        if (pairFits) {
          const two = rt.segments.allocateUnpooledOffHeapMemory(span(2));
          two.free();
        } else {
          expectCode(lib, () => rt.segments.allocateUnpooledOffHeapMemory(span(2)), 'ERR_MEMORY_ALLOCATION');
        }
        blocks[third]!.free();
        const three = rt.segments.allocateUnpooledOffHeapMemory(span(3));
        expectCode(lib, () => rt.segments.allocateUnpooledOffHeapMemory(16), 'ERR_MEMORY_ALLOCATION');
        three.free();
        for (const b of blocks) b.free();
      }
      const all = rt.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP);
      all.free();
    });

    it('small segments of mixed sizes, allocated until the area is full, never overlap', () => {
      const segments: MemorySegment[] = [];
      for (;;) {
        try {
          segments.push(rt.segments.allocateUnpooledOffHeapMemory((segments.length % 23) + 1));
        } catch (err) {
          expect((err as { code?: string }).code).toBe('ERR_MEMORY_ALLOCATION');
          break;
        }
      }
      // A good part of the area is usable by small segments (alignment and the 16-byte block headers cost some of it).
      expect(segments.reduce((sum, s) => sum + s.size, 0)).toBeGreaterThan(SMALL_OFF_HEAP / 4);
      segments.forEach((s, i) => s.fill(i & 0xff));
      const wrong = segments.filter((s, i) => !snapshot(s).every((b) => b === (i & 0xff)));
      expect(wrong).toHaveLength(0);
      for (const s of segments) s.free();
      rt.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP).free();
    });
  });

  describe('close', () => {
    it('frees every off-heap segment and page; later allocations throw ERR_SHUTDOWN', async () => {
      const own = await init(SMALL_RUNTIME);
      const segments = [1, 16, 100, 1000].map((n) => own.segments.allocateUnpooledOffHeapMemory(n));
      const pages = own.memoryManager.allocatePages('close-test', 3);
      segments[1]!.free();
      own.close();
      expect(own.isClosed()).toBe(true);
      for (const s of [...segments, ...pages]) {
        expect(s.isFreed()).toBe(true);
        expectFreed(lib, () => s.putInt(0, 1));
      }
      const err = expectCode(lib, () => own.segments.allocateUnpooledOffHeapMemory(16), 'ERR_SHUTDOWN');
      expect(err).toBeInstanceOf(lib.ShutdownError);
      expectCode(lib, () => own.memoryManager.allocatePages('close-test', 1), 'ERR_SHUTDOWN');
      own.close(); // idempotent
      expectCode(lib, () => own.segments.allocateUnpooledOffHeapMemory(16), 'ERR_SHUTDOWN');
    });

    it('[Symbol.dispose] closes the runtime', async () => {
      const own = await init(SMALL_RUNTIME);
      const segment = own.segments.allocateUnpooledOffHeapMemory(16);
      own[Symbol.dispose]();
      expect(own.isClosed()).toBe(true);
      expect(segment.isFreed()).toBe(true);
    });

    it('heap segments of a closed runtime can still be wrapped and used', async () => {
      const own = await init(SMALL_RUNTIME);
      own.close();
      const bytes = new Uint8Array(8);
      own.segments.wrap(bytes).putInt(0, 7);
      expect(bytes[0]).toBe(7);
    });
  });

  describe('several runtimes in one process', () => {
    it('are independent: own bytes, own exhaustion, own close', async () => {
      const [a, b] = [await init(SMALL_RUNTIME), await init(SMALL_RUNTIME)];
      const sa = a.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP);
      const sb = b.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP / 2);
      expect(sa.wrap(0, 1).buffer).not.toBe(sb.wrap(0, 1).buffer);
      sa.fill(0xaa);
      sb.fill(0xbb);
      expect(snapshot(sb).every((x) => x === 0xbb)).toBe(true);
      // a is full; b still has room.
      expectCode(lib, () => a.segments.allocateUnpooledOffHeapMemory(16), 'ERR_MEMORY_ALLOCATION');
      const more = b.segments.allocateUnpooledOffHeapMemory(16);
      a.close();
      expect(sa.isFreed()).toBe(true);
      expect(sb.isFreed()).toBe(false);
      expect(more.isFreed()).toBe(false);
      sb.putInt(0, 5);
      expect(sb.getInt(0)).toBe(5);
      exerciseKernels(b);
      b.close();
    });

    it('of both builds work side by side and exchange bytes', async () => {
      const other = builds.find((x) => x.name !== name)!;
      const [mine, theirs] = [await init(SMALL_RUNTIME), await other.init(SMALL_RUNTIME)];
      expect(mine.build).toBe(name);
      expect(theirs.build).toBe(other.name);
      const a = mine.segments.allocateUnpooledOffHeapMemory(32);
      const b = theirs.segments.allocateUnpooledOffHeapMemory(32);
      a.putLong(0, 0x0102030405060708n);
      a.copyTo(0, b, 8, 8);
      expect(b.getLong(8)).toBe(0x0102030405060708n);
      expect(a.compare(b, 0, 8, 8)).toBe(0);
      theirs.close();
      expectFreed(lib, () => a.copyTo(0, b, 0, 8));
      expect(a.getLong(0)).toBe(0x0102030405060708n);
      mine.close();
    });
  });

  describe('init options', () => {
    it('rejects an unknown option with ERR_ILLEGAL_CONFIGURATION naming it', async () => {
      for (const options of [{ bogus: 1 }, { totalMemory: '16mb', offheapMemory: '1mb' }, { pagesize: 4096 }]) {
        const err = await rejection(loose({ init }).init(options));
        expect(err.code).toBe('ERR_ILLEGAL_CONFIGURATION');
        expect(err).toBeInstanceOf(lib.SegmemError);
        expect(err).toBeInstanceOf(lib.IllegalConfigurationError);
        expect(err.message).toContain(Object.keys(options).find((k) => !['totalMemory'].includes(k))!);
      }
    });

    it('rejects options that are not an object with ERR_ILLEGAL_CONFIGURATION', async () => {
      for (const options of [null, 5, 'big']) {
        const err = await rejection(loose({ init }).init(options));
        expect(err.code).toBe('ERR_ILLEGAL_CONFIGURATION');
      }
    });

    it('rejects a malformed size with ERR_ILLEGAL_CONFIGURATION', async () => {
      const err = await rejection(loose({ init }).init({ ...SMALL_RUNTIME, offHeapMemory: 'lots' }));
      expect(err.code).toBe('ERR_ILLEGAL_CONFIGURATION');
      expect(err.message).toContain('offHeapMemory');
    });

    if (name === 'wasm') {
      it('accepts the kernels as a WebAssembly.Module, as bytes, and as an ArrayBuffer', async () => {
        const bytes = bundledWasmBytes();
        const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
        // Bytes inside a bigger buffer, at an offset: only the view's own bytes count.
        const embedded = new Uint8Array(bytes.length + 10).fill(0xff);
        embedded.set(bytes, 3);
        const sources = [module, bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), embedded.subarray(3, 3 + bytes.length)];
        for (const wasm of sources) {
          const own = await init({ ...SMALL_RUNTIME, wasm });
          expect(own.build).toBe('wasm');
          exerciseKernels(own);
          own.close();
        }
      });

      it('accepts the kernels\' bytes in a DataView, which its WasmSource type (ArrayBufferView) allows', async () => {
        const bytes = bundledWasmBytes();
        const own = await init({ ...SMALL_RUNTIME, wasm: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
        expect(own.build).toBe('wasm');
        exerciseKernels(own);
        own.close();
      });

      it('shares one compiled module among runtimes', async () => {
        const module = await WebAssembly.compile(bundledWasmBytes() as Uint8Array<ArrayBuffer>);
        const [a, b] = [await init({ ...SMALL_RUNTIME, wasm: module }), await init({ ...SMALL_RUNTIME, wasm: module })];
        const sa = a.segments.allocateUnpooledOffHeapMemory(16);
        const sb = b.segments.allocateUnpooledOffHeapMemory(16);
        sa.fill(1);
        sb.fill(2);
        expectBytes(snapshot(sa), new Uint8Array(16).fill(1));
        exerciseKernels(a);
        exerciseKernels(b);
        a.close();
        b.close();
      });

      it('rejects a module that is not segmem\'s kernels with ERR_INVALID_ARGUMENT', async () => {
        for (const wasm of [EMPTY_MODULE, await WebAssembly.compile(EMPTY_MODULE), COPY_ONLY_MODULE]) {
          const err = await rejection(init({ ...SMALL_RUNTIME, wasm }));
          expect(err.code, err.message).toBe('ERR_INVALID_ARGUMENT');
          expect(err).toBeInstanceOf(lib.SegmemError);
          expect(err.message).toContain('compare');
        }
        const err = await rejection(init({ ...SMALL_RUNTIME, wasm: COPY_ONLY_MODULE }));
        expect(err.message).not.toMatch(/\bcopy\b/);
      });

      it('rejects a wasm option that is neither a module nor bytes with ERR_INVALID_ARGUMENT', async () => {
        for (const wasm of [{}, 'segmem.wasm', 42, [0, 97, 115, 109]]) {
          const err = await rejection(loose({ init }).init({ ...SMALL_RUNTIME, wasm }));
          expect(err.code, err.message).toBe('ERR_INVALID_ARGUMENT');
        }
      });

      it('rejects bytes that are not wasm at all', async () => {
        const err = await rejection(init({ ...SMALL_RUNTIME, wasm: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }));
        expect(err).toBeInstanceOf(Error);
      });
    } else {
      it('ignores the wasm option: the pure-JS build needs no module', async () => {
        const own = await init({ ...SMALL_RUNTIME, wasm: EMPTY_MODULE });
        expect(own.build).toBe('js');
        exerciseKernels(own);
        own.close();
      });
    }
  });
});
