// The managed-memory page table: the free stack, the owner slot of each
// page, the free owner slots and the byte budget, all in linear memory at an address
// the caller chooses, so that several instances can live side by side, a
// runtime can attach to a table another one laid out, and nothing depends on
// module globals.
//
// Layout (u32 fields, P = pageCount, `table` 16-byte aligned; the TypeScript
// twin is src/kernels/page-table-layout.ts, and a test checks that the
// offsets exported below equal its constants):
//
//   table +  0   pageCount
//         +  4   freeCount       entries on the free stack
//         +  8   pageShift       log2(pageSize)
//         + 12   pagesBase       address of page 0
//         + 16   zeroOnRelease   1: a released page is zeroed before reuse
//         + 20   bytesAvailable  budget left: pages not handed out, bytes not reserved
//         + 24   freeSlots       entries on the slot stack
//         + 28   lock            0, or worker id + 1 while a shared runtime holds the table (src/threads/spin-lock.ts)
//         + 32           freeStack[P]   page indices; top is freeStack[freeCount-1]
//         + 32 + 4P      ownerOf[P]     owner slot + 1; 0 while the page is free
//         + 32 + 8P      io[P]          page indices passed in and out of batches
//         + 32 + 12P     slotStack[P]   free owner slots; top is slotStack[freeSlots-1]
//         = 32 + 16P bytes in all
//
// An owner slot is a small integer taken from the slot stack by each owner
// holding pages; at most P owners can hold pages at once. An owner's pages
// are the pages whose ownerOf names its slot: no list links them, so
// allocating and releasing a page store two words each (its ownerOf entry and
// a free-stack or io entry), and releaseAll scans ownerOf (rare; 16 entries
// per step). Per-owner circular doubly linked lists took four more stores per
// page each way (W7, 1000 pages, Node 20: see the commit that dropped them).

/** Header field offsets, exported so that a test can hold the TypeScript layout to them. */
export const PT_PAGE_COUNT: u32 = 0;
export const PT_FREE_COUNT: u32 = 4;
export const PT_PAGE_SHIFT: u32 = 8;
export const PT_PAGES_BASE: u32 = 12;
export const PT_ZERO_ON_RELEASE: u32 = 16;
export const PT_BYTES_AVAILABLE: u32 = 20;
export const PT_FREE_SLOTS: u32 = 24;
/** Lock word of a shared runtime (taken by the TypeScript side around each kernel call). */
export const PT_LOCK: u32 = 28;
export const PT_HEADER_BYTES: u32 = 32;
/** Bytes per page of the arrays after the header. */
export const PT_BYTES_PER_PAGE: u32 = 16;

// @ts-ignore: decorator
@inline function field(table: usize, offset: u32): u32 { return load<u32>(table + offset); }
// @ts-ignore: decorator
@inline function setField(table: usize, offset: u32, value: u32): void { store<u32>(table + offset, value); }

// @ts-ignore: decorator
@inline function pageCountOf(table: usize): usize { return <usize>field(table, PT_PAGE_COUNT); }
// @ts-ignore: decorator
@inline function stackAt(table: usize): usize { return table + PT_HEADER_BYTES; }
// @ts-ignore: decorator
@inline function ownersAt(table: usize): usize { return table + PT_HEADER_BYTES + (pageCountOf(table) << 2); }
// @ts-ignore: decorator
@inline function ioAt(table: usize): usize { return table + PT_HEADER_BYTES + (pageCountOf(table) << 3); }
// @ts-ignore: decorator
@inline function slotsAt(table: usize): usize { return table + PT_HEADER_BYTES + pageCountOf(table) * 12; }

// @ts-ignore: decorator
@inline function getI(base: usize, i: usize): i32 { return load<i32>(base + (i << 2)); }
// @ts-ignore: decorator
@inline function setI(base: usize, i: usize, v: i32): void { store<i32>(base + (i << 2), v); }

/** Bytes a page table for `pageCount` pages occupies. */
export function pageTableBytes(pageCount: usize): usize {
  return <usize>PT_HEADER_BYTES + pageCount * <usize>PT_BYTES_PER_PAGE;
}

/** Lays out an empty table: every page free (page 0 handed out first), every slot free, the whole budget available. */
export function pagesInit(table: usize, pageCount: u32, pageShift: u32, pagesBase: usize, zeroOnRelease: u32): void {
  setField(table, PT_PAGE_COUNT, pageCount);
  setField(table, PT_FREE_COUNT, pageCount);
  setField(table, PT_PAGE_SHIFT, pageShift);
  setField(table, PT_PAGES_BASE, <u32>pagesBase);
  setField(table, PT_ZERO_ON_RELEASE, zeroOnRelease);
  // pageCount << pageShift fits: the pages lie inside a 32-bit memory together with this table.
  setField(table, PT_BYTES_AVAILABLE, pageCount << pageShift);
  setField(table, PT_FREE_SLOTS, pageCount);
  let P = <usize>pageCount;
  let stack = stackAt(table), owners = ownersAt(table), slots = slotsAt(table);
  for (let i: usize = 0; i < P; ++i) {
    setI(stack, i, <i32>(P - 1 - i));
    setI(slots, i, <i32>(P - 1 - i));
    setI(owners, i, 0);
  }
}

/**
 * Takes `n` pages for owner `slot`, all or none: returns `n` and the page
 * indices in io[0..n), or -1 (nothing changed) when fewer than `n` are free
 * or the budget holds less than `n` pages.
 */
export function pagesAllocate(table: usize, slot: u32, n: u32): i32 {
  let free = field(table, PT_FREE_COUNT);
  let bytes = <u64>n << <u64>field(table, PT_PAGE_SHIFT);
  let available = field(table, PT_BYTES_AVAILABLE);
  if (n > free || bytes > <u64>available) return -1;
  let stack = stackAt(table), owners = ownersAt(table), io = ioAt(table);
  let mark = <i32>slot + 1;
  for (let i: u32 = 0; i < n; ++i) {
    free -= 1;
    let page = getI(stack, <usize>free);
    setI(owners, <usize>page, mark);
    setI(io, <usize>i, page);
  }
  setField(table, PT_FREE_COUNT, free);
  setField(table, PT_BYTES_AVAILABLE, available - <u32>bytes);
  return <i32>n;
}

// @ts-ignore: decorator
@inline function freePage(table: usize, page: usize, free: u32): void {
  setI(stackAt(table), <usize>free, <i32>page);
  if (field(table, PT_ZERO_ON_RELEASE)) {
    let shift = <usize>field(table, PT_PAGE_SHIFT);
    memory.fill(<usize>field(table, PT_PAGES_BASE) + (page << shift), 0, <usize>1 << shift);
  }
}

/** Puts `count` released pages' bytes back into the budget. */
// @ts-ignore: decorator
@inline function returnToBudget(table: usize, count: u32): void {
  setField(table, PT_BYTES_AVAILABLE, field(table, PT_BYTES_AVAILABLE) + (count << field(table, PT_PAGE_SHIFT)));
}

/**
 * Returns the `n` pages listed in io[0..n) to the free stack and the budget.
 * Pages already free are skipped, so a double release returns memory once.
 * Returns the number of pages actually released.
 */
export function pagesRelease(table: usize, n: u32): u32 {
  let P = pageCountOf(table);
  let owners = ownersAt(table), io = ioAt(table);
  let free = field(table, PT_FREE_COUNT);
  let released: u32 = 0;
  for (let i: u32 = 0; i < n; ++i) {
    let page = <usize><u32>getI(io, <usize>i);
    if (page >= P || getI(owners, page) == 0) continue;
    setI(owners, page, 0);
    freePage(table, page, free);
    free += 1;
    released += 1;
  }
  setField(table, PT_FREE_COUNT, free);
  returnToBudget(table, released);
  return released;
}

/**
 * Releases every page of owner `slot`, in page order, found by a scan of
 * ownerOf (16 entries compared per step); the released page indices are
 * written to io[0..count). Returns the count.
 */
export function pagesReleaseAll(table: usize, slot: u32): u32 {
  let P = pageCountOf(table);
  let owners = ownersAt(table), io = ioAt(table);
  let mark = <i32>slot + 1;
  let marks = i32x4.splat(mark);
  let free = field(table, PT_FREE_COUNT);
  let count: u32 = 0;
  let page: usize = 0;
  for (; page + 16 <= P; page += 16) {
    let at = owners + (page << 2);
    let hit = v128.or(
      v128.or(i32x4.eq(v128.load(at), marks), i32x4.eq(v128.load(at, 16), marks)),
      v128.or(i32x4.eq(v128.load(at, 32), marks), i32x4.eq(v128.load(at, 48), marks)),
    );
    if (v128.any_true(hit)) count = releaseMarked(table, owners, io, mark, page, page + 16, free, count);
  }
  count = releaseMarked(table, owners, io, mark, page, P, free, count);
  setField(table, PT_FREE_COUNT, free + count);
  returnToBudget(table, count);
  return count;
}

/**
 * Frees the pages in [from, to) whose ownerOf is `mark`, listing them in io
 * after the `count` listed already (the free stack held `free` entries before
 * the first); returns the new count.
 */
// @ts-ignore: decorator
@inline function releaseMarked(table: usize, owners: usize, io: usize, mark: i32, from: usize, to: usize, free: u32, count: u32): u32 {
  for (let p = from; p < to; ++p) {
    if (getI(owners, p) != mark) continue;
    setI(owners, p, 0);
    freePage(table, p, free + count);
    setI(io, <usize>count, <i32>p);
    count += 1;
  }
  return count;
}

/** Takes `bytes` from the budget without taking pages: 1, or 0 (nothing changed) when fewer are available. */
export function budgetReserve(table: usize, bytes: u32): i32 {
  let available = field(table, PT_BYTES_AVAILABLE);
  if (bytes > available) return 0;
  setField(table, PT_BYTES_AVAILABLE, available - bytes);
  return 1;
}

/** Gives `bytes` of a reservation back to the budget. */
export function budgetRelease(table: usize, bytes: u32): void {
  setField(table, PT_BYTES_AVAILABLE, field(table, PT_BYTES_AVAILABLE) + bytes);
}

/** Takes a free owner slot: its number, or -1 when all P are taken. */
export function slotAcquire(table: usize): i32 {
  let count = field(table, PT_FREE_SLOTS);
  if (count == 0) return -1;
  count -= 1;
  setField(table, PT_FREE_SLOTS, count);
  return getI(slotsAt(table), <usize>count);
}

/** Gives owner slot `slot` back; it must hold no page. */
export function slotRelease(table: usize, slot: u32): void {
  let count = field(table, PT_FREE_SLOTS);
  setI(slotsAt(table), <usize>count, <i32>slot);
  setField(table, PT_FREE_SLOTS, count + 1);
}
