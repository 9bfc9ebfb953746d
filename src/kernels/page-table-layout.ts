/**
 * Offsets of the page table kept in linear memory; the drawing is in
 * assembly/pages.ts, and both kernel implementations follow it.
 */
export const PAGE_TABLE_HEADER = 32;

/** Byte offset of the free stack from the table's start. */
export const freeStackOffset = (_pageCount: number): number => PAGE_TABLE_HEADER;
/** Byte offset of the owner-of-page array. */
export const ownersOffset = (pageCount: number): number => PAGE_TABLE_HEADER + pageCount * 4;
/** Byte offset of the next links (2 × pageCount entries). */
export const nextOffset = (pageCount: number): number => PAGE_TABLE_HEADER + pageCount * 8;
/** Byte offset of the prev links (2 × pageCount entries). */
export const prevOffset = (pageCount: number): number => PAGE_TABLE_HEADER + pageCount * 16;
/** Byte offset of the io array batches pass page indices through. */
export const ioOffset = (pageCount: number): number => PAGE_TABLE_HEADER + pageCount * 24;
/** Total bytes of a table for `pageCount` pages. */
export const pageTableBytes = (pageCount: number): number => PAGE_TABLE_HEADER + pageCount * 28;
