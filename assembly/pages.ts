// The managed-memory page table: a free list and per-owner page lists, all in
// linear memory at an address the caller chooses, so that several instances
// can live side by side and nothing depends on module globals.
//
// Layout (i32 fields, P = pageCount, `table` 16-byte aligned):
//
//   table +  0   pageCount
//         +  4   freeCount      entries on the free stack
//         +  8   pageShift      log2(pageSize)
//         + 12   arenaBase      address of page 0
//         + 16   zeroOnRelease  1: a released page is zeroed before reuse
//         + 20   (reserved, 12 bytes)
//         + 32           freeStack[P]   page indices; top is freeStack[freeCount-1]
//         + 32 + 4P      ownerOf[P]     owner slot + 1; 0 while the page is free
//         + 32 + 8P      next[2P]       circular doubly linked owner lists:
//         + 32 + 16P     prev[2P]         nodes 0..P-1 are pages, P+s is the
//                                         sentinel of owner slot s
//         + 32 + 24P     io[P]          page indices passed in and out of batches
//         = 32 + 28P bytes in all
//
// An owner slot is a small integer the caller assigns to each owner holding
// pages; at most P owners can hold pages at once, hence P sentinels.

// @ts-ignore: decorator
@inline const HEADER: usize = 32;

// @ts-ignore: decorator
@inline function pageCountOf(table: usize): usize { return <usize>load<i32>(table); }
// @ts-ignore: decorator
@inline function stackAt(table: usize): usize { return table + HEADER; }
// @ts-ignore: decorator
@inline function ownersAt(table: usize): usize { return table + HEADER + (pageCountOf(table) << 2); }
// @ts-ignore: decorator
@inline function nextAt(table: usize): usize { return table + HEADER + (pageCountOf(table) << 3); }
// @ts-ignore: decorator
@inline function prevAt(table: usize): usize { return table + HEADER + (pageCountOf(table) << 4); }
// @ts-ignore: decorator
@inline function ioAt(table: usize): usize { return table + HEADER + pageCountOf(table) * 24; }

// @ts-ignore: decorator
@inline function getI(base: usize, i: usize): i32 { return load<i32>(base + (i << 2)); }
// @ts-ignore: decorator
@inline function setI(base: usize, i: usize, v: i32): void { store<i32>(base + (i << 2), v); }

/** Bytes a page table for `pageCount` pages occupies. */
export function pageTableBytes(pageCount: usize): usize {
  return HEADER + pageCount * 28;
}

/** Lays out an empty table: every page free, page 0 handed out first, every owner list empty. */
export function pagesInit(table: usize, pageCount: i32, pageShift: i32, arenaBase: usize, zeroOnRelease: i32): void {
  store<i32>(table, pageCount);
  store<i32>(table, pageCount, 4);
  store<i32>(table, pageShift, 8);
  store<i32>(table, <i32>arenaBase, 12);
  store<i32>(table, zeroOnRelease, 16);
  let P = <usize>pageCount;
  let stack = stackAt(table), owners = ownersAt(table), next = nextAt(table), prev = prevAt(table);
  for (let i: usize = 0; i < P; ++i) {
    setI(stack, i, <i32>(P - 1 - i));
    setI(owners, i, 0);
  }
  for (let n: usize = P; n < 2 * P; ++n) {
    setI(next, n, <i32>n);
    setI(prev, n, <i32>n);
  }
}

/**
 * Takes `n` pages for owner `slot`, all or none: returns `n` and the page
 * indices in io[0..n), or -1 (nothing changed) when fewer than `n` are free.
 */
export function pagesAllocate(table: usize, slot: i32, n: i32): i32 {
  let free = load<i32>(table, 4);
  if (n > free || n < 0) return -1;
  let P = pageCountOf(table);
  let stack = stackAt(table), owners = ownersAt(table), next = nextAt(table), prev = prevAt(table), io = ioAt(table);
  let sentinel = P + <usize>slot;
  let first = getI(next, sentinel);
  for (let i = 0; i < n; ++i) {
    free -= 1;
    let page = getI(stack, <usize>free);
    setI(owners, <usize>page, slot + 1);
    // Push the page at the front of the owner's list.
    setI(next, <usize>page, first);
    setI(prev, <usize>page, <i32>sentinel);
    setI(prev, <usize>first, page);
    first = page;
    setI(io, <usize>i, page);
  }
  setI(next, sentinel, first);
  store<i32>(table, free, 4);
  return n;
}

// @ts-ignore: decorator
@inline function freePage(table: usize, page: usize, free: i32): void {
  setI(stackAt(table), <usize>free, <i32>page);
  if (load<i32>(table, 16)) {
    let shift = <usize>load<i32>(table, 8);
    memory.fill(<usize>load<i32>(table, 12) + (page << shift), 0, <usize>1 << shift);
  }
}

/**
 * Returns the `n` pages listed in io[0..n) to the free stack. Pages already
 * free are skipped, so a double release returns memory once. Returns the
 * number of pages actually released.
 */
export function pagesRelease(table: usize, n: i32): i32 {
  let P = pageCountOf(table);
  let owners = ownersAt(table), next = nextAt(table), prev = prevAt(table), io = ioAt(table);
  let free = load<i32>(table, 4);
  let released = 0;
  for (let i = 0; i < n; ++i) {
    let page = <usize>getI(io, <usize>i);
    if (page >= P || getI(owners, page) == 0) continue;
    setI(owners, page, 0);
    let after = getI(next, page), before = getI(prev, page);
    setI(next, <usize>before, after);
    setI(prev, <usize>after, before);
    freePage(table, page, free);
    free += 1;
    released += 1;
  }
  store<i32>(table, free, 4);
  return released;
}

/**
 * Releases every page of owner `slot`, walking only that owner's list; the
 * released page indices are written to io[0..count). Returns the count.
 */
export function pagesReleaseAll(table: usize, slot: i32): i32 {
  let P = pageCountOf(table);
  let owners = ownersAt(table), next = nextAt(table), prev = prevAt(table), io = ioAt(table);
  let sentinel = P + <usize>slot;
  let free = load<i32>(table, 4);
  let count = 0;
  let page = <usize>getI(next, sentinel);
  while (page != sentinel) {
    setI(owners, page, 0);
    freePage(table, page, free);
    free += 1;
    setI(io, <usize>count, <i32>page);
    count += 1;
    page = <usize>getI(next, page);
  }
  setI(next, sentinel, <i32>sentinel);
  setI(prev, sentinel, <i32>sentinel);
  store<i32>(table, free, 4);
  return count;
}
