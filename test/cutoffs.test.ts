// Every length around each cut-off between the segment's JS loops and the
// kernels (src/kernels/kernels.ts), in both builds, against plain-array
// oracles: copies in both directions of overlap, comparisons and equality
// decided at every position, swaps.
import { describe, expect, it } from 'vitest';
import { COMPARE_IN_JS_MAX, COMPARE_KERNEL_MIN, COPY_IN_JS_MAX, EQUAL_IN_JS_MAX, SWAP_IN_JS_MAX } from '../src/kernels/kernels.js';
import { builds } from './builds.js';
import { lexicographic, SMALL_RUNTIME, snapshot } from './oracle.js';

/** Lengths from 0 to past twice the largest cut-off: every length on both sides of each. */
const LONGEST = 2 * Math.max(COPY_IN_JS_MAX, COMPARE_IN_JS_MAX, COMPARE_KERNEL_MIN, EQUAL_IN_JS_MAX, SWAP_IN_JS_MAX) + 9;
const LENGTHS = Array.from({ length: LONGEST + 1 }, (_, n) => n);
const WINDOW = LONGEST + 32;

const pattern = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed * 11 + 5) & 0xff);

describe.each(builds)('$name build', ({ init }) => {
  it('copyTo: every length, between pages and within one page overlapping either way', async () => {
    const rt = await init(SMALL_RUNTIME);
    const [a, b] = rt.memoryManager.allocatePages('copy', 2);
    for (const n of LENGTHS) {
      for (const [target, srcAt, dstAt] of [
        [b!, 3, 5],
        [a!, 8, 11], // overlap, destination above
        [a!, 11, 8], // overlap, destination below
      ] as const) {
        const before = pattern(a!.size, n);
        a!.putBytes(0, before);
        b!.putBytes(0, pattern(b!.size, n + 1));
        // The window holds every byte a copy here may reach, and some beyond it on both sides.
        const expected = snapshot(target).slice(0, WINDOW);
        expected.set(before.slice(srcAt, srcAt + n), dstAt);
        a!.copyTo(srcAt, target, dstAt, n);
        expect(snapshot(target).slice(0, WINDOW), `n=${n} ${srcAt}->${dstAt}`).toEqual(expected);
      }
    }
    rt.close();
  });

  it('compare and equalTo: decided at every position of every length, and on length alone', async () => {
    const rt = await init(SMALL_RUNTIME);
    const [a, b] = rt.memoryManager.allocatePages('compare', 2);
    for (const n of LENGTHS) {
      const bytes = pattern(n, 3);
      a!.putBytes(100, bytes);
      b!.putBytes(200, bytes);
      expect(a!.compare(b!, 100, 200, n), `equal, n=${n}`).toBe(0);
      expect(a!.equalTo(b!, 100, 200, n), `equal, n=${n}`).toBe(true);
      if (n > 0) {
        expect(a!.compare(b!, 100, 200, n, n - 1), `longer, n=${n}`).toBe(1);
        expect(a!.compare(b!, 100, 200, n - 1, n), `shorter, n=${n}`).toBe(-1);
      }
      for (let at = 0; at < n; at++) {
        for (const delta of [1, 0x80]) {
          const other = bytes.slice();
          other[at] = (other[at]! + delta) & 0xff;
          b!.putBytes(200, other);
          const want = lexicographic(bytes, other);
          expect(a!.compare(b!, 100, 200, n), `n=${n} at=${at} +${delta}`).toBe(want);
          expect(b!.compare(a!, 200, 100, n), `n=${n} at=${at} +${delta}, reversed`).toBe(-want);
          expect(a!.equalTo(b!, 100, 200, n), `n=${n} at=${at}`).toBe(false);
        }
        b!.putBytes(200, bytes);
      }
    }
    rt.close();
  });

  it('compare: first words of each 8-byte step at their extremes, where the second word pulls the other way', async () => {
    const rt = await init(SMALL_RUNTIME);
    const [a, b] = rt.memoryManager.allocatePages('extremes', 2);
    const words: [number, number, number, number, 1 | -1][] = [
      [0xffffffff, 0, 0, 0xffffffff, 1],
      [1, 0, 0, 0xffffffff, 1],
      [0x80000000, 0, 0x7fffffff, 0xffffffff, 1],
      [7, 0xfffffffe, 7, 0xffffffff, -1],
    ];
    // The pair at byte 0 (the first step), 8 (the second, past equal first 8 bytes) and 16 (the kernel's, or the pure-JS loop's).
    for (const at of [0, 8, 16]) {
      for (const [a0, a1, b0, b1, want] of words) {
        for (const n of [8, 9, 16, 17, 24, 32].filter((len) => len >= at + 8)) {
          a!.fill(0x55, 0, 40);
          b!.fill(0x55, 0, 40);
          a!.putIntBigEndian(at, a0 | 0);
          a!.putIntBigEndian(at + 4, a1 | 0);
          b!.putIntBigEndian(at, b0 | 0);
          b!.putIntBigEndian(at + 4, b1 | 0);
          expect(a!.compare(b!, 0, 0, n), `${a0}.${a1} vs ${b0}.${b1} at ${at}, n=${n}`).toBe(want);
          expect(b!.compare(a!, 0, 0, n), `${b0}.${b1} vs ${a0}.${a1} at ${at}, n=${n}`).toBe(-want);
        }
      }
    }
    rt.close();
  });

  it('compare: two heap segments over one array, decided at every position of every length', async () => {
    // Same bytes but no kernels: the segment's JS prefix, then its JS loop for the rest.
    const rt = await init(SMALL_RUNTIME);
    const array = new Uint8Array(2 * WINDOW);
    const a = rt.segments.wrap(array);
    const b = rt.segments.wrap(array);
    for (const n of LENGTHS) {
      const bytes = pattern(n, 5);
      array.set(bytes, 0);
      array.set(bytes, WINDOW);
      expect(a.compare(b, 0, WINDOW, n), `equal, n=${n}`).toBe(0);
      for (let at = 0; at < n; at++) {
        for (const delta of [1, 0x80, 0xff]) {
          const other = bytes.slice();
          other[at] = (other[at]! + delta) & 0xff;
          array.set(other, WINDOW);
          const want = lexicographic(bytes, other);
          expect(a.compare(b, 0, WINDOW, n), `n=${n} at=${at} +${delta}`).toBe(want);
          expect(b.compare(a, WINDOW, 0, n), `n=${n} at=${at} +${delta}, reversed`).toBe(-want);
        }
        array.set(bytes, WINDOW);
      }
    }
    rt.close();
  });

  it('swapBytes: every length, between pages and within one page', async () => {
    const rt = await init(SMALL_RUNTIME);
    const [a, b] = rt.memoryManager.allocatePages('swap', 2);
    const temp = new Uint8Array(LONGEST);
    for (const n of LENGTHS) {
      for (const [other, at1, at2] of [
        [b!, 7, 9],
        [a!, 0, 64], // the same page, apart
      ] as const) {
        a!.putBytes(0, pattern(a!.size, n));
        b!.putBytes(0, pattern(b!.size, n + 7));
        const left = snapshot(a!).slice(at1, at1 + n);
        const right = snapshot(other).slice(at2, at2 + n);
        a!.swapBytes(temp, other, at1, at2, n);
        expect(snapshot(a!).slice(at1, at1 + n), `n=${n}`).toEqual(right);
        expect(snapshot(other).slice(at2, at2 + n), `n=${n}`).toEqual(left);
      }
    }
    rt.close();
  });
});
