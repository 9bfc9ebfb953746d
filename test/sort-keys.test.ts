// Normalized keys: for random pairs of values of every key type, the unsigned
// byte order of the prefixes agrees with the values' order, on both builds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { expectCode } from './oracle.js';
import { byteOrder, oracle } from './sort-oracle.js';

const INT32 = fc.oneof(fc.integer(), fc.constantFrom(-2147483648, 2147483647, 0, -1, 1));
const LONG = fc.oneof(fc.maxSafeInteger(), fc.constantFrom(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 0, -1, 2 ** 32, -(2 ** 32)));
const BIGINT = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n));
const DOUBLE = fc.oneof(fc.double(), fc.constantFrom(-0, 0, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE));
const STRING = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
  fc.constantFrom('', '\0', 'a', 'a\0', '\uffff', '\u{10000}', '\ue000', 'é', 'z'),
);
const BYTES = fc.uint8Array({ maxLength: 12 });
const FIXED = fc.uint8Array({ minLength: 3, maxLength: 3 });

const TYPES: [string, unknown, fc.Arbitrary<unknown>][] = [
  ['int', 'int', INT32],
  ['long', 'long', LONG],
  ['bigint', 'bigint', BIGINT],
  ['double', 'double', DOUBLE],
  ['boolean', 'boolean', fc.boolean()],
  ['string', 'string', STRING],
  ['bytes', 'bytes', BYTES],
  ['fixed', { type: 'bytes', length: 3 }, FIXED],
];

describe.each(builds)('$name build: normalized keys', ({ lib }) => {
  for (const [name, spec, arb] of TYPES) {
    for (const nullable of [false, true]) {
      for (const order of ['asc', 'desc'] as const) {
        it(`${name}${nullable ? ' (nullable)' : ''} ${order}: prefix byte order agrees with value order`, () => {
          const fieldSpec = nullable ? { ...(typeof spec === 'string' ? { type: spec } : (spec as object)), nullable: true } : spec;
          const ser = new lib.RecordSerializer({ k: fieldSpec } as never);
          const keys = new lib.NormalizedKeys(ser, { field: 'k', order, ...(name === 'string' || name === 'bytes' ? { prefix: 4 } : {}) });
          const value = nullable ? fc.option(arb, { nil: null, freq: 4 }) : arb;
          fc.assert(
            fc.property(value, value, (a, b) => {
              const o = oracle(name, a, b);
              const want = order === 'desc' ? 0 - o : o;
              const got = byteOrder(keys.normalize({ k: a }), keys.normalize({ k: b }));
              expect(keys.compareRecords({ k: a }, { k: b })).toBe(want);
              if (got !== 0) expect(got).toBe(want);
              else if (keys.fullyDetermined) expect(want).toBe(0);
            }),
            { numRuns: 300 },
          );
        });
      }
    }
  }

  it('places -0, +0, NaN, ±Infinity and integer extremes deterministically', () => {
    const ser = new lib.RecordSerializer({ d: 'double', i: 'int', b: 'bigint' });
    const dk = new lib.NormalizedKeys(ser, 'd');
    const order = [-Infinity, -Number.MAX_VALUE, -1, -Number.MIN_VALUE, -0, 0, Number.MIN_VALUE, 1, Infinity, Number.NaN];
    const rec = (d: number) => ({ d, i: 0, b: 0n });
    for (let i = 1; i < order.length; i++) expect(byteOrder(dk.normalize(rec(order[i - 1]!)), dk.normalize(rec(order[i]!)))).toBe(-1);
    // Every NaN is the same key.
    const otherNaN = new Float64Array(new BigUint64Array([0xfff0000000000001n]).buffer)[0]!;
    expect(Array.from(dk.normalize(rec(otherNaN)))).toEqual(Array.from(dk.normalize(rec(Number.NaN))));
    const ik = new lib.NormalizedKeys(ser, 'i');
    expect(Array.from(ik.normalize({ d: 0, i: -2147483648, b: 0n }))).toEqual([0, 0, 0, 0]);
    expect(Array.from(ik.normalize({ d: 0, i: 2147483647, b: 0n }))).toEqual([255, 255, 255, 255]);
    const bk = new lib.NormalizedKeys(ser, 'b');
    expect(Array.from(bk.normalize({ d: 0, i: 0, b: -(2n ** 63n) }))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('orders several key fields, stopping the prefix after a string', () => {
    const ser = new lib.RecordSerializer({ a: 'int', s: 'string', b: 'double' });
    const keys = new lib.NormalizedKeys(ser, [{ field: 'a', order: 'desc' }, 's', 'b']);
    expect(keys.keyBytes).toBe(12);
    expect(keys.fullyDetermined).toBe(false);
    expect(keys.keys.map((k) => k.width)).toEqual([4, 8, 0]);
    const r = fc.record({ a: INT32, s: STRING, b: DOUBLE });
    fc.assert(
      fc.property(r, r, (x, y) => {
        const want = -oracle('int', x.a, y.a) || oracle('string', x.s, y.s) || oracle('double', x.b, y.b);
        expect(keys.compareRecords(x, y)).toBe(want);
        const got = byteOrder(keys.normalize(x), keys.normalize(y));
        if (got !== 0) expect(got).toBe(want);
      }),
      { numRuns: 300 },
    );
    const fixed = new lib.NormalizedKeys(new lib.RecordSerializer({ a: 'int', l: 'long', t: 'boolean' }), ['a', 'l', 't']);
    expect([fixed.keyBytes, fixed.fullyDetermined]).toEqual([13, true]);
    const cut = new lib.NormalizedKeys(new lib.RecordSerializer({ a: 'int', l: 'long' }), ['a', 'l'], 6);
    expect([cut.keyBytes, cut.fullyDetermined]).toEqual([6, false]);
  });

  it('refuses bad key specs and bad values with stable codes', () => {
    const ser = new lib.RecordSerializer({ a: 'int', s: 'string' });
    for (const key of ['x', [], ['a', 'a'], { field: 'a', order: 'up' }, { field: 'a', prefix: 4 }, { field: 's', prefix: 0 }, { field: 's', prefix: 29 }, 5]) {
      expectCode(lib, () => new lib.NormalizedKeys(ser, key as never), 'ERR_INVALID_ARGUMENT');
    }
    expectCode(lib, () => new lib.NormalizedKeys(ser, 'a', 0), 'ERR_INVALID_ARGUMENT');
    const keys = new lib.NormalizedKeys(ser, 'a');
    expectCode(lib, () => keys.normalize({ a: Number.NaN, s: '' }), 'ERR_VALUE_OUT_OF_RANGE');
    expectCode(lib, () => keys.normalize({ a: 1n, s: '' } as never), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => keys.normalize({ a: 1, s: '\ud800' }), 'ERR_INVALID_ARGUMENT');
  });
});
