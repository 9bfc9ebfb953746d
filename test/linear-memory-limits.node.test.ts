// Linear memories at the edges of the 32-bit address space: exactly 2^32
// bytes, and managed pages above 2 GiB. Node only (a browser tab may not get
// 4 GiB); the memories are reserved, and only the bytes touched are paid for.
import { describe, expect, it } from 'vitest';
import { resolveMemoryConfig } from '../src/config/index.js';
import { computeLayout } from '../src/runtime/layout.js';
import { builds } from './builds.js';

const PAGE = 32768;
const GiB = 2 ** 30;
/** 2 GiB of managed pages and as many network pages as still fit: the layout then fills exactly 2^32 bytes. */
function fullAddressSpace() {
  const options = (networkPages: number) => ({ managedMemory: 2 * GiB, networkMemory: networkPages * PAGE, offHeapMemory: '4mb' });
  const fits = (networkPages: number) => {
    try {
      return computeLayout(resolveMemoryConfig(options(networkPages))).byteLength <= 2 ** 32;
    } catch {
      return false;
    }
  };
  let pages = 65536;
  while (!fits(pages)) pages -= 1;
  return options(pages);
}
const FULL_ADDRESS_SPACE = fullAddressSpace();

describe.each(builds)('$name build', ({ init }) => {
  it('runs a linear memory of exactly 2^32 bytes: distinct pages, releaseAll returns', async () => {
    const rt = await init(FULL_ADDRESS_SPACE);
    try {
      expect(rt.linearMemoryBytes).toBe(2 ** 32);
      const mm = rt.memoryManager;
      const pages = mm.allocatePages('edge', 3);
      expect(new Set(pages.map((p) => p.address)).size).toBe(3);
      pages.forEach((page, i) => page.putInt(0, 1000 + i));
      expect(pages.map((page) => page.getInt(0))).toEqual([1000, 1001, 1002]);
      expect(mm.availableMemory).toBe(2 * GiB - 3 * PAGE);
      mm.releaseAll('edge');
      expect(pages.every((page) => page.isFreed())).toBe(true);
      expect(mm.verifyEmpty()).toBe(true);
      // The last managed page lies below the network part, near the top of the memory.
      const all = mm.allocatePages('all', mm.pageCount);
      expect(all[all.length - 1]!.address + PAGE).toBeLessThanOrEqual(2 ** 32);
      all[all.length - 1]!.putLong(PAGE - 8, -1n);
      expect(all[all.length - 1]!.getLong(PAGE - 8)).toBe(-1n);
      mm.release(all);
      expect(mm.verifyEmpty()).toBe(true);
    } finally {
      rt.close();
    }
  });

  it('zeroes the released page itself when managed pages lie above 2 GiB', async () => {
    const rt = await init({ managedMemory: 4 * PAGE, networkMemory: 0, offHeapMemory: 2 * GiB + 64 * 1024, zeroOnRelease: true });
    try {
      const mm = rt.memoryManager;
      const [a, b] = mm.allocatePages('first', 2);
      expect(a!.address).toBeGreaterThanOrEqual(2 ** 31);
      const off = rt.segments.allocateUnpooledOffHeapMemory(PAGE, 'off');
      a!.fill(0xaa);
      b!.fill(0xbb);
      off.fill(0xcc);
      const start = a!.address;
      mm.release(a!);
      const again = mm.allocatePages('second', 1)[0]!;
      expect(again.address).toBe(start);
      const bytes = new Uint8Array(PAGE);
      again.getBytes(0, bytes);
      expect(bytes.every((x) => x === 0)).toBe(true);
      // Nothing else was zeroed in its place.
      b!.getBytes(0, bytes);
      expect(bytes.every((x) => x === 0xbb)).toBe(true);
      off.getBytes(0, bytes);
      expect(bytes.every((x) => x === 0xcc)).toBe(true);
    } finally {
      rt.close();
    }
  });
});
