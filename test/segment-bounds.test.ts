// Bounds: every accessor and every bulk operation rejects bad indices, offsets
// and lengths with ERR_SEGMENT_OUT_OF_BOUNDS and writes nothing; a freed
// segment answers ERR_SEGMENT_FREED to everything; and no operation, failing
// or not, touches a byte outside its segment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemorySegment, Runtime } from '../src/index.js';
import { OH_BLOCK_HEADER_BYTES as OFF_HEAP_BLOCK_HEADER } from '../src/kernels/off-heap-layout.js';
import { builds } from './builds.js';
import {
  ACCESSORS,
  expectBytes,
  expectCode,
  expectFreed,
  expectOutOfBounds,
  loose,
  randomBytes,
  SMALL_PAGE_COUNT,
  SMALL_OFF_HEAP,
  SMALL_PAGE_SIZE,
  SMALL_RUNTIME,
  snapshot,
} from './oracle.js';

/** Indices no access may accept, whatever the width (beyond those that depend on the size). */
const BAD_INDICES: readonly unknown[] = [-1, -(2 ** 31), 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, NaN, 1.5, Infinity, -Infinity, '3', undefined, null];

/** The bad indices for an access of `width` bytes into `size` bytes. */
function badIndices(size: number, width: number): unknown[] {
  return [...BAD_INDICES, size, size - width + 1, size + 1];
}

/** Offsets and lengths no range may have, for a required argument. */
const BAD_NUMBERS: readonly unknown[] = [-1, 2 ** 31, 2 ** 32, 2 ** 53, NaN, 1.5, Infinity, -Infinity, '3'];

/**
 * Every bulk operation with one argument replaced by a bad value. `blame` says
 * whose size the error message must name besides the value: this segment, the
 * other one, or the array (dst, src, tempBuffer) of ARRAY bytes.
 */
interface BulkCase {
  readonly name: string;
  readonly blame: 'this' | 'other' | 'array';
  run(segment: MemorySegment, other: MemorySegment, bad: unknown): unknown;
  /** The length is left to its default, which is computed from the offset under test. */
  readonly derivedLength?: true;
  /** The bad values, for this segment of `size` bytes and the other of `otherSize`. */
  bads(size: number, otherSize: number): readonly unknown[];
}

const ARRAY = 24;

/** The bad numbers, `undefined` too when the argument has no default, and the integers just past the edge. */
const required = (...edge: unknown[]): unknown[] => [...BAD_NUMBERS, undefined, ...edge];
const optional = (...edge: unknown[]): unknown[] => [...BAD_NUMBERS, ...edge];

const BULK_CASES: readonly BulkCase[] = [
  { name: 'getBytes index', blame: 'this', run: (s, _, x) => loose(s).getBytes(x, new Uint8Array(ARRAY), 0, 4), bads: (n) => required(n - 3, n + 1) },
  { name: 'getBytes dstOffset', blame: 'array', run: (s, _, x) => loose(s).getBytes(0, new Uint8Array(ARRAY), x, 4), bads: () => optional(ARRAY - 3) },
  { name: 'getBytes dstOffset, default length', blame: 'array', derivedLength: true, run: (s, _, x) => loose(s).getBytes(0, new Uint8Array(ARRAY), x), bads: () => [ARRAY + 1, 2 ** 32] },
  { name: 'getBytes length', blame: 'this', run: (s, _, x) => loose(s).getBytes(0, new Uint8Array(4096), 0, x), bads: (n) => optional(n + 1) },
  { name: 'getBytes length beyond dst', blame: 'array', run: (s, _, x) => loose(s).getBytes(0, new Uint8Array(ARRAY), 0, x), bads: () => [ARRAY + 1] },
  { name: 'putBytes index', blame: 'this', run: (s, _, x) => loose(s).putBytes(x, new Uint8Array(ARRAY).fill(7), 0, 4), bads: (n) => required(n - 3, n + 1) },
  { name: 'putBytes srcOffset', blame: 'array', run: (s, _, x) => loose(s).putBytes(0, new Uint8Array(ARRAY).fill(7), x, 4), bads: () => optional(ARRAY - 3) },
  { name: 'putBytes srcOffset, default length', blame: 'array', derivedLength: true, run: (s, _, x) => loose(s).putBytes(0, new Uint8Array(ARRAY).fill(7), x), bads: () => [ARRAY + 1, 2 ** 32] },
  { name: 'putBytes length', blame: 'this', run: (s, _, x) => loose(s).putBytes(0, new Uint8Array(4096).fill(7), 0, x), bads: (n) => optional(n + 1) },
  { name: 'putBytes length beyond src', blame: 'array', run: (s, _, x) => loose(s).putBytes(0, new Uint8Array(ARRAY).fill(7), 0, x), bads: () => [ARRAY + 1] },
  { name: 'putBytes of a src longer than the segment', blame: 'this', run: (s, _, x) => loose(s).putBytes(0, new Uint8Array(x as number).fill(7)), bads: (n) => [n + 1] },
  { name: 'copyTo offset', blame: 'this', run: (s, o, x) => loose(s).copyTo(x, o, 0, 4), bads: (n) => required(n - 3) },
  { name: 'copyTo targetOffset', blame: 'other', run: (s, o, x) => loose(s).copyTo(0, o, x, 4), bads: (_, m) => required(m - 3) },
  { name: 'copyTo numBytes', blame: 'this', run: (s, o, x) => loose(s).copyTo(0, o, 0, x), bads: (n) => required(n + 1) },
  { name: 'copyTo numBytes beyond the target', blame: 'other', run: (s, o, x) => loose(s).copyTo(0, o, 0, x), bads: (n, m) => (m < n ? [m + 1] : []) },
  { name: 'copyTo from the other into this', blame: 'this', run: (s, o, x) => loose(o).copyTo(0, s, x, 4), bads: (n) => required(n - 3) },
  { name: 'compare offset1', blame: 'this', run: (s, o, x) => loose(s).compare(o, x, 0, 4), bads: (n) => required(n - 3) },
  { name: 'compare offset2', blame: 'other', run: (s, o, x) => loose(s).compare(o, 0, x, 4), bads: (_, m) => required(m - 3) },
  { name: 'compare len1', blame: 'this', run: (s, o, x) => loose(s).compare(o, 0, 0, x, 4), bads: (n) => required(n + 1) },
  { name: 'compare len2', blame: 'other', run: (s, o, x) => loose(s).compare(o, 0, 0, 4, x), bads: (_, m) => optional(m + 1) },
  { name: 'equalTo offset1', blame: 'this', run: (s, o, x) => loose(s).equalTo(o, x, 0, 4), bads: (n) => required(n - 3) },
  { name: 'equalTo offset2', blame: 'other', run: (s, o, x) => loose(s).equalTo(o, 0, x, 4), bads: (_, m) => required(m - 3) },
  { name: 'equalTo len', blame: 'this', run: (s, o, x) => loose(s).equalTo(o, 0, 0, x), bads: (n) => required(n + 1) },
  { name: 'swapBytes offset1', blame: 'this', run: (s, o, x) => loose(s).swapBytes(new Uint8Array(64), o, x, 0, 4), bads: (n) => required(n - 3) },
  { name: 'swapBytes offset2', blame: 'other', run: (s, o, x) => loose(s).swapBytes(new Uint8Array(64), o, 0, x, 4), bads: (_, m) => required(m - 3) },
  { name: 'swapBytes len', blame: 'this', run: (s, o, x) => loose(s).swapBytes(new Uint8Array(4096), o, 0, 0, x), bads: (n) => required(n + 1) },
  { name: 'swapBytes len beyond tempBuffer', blame: 'array', run: (s, o, x) => loose(s).swapBytes(new Uint8Array(ARRAY), o, 0, 0, x), bads: () => [ARRAY + 1] },
  { name: 'fill offset', blame: 'this', run: (s, _, x) => loose(s).fill(0xee, x, 4), bads: (n) => optional(n - 3) },
  { name: 'fill length', blame: 'this', run: (s, _, x) => loose(s).fill(0xee, 0, x), bads: (n) => optional(n + 1) },
  { name: 'fill offset, default length', blame: 'this', derivedLength: true, run: (s, _, x) => loose(s).fill(0xee, x), bads: (n) => optional(n + 1) },
  { name: 'byteSwap offset', blame: 'this', run: (s, _, x) => loose(s).byteSwap(x, 8, 8), bads: (n) => required(n - 7) },
  { name: 'byteSwap length', blame: 'this', run: (s, _, x) => loose(s).byteSwap(0, x, 2), bads: (n) => required(n + 2 - (n % 2)) },
  { name: 'wrap offset', blame: 'this', run: (s, _, x) => loose(s).wrap(x, 4), bads: (n) => required(n - 3) },
  { name: 'wrap length', blame: 'this', run: (s, _, x) => loose(s).wrap(0, x), bads: (n) => required(n + 1) },
];

/** A segment under test and a way to assert the bytes around it did not change. */
interface Setup {
  readonly segment: MemorySegment;
  readonly other: MemorySegment;
  /** Asserts every byte next to the segment still holds what it held at setup. */
  checkSurroundings(what: string): void;
  dispose(): void;
}

const PATTERN = 0xa5;

/**
 * The two kinds of neighbourhood a segment can have: other segments in the
 * linear memory (the off-heap area hands out adjacent blocks, each a 16-byte
 * header followed by the segment, for sizes that are multiples of 16), and
 * the rest of the array a heap segment wraps.
 */
const NEIGHBOURHOODS: readonly { readonly name: string; readonly size: number; make(rt: Runtime, size: number): Setup }[] = [
  {
    name: 'off-heap segment between off-heap neighbours',
    size: 48,
    make(rt, size) {
      const left = rt.segments.allocateUnpooledOffHeapMemory(32);
      const segment = rt.segments.allocateUnpooledOffHeapMemory(size);
      const right = rt.segments.allocateUnpooledOffHeapMemory(32);
      const other = rt.segments.allocateUnpooledOffHeapMemory(40);
      left.fill(PATTERN);
      right.fill(PATTERN ^ 0xff);
      // The canaries only mean something if the neighbours touch the segment's block; a view's byteOffset is its address.
      const at = (s: MemorySegment): number => s.wrap(0, 0).byteOffset;
      expect(at(segment)).toBe(at(left) + 32 + OFF_HEAP_BLOCK_HEADER);
      expect(at(right)).toBe(at(segment) + size + OFF_HEAP_BLOCK_HEADER);
      // The block headers either side of the segment (its own, and its right neighbour's) are the allocator's state.
      const memory = new Uint8Array(segment.wrap(0, 0).buffer);
      const below = [at(segment) - OFF_HEAP_BLOCK_HEADER, at(segment)] as const;
      const above = [at(right) - OFF_HEAP_BLOCK_HEADER, at(right)] as const;
      const headerBelow = memory.slice(...below);
      const headerAbove = memory.slice(...above);
      return {
        segment,
        other,
        checkSurroundings(what) {
          expectBytes(snapshot(left), new Uint8Array(32).fill(PATTERN), `left neighbour after ${what}`);
          expectBytes(memory.subarray(...below), headerBelow, `the segment's block header after ${what}`);
          expectBytes(memory.subarray(...above), headerAbove, `the right neighbour's block header after ${what}`);
          expectBytes(snapshot(right), new Uint8Array(32).fill(PATTERN ^ 0xff), `right neighbour after ${what}`);
        },
        dispose: () => [left, segment, right, other].forEach((s) => s.free()),
      };
    },
  },
  {
    name: 'heap segment over a subarray',
    size: 29,
    make(rt, size) {
      const whole = new Uint8Array(size + 16).fill(PATTERN);
      const segment = rt.segments.wrap(whole.subarray(8, 8 + size));
      const other = rt.segments.allocateUnpooledSegment(37);
      return {
        segment,
        other,
        checkSurroundings(what) {
          expectBytes(whole.subarray(0, 8), new Uint8Array(8).fill(PATTERN), `bytes before the subarray after ${what}`);
          expectBytes(whole.subarray(8 + size), new Uint8Array(8).fill(PATTERN), `bytes after the subarray after ${what}`);
        },
        dispose: () => [segment, other].forEach((s) => s.free()),
      };
    },
  },
];

/**
 * Every write a segment offers, at and just past its edges, as [label, call].
 * Those past an edge must fail; all of them must stay inside the segment.
 */
function writesAtTheEdges(segment: MemorySegment, other: MemorySegment): [string, () => unknown][] {
  const n = segment.size;
  const ops: [string, () => unknown][] = [];
  for (const a of ACCESSORS) {
    const allOnes = a.type === 'Long' ? -1n : a.type === 'Boolean' ? true : a.type === 'Float' || a.type === 'Double' ? NaN : -1;
    for (const index of [n - a.width, n - a.width + 1, n, -1, 2 ** 32 - 1, 2 ** 32 - a.width, 0]) {
      ops.push([`${a.putName}(${index})`, () => a.put(segment, index, allOnes)]);
    }
  }
  ops.push(
    ['putLongNumber of 2^53 at the last index', () => segment.putLongNumber(n - 8, 2 ** 53)],
    ['putLongBigEndian of a number', () => loose(segment).putLongBigEndian(n - 8, 7)],
    ['putBytes at the end', () => segment.putBytes(n - 4, new Uint8Array(4).fill(0xee))],
    ['putBytes one past the end', () => segment.putBytes(n - 3, new Uint8Array(4).fill(0xee))],
    ['putBytes of 17 one past the end', () => segment.putBytes(n - 16, new Uint8Array(17).fill(0xee))],
    ['putBytes at -1', () => segment.putBytes(-1, new Uint8Array(4).fill(0xee))],
    ['fill everything', () => segment.fill(0xdd)],
    ['fill the tail', () => segment.fill(0xcc, n - 5, 5)],
    ['fill one past the end', () => segment.fill(0xcc, n - 4, 5)],
    ['fill from -1', () => segment.fill(0xcc, -1, 2)],
    ['fill with a length of 2^32', () => segment.fill(0xcc, 0, 2 ** 32)],
    ['copyTo into the tail', () => other.copyTo(0, segment, n - 16, 16)],
    ['copyTo one past the end', () => other.copyTo(0, segment, n - 15, 16)],
    ['copyTo of 3 one past the end', () => other.copyTo(0, segment, n - 2, 3)],
    ['copyTo forward within', () => segment.copyTo(0, segment, 1, n - 1)],
    ['copyTo backward within', () => segment.copyTo(1, segment, 0, n - 1)],
    ['copyTo within one past the end', () => segment.copyTo(0, segment, 1, n)],
    ['swapBytes with the tail', () => segment.swapBytes(new Uint8Array(n), other, n - 8, 0, 8)],
    ['swapBytes one past the end', () => segment.swapBytes(new Uint8Array(n), other, n - 7, 0, 8)],
    ['swapBytes from other into the tail', () => other.swapBytes(new Uint8Array(n), segment, 0, n - 17, 17)],
    ['swapBytes from other one past the end', () => other.swapBytes(new Uint8Array(n), segment, 0, n - 16, 17)],
    ['swapBytes overlapping within', () => segment.swapBytes(new Uint8Array(n), segment, 0, 1, n - 1)],
    ['swapBytes with a short temp buffer', () => segment.swapBytes(new Uint8Array(7), other, n - 8, 0, 8)],
    ['byteSwap 16-bit tail', () => segment.byteSwap(n - 18, 18, 2)],
    ['byteSwap 32-bit tail', () => segment.byteSwap(n - 20, 20, 4)],
    ['byteSwap 64-bit tail', () => segment.byteSwap(n - 24, 24, 8)],
    ['byteSwap one past the end', () => segment.byteSwap(n - 7, 8, 8)],
    ['byteSwap 16 one past the end', () => segment.byteSwap(n - 15, 16, 4)],
    ['byteSwap with a bad width', () => loose(segment).byteSwap(n - 6, 6, 3)],
  );
  return ops;
}

describe.each(builds)('$name build', ({ init, lib }) => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await init(SMALL_RUNTIME);
  });
  afterAll(() => rt.close());

  describe.each(NEIGHBOURHOODS)('$name', (hood) => {
    let setup: Setup;
    let segment: MemorySegment;
    let other: MemorySegment;
    beforeAll(() => {
      setup = hood.make(rt, hood.size);
      segment = setup.segment;
      other = setup.other;
    });
    afterAll(() => setup.dispose());

    it.each(ACCESSORS.map((a) => [a.label, a] as const))('%s: bad indices are ERR_SEGMENT_OUT_OF_BOUNDS naming index and size', (_, a) => {
      segment.putBytes(0, randomBytes(hood.size)(hood.size));
      const before = snapshot(segment);
      for (const index of badIndices(hood.size, a.width)) {
        expectOutOfBounds(lib, () => a.get(segment, index), String(index), hood.size);
        expectOutOfBounds(lib, () => a.put(segment, index, a.sample), String(index), hood.size);
        expectBytes(snapshot(segment), before, `${a.putName}(${String(index)}) changed the segment`);
      }
      setup.checkSurroundings(a.putName);
    });

    it.each(ACCESSORS.map((a) => [a.label, a] as const))('%s: the last index that fits, size - width, works', (_, a) => {
      const last = hood.size - a.width;
      segment.fill(0);
      a.put(segment, last, a.sample);
      expect(a.get(segment, last)).toStrictEqual(a.sample);
      // The value landed in exactly the last `width` bytes.
      expect(snapshot(segment).subarray(last).some((b) => b !== 0)).toBe(true);
      expect(snapshot(segment).subarray(0, last).every((b) => b === 0)).toBe(true);
      setup.checkSurroundings(a.putName);
    });

    it.each(ACCESSORS.map((a) => [a.label, a] as const))('%s: a segment smaller than the width has no valid index', (_, a) => {
      for (let size = 0; size < a.width; size++) {
        const tiny = rt.segments.allocateUnpooledOffHeapMemory(size);
        for (const index of [0, 1, -1]) {
          expectOutOfBounds(lib, () => a.get(tiny, index), String(index), size);
          expectOutOfBounds(lib, () => a.put(tiny, index, a.sample), String(index), size);
        }
        tiny.free();
      }
    });

    it.each(BULK_CASES.map((c) => [c.name, c] as const))('%s: bad values are ERR_SEGMENT_OUT_OF_BOUNDS naming value and size, and write nothing', (_, c) => {
      const fresh = randomBytes(c.name.length);
      segment.putBytes(0, fresh(segment.size));
      other.putBytes(0, fresh(other.size));
      const before = snapshot(segment);
      const otherBefore = snapshot(other);
      const limit = c.blame === 'this' ? segment.size : c.blame === 'other' ? other.size : ARRAY;
      const bads = c.bads(segment.size, other.size);
      for (const bad of bads) {
        // Messages of the derived-length cases are checked in the test below, so this one stays about codes and bytes.
        if (c.derivedLength) expectOutOfBounds(lib, () => c.run(segment, other, bad));
        else expectOutOfBounds(lib, () => c.run(segment, other, bad), String(bad), limit);
        expectBytes(snapshot(segment), before, `${c.name} = ${String(bad)} changed the segment`);
        expectBytes(snapshot(other), otherBefore, `${c.name} = ${String(bad)} changed the other segment`);
      }
      setup.checkSurroundings(c.name);
    });

    it.each(BULK_CASES.filter((c) => c.derivedLength).map((c) => [c.name, c] as const))(
      '%s: the message names the offset given and the size it exceeds, not a length computed from it',
      (_, c) => {
        const limit = c.blame === 'this' ? segment.size : ARRAY;
        for (const bad of c.bads(segment.size, other.size)) {
          expectOutOfBounds(lib, () => c.run(segment, other, bad), String(bad), limit);
        }
      },
    );

    it('swapBytes with a temp buffer shorter than len is ERR_SEGMENT_OUT_OF_BOUNDS and swaps nothing', () => {
      const fresh = randomBytes(3);
      segment.putBytes(0, fresh(segment.size));
      other.putBytes(0, fresh(other.size));
      const before = snapshot(segment);
      const otherBefore = snapshot(other);
      for (const [temp, len] of [[0, 1], [3, 4], [15, 16], [16, 17]] as const) {
        expectOutOfBounds(lib, () => segment.swapBytes(new Uint8Array(temp), other, 0, 0, len), temp, len);
        expectOutOfBounds(lib, () => segment.swapBytes(new Uint8Array(temp), segment, 0, segment.size - len, len), temp, len);
        expectBytes(snapshot(segment), before);
        expectBytes(snapshot(other), otherBefore);
      }
      setup.checkSurroundings('swapBytes with a short temp buffer');
    });

    it('ranges that end exactly at the end are accepted, including empty ones at the end', () => {
      const n = segment.size;
      const dst = new Uint8Array(n);
      segment.fill(9);
      segment.getBytes(0, dst, 0, n);
      expect(dst.every((b) => b === 9)).toBe(true);
      segment.getBytes(n, dst, 0, 0);
      segment.putBytes(n, new Uint8Array(0));
      segment.putBytes(n - 2, new Uint8Array([1, 2]));
      expect(segment.wrap(n - 2, 2)).toEqual(new Uint8Array([1, 2]));
      expect(segment.wrap(n, 0)).toHaveLength(0);
      segment.fill(3, n);
      segment.fill(4, n - 1);
      expect(segment.get(n - 1)).toBe(4);
      segment.copyTo(n, other, other.size, 0);
      expect(segment.compare(other, n, other.size, 0)).toBe(0);
      expect(segment.equalTo(other, n, other.size, 0)).toBe(true);
      segment.swapBytes(new Uint8Array(0), other, n, other.size, 0);
      segment.byteSwap(n, 0, 8);
      segment.byteSwap(n - 8, 8, 8);
      setup.checkSurroundings('the valid edge cases');
    });

    it('no write at or past the edges touches a byte outside the segment, and failed ones write nothing', () => {
      const fresh = randomBytes(77);
      for (const [label, op] of writesAtTheEdges(segment, other)) {
        segment.putBytes(0, fresh(segment.size));
        other.putBytes(0, fresh(other.size));
        const before = snapshot(segment);
        let failed = false;
        try {
          op();
        } catch (err) {
          failed = true;
          expect((err as { code?: string }).code, `${label}: ${String(err)}`).toMatch(/^ERR_/);
        }
        if (failed) expectBytes(snapshot(segment), before, `${label} failed but changed the segment`);
        setup.checkSurroundings(label);
      }
    });
  });

  it('padding after an odd-sized off-heap segment stays untouched', () => {
    // A 13-byte segment takes a 32-byte block: a 16-byte header, its 13 bytes
    // and 3 bytes of padding that no API reaches, and the next block's header
    // follows. Fill a 112-byte segment (one 128-byte block) with a pattern,
    // free it, carve four 13-byte segments from the same space, run every
    // write on them, and check that no byte outside the segments changed:
    // neither the padding nor any block header. Then take the 112 bytes back
    // and look at the padding once more.
    const BLOCK = OFF_HEAP_BLOCK_HEADER + 16;
    // Precondition: nothing else lives in the off-heap area, so the blocks below are contiguous.
    rt.segments.allocateUnpooledOffHeapMemory(SMALL_OFF_HEAP).free();
    const block = rt.segments.allocateUnpooledOffHeapMemory(4 * BLOCK - OFF_HEAP_BLOCK_HEADER);
    block.fill(PATTERN);
    block.free();
    const segments = [0, 1, 2, 3].map(() => rt.segments.allocateUnpooledOffHeapMemory(13));
    // Same space, one 32-byte block each (a view's byteOffset is its address in the linear memory).
    const addresses = segments.map((s) => s.wrap(0, 0).byteOffset);
    const start = addresses[0]!;
    expect(addresses.map((a) => a - start)).toEqual([0, BLOCK, 2 * BLOCK, 3 * BLOCK]);
    expect(Array.from(snapshot(segments[0]!))).toEqual(new Array<number>(13).fill(PATTERN));
    // From the first segment's header to the end of the header after the last block.
    const memory = new Uint8Array(segments[0]!.wrap(0, 0).buffer);
    const around = [start - OFF_HEAP_BLOCK_HEADER, start + 4 * BLOCK] as const;
    const before = memory.slice(...around);
    const other = rt.segments.allocateUnpooledSegment(64);
    for (const segment of segments) {
      for (const [label, op] of writesAtTheEdges(segment, other)) {
        try {
          op();
        } catch (err) {
          expect((err as { code?: string }).code, `${label}: ${String(err)}`).toMatch(/^ERR_/);
        }
      }
    }
    const after = memory.slice(...around);
    const changed = Array.from(after.keys()).filter((i) => after[i] !== before[i]);
    const inSegments = (i: number): boolean => addresses.some((a) => around[0] + i >= a && around[0] + i < a + 13);
    expect(changed.filter((i) => !inSegments(i)).map((i) => around[0] + i - start), 'bytes outside the segments that changed').toEqual([]);
    for (const segment of segments) segment.free();
    const again = rt.segments.allocateUnpooledOffHeapMemory(4 * BLOCK - OFF_HEAP_BLOCK_HEADER);
    expect(again.wrap(0, 0).byteOffset).toBe(start);
    const bytes = snapshot(again);
    for (let i = 0; i < 4; i++) {
      expect(Array.from(bytes.subarray(i * BLOCK + 13, i * BLOCK + 16)), `padding of segment ${i}`).toEqual([PATTERN, PATTERN, PATTERN]);
    }
    again.free();
  });

  it('writes to a managed page leave every other page untouched', () => {
    const owner = {};
    const pages = rt.memoryManager.allocatePages(owner, SMALL_PAGE_COUNT);
    expect(pages).toHaveLength(SMALL_PAGE_COUNT);
    pages.forEach((page, i) => page.fill(i + 1));
    // The pages tile one contiguous area, so every page's neighbours are pages (all are handed out).
    const addresses = pages.map((p) => p.wrap(0, 0).byteOffset).sort((x, y) => x - y);
    expect(addresses.map((a) => a - addresses[0]!)).toEqual(pages.map((_, i) => i * SMALL_PAGE_SIZE));
    for (const target of [pages[0]!, pages[SMALL_PAGE_COUNT >> 1]!, pages[SMALL_PAGE_COUNT - 1]!]) {
      const others = pages.filter((p) => p !== target);
      const before = others.map((p) => snapshot(p));
      const other = rt.segments.allocateUnpooledSegment(SMALL_PAGE_SIZE);
      for (const [label, op] of writesAtTheEdges(target, other)) {
        try {
          op();
        } catch (err) {
          expect((err as { code?: string }).code, `${label}: ${String(err)}`).toMatch(/^ERR_/);
        }
      }
      others.forEach((p, i) => expectBytes(snapshot(p), before[i]!, `page ${pages.indexOf(p)} after writes to page ${pages.indexOf(target)}`));
    }
    rt.memoryManager.release(pages);
  });

  describe('freed segments', () => {
    /** Each way of getting a segment that can be freed. */
    const KINDS: readonly { readonly name: string; make(rt: Runtime): MemorySegment }[] = [
      { name: 'off-heap', make: (r) => r.segments.allocateUnpooledOffHeapMemory(32) },
      { name: 'plain heap', make: (r) => r.segments.allocateUnpooledSegment(32) },
      { name: 'wrapped', make: (r) => r.segments.wrap(new Uint8Array(32)) },
      { name: 'managed page', make: (r) => r.memoryManager.allocatePages('freed-test', 1)[0]! },
    ];

    /** Every operation, with valid arguments and with out-of-bounds ones: a freed segment must say "freed" to both. */
    function everyOperation(segment: MemorySegment, live: MemorySegment): [string, () => unknown][] {
      const ops: [string, () => unknown][] = [];
      for (const a of ACCESSORS) {
        for (const index of [0, segment.size, -1, 1.5]) {
          ops.push([`${a.getName}(${index})`, () => a.get(segment, index)]);
          ops.push([`${a.putName}(${index})`, () => a.put(segment, index, a.sample)]);
        }
      }
      const t = new Uint8Array(64);
      ops.push(
        ['getBytes', () => segment.getBytes(0, t, 0, 4)],
        ['getBytes with defaults', () => segment.getBytes(0, new Uint8Array(4))],
        ['getBytes out of bounds', () => segment.getBytes(segment.size, t, 0, 4)],
        ['putBytes', () => segment.putBytes(0, t, 0, 4)],
        ['putBytes with defaults', () => segment.putBytes(0, new Uint8Array(4))],
        ['putBytes out of bounds', () => segment.putBytes(-1, t, 0, 4)],
        ['wrap', () => segment.wrap(0, 4)],
        ['wrap of nothing', () => segment.wrap(0, 0)],
        ['fill', () => segment.fill(1)],
        ['fill a range', () => segment.fill(1, 2, 3)],
        ['fill out of bounds', () => segment.fill(1, 0, 1000)],
        ['byteSwap', () => segment.byteSwap(0, 8, 4)],
        ['byteSwap with a bad width', () => loose(segment).byteSwap(0, 8, 3)],
        ['copyTo from it', () => segment.copyTo(0, live, 0, 4)],
        ['copyTo into it', () => live.copyTo(0, segment, 0, 4)],
        ['copyTo into it, out of its bounds', () => live.copyTo(0, segment, 100, 4)],
        ['copyTo onto itself', () => segment.copyTo(0, segment, 1, 4)],
        ['compare from it', () => segment.compare(live, 0, 0, 4)],
        ['compare against it', () => live.compare(segment, 0, 0, 4)],
        ['compare against it, 5 arguments', () => live.compare(segment, 0, 0, 4, 2)],
        ['equalTo from it', () => segment.equalTo(live, 0, 0, 4)],
        ['equalTo against it', () => live.equalTo(segment, 0, 0, 4)],
        ['swapBytes from it', () => segment.swapBytes(t, live, 0, 0, 4)],
        ['swapBytes with it', () => live.swapBytes(t, segment, 0, 0, 4)],
        ['swapBytes with it and a short temp buffer', () => live.swapBytes(new Uint8Array(1), segment, 0, 0, 4)],
        ['zero-length copyTo from it', () => segment.copyTo(0, live, 0, 0)],
        ['zero-length compare against it', () => live.compare(segment, 0, 0, 0)],
      );
      return ops;
    }

    it.each(KINDS.map((k) => [k.name, k] as const))('%s: every operation throws ERR_SEGMENT_FREED, on either side', (_, kind) => {
      const segment = kind.make(rt);
      const live = rt.segments.allocateUnpooledOffHeapMemory(32);
      live.fill(0x42);
      expect(segment.isFreed()).toBe(false);
      segment.free();
      expect(segment.isFreed()).toBe(true);
      for (const [label, op] of everyOperation(segment, live)) {
        try {
          expectFreed(lib, op);
        } catch (err) {
          throw new Error(`${label}: ${(err as Error).message}`);
        }
      }
      // The live side of the failed two-segment operations was not written.
      expect(Array.from(snapshot(live))).toEqual(new Array<number>(32).fill(0x42));
      live.free();
    });

    it.each(KINDS.map((k) => [k.name, k] as const))('%s: free() is idempotent and [Symbol.dispose] frees', (_, kind) => {
      const segment = kind.make(rt);
      segment.free();
      segment.free();
      expect(segment.isFreed()).toBe(true);
      expectFreed(lib, () => segment.getInt(0));
      const disposed = kind.make(rt);
      disposed[Symbol.dispose]();
      expect(disposed.isFreed()).toBe(true);
      expectFreed(lib, () => disposed.get(0));
      disposed[Symbol.dispose]();
      disposed.free();
      expect(disposed.isFreed()).toBe(true);
    });

    it('the size of a freed segment stays readable and the freed error names it', () => {
      const segment = rt.segments.allocateUnpooledOffHeapMemory(27);
      segment.free();
      expect(segment.size).toBe(27);
      const err = (() => {
        try {
          segment.getLong(3);
        } catch (e) {
          return e as Error;
        }
        return null;
      })();
      expect(err?.message).toContain('27');
    });

    it('freeing a managed page returns it to the manager, once', () => {
      const mm = rt.memoryManager;
      const available = mm.availableMemory;
      const [first, second] = mm.allocatePages('freeing', 2) as [MemorySegment, MemorySegment];
      expect(mm.availableMemory).toBe(available - 2 * mm.pageSize);
      first.free();
      expect(mm.availableMemory).toBe(available - mm.pageSize);
      first.free();
      first[Symbol.dispose]();
      expect(mm.availableMemory).toBe(available - mm.pageSize);
      expect(second.isFreed()).toBe(false);
      second.putInt(0, 5);
      expect(second.getInt(0)).toBe(5);
      second[Symbol.dispose]();
      expect(mm.availableMemory).toBe(available);
      expect(mm.verifyEmpty()).toBe(true);
      // The pages really are free again: all of them can be taken at once.
      const all = mm.allocatePages('freeing', SMALL_PAGE_COUNT);
      expect(all).toHaveLength(SMALL_PAGE_COUNT);
      mm.release(all);
    });

    it('closing the runtime frees its segments and pages', async () => {
      const own = await init(SMALL_RUNTIME);
      const offHeap = own.segments.allocateUnpooledOffHeapMemory(16);
      const page = own.memoryManager.allocatePages('closing', 1)[0]!;
      own.close();
      expect(offHeap.isFreed()).toBe(true);
      expect(page.isFreed()).toBe(true);
      expectFreed(lib, () => offHeap.getInt(0));
      expectFreed(lib, () => page.putInt(0, 1));
      expectFreed(lib, () => rt.segments.allocateUnpooledSegment(8).copyTo(0, page, 0, 4));
    });
  });

  it('a non-segment where a segment belongs is ERR_INVALID_ARGUMENT', () => {
    const segment = rt.segments.allocateUnpooledOffHeapMemory(16);
    for (const notSegment of [null, undefined, {}, new Uint8Array(16), 'segment']) {
      for (const op of [
        () => loose(segment).copyTo(0, notSegment, 0, 4),
        () => loose(segment).compare(notSegment, 0, 0, 4),
        () => loose(segment).equalTo(notSegment, 0, 0, 4),
        () => loose(segment).swapBytes(new Uint8Array(4), notSegment, 0, 0, 4),
      ]) {
        expectCode(lib, op, 'ERR_INVALID_ARGUMENT');
      }
    }
    for (const notBytes of [[1, 2, 3], new Uint16Array(4), 'abc', null]) {
      for (const op of [
        () => loose(segment).getBytes(0, notBytes, 0, 2),
        () => loose(segment).putBytes(0, notBytes, 0, 2),
        () => loose(segment).getBytes(0, notBytes),
        () => loose(segment).swapBytes(notBytes, segment, 0, 8, 2),
      ]) {
        expectCode(lib, op, 'ERR_INVALID_ARGUMENT');
      }
    }
    segment.free();
  });
});
