/**
 * The page table's layout in linear memory, as byte offsets: drawn in
 * assembly/pages.ts, whose exported PT_* constants a test holds these to.
 * Every field is a u32.
 */

/** Number of pages. */
export const PT_PAGE_COUNT = 0;
/** Entries on the free stack. */
export const PT_FREE_COUNT = 4;
/** log2(pageSize). */
export const PT_PAGE_SHIFT = 8;
/** Address of page 0. */
export const PT_PAGES_BASE = 12;
/** 1 when a released page is zeroed before reuse. */
export const PT_ZERO_ON_RELEASE = 16;
/** Budget left: bytes neither in pages handed out nor reserved. */
export const PT_BYTES_AVAILABLE = 20;
/** Entries on the owner-slot stack. */
export const PT_FREE_SLOTS = 24;
/** Bytes of the header; the arrays follow it. */
export const PT_HEADER_BYTES = 32;
/** Bytes per page of the arrays after the header (free stack, owners, io, slot stack). */
export const PT_BYTES_PER_PAGE = 16;

/** Where each array of a table for `pageCount` pages starts, in bytes from the table. */
export function pageTableArrays(pageCount: number) {
  return {
    freeStack: PT_HEADER_BYTES,
    owners: PT_HEADER_BYTES + pageCount * 4,
    io: PT_HEADER_BYTES + pageCount * 8,
    slots: PT_HEADER_BYTES + pageCount * 12,
  };
}

/** Total bytes of a table for `pageCount` pages. */
export const pageTableBytes = (pageCount: number): number => PT_HEADER_BYTES + pageCount * PT_BYTES_PER_PAGE;

/** Lock word of a shared runtime's table (src/threads/spin-lock.ts); 0 in an unshared one. */
export const PT_LOCK = 28;
