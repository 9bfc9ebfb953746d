// Paged views and record serializers: every field type across page
// boundaries, random access, EOF, budgets and bad input, on both builds.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { expectCode } from './oracle.js';
import type { Runtime } from '../src/index.js';

const PAGE = 4096;
const SMALL = { managedMemory: 64 * PAGE, networkMemory: 0, offHeapMemory: '64kb', pageSize: PAGE } as const;

const ALL_TYPES = {
  i: 'int',
  l: 'long',
  b: 'bigint',
  d: 'double',
  t: 'boolean',
  s: 'string',
  v: 'bytes',
  f: { type: 'bytes', length: 5 },
  ni: { type: 'int', nullable: true },
  ns: { type: 'string', nullable: true },
} as const;

function sample(k: number) {
  return {
    i: -2147483648 + k,
    l: Number.MAX_SAFE_INTEGER - k,
    b: -(2n ** 63n) + BigInt(k),
    d: k % 2 ? -0 : Math.PI * k,
    t: k % 3 === 0,
    s: `héllo ✓ 𝄞 ${k}`,
    v: new Uint8Array([k & 255, 1, 2]),
    f: new Uint8Array([9, 8, 7, 6, k & 255]),
    ni: k % 2 ? null : k,
    ns: k % 2 ? `x${k}` : null,
  };
}

describe.each(builds)('$name build: paged views and serializers', ({ init, lib }) => {
  let rt: Runtime;
  beforeEach(async () => {
    rt = await init(SMALL);
  });
  afterEach(() => rt.close());

  const output = (maxPages?: number) => new lib.DataOutputView(new lib.ManagerPageSource(rt.memoryManager, 'views', maxPages));

  it('round-trips every field type, with a record starting at the last byte of a page', () => {
    const ser = new lib.RecordSerializer(ALL_TYPES);
    const out = output();
    for (let i = 0; i < PAGE - 1; i++) out.writeByte(i);
    expect(out.position).toBe(PAGE - 1);
    const starts: number[] = [];
    for (let k = 0; k < 300; k++) {
      starts.push(out.position);
      ser.write(out, sample(k));
    }
    expect(out.pageList.length).toBeGreaterThan(2);
    const input = out.toInputView();
    input.seek(PAGE - 1);
    for (let k = 0; k < 300; k++) {
      expect(input.position).toBe(starts[k]);
      const r = ser.read(input);
      expect(r).toEqual(sample(k));
      expect(Object.is(r.d, sample(k).d)).toBe(true);
    }
    expect(input.remaining).toBe(0);
    expectCode(lib, () => ser.read(input), 'ERR_EOF');
    rt.memoryManager.releaseAll('views');
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('reads a string spanning three pages, by flat position and by (page, offset)', () => {
    const out = output();
    out.writeInt(7);
    const text = 'añ€𝄞'.repeat(Math.ceil((2.5 * PAGE) / 10));
    out.writeString(text);
    out.writeInt(-7);
    expect(out.pageList.length).toBe(3);
    const input = out.toInputView();
    input.seekTo(0, 4);
    expect(input.readString()).toBe(text);
    expect(input.readInt()).toBe(-7);
    input.seek(0);
    expect(input.readInt()).toBe(7);
    input.seekTo(0, 0);
    expect(input.readInt()).toBe(7);
  });

  it('reads multi-byte values big-endian across a boundary, like a segment', () => {
    const out = output();
    for (let i = 0; i < PAGE - 3; i++) out.writeByte(0);
    out.writeLong(0x0102030405060708n);
    out.writeDouble(-1.5);
    out.writeShort(-2);
    out.writeFloat(0.25);
    out.writeLongNumber(-(2 ** 40));
    const [p0, p1] = out.pageList;
    expect([p0!.get(PAGE - 3), p0!.get(PAGE - 1), p1!.get(0), p1!.get(4)]).toEqual([1, 3, 4, 8]);
    const input = out.toInputView();
    input.seek(PAGE - 3);
    expect(input.readLong()).toBe(0x0102030405060708n);
    expect(input.readDouble()).toBe(-1.5);
    expect(input.readShort()).toBe(-2);
    expect(input.readFloat()).toBe(0.25);
    expect(input.readLongNumber()).toBe(-(2 ** 40));
  });

  it('throws ERR_EOF past the end and leaves the position where it was', () => {
    const out = output();
    out.writeInt(1);
    out.writeByte(2);
    const input = out.toInputView();
    input.readInt();
    for (const read of [() => input.readInt(), () => input.readLong(), () => input.readDouble(), () => input.readBytes(new Uint8Array(2)), () => input.readString(), () => input.skipBytes(2)]) {
      expect(expectCode(lib, read, 'ERR_EOF').message).toContain('position 4');
      expect(input.position).toBe(4);
    }
    expect(input.readUnsignedByte()).toBe(2);
    expectCode(lib, () => input.readBoolean(), 'ERR_EOF');
    expect(() => input.seek(6)).toThrow(/limit 5/);
  });

  it('takes pages from the source as needed and fails with the manager error when the limit is reached, discarding the half-written record', () => {
    const ser = new lib.RecordSerializer({ id: 'int', s: 'string' });
    const out = output(2);
    let written = 0;
    let err: unknown;
    try {
      for (;;) {
        ser.write(out, { id: written, s: 'x'.repeat(100) });
        written++;
      }
    } catch (e) {
      err = e;
    }
    expect((err as { code: string }).code).toBe('ERR_MEMORY_ALLOCATION');
    expect(out.pageList.length).toBe(2);
    expect(out.position).toBe(written * 105);
    const input = out.toInputView();
    for (let k = 0; k < written; k++) expect(ser.read(input)).toEqual({ id: k, s: 'x'.repeat(100) });
    expectCode(lib, () => ser.read(input), 'ERR_EOF');
    // The bytes the cut record had taken are free again.
    out.writeBytes(new Uint8Array(2 * PAGE - written * 105));
    expect(out.position).toBe(2 * PAGE);
  });

  it('fails with the manager budget error when the manager runs out', () => {
    const hog = rt.memoryManager.allocatePages('hog', 63);
    const out = output();
    out.writeBytes(new Uint8Array(PAGE));
    expectCode(lib, () => out.writeInt(1), 'ERR_MEMORY_ALLOCATION');
    expect(out.position).toBe(PAGE);
    rt.memoryManager.release(hog);
    out.writeInt(1);
    expect(out.position).toBe(PAGE + 4);
  });

  it('writes into a list of segments and stops at its end', () => {
    const segs = [rt.segments.allocateUnpooledSegment(64), rt.segments.allocateUnpooledSegment(64)];
    const out = new lib.DataOutputView(new lib.ListPageSource(segs));
    out.writeBytes(new Uint8Array(126));
    out.writeShort(0x0102);
    expectCode(lib, () => out.writeByte(0), 'ERR_MEMORY_ALLOCATION');
    const input = new lib.DataInputView(segs, 128);
    input.seek(126);
    expect(input.readShort()).toBe(0x0102);
    expectCode(lib, () => new lib.ListPageSource([segs[0]!, rt.segments.allocateUnpooledSegment(32)]), 'ERR_INVALID_ARGUMENT');
  });

  it('refuses records that do not match the type, writing nothing', () => {
    const ser = new lib.RecordSerializer(ALL_TYPES);
    const out = output();
    ser.write(out, sample(1));
    const before = out.position;
    const bad: [Record<string, unknown>, string, string][] = [
      [{ i: 2 ** 31 }, 'ERR_VALUE_OUT_OF_RANGE', '2147483648'],
      [{ i: 1.5 }, 'ERR_VALUE_OUT_OF_RANGE', '1.5'],
      [{ i: Number.NaN }, 'ERR_VALUE_OUT_OF_RANGE', 'NaN'],
      [{ i: 1n }, 'ERR_INVALID_ARGUMENT', '1n'],
      [{ i: Symbol('x') }, 'ERR_INVALID_ARGUMENT', 'Symbol(x)'],
      [{ l: 2 ** 53 }, 'ERR_VALUE_OUT_OF_RANGE', '9007199254740992'],
      [{ b: 2n ** 63n }, 'ERR_VALUE_OUT_OF_RANGE', '2^63'],
      [{ b: 1 }, 'ERR_INVALID_ARGUMENT', 'bigint'],
      [{ d: '1' }, 'ERR_INVALID_ARGUMENT', "'1'"],
      [{ t: 1 }, 'ERR_INVALID_ARGUMENT', 'true or false'],
      [{ s: 'a\ud800b' }, 'ERR_INVALID_ARGUMENT', 'lone surrogate 0xd800 at index 1'],
      [{ s: undefined }, 'ERR_INVALID_ARGUMENT', 'not nullable'],
      [{ v: [1, 2] }, 'ERR_INVALID_ARGUMENT', 'Uint8Array'],
      [{ f: new Uint8Array(4) }, 'ERR_INVALID_ARGUMENT', '5 bytes'],
      [{ ns: 5 }, 'ERR_INVALID_ARGUMENT', "field 'ns'"],
    ];
    for (const [patch, code, mention] of bad) {
      const err = expectCode(lib, () => ser.write(out, { ...sample(2), ...patch } as never), code);
      expect(err.message).toContain(mention);
      expect(out.position).toBe(before);
    }
    expectCode(lib, () => ser.write(out, null as never), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => out.writeString('\udc00'), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => out.writeInt(3n as never), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => out.writeLong(3 as never), 'ERR_INVALID_ARGUMENT');
    expect(out.position).toBe(before);
    expect(ser.read(out.toInputView())).toEqual(sample(1));
  });

  it('refuses a view that is not one, and a bulk range that is not numbers, with typed errors naming the value', () => {
    const ser = new lib.RecordSerializer(ALL_TYPES);
    const out = output();
    ser.write(out, sample(1));
    const before = out.position;
    for (const [value, shown] of [[null, 'null'], [{}, 'object'], [out.toInputView(), 'DataInputView'], [1n, '1n'], [Symbol('v'), 'Symbol(v)']] as [unknown, string][]) {
      const err = expectCode(lib, () => ser.write(value as never, sample(2)), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toContain('expected a DataOutputView');
      expect(err.message).toContain(shown);
    }
    expect(out.position).toBe(before);
    for (const read of [(v: never) => ser.read(v), (v: never) => ser.readField(v, 'i'), (v: never) => ser.skip(v)]) {
      for (const value of [undefined, out, 7, Symbol('r')]) expect(expectCode(lib, () => read(value as never), 'ERR_INVALID_ARGUMENT').message).toContain('expected a DataInputView');
    }
    const input = out.toInputView();
    for (const offset of [1n, Symbol('o'), '1', -1, 0.5]) {
      expectCode(lib, () => out.writeBytes(new Uint8Array(4), offset as never), 'ERR_SEGMENT_OUT_OF_BOUNDS');
      expectCode(lib, () => input.readBytes(new Uint8Array(4), offset as never), 'ERR_SEGMENT_OUT_OF_BOUNDS');
      expectCode(lib, () => out.writeBytes(new Uint8Array(4), 0, offset as never), 'ERR_SEGMENT_OUT_OF_BOUNDS');
      expectCode(lib, () => input.readBytes(new Uint8Array(4), 0, offset as never), 'ERR_SEGMENT_OUT_OF_BOUNDS');
    }
    expect(out.position).toBe(before);
    expect(input.position).toBe(0);
    expect(ser.read(input)).toEqual(sample(1));
  });

  it('refuses malformed type descriptions', () => {
    for (const type of [{}, { a: 'float' }, { a: { type: 'int', length: 3 } }, { a: { type: 'bytes', length: -1 } }, { a: { type: 'int', nullable: 1 } }, null]) {
      expectCode(lib, () => new lib.RecordSerializer(type as never), 'ERR_INVALID_ARGUMENT');
    }
  });

  it('reads one field without materialising the record, and skips records', () => {
    const ser = new lib.RecordSerializer(ALL_TYPES);
    const out = output();
    for (let k = 0; k < 50; k++) ser.write(out, sample(k));
    const input = out.toInputView();
    for (let k = 0; k < 50; k++) {
      if (k % 3 === 0) ser.skip(input);
      else expect(ser.readField(input, k % 2 ? 'ns' : 's')).toEqual(sample(k)[k % 2 ? 'ns' : 's']);
    }
    expect(input.remaining).toBe(0);
    expectCode(lib, () => ser.readField(input, 'nope' as never), 'ERR_INVALID_ARGUMENT');
  });

  it('refuses to write to or read from a page freed underneath the view', () => {
    const out = output();
    out.writeInt(1);
    const input = out.toInputView();
    rt.memoryManager.releaseAll('views');
    expectCode(lib, () => out.writeInt(2), 'ERR_SEGMENT_FREED');
    expectCode(lib, () => input.readInt(), 'ERR_SEGMENT_FREED');
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
  });

  it('reads any bytes as a string the way TextDecoder does: malformed UTF-8 becomes U+FFFD, never an exception (property)', () => {
    // Bytes biased to sequence starts and continuations, so overlong forms, surrogates, values above U+10FFFF and
    // truncated sequences all occur; lengths on both sides of the short-string path (48 bytes).
    const byteArb = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xff }));
    const decoder = new TextDecoder();
    fc.assert(
      fc.property(fc.array(byteArb, { maxLength: 70 }), fc.nat({ max: 8 }), (bytes, pad) => {
        const out = output();
        out.writeBytes(new Uint8Array(pad));
        out.writeVarUint(bytes.length);
        out.writeBytes(Uint8Array.from(bytes));
        const input = out.toInputView();
        input.seek(pad);
        expect(input.readString()).toBe(decoder.decode(Uint8Array.from(bytes)));
        expect(input.remaining).toBe(0);
        rt.memoryManager.releaseAll('views');
      }),
      { numRuns: 400 },
    );
    // Known answers: a lone continuation, an overlong NUL, an encoded surrogate, U+110000, and well-formed 2-4 byte forms.
    const known: [number[], string][] = [
      [[0xc3, 0x41], '\ufffdA'],
      [[0xe0, 0x80, 0x80], '\ufffd\ufffd\ufffd'],
      [[0xed, 0xa0, 0x80], '\ufffd\ufffd\ufffd'],
      [[0xf4, 0x90, 0x80, 0x80], '\ufffd\ufffd\ufffd\ufffd'],
      [[0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9d, 0x84, 0x9e], 'é€𝄞'],
    ];
    for (const [bytes, text] of known) {
      const out = output();
      out.writeVarUint(bytes.length);
      out.writeBytes(Uint8Array.from(bytes));
      expect(out.toInputView().readString()).toBe(text);
      rt.memoryManager.releaseAll('views');
    }
  });

  it('round-trips random records of random types across pages (property)', () => {
    const fieldArb = fc.constantFrom('int', 'long', 'bigint', 'double', 'boolean', 'string', 'bytes');
    const valueOf = (t: string): fc.Arbitrary<unknown> =>
      ({
        int: fc.integer(),
        long: fc.maxSafeInteger(),
        bigint: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        double: fc.double(),
        boolean: fc.boolean(),
        string: fc.string({ unit: 'grapheme', maxLength: 300 }),
        bytes: fc.uint8Array({ maxLength: 300 }),
      })[t]!;
    const caseArb = fc
      .array(fc.tuple(fieldArb, fc.boolean()), { minLength: 1, maxLength: 6 })
      .chain((fields) => {
        const type = Object.fromEntries(fields.map(([t, n], i) => [`f${i}`, n ? { type: t, nullable: true } : t]));
        const rec = fc.record(Object.fromEntries(fields.map(([t, n], i) => [`f${i}`, n ? fc.option(valueOf(t), { nil: null }) : valueOf(t)])));
        return fc.tuple(fc.constant(type), fc.array(rec, { maxLength: 40 }), fc.nat({ max: PAGE }));
      });
    fc.assert(
      fc.property(caseArb, ([type, records, pad]) => {
        const ser = new lib.RecordSerializer(type as never);
        const out = output();
        out.writeBytes(new Uint8Array(pad));
        for (const r of records) ser.write(out, r as never);
        const input = out.toInputView();
        input.seek(pad);
        for (const r of records) expect(ser.read(input)).toEqual(r);
        expect(input.remaining).toBe(0);
        rt.memoryManager.releaseAll('views');
      }),
      { numRuns: 60 },
    );
  });
});

describe.each(builds)('$name build: overwriting in place', ({ init, lib }) => {
  it('seeks back to overwrite fixed-size records and keeps the size of the data', async () => {
    const rt = await init(SMALL);
    try {
      const ser = new lib.RecordSerializer({ i: 'int', s: 'string' });
      const out = new lib.DataOutputView(new lib.ManagerPageSource(rt.memoryManager, 'seek'));
      for (let k = 0; k < 1000; k++) ser.write(out, { i: k, s: 'abcdefgh' });
      const size = out.size;
      expect(size).toBe(13000);
      for (const k of [0, 315, 999]) {
        out.seek(k * 13);
        ser.write(out, { i: -k, s: 'ABCDEFGH' });
      }
      expect(out.size).toBe(size);
      const input = out.toInputView();
      for (let k = 0; k < 1000; k++) expect(ser.read(input)).toEqual([0, 315, 999].includes(k) ? { i: 0 - k, s: 'ABCDEFGH' } : { i: k, s: 'abcdefgh' });
      expectCode(lib, () => out.seek(size + 1), 'ERR_SEGMENT_OUT_OF_BOUNDS');
      out.seek(size);
      ser.write(out, { i: 1, s: '' });
      expect(out.size).toBe(size + 5);
    } finally {
      rt.close();
    }
  });
});

describe.each(builds)('$name build: values the source cannot hold', ({ init, lib }) => {
  it('are refused whole, leaving the bytes and the position as they were', async () => {
    const rt = await init(SMALL);
    try {
      const page = rt.segments.allocateUnpooledSegment(64);
      page.fill(0xee);
      const out = new lib.DataOutputView(new lib.ListPageSource([page]));
      out.writeBytes(new Uint8Array(61));
      const writes: [string, () => void][] = [
        ['int', () => out.writeInt(-1)],
        ['long', () => out.writeLong(-1n)],
        ['double', () => out.writeDouble(1)],
        ['bytes', () => out.writeBytes(new Uint8Array(4).fill(1))],
        ['string', () => out.writeString('abc')],
        ['varint', () => out.writeVarUint(2 ** 31)],
      ];
      for (const [what, write] of writes) {
        expectCode(lib, write, 'ERR_MEMORY_ALLOCATION');
        expect(out.position, what).toBe(61);
        expect([page.get(61), page.get(62), page.get(63)], what).toEqual([0xee, 0xee, 0xee]);
      }
      out.writeString('ab');
      expect(out.position).toBe(64);
    } finally {
      rt.close();
    }
  });
});
