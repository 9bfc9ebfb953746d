/**
 * The off-heap area's layout in linear memory, as byte offsets: drawn in
 * assembly/offheap.ts, whose exported OH_* constants a test holds these to.
 * Every field is a u32; every address is absolute.
 */

/** Area header: bytes of the whole area, this header included. */
export const OH_AREA_BYTES = 0;
/** Area header: payload bytes of the free blocks (each free block's size minus its header). */
export const OH_FREE_BYTES = 4;
/** Area header: address of the first free block, 0 when none is free. */
export const OH_FREE_HEAD = 8;
/** Area header: blocks handed out and not yet freed. */
export const OH_USED_BLOCKS = 12;
/** Bytes of the area header; the first block follows it. */
export const OH_AREA_HEADER_BYTES = 16;

/** Block header: bytes of the block, header included (a multiple of 16), with OH_USED in bit 0. */
export const OH_SIZE = 0;
/** Block header: size of the block right below this one, 0 for the first block. */
export const OH_PREV_SIZE = 4;
/** Block header: next free block, 0 at the end of the list (free blocks only; 0 while used). */
export const OH_NEXT_FREE = 8;
/** Block header: previous free block, 0 at the head of the list (free blocks only; 0 while used). */
export const OH_PREV_FREE = 12;
/** Bytes of a block header; a segment's bytes start right after it. */
export const OH_BLOCK_HEADER_BYTES = 16;
/** The used flag, in bit 0 of OH_SIZE. */
export const OH_USED = 1;

/** Block sizes, and so segment addresses, are multiples of this (one SIMD lane). */
export const OH_ALIGN = 16;

/**
 * Bytes of linear memory an off-heap area offering `offHeapMemory` bytes
 * occupies: those bytes, the area header, and the header of the one block a
 * fresh area is, so that a fresh area holds one segment of all
 * `offHeapMemory` bytes. No area at all when `offHeapMemory` is 0.
 */
export const offHeapAreaBytes = (offHeapMemory: number): number =>
  offHeapMemory === 0 ? 0 : offHeapMemory + OH_AREA_HEADER_BYTES + OH_BLOCK_HEADER_BYTES;

/** Bytes of the block a segment of `size` bytes takes: its header plus `size` rounded up to 16. */
export const offHeapBlockBytes = (size: number): number => OH_BLOCK_HEADER_BYTES + Math.ceil(size / OH_ALIGN) * OH_ALIGN;
