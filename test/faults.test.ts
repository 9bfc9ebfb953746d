// Inputs an attacker would try, and failures in the middle of an operation:
// every one is a typed SegmemError with a stable code, and a failed call
// leaves pages, budget and handles as they were.
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { expectCode, SMALL_RUNTIME, thrown } from './oracle.js';
import type { MemorySegment } from '../src/index.js';

const PAGE = 4096;
const STRANGE = [1n, Symbol('index')] as const;

/** Every segment method with a numeric parameter: how to call it with `bad` in each position. */
function numericCalls(segment: MemorySegment, other: MemorySegment, bad: unknown): [string, () => unknown][] {
  const s = segment as unknown as Record<string, (...args: unknown[]) => unknown>;
  const calls: [string, () => unknown][] = [];
  const getters = ['get', 'getBoolean'];
  const putters = ['put'];
  for (const type of ['Char', 'Short', 'Int', 'Float', 'Double', 'Long', 'LongNumber']) {
    for (const order of ['', 'LittleEndian', 'BigEndian']) {
      getters.push(`get${type}${order}`);
      putters.push(`put${type}${order}`);
    }
  }
  for (const name of getters) calls.push([`${name}(bad)`, () => s[name]!.call(segment, bad)]);
  for (const name of putters) {
    const good = name.startsWith('putLong') && !name.startsWith('putLongNumber') ? 1n : 1;
    calls.push([`${name}(bad, v)`, () => s[name]!.call(segment, bad, good)]);
    // A bigint is the right value for putLong*; every other setter must refuse a bigint or a Symbol value.
    if (!(good === 1n && typeof bad === 'bigint')) calls.push([`${name}(0, bad)`, () => s[name]!.call(segment, 0, bad)]);
  }
  calls.push(['putBoolean(bad, true)', () => segment.putBoolean(bad as number, true)]);
  const bytes = new Uint8Array(16);
  for (const [name, fn] of [
    ['getBytes', (a: unknown[]) => segment.getBytes(...(a as [number, Uint8Array, number, number]))],
    ['putBytes', (a: unknown[]) => segment.putBytes(...(a as [number, Uint8Array, number, number]))],
  ] as const) {
    calls.push([`${name}(bad, ...)`, () => fn([bad, bytes, 0, 4])]);
    calls.push([`${name}(0, a, bad, 4)`, () => fn([0, bytes, bad, 4])]);
    calls.push([`${name}(0, a, 0, bad)`, () => fn([0, bytes, 0, bad])]);
    calls.push([`${name}(0, a, bad)`, () => fn([0, bytes, bad])]);
  }
  calls.push(['fill(bad)', () => segment.fill(bad as number)]);
  calls.push(['fill(1, bad)', () => segment.fill(1, bad as number)]);
  calls.push(['fill(1, 0, bad)', () => segment.fill(1, 0, bad as number)]);
  calls.push(['wrap(bad, 4)', () => segment.wrap(bad as number, 4)]);
  calls.push(['wrap(0, bad)', () => segment.wrap(0, bad as number)]);
  calls.push(['byteSwap(bad, 8, 4)', () => segment.byteSwap(bad as number, 8, 4)]);
  calls.push(['byteSwap(0, bad, 4)', () => segment.byteSwap(0, bad as number, 4)]);
  calls.push(['byteSwap(0, 8, bad)', () => segment.byteSwap(0, 8, bad as 4)]);
  const pair = (label: string, f: (a: number, b: number, c: number) => unknown) => {
    calls.push([`${label}(bad, 0, 4)`, () => f(bad as number, 0, 4)]);
    calls.push([`${label}(0, bad, 4)`, () => f(0, bad as number, 4)]);
    calls.push([`${label}(0, 0, bad)`, () => f(0, 0, bad as number)]);
  };
  pair('copyTo', (a, b, c) => segment.copyTo(a, other, b, c));
  pair('compare', (a, b, c) => segment.compare(other, a, b, c));
  pair('equalTo', (a, b, c) => segment.equalTo(other, a, b, c));
  pair('swapBytes', (a, b, c) => segment.swapBytes(new Uint8Array(16), other, a, b, c));
  calls.push(['compare(other, 0, 0, 4, bad)', () => segment.compare(other, 0, 0, 4, bad as number)]);
  return calls;
}

describe.each(builds)('$name build', ({ init, lib, name }) => {
  describe('bigint and Symbol arguments', () => {
    it.each(STRANGE.map((v) => [typeof v, v] as const))('a %s anywhere a number goes is a SegmemError, and nothing changes', async (_, bad) => {
      const rt = await init(SMALL_RUNTIME);
      const [segment, other] = rt.memoryManager.allocatePages('probe', 2);
      for (const target of [segment!, rt.segments.allocateUnpooledSegment(PAGE)]) {
        target.fill(0x5a);
        for (const [label, call] of numericCalls(target, other!, bad)) {
          const err = thrown(call);
          expect(err, `${label}: ${String(err)}`).toBeInstanceOf(lib.SegmemError);
          expect(err.code, label).toMatch(/^ERR_(SEGMENT_OUT_OF_BOUNDS|INVALID_ARGUMENT)$/);
          expect(target.get(0), label).toBe(0x5a);
        }
      }
      rt.close();
    });

    it('names the type of a wrong count: a string is shown quoted', async () => {
      const rt = await init(SMALL_RUNTIME);
      const err = expectCode(lib, () => rt.memoryManager.allocatePages('o', '1' as unknown as number), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toContain("'1'");
      expect(expectCode(lib, () => rt.memoryManager.allocatePages('o', 2n as unknown as number), 'ERR_INVALID_ARGUMENT').message).toContain('2n');
      expect(expectCode(lib, () => rt.memoryManager.reserveMemory('o', Symbol('x') as unknown as number), 'ERR_INVALID_ARGUMENT').message).toContain(
        'Symbol(x)',
      );
      expect(expectCode(lib, () => rt.segments.allocateUnpooledSegment(1n as unknown as number), 'ERR_INVALID_ARGUMENT').message).toContain('1n');
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      rt.close();
    });
  });

  describe('options are checked before anything is reserved', () => {
    const wrong: [string, Record<string, unknown>][] = [
      ['onLeak', { onLeak: 'x' }],
      ['leakDetection', { leakDetection: 'no' }],
      ['leakDetection', { leakDetection: 0 }],
      ['zeroOnRelease', { zeroOnRelease: 'false' }],
      ['zeroOnRelease', { zeroOnRelease: 1 }],
    ];
    it.each(wrong)('%s of the wrong type: ERR_ILLEGAL_CONFIGURATION naming it', async (option, options) => {
      const err = await init({ ...SMALL_RUNTIME, ...options }).then(
        () => expect.fail('init accepted it'),
        (e: Error & { code?: string }) => e,
      );
      expect(err).toBeInstanceOf(lib.SegmemError);
      expect(err.code).toBe('ERR_ILLEGAL_CONFIGURATION');
      expect(err.message).toContain(option);
    });

    it('createMemoryManager without memorySize, or with null, is ERR_ILLEGAL_CONFIGURATION', async () => {
      for (const options of [{}, null, undefined, 'x']) {
        await expect(lib.createMemoryManager(options as never), String(options)).rejects.toMatchObject({ code: 'ERR_ILLEGAL_CONFIGURATION' });
      }
    });

    // The pure-JS build ignores the wasm option, so this one is the wasm build's alone.
    if (name === 'wasm') it('wasm bytes that are not a module are ERR_INVALID_ARGUMENT', async () => {
      for (const wasm of [new Uint8Array([1, 2, 3]), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]).buffer, 'wasm']) {
        const err = await init({ ...SMALL_RUNTIME, wasm: wasm as never }).then(
          () => expect.fail('init accepted it'),
          (e: Error & { code?: string }) => e,
        );
        expect(err).toBeInstanceOf(lib.SegmemError);
        expect(err.code).toBe('ERR_INVALID_ARGUMENT');
      }
    });
  });

  describe('release of arrays that cannot be emptied', () => {
    const kinds: [string, (pages: MemorySegment[]) => MemorySegment[]][] = [
      ['frozen', (pages) => Object.freeze(pages) as MemorySegment[]],
      ['sealed', (pages) => Object.seal(pages)],
      [
        'a proxy whose length cannot be set',
        (pages) =>
          new Proxy(pages, {
            set: () => {
              throw new Error('no');
            },
          }),
      ],
    ];
    it.each(kinds)('%s: refused with nothing released, nothing counted', async (_, wrap) => {
      const rt = await init(SMALL_RUNTIME);
      const mm = rt.memoryManager;
      const pages = mm.allocatePages('a', 3);
      const others = mm.allocatePages('b', 2);
      const before = mm.availableMemory;
      const err = expectCode(lib, () => mm.release(wrap(pages)), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toContain('nothing was released');
      expect(mm.availableMemory).toBe(before);
      expect(pages.every((p) => !p.isFreed())).toBe(true);
      pages.forEach((p) => p.putInt(0, 1));
      // The owners' counts are intact: releaseAll of one owner frees exactly its pages.
      mm.releaseAll('b');
      expect(others.every((p) => p.isFreed())).toBe(true);
      expect(pages.every((p) => !p.isFreed())).toBe(true);
      mm.releaseAll('a');
      expect(mm.verifyEmpty()).toBe(true);
      rt.close();
    });
  });

  it('a throwing Error.prepareStackTrace during leak detection leaves the table, budget and handles as they were', async () => {
    const rt = await init({ ...SMALL_RUNTIME, leakDetection: 'stack', onLeak: () => {} });
    const mm = rt.memoryManager;
    const held = mm.allocatePages('a', 2);
    const original = Error.prepareStackTrace;
    Error.prepareStackTrace = () => {
      throw new Error('trap');
    };
    let failed = false;
    try {
      mm.allocatePages('b', 3);
    } catch {
      failed = true;
    } finally {
      Error.prepareStackTrace = original;
    }
    // Engines that never call prepareStackTrace allocate; either way the accounting must add up.
    const inUse = (failed ? 2 : 5) * PAGE;
    expect(mm.availableMemory).toBe(mm.memorySize - inUse);
    mm.releaseAll('b');
    expect(held.every((p) => !p.isFreed())).toBe(true);
    mm.release(held);
    expect(mm.verifyEmpty()).toBe(true);
    expect(mm.allocatePages('c', mm.pageCount)).toHaveLength(mm.pageCount);
    rt.close();
  });

  describe('shared resources', () => {
    it('an initializer that asks for its own type again is refused, and the outer lease stays intact', async () => {
      const rt = await init(SMALL_RUNTIME);
      const mm = rt.memoryManager;
      let inner: unknown;
      const outer = mm.getSharedMemoryResourceForManagedMemory(
        'cache',
        (bytes) => {
          inner = thrown(() => mm.getSharedMemoryResourceForManagedMemory('cache', () => 'inner', 0.25));
          return { bytes };
        },
        0.25,
      );
      expect((inner as { code?: string }).code).toBe('ERR_INVALID_ARGUMENT');
      const again = mm.getSharedMemoryResourceForManagedMemory('cache', () => ({ bytes: -1 }), 0.25);
      expect(again.resource).toBe(outer.resource);
      expect(mm.availableMemory).toBe(mm.memorySize - outer.size);
      again.close();
      expect(mm.availableMemory).toBe(mm.memorySize - outer.size);
      outer.close();
      expect(mm.verifyEmpty()).toBe(true);
      rt.close();
    });
  });
});
