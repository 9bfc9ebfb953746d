/**
 * The off-heap area kernels in TypeScript: the twin of assembly/offheap.ts,
 * over the same bytes in the same layout (src/kernels/off-heap-layout.ts), so
 * either build's kernels can run an area the other laid out.
 */
import type { Kernels } from './kernels.js';
import {
  OH_AREA_BYTES,
  OH_AREA_HEADER_BYTES,
  OH_BLOCK_HEADER_BYTES,
  OH_FREE_BYTES,
  OH_FREE_HEAD,
  OH_NEXT_FREE,
  OH_PREV_FREE,
  OH_PREV_SIZE,
  OH_SIZE,
  OH_USED,
  OH_USED_BLOCKS,
} from './off-heap-layout.js';

/** The off-heap members of Kernels. */
export type OffHeapKernels = Pick<Kernels, 'offHeapInit' | 'offHeapAllocate' | 'offHeapFree' | 'offHeapLargestFree'>;

/** Off-heap area kernels over `buffer`. */
export function createJsOffHeap(buffer: ArrayBufferLike): OffHeapKernels {
  // A whole-buffer view takes its length from the buffer (see createJsPageTable).
  const u32 = new Uint32Array(buffer);

  /** A u32 field at byte offset `offset` from `at`. */
  const get = (at: number, offset: number): number => u32[(at + offset) >>> 2]!;
  const set = (at: number, offset: number, value: number): void => {
    u32[(at + offset) >>> 2] = value;
  };

  const sizeOf = (block: number): number => (get(block, OH_SIZE) & ~OH_USED) >>> 0;
  const isUsed = (block: number): boolean => (get(block, OH_SIZE) & OH_USED) !== 0;
  const firstBlock = (area: number): number => area + OH_AREA_HEADER_BYTES;
  const areaEnd = (area: number): number => area + get(area, OH_AREA_BYTES);

  /** Tells the block right above `block` (if any) that `block` is now `size` bytes. */
  const setAboveSize = (area: number, block: number, size: number): void => {
    const above = block + size;
    if (above < areaEnd(area)) set(above, OH_PREV_SIZE, size);
  };

  /** Puts free block `block` at the head of the free list. */
  const pushFree = (area: number, block: number): void => {
    const head = get(area, OH_FREE_HEAD);
    set(block, OH_NEXT_FREE, head);
    set(block, OH_PREV_FREE, 0);
    if (head !== 0) set(head, OH_PREV_FREE, block);
    set(area, OH_FREE_HEAD, block);
  };

  /** Takes free block `block` off the free list and clears its links. */
  const unlinkFree = (area: number, block: number): void => {
    const next = get(block, OH_NEXT_FREE);
    const prev = get(block, OH_PREV_FREE);
    if (prev !== 0) set(prev, OH_NEXT_FREE, next);
    else set(area, OH_FREE_HEAD, next);
    if (next !== 0) set(next, OH_PREV_FREE, prev);
    set(block, OH_NEXT_FREE, 0);
    set(block, OH_PREV_FREE, 0);
  };

  const offHeapInit = (area: number, areaBytes: number): void => {
    const bytes = (areaBytes & ~15) >>> 0;
    const block = firstBlock(area);
    const size = bytes - OH_AREA_HEADER_BYTES;
    set(area, OH_AREA_BYTES, bytes);
    set(area, OH_FREE_BYTES, size - OH_BLOCK_HEADER_BYTES);
    set(area, OH_FREE_HEAD, block);
    set(area, OH_USED_BLOCKS, 0);
    set(block, OH_SIZE, size);
    set(block, OH_PREV_SIZE, 0);
    set(block, OH_NEXT_FREE, 0);
    set(block, OH_PREV_FREE, 0);
  };

  const offHeapAllocate = (area: number, size: number): number => {
    const need = OH_BLOCK_HEADER_BYTES + Math.ceil(size / 16) * 16;
    if (need > get(area, OH_AREA_BYTES)) return 0;
    let block = get(area, OH_FREE_HEAD);
    while (block !== 0 && sizeOf(block) < need) block = get(block, OH_NEXT_FREE);
    if (block === 0) return 0;
    const have = sizeOf(block);
    let freeBytes = get(area, OH_FREE_BYTES);
    if (have > need) {
      // Split: the low `need` bytes are handed out, the rest takes the block's place in the list.
      const rest = block + need;
      const next = get(block, OH_NEXT_FREE);
      const prev = get(block, OH_PREV_FREE);
      set(rest, OH_SIZE, have - need);
      set(rest, OH_PREV_SIZE, need);
      set(rest, OH_NEXT_FREE, next);
      set(rest, OH_PREV_FREE, prev);
      if (prev !== 0) set(prev, OH_NEXT_FREE, rest);
      else set(area, OH_FREE_HEAD, rest);
      if (next !== 0) set(next, OH_PREV_FREE, rest);
      setAboveSize(area, rest, have - need);
      set(block, OH_NEXT_FREE, 0);
      set(block, OH_PREV_FREE, 0);
      freeBytes -= need;
    } else {
      unlinkFree(area, block);
      freeBytes -= have - OH_BLOCK_HEADER_BYTES;
    }
    set(block, OH_SIZE, need | OH_USED);
    set(area, OH_FREE_BYTES, freeBytes);
    set(area, OH_USED_BLOCKS, get(area, OH_USED_BLOCKS) + 1);
    return block + OH_BLOCK_HEADER_BYTES;
  };

  const offHeapFree = (area: number, address: number): number => {
    let block = address - OH_BLOCK_HEADER_BYTES;
    if (address < firstBlock(area) + OH_BLOCK_HEADER_BYTES || address > areaEnd(area) || ((address - area) & 15) !== 0) return 0;
    if (!isUsed(block)) return 0;
    let size = sizeOf(block);
    const freed = size;
    // Cleared first: when the block below absorbs this one, its stale header must not read as handed out.
    set(block, OH_SIZE, size);
    let freeBytes = get(area, OH_FREE_BYTES) + size - OH_BLOCK_HEADER_BYTES;
    const above = block + size;
    if (above < areaEnd(area) && !isUsed(above)) {
      unlinkFree(area, above);
      size += sizeOf(above);
      freeBytes += OH_BLOCK_HEADER_BYTES;
    }
    const prevSize = get(block, OH_PREV_SIZE);
    const below = block - prevSize;
    if (prevSize !== 0 && !isUsed(below)) {
      // The free block below grows over this one and keeps its place in the list.
      size += prevSize;
      freeBytes += OH_BLOCK_HEADER_BYTES;
      set(below, OH_SIZE, size);
      block = below;
    } else {
      set(block, OH_SIZE, size);
      pushFree(area, block);
    }
    setAboveSize(area, block, size);
    set(area, OH_FREE_BYTES, freeBytes);
    set(area, OH_USED_BLOCKS, get(area, OH_USED_BLOCKS) - 1);
    return freed;
  };

  const offHeapLargestFree = (area: number): number => {
    let largest = 0;
    for (let block = get(area, OH_FREE_HEAD); block !== 0; block = get(block, OH_NEXT_FREE)) largest = Math.max(largest, sizeOf(block));
    return largest === 0 ? 0 : largest - OH_BLOCK_HEADER_BYTES;
  };

  return { offHeapInit, offHeapAllocate, offHeapFree, offHeapLargestFree };
}
