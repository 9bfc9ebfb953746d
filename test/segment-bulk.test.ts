// Bulk operations: getBytes/putBytes, copyTo, compare, equalTo, swapBytes,
// fill, byteSwap and wrap, between every pairing of backing memories (the
// same segment, two segments of one linear memory, plain arrays, two runtimes,
// and runtimes of the two builds), each checked against a plain model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemorySegment, Runtime } from '../src/index.js';
import { builds } from './builds.js';
import { expectBytes, expectCode, expectOutOfBounds, lexicographic, loose, randomBytes, reverseGroups, SMALL_RUNTIME, snapshot } from './oracle.js';

/** Lengths around every loop boundary of the kernels: 4- and 8-byte words, 16-byte vectors, the 64-byte small-copy cut-off. */
const LENGTHS = [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 64, 65, 100, 257];

const SIZE = 300;

/** The runtimes a pairing of segments can draw on. */
interface Runtimes {
  /** The runtime of the build under test. */
  readonly rt: Runtime;
  /** A second runtime of the same build. */
  readonly rt2: Runtime;
  /** A runtime of the other build. */
  readonly other: Runtime;
}

/** Two segments to operate between; `shared` when both are views of the same bytes. */
interface Pair {
  readonly a: MemorySegment;
  readonly b: MemorySegment;
  readonly shared: boolean;
  release(): void;
}

const PAIRINGS: readonly { readonly name: string; make(r: Runtimes): Pair }[] = [
  {
    name: 'one off-heap segment with itself',
    make: ({ rt }) => {
      const a = rt.segments.allocateUnpooledOffHeapMemory(SIZE);
      return { a, b: a, shared: true, release: () => a.free() };
    },
  },
  {
    name: 'two off-heap segments of one runtime',
    make: ({ rt }) => pair(rt.segments.allocateUnpooledOffHeapMemory(SIZE), rt.segments.allocateUnpooledOffHeapMemory(SIZE)),
  },
  {
    name: 'a managed page and an off-heap segment',
    make: ({ rt }) => pair(rt.memoryManager.allocatePages('bulk-test', 1)[0]!, rt.segments.allocateUnpooledOffHeapMemory(SIZE)),
  },
  {
    name: 'off-heap and plain heap',
    make: ({ rt }) => pair(rt.segments.allocateUnpooledOffHeapMemory(SIZE), rt.segments.allocateUnpooledSegment(SIZE)),
  },
  {
    name: 'plain heap and off-heap',
    make: ({ rt }) => pair(rt.segments.allocateUnpooledSegment(SIZE), rt.segments.allocateUnpooledOffHeapMemory(SIZE)),
  },
  {
    name: 'one plain heap segment with itself',
    make: ({ rt }) => {
      const a = rt.segments.allocateUnpooledSegment(SIZE);
      return { a, b: a, shared: true, release: () => a.free() };
    },
  },
  {
    name: 'two heap segments over one array',
    make: ({ rt }) => {
      const bytes = new Uint8Array(SIZE);
      return { ...pair(rt.segments.wrap(bytes), rt.segments.wrap(bytes)), shared: true };
    },
  },
  {
    name: 'two runtimes of this build',
    make: ({ rt, rt2 }) => pair(rt.segments.allocateUnpooledOffHeapMemory(SIZE), rt2.segments.allocateUnpooledOffHeapMemory(SIZE)),
  },
  {
    name: 'this build and the other build',
    make: ({ rt, other }) => pair(rt.segments.allocateUnpooledOffHeapMemory(SIZE), other.segments.allocateUnpooledOffHeapMemory(SIZE)),
  },
  {
    name: 'the other build and this build',
    make: ({ rt, other }) => pair(other.segments.allocateUnpooledOffHeapMemory(SIZE), rt.segments.allocateUnpooledOffHeapMemory(SIZE)),
  },
];

function pair(a: MemorySegment, b: MemorySegment): Pair {
  return { a, b, shared: false, release: () => (a.free(), b.free()) };
}

/** Offset pairs: aligned, unaligned both ways, overlapping-when-same both ways. */
const OFFSETS: readonly (readonly [number, number])[] = [[0, 0], [3, 5], [5, 3], [0, 1], [1, 0], [16, 0], [0, 17]];

/** The whole content of a pair, as a model: one array per distinct memory. */
function contents(p: Pair): { a: Uint8Array; b: Uint8Array } {
  const a = snapshot(p.a);
  return { a, b: p.shared ? a : snapshot(p.b) };
}

describe.each(builds)('$name build', ({ name, init, lib }) => {
  const runtimes = {} as { -readonly [K in keyof Runtimes]: Runtime };
  let rt: Runtime;
  beforeAll(async () => {
    const otherBuild = builds.find((b) => b.name !== name)!;
    runtimes.rt = rt = await init(SMALL_RUNTIME);
    runtimes.rt2 = await init(SMALL_RUNTIME);
    runtimes.other = await otherBuild.init(SMALL_RUNTIME);
  });
  afterAll(() => {
    runtimes.rt.close();
    runtimes.rt2.close();
    runtimes.other.close();
  });

  it('getBytes of a heap segment over part of a larger array reads that part, at every length', () => {
    // The segment's array starts 37 bytes into its buffer: every copy must add that offset.
    const backing = randomBytes(71)(300);
    const segment = rt.segments.wrap(backing.subarray(37, 237));
    for (let len = 0; len <= 48; len++) {
      const dst = new Uint8Array(len + 3);
      segment.getBytes(9, dst, 3, len);
      expectBytes(dst.subarray(3), backing.subarray(46, 46 + len), `length ${len}`);
    }
  });

  describe.each(PAIRINGS)('$name', (pairing) => {
    let p: Pair;
    beforeAll(() => {
      p = pairing.make(runtimes);
    });
    afterAll(() => p.release());

    /** Fills both segments with fresh random bytes. */
    function scramble(seed: number): void {
      const fresh = randomBytes(seed);
      p.a.putBytes(0, fresh(p.a.size), 0, p.a.size);
      if (!p.shared) p.b.putBytes(0, fresh(p.b.size), 0, p.b.size);
    }

    it('copyTo copies like memmove, whatever the overlap', () => {
      for (const len of LENGTHS) {
        for (const [o1, o2] of OFFSETS) {
          scramble(len * 31 + o1);
          const model = contents(p);
          model.b.set(model.a.slice(o1, o1 + len), o2);
          p.a.copyTo(o1, p.b, o2, len);
          const label = `copyTo(${o1}, b, ${o2}, ${len})`;
          expectBytes(snapshot(p.a), model.a, label);
          expectBytes(snapshot(p.b), model.b, label);
        }
      }
    });

    it('copyTo far into the segment, to the very last byte', () => {
      scramble(1);
      const model = contents(p);
      const len = 137;
      const [o1, o2] = [p.a.size - len, p.b.size - len];
      model.b.set(model.a.slice(o1, o1 + len), o2);
      p.a.copyTo(o1, p.b, o2, len);
      expectBytes(snapshot(p.b), model.b);
      expectBytes(snapshot(p.a), model.a);
    });

    it('compare is unsigned lexicographic, exactly -1, 0 or 1, at every position of a difference', () => {
      const fresh = randomBytes(9);
      // Collected and asserted once: thousands of positions are checked.
      const wrong: string[] = [];
      for (const len of LENGTHS) {
        for (const [o1, o2] of OFFSETS) {
          if (p.shared && o1 !== o2) continue; // the ranges would share bytes; covered by the model test below
          const common = fresh(len);
          p.a.putBytes(o1, common);
          p.b.putBytes(o2, common);
          expect(p.a.compare(p.b, o1, o2, len), `equal ${len}`).toBe(0);
          if (p.shared) continue;
          for (let at = 0; at < len; at++) {
            const keep = p.b.get(o2 + at);
            // Pairs that a signed comparison, or one word-wide, would order wrongly.
            for (const [x, y] of [[0x00, 0xff], [0x7f, 0x80], [0x01, 0x00], [0xfe, 0xff]] as const) {
              p.a.put(o1 + at, x);
              p.b.put(o2 + at, y);
              const expected = x < y ? -1 : 1;
              const forth = p.a.compare(p.b, o1, o2, len);
              const back = p.b.compare(p.a, o2, o1, len);
              if (forth !== expected || back !== -expected) {
                wrong.push(`len ${len} at ${at} (offsets ${o1}, ${o2}): ${x} vs ${y} gave ${forth}, reversed ${back}`);
              }
            }
            p.a.put(o1 + at, keep);
            p.b.put(o2 + at, keep);
          }
        }
      }
      expect(wrong).toEqual([]);
    });

    it('compare against the model on random data, in both argument forms', () => {
      const fresh = randomBytes(17);
      for (let round = 0; round < 300; round++) {
        // Few distinct byte values, so long common prefixes happen often.
        const alphabet = round % 3 === 0 ? 2 : 256;
        const bytes = fresh(SIZE).map((x) => x % alphabet);
        p.a.putBytes(0, bytes);
        if (!p.shared) p.b.putBytes(0, fresh(SIZE).map((x, i) => (round % 2 === 0 ? bytes[i]! : x % alphabet)));
        const [o1, o2, l1, l2] = Array.from(fresh(4)).map((x) => x % 40);
        const a = snapshot(p.a).subarray(o1, o1! + l1!);
        const b = snapshot(p.b).subarray(o2, o2! + l2!);
        expect(p.a.compare(p.b, o1!, o2!, l1!, l2!), `compare(${o1}, ${o2}, ${l1}, ${l2})`).toBe(lexicographic(a, b));
        const b4 = snapshot(p.b).subarray(o2, o2! + l1!);
        expect(p.a.compare(p.b, o1!, o2!, l1!), `compare(${o1}, ${o2}, ${l1})`).toBe(lexicographic(a, b4));
      }
    });

    it('compare puts the shorter of two ranges with a common prefix first', () => {
      p.a.fill(0x61);
      p.b.fill(0x61);
      for (const [l1, l2] of [[0, 1], [1, 0], [0, 0], [4, 5], [16, 17], [17, 16], [100, 257]] as const) {
        const expected = l1 === l2 ? 0 : l1 < l2 ? -1 : 1;
        expect(p.a.compare(p.b, 0, 0, l1, l2), `lengths ${l1} and ${l2}`).toBe(expected);
      }
      // A difference within the common prefix decides before the lengths do.
      if (!p.shared) {
        p.a.put(2, 0x62);
        expect(p.a.compare(p.b, 0, 0, 3, 10)).toBe(1);
        expect(p.b.compare(p.a, 0, 0, 10, 3)).toBe(-1);
      }
    });

    it('equalTo finds a single differing byte anywhere', () => {
      const fresh = randomBytes(23);
      const wrong: string[] = [];
      for (const len of LENGTHS) {
        for (const [o1, o2] of OFFSETS) {
          if (p.shared && o1 !== o2) continue;
          const common = fresh(len);
          p.a.putBytes(o1, common);
          p.b.putBytes(o2, common);
          expect(p.a.equalTo(p.b, o1, o2, len), `equal ${len}`).toBe(true);
          if (p.shared) continue;
          for (let at = 0; at < len; at++) {
            for (const flip of [0x80, 0x01]) {
              p.b.put(o2 + at, common[at]! ^ flip);
              if (p.a.equalTo(p.b, o1, o2, len) !== false || p.b.equalTo(p.a, o2, o1, len) !== false) {
                wrong.push(`len ${len} (offsets ${o1}, ${o2}): a difference at ${at} went unseen`);
              }
            }
            p.b.put(o2 + at, common[at]!);
          }
          // Bytes just outside the ranges do not count.
          if (o1 > 0 && o2 > 0) {
            p.a.put(o1 - 1, 1);
            p.b.put(o2 - 1, 2);
            expect(p.a.equalTo(p.b, o1, o2, len)).toBe(true);
          }
        }
      }
      expect(wrong).toEqual([]);
    });

    it('swapBytes exchanges ranges: this ← other, then other ← this side, in that order', () => {
      for (const len of LENGTHS) {
        for (const [o1, o2] of OFFSETS) {
          scramble(len * 7 + o2);
          const model = contents(p);
          const mine = model.a.slice(o1, o1 + len);
          const theirs = model.b.slice(o2, o2 + len);
          model.a.set(theirs, o1);
          model.b.set(mine, o2);
          p.a.swapBytes(new Uint8Array(len), p.b, o1, o2, len);
          const label = `swapBytes(${o1}, ${o2}, ${len})`;
          expectBytes(snapshot(p.a), model.a, label);
          expectBytes(snapshot(p.b), model.b, label);
        }
      }
    });

    it('swapBytes twice restores both ranges (disjoint ranges)', () => {
      scramble(5);
      const before = contents(p);
      const [o1, o2] = p.shared ? [0, 150] : [10, 20];
      const temp = new Uint8Array(200);
      p.a.swapBytes(temp, p.b, o1, o2, 100);
      p.a.swapBytes(temp, p.b, o1, o2, 100);
      expectBytes(snapshot(p.a), before.a);
      expectBytes(snapshot(p.b), before.b);
    });

    it('putBytes/getBytes move bytes between a segment and arrays', () => {
      const fresh = randomBytes(31);
      for (const len of LENGTHS) {
        const src = fresh(len + 10);
        p.a.putBytes(7, src, 5, len);
        const dst = fresh(len + 9);
        const expected = dst.slice();
        expected.set(src.subarray(5, 5 + len), 4);
        p.a.getBytes(7, dst, 4, len);
        expectBytes(dst, expected, `length ${len}`);
      }
      // Defaults: the whole array from offset 0, or from the given offset to its end.
      const src = fresh(40);
      p.a.putBytes(0, src);
      expectBytes(p.a.wrap(0, 40), src);
      p.a.putBytes(100, src, 30);
      expectBytes(p.a.wrap(100, 10), src.subarray(30));
      const dst = new Uint8Array(40);
      p.a.getBytes(0, dst);
      expectBytes(dst, src);
      const tail = new Uint8Array(12);
      p.a.getBytes(100, tail, 2);
      expectBytes(tail, [0, 0, ...src.subarray(30, 40)]);
    });
  });

  describe.each([
    { name: 'off-heap', make: (r: Runtime, n: number) => r.segments.allocateUnpooledOffHeapMemory(n) },
    { name: 'plain heap', make: (r: Runtime, n: number) => r.segments.allocateUnpooledSegment(n) },
    { name: 'managed page', make: (r: Runtime) => r.memoryManager.allocatePages('bulk-test', 1)[0]! },
  ])('$name segment', (kind) => {
    let segment: MemorySegment;
    beforeAll(() => {
      segment = kind.make(rt, SIZE);
    });
    afterAll(() => segment.free());

    it('fill sets the whole segment, a tail, or a range, to the value modulo 256', () => {
      segment.fill(0x11);
      expect(snapshot(segment).every((b) => b === 0x11)).toBe(true);
      segment.fill(0x22, 250);
      expectBytes(segment.wrap(248, 4), [0x11, 0x11, 0x22, 0x22]);
      expect(segment.get(segment.size - 1)).toBe(0x22);
      for (const [value, stored] of [[7, 7], [255, 255], [256 + 7, 7], [-1, 255], [-256, 0], [1.9, 1], [-1.5, 255], [NaN, 0], [Infinity, 0], [2 ** 40 + 3, 3]] as const) {
        for (const [offset, length] of [[3, 1], [3, 17], [1, 64], [5, 100]] as const) {
          segment.fill(0xaa);
          segment.fill(value, offset, length);
          const expected = new Uint8Array(segment.size).fill(0xaa).fill(stored, offset, offset + length);
          expectBytes(snapshot(segment), expected, `fill(${value}, ${offset}, ${length})`);
        }
      }
    });

    it.each([2, 4, 8] as const)('byteSwap(offset, length, %i) reverses every value, including a tail shorter than 16 bytes', (width) => {
      const fresh = randomBytes(width);
      for (let length = 0; length <= 72; length += width) {
        for (const offset of [0, 1, 3, 16, segment.size - length]) {
          const bytes = fresh(segment.size);
          segment.putBytes(0, bytes);
          const model = bytes.slice();
          reverseGroups(model, offset, length, width);
          segment.byteSwap(offset, length, width);
          expectBytes(snapshot(segment), model, `byteSwap(${offset}, ${length}, ${width})`);
        }
      }
    });

    it('byteSwap turns little-endian values into big-endian ones', () => {
      const ints = [1, -2, 0x12345678, -0x7fffffff, 0, 0x0badf00d, 42, -42, 7];
      ints.forEach((v, i) => segment.putInt(4 + i * 4, v));
      segment.byteSwap(4, ints.length * 4, 4);
      ints.forEach((v, i) => expect(segment.getIntBigEndian(4 + i * 4)).toBe(v));
      const longs = [1n, -2n, 0x0102030405060708n, -(2n ** 63n), 2n ** 63n - 1n];
      longs.forEach((v, i) => segment.putLongBigEndian(8 + i * 8, v));
      segment.byteSwap(8, longs.length * 8, 8);
      longs.forEach((v, i) => expect(segment.getLong(8 + i * 8)).toBe(v));
      const chars = [0x41, 0xfffe, 0x1234, 0xd800, 0, 0x8000, 0x00ff, 0xff00, 0x0102];
      chars.forEach((v, i) => segment.putChar(2 + i * 2, v));
      segment.byteSwap(2, chars.length * 2, 2);
      chars.forEach((v, i) => expect(segment.getCharBigEndian(2 + i * 2)).toBe(v));
    });

    it('byteSwap with a width other than 2, 4 or 8, or a length it does not divide, is ERR_INVALID_ARGUMENT and changes nothing', () => {
      segment.putBytes(0, randomBytes(4)(segment.size));
      const before = snapshot(segment);
      for (const [length, width] of [[16, 3], [16, 1], [16, 0], [16, 16], [16, -4], [16, 2.5], [16, NaN], [16, '4'], [16, undefined], [6, 4], [12, 8], [3, 2], [17, 2]] as const) {
        const err = expectCode(lib, () => loose(segment).byteSwap(0, length, width), 'ERR_INVALID_ARGUMENT');
        expect(err).toBeInstanceOf(TypeError);
        expectBytes(snapshot(segment), before, `byteSwap(0, ${length}, ${String(width)})`);
      }
    });

    it('wrap is a live view of exactly the range asked for', () => {
      segment.fill(0);
      const view = segment.wrap(10, 20);
      expect(view).toBeInstanceOf(Uint8Array);
      expect(view).toHaveLength(20);
      view[0] = 0xab;
      view[19] = 0xcd;
      expect(segment.get(10)).toBe(0xab);
      expect(segment.get(29)).toBe(0xcd);
      expect(segment.get(30)).toBe(0);
      segment.putInt(12, -1);
      expectBytes(view.subarray(2, 6), [255, 255, 255, 255]);
      expect(segment.wrap(segment.size, 0)).toHaveLength(0);
      expect(segment.wrap(0, segment.size)).toHaveLength(segment.size);
    });

    it('putBytes and getBytes copy correctly when the array is a view of the segment itself', () => {
      for (const len of [5, 16, 17, 40]) {
        for (const [from, to] of [[0, 3], [3, 0], [10, 11], [11, 10]] as const) {
          const bytes = randomBytes(len + from)(segment.size);
          segment.putBytes(0, bytes);
          const model = bytes.slice();
          model.set(bytes.slice(from, from + len), to);
          segment.putBytes(to, segment.wrap(from, len));
          expectBytes(snapshot(segment), model, `putBytes(${to}, wrap(${from}, ${len}))`);

          segment.putBytes(0, bytes);
          segment.getBytes(from, segment.wrap(to, len));
          expectBytes(snapshot(segment), model, `getBytes(${from}, wrap(${to}, ${len}))`);
        }
      }
    });
  });

  it('copyTo, compare and swapBytes between an off-heap segment and a heap segment over its own bytes', () => {
    // A heap segment can wrap a view of the linear memory; operations between
    // the two must still behave as if each range were read before it is written.
    const base = rt.segments.allocateUnpooledOffHeapMemory(128);
    const alias = rt.segments.wrap(base.wrap(8, 100));
    for (const len of [4, 16, 17, 64]) {
      const bytes = randomBytes(len)(128);
      base.putBytes(0, bytes);
      const model = bytes.slice();
      model.set(bytes.slice(0, len), 8);
      base.copyTo(0, alias, 0, len); // base[8..] ← base[0..]
      expectBytes(snapshot(base), model, `copyTo forward, ${len}`);

      base.putBytes(0, bytes);
      const back = bytes.slice();
      back.set(bytes.slice(8 + 2, 8 + 2 + len), 0);
      alias.copyTo(2, base, 0, len); // base[0..] ← base[10..]
      expectBytes(snapshot(base), back, `copyTo backward, ${len}`);

      base.putBytes(0, bytes);
      expect(base.compare(alias, 8, 0, len)).toBe(0);
      expect(base.equalTo(alias, 8, 0, len)).toBe(true);

      base.putBytes(0, bytes);
      const swapped = bytes.slice();
      const mine = bytes.slice(0, len);
      swapped.set(bytes.slice(8 + 4, 8 + 4 + len), 0);
      swapped.set(mine, 8 + 4);
      base.swapBytes(new Uint8Array(len), alias, 0, 4, len);
      expectBytes(snapshot(base), swapped, `swapBytes overlapping through the alias, ${len}`);
    }
    base.free();
  });

  it('runtimes do not share bytes: the same offsets in two runtimes hold different data', () => {
    const a = runtimes.rt.segments.allocateUnpooledOffHeapMemory(64);
    const b = runtimes.rt2.segments.allocateUnpooledOffHeapMemory(64);
    a.fill(1);
    b.fill(2);
    a.copyTo(0, b, 8, 8);
    expectBytes(snapshot(a), new Uint8Array(64).fill(1));
    expectBytes(snapshot(b), new Uint8Array(64).fill(2).fill(1, 8, 16));
    expect(a.wrap(0, 1).buffer).not.toBe(b.wrap(0, 1).buffer);
    a.free();
    b.free();
  });

  it('bulk operations reject out-of-bounds ranges on the far side too', () => {
    const a = runtimes.rt.segments.allocateUnpooledOffHeapMemory(32);
    const b = runtimes.rt2.segments.allocateUnpooledOffHeapMemory(20);
    b.fill(9);
    expectOutOfBounds(lib, () => a.copyTo(0, b, 10, 11), 10, 11, 20);
    expectOutOfBounds(lib, () => a.swapBytes(new Uint8Array(32), b, 0, 10, 11), 10, 11, 20);
    expectOutOfBounds(lib, () => a.compare(b, 0, 0, 21), 21, 20);
    expectOutOfBounds(lib, () => a.equalTo(b, 0, 19, 2), 19, 20);
    expectBytes(snapshot(b), new Uint8Array(20).fill(9));
    a.free();
    b.free();
  });
});
