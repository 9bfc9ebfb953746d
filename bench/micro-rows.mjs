/**
 * The micro rows: loops of many ops over a build's pages, one function per
 * row (bench/micro.mjs times them with tinybench, bench/side-by-side.mjs
 * beside the other build). No tinybench here, so a Web Worker, which has no
 * import map, can load this module too.
 *
 * Loops are written out per row rather than built from shared accessor
 * closures: a shared call site would turn megamorphic and measure the
 * indirection. Every result feeds `live.sink`, so nothing can be optimised away.
 */
import { xorshift32 } from './checks.mjs';

const SEG = 32768;
/** Passes over a page per sample in single-value rows: 4 × 8192 ints or 4 × 4096 longs. */
const SWEEPS = 4;
const KEYS = 4096;

export const live = { sink: 0 };

/** Pages of 16-byte keys laid out like W4's records, and offsets pairing them up. */
function keyPages(mm, owner) {
  const pages = mm.allocatePages(owner, 2);
  const r = xorshift32();
  for (const page of pages) {
    for (let off = 0; off < SEG; off += 16) {
      page.putIntBigEndian(off, r() & 3);
      page.putIntBigEndian(off + 4, r() & 3);
      page.putIntBigEndian(off + 8, r());
      page.putIntBigEndian(off + 12, r());
    }
  }
  const offA = new Int32Array(KEYS);
  const offB = new Int32Array(KEYS);
  for (let k = 0; k < KEYS; k++) {
    offA[k] = (r() & 2047) * 16;
    offB[k] = (r() & 2047) * 16;
  }
  return { a: pages[0], b: pages[1], offA, offB };
}

/**
 * The rows on `mm`'s pages. Each row: name, group (for the targets), unit,
 * ops per sample, bytes per op (for GB/s) and the sample function.
 * Pages are taken for `owner`; the caller gives them back when the rows are done.
 */
export function microRows(mm, owner) {
  // The page rows have an owner of their own that holds nothing else, as W7's does:
  // its bookkeeping is created on allocation and dropped when its last page goes back.
  const pageOwner = { name: 'micro pages' };
  const page = () => mm.allocatePages(owner, 1)[0];

  // Pages read by the get rows, filled with values each getter accepts.
  const ints = page();
  for (let i = 0; i < SEG; i += 4) ints.putInt(i, Math.imul(i, 0x9e3779b1));
  const longs = page();
  for (let i = 0; i < SEG; i += 8) longs.putLongNumber(i, i * 1000003 - 7e9);
  const doubles = page();
  for (let i = 0; i < SEG; i += 8) doubles.putDouble(i, i * 0.5 + 0.25);
  const out = page();
  const LONG_VALUES = Array.from({ length: SEG / 8 }, (_, k) => BigInt(k) * 0x1234567n - 99n);

  const src = page();
  const dst = page();
  for (let i = 0; i < SEG; i++) src.put(i, i * 31 + 7);
  const plain = new Uint8Array(2 * SEG);
  for (let i = 0; i < SEG; i++) plain[i] = i * 31 + 7;
  const keys = keyPages(mm, owner);
  const swapA = page();
  const swapB = page();
  const tmp = new Uint8Array(16);
  const region = page();
  const bytesPage = page();
  const array = new Uint8Array(1024);

  let salt = 0;
  const rows = [
    { name: 'getInt', group: 'single', ops: SWEEPS * 8192, fn: () => {
      let s = 0;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) s = (s + ints.getInt(i)) | 0;
      live.sink += s;
    } },
    { name: 'putInt', group: 'single', ops: SWEEPS * 8192, fn: () => {
      const v = salt++;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) out.putInt(i, i + v);
    } },
    { name: 'getIntBigEndian', group: 'single', ops: SWEEPS * 8192, fn: () => {
      let s = 0;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) s = (s + ints.getIntBigEndian(i)) | 0;
      live.sink += s;
    } },
    { name: 'putIntBigEndian', group: 'single', ops: SWEEPS * 8192, fn: () => {
      const v = salt++;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) out.putIntBigEndian(i, i + v);
    } },
    { name: 'getLong (bigint)', group: 'single', ops: SWEEPS * 4096, fn: () => {
      let s = 0n;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) s += longs.getLong(i);
      live.sink += Number(BigInt.asIntN(52, s));
    } },
    { name: 'putLong (bigint)', group: 'single', ops: SWEEPS * 4096, fn: () => {
      // Values are made once: the row measures the store, not bigint arithmetic.
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) out.putLong(i, LONG_VALUES[i >>> 3]);
    } },
    { name: 'getLongNumber', group: 'single', ops: SWEEPS * 4096, fn: () => {
      let s = 0;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) s += longs.getLongNumber(i);
      live.sink += s;
    } },
    { name: 'putLongNumber', group: 'single', ops: SWEEPS * 4096, fn: () => {
      const v = salt++;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) out.putLongNumber(i, i * 1000003 + v);
    } },
    { name: 'getDouble', group: 'single', ops: SWEEPS * 4096, fn: () => {
      let s = 0;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) s += doubles.getDouble(i);
      live.sink += s;
    } },
    { name: 'putDouble', group: 'single', ops: SWEEPS * 4096, fn: () => {
      const v = salt++;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) out.putDouble(i, i * 0.5 + v);
    } },
    { name: 'copyTo 16 B', group: 'copy-small', ops: 4096, bytes: 16, fn: () => {
      for (let k = 0; k < 4096; k++) src.copyTo((k * 16) & 32767, dst, (k * 48) & 32767, 16);
      live.sink += dst.get(salt++ & 32767);
    } },
    { name: 'copyTo 1 KiB', group: 'copy-small', ops: 1024, bytes: 1024, fn: () => {
      for (let k = 0; k < 1024; k++) src.copyTo((k & 31) * 1024, dst, ((k * 7) & 31) * 1024, 1024);
      live.sink += dst.get(salt++ & 32767);
    } },
    { name: 'copyTo 32 KiB', group: 'copy-large', ops: 256, bytes: SEG, fn: () => {
      for (let k = 0; k < 256; k++) src.copyTo(0, dst, 0, SEG);
      live.sink += dst.get(salt++ & 32767);
    } },
    // Control row, no segmem involved: what one 32 KiB memmove costs on this machine,
    // the ceiling any 32 KiB copy above is bounded by.
    { name: 'baseline: Uint8Array.copyWithin 32 KiB, no segmem', group: 'baseline', ops: 256, bytes: SEG, fn: () => {
      for (let k = 0; k < 256; k++) plain.copyWithin(SEG, 0, SEG);
      live.sink += plain[SEG + (salt++ & 32767)];
    } },
    { name: 'compare 16-byte keys', group: 'compare', ops: KEYS, fn: () => {
      const { a, b, offA, offB } = keys;
      let s = 0;
      for (let k = 0; k < KEYS; k++) s += a.compare(b, offA[k], offB[k], 16);
      live.sink += s;
    } },
    { name: 'swapBytes 16-byte records', group: 'swap', ops: KEYS, fn: () => {
      const { offA, offB } = keys;
      for (let k = 0; k < KEYS; k++) swapA.swapBytes(tmp, swapB, offA[k], offB[k], 16);
      live.sink += swapA.get(salt++ & 32767);
    } },
    { name: 'byteSwap 32 KiB (width 4)', group: 'byteswap', ops: 64, bytes: SEG, fn: () => {
      for (let k = 0; k < 64; k++) region.byteSwap(0, SEG, 4);
      live.sink += region.get(salt++ & 32767);
    } },
    { name: 'getBytes 1 KiB', group: 'array', ops: 1024, bytes: 1024, fn: () => {
      let s = 0;
      for (let k = 0; k < 1024; k++) {
        bytesPage.getBytes((k & 31) * 1024, array, 0, 1024);
        s += array[k & 1023];
      }
      live.sink += s;
    } },
    { name: 'putBytes 1 KiB', group: 'array', ops: 1024, bytes: 1024, fn: () => {
      for (let k = 0; k < 1024; k++) bytesPage.putBytes((k & 31) * 1024, array, 0, 1024);
      live.sink += bytesPage.get(salt++ & 32767);
    } },
    { name: 'MemoryManager allocate+release, single page', group: 'pages', unit: 'ns per page', ops: 1024, fn: () => {
      let s = 0;
      for (let k = 0; k < 1024; k++) {
        const pages = mm.allocatePages(pageOwner, 1);
        s += pages.length;
        mm.release(pages[0]);
      }
      live.sink += s;
    } },
    { name: 'MemoryManager allocate+release, batches of 64', group: 'pages', unit: 'ns per page', ops: 64 * 64, fn: () => {
      let s = 0;
      for (let k = 0; k < 64; k++) {
        const pages = mm.allocatePages(pageOwner, 64);
        s += pages.length;
        mm.release(pages);
      }
      live.sink += s;
    } },
  ];
  return rows;
}

/** Lengths either side of the cut-offs in src/kernels/kernels.ts. */
const SIZE_ROWS = { copyTo: [8, 12, 16, 24, 32, 64], compare: [8, 16, 24, 32, 64], equalTo: [8, 12, 16, 24, 32, 64], swapBytes: [8, 12, 16, 24, 32, 64] };
const SIZE_OPS = 4096;

/**
 * Bulk operations at lengths either side of each cut-off between a JS loop
 * and a kernel, for bench/side-by-side.mjs: below the cut-off the wasm build
 * runs the same JS as the pure-JS build, above it the kernel. Compare and
 * equal see equal ranges, so they read the whole length.
 */
export function sizeRows(mm, owner) {
  const [a, b, c] = mm.allocatePages(owner, 3);
  for (let i = 0; i < SEG; i++) a.put(i, (i * 7) & 0xff);
  a.copyTo(0, b, 0, SEG);
  const tmp = new Uint8Array(64);
  // Start offsets that walk both pages, 64 bytes apart, never running past the end.
  const at = (k) => (k * 64) & (SEG - 64);
  const rows = [];
  for (const n of SIZE_ROWS.copyTo) {
    rows.push({ name: `sizes: copyTo ${n} B`, op: 'copyTo', group: 'sizes', ops: SIZE_OPS, bytes: n, fn: () => {
      for (let k = 0; k < SIZE_OPS; k++) a.copyTo(at(k), c, at(k + 7), n);
      live.sink += c.get(n);
    } });
  }
  for (const n of SIZE_ROWS.compare) {
    rows.push({ name: `sizes: compare ${n} B`, op: 'compare', group: 'sizes', ops: SIZE_OPS, bytes: n, fn: () => {
      let s = 0;
      for (let k = 0; k < SIZE_OPS; k++) s += a.compare(b, at(k), at(k), n) + 1;
      live.sink += s;
    } });
  }
  for (const n of SIZE_ROWS.equalTo) {
    rows.push({ name: `sizes: equalTo ${n} B`, op: 'equalTo', group: 'sizes', ops: SIZE_OPS, bytes: n, fn: () => {
      let s = 0;
      for (let k = 0; k < SIZE_OPS; k++) if (a.equalTo(b, at(k), at(k), n)) s++;
      live.sink += s;
    } });
  }
  for (const n of SIZE_ROWS.swapBytes) {
    rows.push({ name: `sizes: swapBytes ${n} B`, op: 'swapBytes', group: 'sizes', ops: SIZE_OPS, bytes: n, fn: () => {
      // a and b hold the same bytes, so swapping leaves them equal for the rows above.
      for (let k = 0; k < SIZE_OPS; k++) a.swapBytes(tmp, b, at(k), at(k), n);
      live.sink += a.get(n);
    } });
  }
  return rows;
}
