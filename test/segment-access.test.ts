// Typed single-value access: every getter and setter, in the native order
// (little-endian) and both explicit orders, checked byte for byte against a
// DataView over the segment's own bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemorySegment, Runtime } from '../src/index.js';
import { builds } from './builds.js';
import {
  ACCESSORS,
  call,
  expectBytes,
  expectCode,
  load,
  ORDERS,
  randomBytes,
  SMALL_RUNTIME,
  snapshot,
  viewOf,
  type Accessor,
  type TypeName,
} from './oracle.js';

/** Values written with each type: ordinary ones, the limits, and ones that wrap around or round. */
const VALUES: { readonly [K in TypeName]: readonly unknown[] } = {
  Byte: [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x105, -1, -128, -129, 1.9, -1.5, NaN, Infinity, -Infinity, 2 ** 53, -0],
  Boolean: [true, false],
  Char: [0, 0x41, 0x7fff, 0x8000, 0xd800, 0xdfff, 0xffff, 0x10000, 0x10005, -1, -0x8000, 1.9, -1.5, NaN, Infinity, -Infinity, 2 ** 53, -0],
  Short: [0, 1, -1, 0x7fff, -0x8000, 0x8000, 0xffff, 0x10005, -0x8001, 1.9, -1.9, NaN, Infinity, -Infinity, 2 ** 40 + 7, -0],
  Int: [
    0, 1, -1, 0x7fffffff, -0x80000000, 0x80000000, 0xffffffff, 2 ** 32 + 5, -(2 ** 32) - 1, 0x01020304,
    1.5, -1.5, NaN, Infinity, -Infinity, 2 ** 53, Number.MAX_VALUE, -0,
  ],
  Float: [
    0, -0, 1, -1, 1.5, 0.1, Math.PI, Infinity, -Infinity, NaN, 3.4028234663852886e38, 3.5e38, -3.5e38,
    1.401298464324817e-45, 1e-46, -1e-46, 1.1754943508222875e-38, 16777217, 2 ** 53,
  ],
  Double: [
    0, -0, 1, -1, 0.1, Math.PI, Infinity, -Infinity, NaN, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE,
    -Number.MIN_VALUE, 2.2250738585072014e-308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2,
  ],
  Long: [
    0n, 1n, -1n, 0x0102030405060708n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n + 5n, -(2n ** 64n) - 1n,
    2n ** 100n + 42n, 0xffffffffn, -0x100000000n,
  ],
  LongNumber: [
    0, -0, 1, -1, 0x7fffffff, -0x80000000, 2 ** 31, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), -(2 ** 32) - 1,
    0x12345678abcd, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 52 + 1, -(2 ** 52) - 3,
    // Around the int32 fast path and the high-half check of getLongNumber.
    -0x80000001, 2 ** 53 - 2 ** 32, 2 ** 53 - 2 ** 32 - 1, -(2 ** 53) + 2 ** 32, -(2 ** 53) + 2 ** 32 - 1,
  ],
};

/**
 * Expected values written out by hand, so the DataView oracle is not the only
 * judge: [value put, value read back] in every order.
 */
const READ_BACK: { readonly [K in TypeName]?: readonly (readonly [unknown, unknown])[] } = {
  Byte: [[0x105, 5], [-1, 0xff], [1.9, 1], [NaN, 0], [-129, 127]],
  Char: [[0x10005, 5], [-1, 0xffff], [0xd800, 0xd800], [1.9, 1], [NaN, 0], [Infinity, 0]],
  Short: [[0x8000, -0x8000], [0xffff, -1], [-0x8001, 0x7fff], [1.9, 1], [-1.9, -1], [2 ** 40 + 7, 7]],
  Int: [[2 ** 32 + 5, 5], [0x80000000, -0x80000000], [0xffffffff, -1], [-(2 ** 32) - 1, -1], [-1.5, -1], [NaN, 0], [Infinity, 0], [2 ** 53, 0]],
  Float: [[3.5e38, Infinity], [1e-46, 0], [-1e-46, -0], [16777217, 16777216], [0.1, 0.10000000149011612]],
  Double: [[2 ** 53 + 2, 2 ** 53 + 2], [-0, -0]],
  Long: [[2n ** 63n, -(2n ** 63n)], [2n ** 64n + 5n, 5n], [-(2n ** 64n) - 1n, -1n], [2n ** 100n + 42n, 42n]],
  LongNumber: [[-0, 0], [2 ** 32 + 1, 2 ** 32 + 1], [-Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]],
};

/** The backing memories a segment can have; access must behave the same on each. */
const KINDS: readonly { readonly name: string; make(rt: Runtime): MemorySegment }[] = [
  { name: 'off-heap', make: (rt) => rt.segments.allocateUnpooledOffHeapMemory(61) },
  { name: 'plain heap', make: (rt) => rt.segments.allocateUnpooledSegment(61) },
  // A subarray at an odd byte offset: positions must be relative to the subarray, not to its buffer.
  { name: 'wrapped subarray', make: (rt) => rt.segments.wrap(new Uint8Array(80).subarray(5, 66)) },
  { name: 'managed page', make: (rt) => rt.memoryManager.allocatePages('access-test', 1)[0]! },
];

/** Positions exercised: aligned, unaligned, and the last one that fits. */
function positions(segment: MemorySegment, width: number): number[] {
  return [0, 1, 3, 8, segment.size - width];
}

describe.each(builds)('$name build', ({ init, lib }) => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await init(SMALL_RUNTIME);
  });
  afterAll(() => rt.close());

  it('offers every accessor of the contract', async () => {
    const segment = rt.segments.allocateUnpooledSegment(8);
    for (const a of ACCESSORS) {
      expect(typeof (segment as unknown as Record<string, unknown>)[a.getName], a.getName).toBe('function');
      expect(typeof (segment as unknown as Record<string, unknown>)[a.putName], a.putName).toBe('function');
    }
    expect(ACCESSORS).toHaveLength(2 + 7 * 3);
  });

  it('uses little-endian as the native order', () => {
    const segment = rt.segments.allocateUnpooledOffHeapMemory(16);
    segment.putInt(0, 0x01020304);
    segment.putIntBigEndian(4, 0x01020304);
    segment.putLong(8, 0x0102030405060708n);
    expect(Array.from(snapshot(segment))).toEqual([4, 3, 2, 1, 1, 2, 3, 4, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(segment.getShort(0)).toBe(0x0304);
    expect(segment.getShortBigEndian(0)).toBe(0x0403);
    expect(segment.getChar(4)).toBe(0x0201);
    expect(segment.getLongBigEndian(8)).toBe(0x0807060504030201n);
    segment.free();
  });

  describe.each(KINDS)('$name segment', (kind) => {
    let segment: MemorySegment;
    beforeAll(() => {
      segment = kind.make(rt);
    });
    afterAll(() => segment.free());

    it.each(ACCESSORS.map((a) => [a.label, a] as const))('%s: put writes the bytes DataView writes, get reads them back', (_, a) => {
      const fresh = randomBytes(a.width * 1000 + a.label.length);
      for (const value of VALUES[a.type]) {
        for (const pos of positions(segment, a.width)) {
          // Random surroundings, so a write of the wrong width or at the wrong place shows.
          load(segment, fresh(segment.size));
          const expected = new Uint8Array(snapshot(segment));
          a.write(new DataView(expected.buffer), pos, value);
          a.put(segment, pos, value);
          expectBytes(snapshot(segment), expected, `${a.putName}(${pos}, ${String(value)})`);
          const oracle = a.read(new DataView(expected.buffer), pos);
          expect(Object.is(a.get(segment, pos), oracle), `${a.getName}(${pos}) after put ${String(value)}`).toBe(true);
        }
      }
    });

    it.each(ACCESSORS.map((a) => [a.label, a] as const))('%s: get reads what DataView wrote into the segment', (_, a) => {
      const fresh = randomBytes(a.width * 7 + 3);
      const view = viewOf(segment);
      for (let round = 0; round < 40; round++) {
        load(segment, fresh(segment.size));
        for (const pos of positions(segment, a.width)) {
          let expected: unknown;
          try {
            expected = a.read(view, pos);
          } catch {
            continue; // a long beyond 2^53 as a number: covered by its own test
          }
          const bytes = segment.wrap(pos, a.width).join(',');
          expect(Object.is(a.get(segment, pos), expected), `${a.getName}(${pos}) of bytes ${bytes}`).toBe(true);
          expect(segment.wrap(pos, a.width).join(','), 'a get must not write').toBe(bytes);
        }
      }
    });

    it.each(ACCESSORS.filter((a) => READ_BACK[a.type] !== undefined).map((a) => [a.label, a] as const))(
      '%s: out-of-range numbers are stored modulo the width, as DataView stores them',
      (_, a) => {
        for (const [value, readBack] of READ_BACK[a.type]!) {
          a.put(segment, 2, value);
          expect(a.get(segment, 2), `${a.putName}(2, ${String(value)})`).toStrictEqual(readBack);
        }
      },
    );

    it('putBoolean writes 1 and 0; getBoolean is true for every non-zero byte', () => {
      segment.fill(0x5a);
      segment.putBoolean(3, true);
      segment.putBoolean(4, false);
      expect([segment.get(2), segment.get(3), segment.get(4), segment.get(5)]).toEqual([0x5a, 1, 0, 0x5a]);
      for (let byte = 0; byte < 256; byte++) {
        segment.put(7, byte);
        expect(segment.getBoolean(7)).toBe(byte !== 0);
      }
    });

    it('get and put move every unsigned byte value', () => {
      for (let byte = 0; byte < 256; byte++) {
        segment.put(segment.size - 1, byte);
        expect(segment.get(segment.size - 1)).toBe(byte);
        expect(segment.wrap(segment.size - 1, 1)[0]).toBe(byte);
      }
    });

    it.each(ORDERS.map((o) => [o || 'native', o] as const))('NaN payloads read back as NaN without changing the bytes (%s order)', (_, order) => {
      const le = order !== 'BigEndian';
      const view = viewOf(segment);
      for (const bits of [0x7fc00000, 0x7fa00001, 0xffffffff, 0x7f800001]) {
        view.setUint32(4, bits, le);
        expect(Object.is(call(segment, `getFloat${order}`, 4), NaN)).toBe(true);
        expect(view.getUint32(4, le)).toBe(bits);
      }
      for (const bits of [0x7ff8000000000000n, 0x7ff0000000000001n, 0xfff4000000abcdefn, 0xffffffffffffffffn]) {
        view.setBigUint64(8, bits, le);
        expect(Object.is(call(segment, `getDouble${order}`, 8), NaN)).toBe(true);
        expect(view.getBigUint64(8, le)).toBe(bits);
      }
    });

    it.each(ORDERS.map((o) => [o || 'native', o] as const))('getLongNumber is exact to ±(2^53 - 1) and throws ERR_VALUE_OUT_OF_RANGE beyond (%s order)', (_, order) => {
      const fits = [0n, 1n, -1n, 2n ** 53n - 1n, -(2n ** 53n - 1n), 2n ** 32n, -(2n ** 32n), 2n ** 52n + 1n];
      // High halves of 2^21 - 1, -2^21 + 1 and -2^21 (the last safe only with a low half above 0).
      fits.push(2n ** 53n - 2n ** 32n, -(2n ** 53n) + 2n ** 32n, -(2n ** 53n) + 2n ** 32n - 1n, -(2n ** 53n) + 2n);
      for (const value of fits) {
        call(segment, `putLong${order}`, 16, value);
        expect(call(segment, `getLongNumber${order}`, 16)).toBe(Number(value));
      }
      const beyond = [2n ** 53n, -(2n ** 53n), 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 62n];
      for (const value of beyond) {
        call(segment, `putLong${order}`, 16, value);
        const before = snapshot(segment);
        const err = expectCode(lib, () => call(segment, `getLongNumber${order}`, 16), 'ERR_VALUE_OUT_OF_RANGE');
        expect(err).toBeInstanceOf(RangeError);
        expectBytes(snapshot(segment), before);
      }
    });

    it.each(ORDERS.map((o) => [o || 'native', o] as const))('putLongNumber rejects unsafe and fractional numbers with ERR_VALUE_OUT_OF_RANGE, writing nothing (%s order)', (_, order) => {
      load(segment, randomBytes(99)(segment.size));
      const before = snapshot(segment);
      for (const value of [2 ** 53, -(2 ** 53), 2 ** 63, 1.5, -0.5, NaN, Infinity, -Infinity, Number.MAX_VALUE]) {
        const err = expectCode(lib, () => call(segment, `putLongNumber${order}`, 16, value), 'ERR_VALUE_OUT_OF_RANGE');
        expect(err).toBeInstanceOf(RangeError);
        expect(err.message).toContain(String(value));
        expectBytes(snapshot(segment), before);
      }
    });

    it.each(ORDERS.map((o) => [o || 'native', o] as const))('putLongNumber refuses a non-number with ERR_INVALID_ARGUMENT without calling its valueOf (%s order)', (_, order) => {
      let calls = 0;
      const sneaky = { valueOf: () => ++calls };
      for (const value of [sneaky, '5', 5n, Symbol('x'), null]) {
        expectCode(lib, () => call(segment, `putLongNumber${order}`, 16, value), 'ERR_INVALID_ARGUMENT');
      }
      expect(calls).toBe(0);
    });

    it.each(ORDERS.map((o) => [o || 'native', o] as const))('putLongNumber and putLong write the same bytes for safe integers (%s order)', (_, order) => {
      for (const value of VALUES.LongNumber) {
        call(segment, `putLongNumber${order}`, 8, value);
        expect(call(segment, `getLong${order}`, 8)).toBe(BigInt(value as number));
        call(segment, `putLong${order}`, 24, BigInt(value as number));
        expect(segment.wrap(24, 8)).toEqual(segment.wrap(8, 8));
      }
    });

    it.each(ORDERS.map((o) => [o || 'native', o] as const))('putLong of a number is ERR_INVALID_ARGUMENT and writes nothing (%s order)', (_, order) => {
      load(segment, randomBytes(5)(segment.size));
      const before = snapshot(segment);
      for (const value of [5, 0, 2 ** 53, '5']) {
        const err = expectCode(lib, () => call(segment, `putLong${order}`, 0, value), 'ERR_INVALID_ARGUMENT');
        expect(err).toBeInstanceOf(TypeError);
      }
      expectBytes(snapshot(segment), before);
    });

    it('the three orders of one type read the same bytes consistently', () => {
      const view = viewOf(segment);
      for (const value of [0x12345678, -2, 0x7f00ff01]) {
        segment.putIntBigEndian(12, value);
        expect(view.getInt32(12, false)).toBe(value);
        expect(segment.getIntLittleEndian(12)).toBe(view.getInt32(12, true));
        expect(segment.getInt(12)).toBe(view.getInt32(12, true));
        segment.putIntLittleEndian(12, value);
        expect(segment.getInt(12)).toBe(value);
        expect(segment.getIntBigEndian(12)).toBe(view.getInt32(12, false));
      }
    });
  });
});
