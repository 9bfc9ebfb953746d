// The off-heap area: unpooled segments of any size carved from one range of
// linear memory, with every byte of allocator state inside that range (an area
// header, then blocks with boundary tags), at an address the caller chooses,
// so that a runtime can attach to an area another one laid out and nothing
// depends on module globals.
//
// Layout (u32 fields, addresses absolute, `area` 16-byte aligned; the
// TypeScript twin is src/kernels/off-heap-layout.ts, and a test checks that
// the offsets exported below equal its constants):
//
//   area +  0   areaBytes    bytes of the whole area, this header included
//        +  4   freeBytes    sum over free blocks of (size - 16): what segments could get
//        +  8   freeHead     first free block, 0 when none
//        + 12   usedBlocks   blocks handed out
//        + 16   block, block, ... up to area + areaBytes, tiling it with no gap
//
//   block +  0  size | used    bytes of the block, header included: a multiple of 16, >= 16; bit 0 set while handed out
//         +  4  prevSize       size of the block right below, 0 for the first block
//         +  8  nextFree       \ free list, doubly linked, newest first, 0-terminated;
//         + 12  prevFree       / both 0 while the block is handed out
//         + 16  the segment's bytes (size - 16 of them), 16-byte aligned
//
// A segment of n bytes takes a block of 16 + roundUp(n, 16) bytes, carved by
// first fit from the low end of a free block; since every size is a multiple
// of 16, what is left is either nothing or a block of its own (16 bytes at
// least: a header with room for a 0-byte segment). A freed block merges with
// a free neighbour on either side, so no two free blocks ever touch.

/** Area header field offsets, exported so that a test can hold the TypeScript layout to them. */
export const OH_AREA_BYTES: u32 = 0;
export const OH_FREE_BYTES: u32 = 4;
export const OH_FREE_HEAD: u32 = 8;
export const OH_USED_BLOCKS: u32 = 12;
export const OH_AREA_HEADER_BYTES: u32 = 16;
/** Block header field offsets. */
export const OH_SIZE: u32 = 0;
export const OH_PREV_SIZE: u32 = 4;
export const OH_NEXT_FREE: u32 = 8;
export const OH_PREV_FREE: u32 = 12;
export const OH_BLOCK_HEADER_BYTES: u32 = 16;
/** The used flag in a block's size field. */
export const OH_USED: u32 = 1;

// @ts-ignore: decorator
@inline function get(at: usize, offset: u32): u32 { return load<u32>(at + offset); }
// @ts-ignore: decorator
@inline function set(at: usize, offset: u32, value: u32): void { store<u32>(at + offset, value); }

// @ts-ignore: decorator
@inline function sizeOf(block: usize): u32 { return get(block, OH_SIZE) & ~OH_USED; }
// @ts-ignore: decorator
@inline function isUsed(block: usize): bool { return (get(block, OH_SIZE) & OH_USED) != 0; }
// @ts-ignore: decorator
@inline function firstBlock(area: usize): usize { return area + OH_AREA_HEADER_BYTES; }
// @ts-ignore: decorator
@inline function areaEnd(area: usize): usize { return area + <usize>get(area, OH_AREA_BYTES); }

/** Tells the block right above `block` (if any) that `block` is now `size` bytes. */
// @ts-ignore: decorator
@inline function setAboveSize(area: usize, block: usize, size: u32): void {
  let above = block + <usize>size;
  if (above < areaEnd(area)) set(above, OH_PREV_SIZE, size);
}

/** Puts free block `block` at the head of the free list. */
// @ts-ignore: decorator
@inline function pushFree(area: usize, block: usize): void {
  let head = <usize>get(area, OH_FREE_HEAD);
  set(block, OH_NEXT_FREE, <u32>head);
  set(block, OH_PREV_FREE, 0);
  if (head != 0) set(head, OH_PREV_FREE, <u32>block);
  set(area, OH_FREE_HEAD, <u32>block);
}

/** Takes free block `block` off the free list and clears its links. */
// @ts-ignore: decorator
@inline function unlinkFree(area: usize, block: usize): void {
  let next = get(block, OH_NEXT_FREE), prev = get(block, OH_PREV_FREE);
  if (prev != 0) set(<usize>prev, OH_NEXT_FREE, next);
  else set(area, OH_FREE_HEAD, next);
  if (next != 0) set(<usize>next, OH_PREV_FREE, prev);
  set(block, OH_NEXT_FREE, 0);
  set(block, OH_PREV_FREE, 0);
}

/** Lays out an empty area of `areaBytes` bytes (rounded down to 16, at least 32) at `area`: one free block after the header. */
export function offHeapInit(area: usize, areaBytes: u32): void {
  let bytes = areaBytes & ~15;
  let block = firstBlock(area);
  let size = bytes - OH_AREA_HEADER_BYTES;
  set(area, OH_AREA_BYTES, bytes);
  set(area, OH_FREE_BYTES, size - OH_BLOCK_HEADER_BYTES);
  set(area, OH_FREE_HEAD, <u32>block);
  set(area, OH_USED_BLOCKS, 0);
  set(block, OH_SIZE, size);
  set(block, OH_PREV_SIZE, 0);
  set(block, OH_NEXT_FREE, 0);
  set(block, OH_PREV_FREE, 0);
}

/**
 * Carves a block for a segment of `size` bytes from the first free block big
 * enough: returns the segment's address (16-byte aligned), or 0 (nothing
 * changed) when no free block holds 16 + roundUp(size, 16) bytes.
 */
export function offHeapAllocate(area: usize, size: u32): usize {
  let need64 = <u64>OH_BLOCK_HEADER_BYTES + ((<u64>size + 15) & ~<u64>15);
  if (need64 > <u64>get(area, OH_AREA_BYTES)) return 0;
  let need = <u32>need64;
  let block = <usize>get(area, OH_FREE_HEAD);
  while (block != 0 && sizeOf(block) < need) block = <usize>get(block, OH_NEXT_FREE);
  if (block == 0) return 0;
  let have = sizeOf(block);
  let freeBytes = get(area, OH_FREE_BYTES);
  if (have > need) {
    // Split: the low `need` bytes are handed out, the rest takes the block's place in the list.
    let rest = block + <usize>need;
    let next = get(block, OH_NEXT_FREE), prev = get(block, OH_PREV_FREE);
    set(rest, OH_SIZE, have - need);
    set(rest, OH_PREV_SIZE, need);
    set(rest, OH_NEXT_FREE, next);
    set(rest, OH_PREV_FREE, prev);
    if (prev != 0) set(<usize>prev, OH_NEXT_FREE, <u32>rest);
    else set(area, OH_FREE_HEAD, <u32>rest);
    if (next != 0) set(<usize>next, OH_PREV_FREE, <u32>rest);
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
}

/**
 * Returns the block of the segment at `address` to the free list, merged
 * with its free neighbours. Returns the block's bytes, or 0 (nothing
 * changed) when `address` is not that of a block handed out (freed already).
 */
export function offHeapFree(area: usize, address: usize): u32 {
  let block = address - OH_BLOCK_HEADER_BYTES;
  if (address < firstBlock(area) + OH_BLOCK_HEADER_BYTES || address > areaEnd(area) || ((address - area) & 15) != 0) return 0;
  if (!isUsed(block)) return 0;
  let size = sizeOf(block);
  let freed = size;
  // Cleared first: when the block below absorbs this one, its stale header must not read as handed out.
  set(block, OH_SIZE, size);
  let freeBytes = get(area, OH_FREE_BYTES) + size - OH_BLOCK_HEADER_BYTES;
  let above = block + <usize>size;
  if (above < areaEnd(area) && !isUsed(above)) {
    unlinkFree(area, above);
    size += sizeOf(above);
    freeBytes += OH_BLOCK_HEADER_BYTES;
  }
  let prevSize = get(block, OH_PREV_SIZE);
  let below = block - <usize>prevSize;
  if (prevSize != 0 && !isUsed(below)) {
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
}

/** Bytes the largest free block could give a segment (its size minus the header); 0 when none is free. */
export function offHeapLargestFree(area: usize): u32 {
  let largest: u32 = 0;
  let block = <usize>get(area, OH_FREE_HEAD);
  while (block != 0) {
    let size = sizeOf(block);
    if (size > largest) largest = size;
    block = <usize>get(block, OH_NEXT_FREE);
  }
  return largest == 0 ? 0 : largest - OH_BLOCK_HEADER_BYTES;
}
