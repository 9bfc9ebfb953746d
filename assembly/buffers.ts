// The network buffer pool's free list: which of the N equal network segments
// are free, in linear memory at an address the caller chooses, so that
// several runtimes can live side by side, a runtime can attach to a list
// another one laid out, and nothing depends on module globals. Everything a
// push or a pop needs is in the list itself; a threads build can run the same
// list with atomics (the lock word is reserved for that) over a shared memory.
//
// Layout (u32 fields, N = segmentCount, `table` 16-byte aligned; the
// TypeScript twin is src/kernels/buffer-pool-layout.ts, and a test checks
// that the offsets exported below equal its constants):
//
//   table +  0   segmentCount
//         +  4   freeCount       entries on the free stack
//         +  8   segmentShift    log2(segment size)
//         + 12   segmentsBase    address of segment 0
//         + 16   lock            0, or worker id + 1 while a shared runtime holds the list (src/threads/spin-lock.ts)
//         + 20   (reserved)
//         + 24   epoch           shared runtimes: bumped after every give, woken with Atomics.notify
//         + 28   waiters         shared runtimes: realms waiting on the epoch
//         + 32           freeStack[N]   segment indices; top is freeStack[freeCount-1]
//         + 32 + 4N      out[N]         1 (shared runtimes: holder worker id + 1) while handed out, 0 while free
//         + 32 + 8N      io[N]          segment indices passed in and out of batches
//         = 32 + 12N bytes in all

/** Header field offsets, exported so that a test can hold the TypeScript layout to them. */
export const NB_SEGMENT_COUNT: u32 = 0;
export const NB_FREE_COUNT: u32 = 4;
export const NB_SEGMENT_SHIFT: u32 = 8;
export const NB_SEGMENTS_BASE: u32 = 12;
export const NB_LOCK: u32 = 16;
/** Shared runtimes: the epoch bumped after every give, and the count of realms waiting on it. */
export const NB_EPOCH: u32 = 24;
export const NB_WAITERS: u32 = 28;
export const NB_HEADER_BYTES: u32 = 32;
/** Bytes per segment of the arrays after the header. */
export const NB_BYTES_PER_SEGMENT: u32 = 12;

// @ts-ignore: decorator
@inline function field(table: usize, offset: u32): u32 { return load<u32>(table + offset); }
// @ts-ignore: decorator
@inline function setField(table: usize, offset: u32, value: u32): void { store<u32>(table + offset, value); }

// @ts-ignore: decorator
@inline function countOf(table: usize): usize { return <usize>field(table, NB_SEGMENT_COUNT); }
// @ts-ignore: decorator
@inline function stackAt(table: usize): usize { return table + NB_HEADER_BYTES; }
// @ts-ignore: decorator
@inline function outAt(table: usize): usize { return table + NB_HEADER_BYTES + (countOf(table) << 2); }
// @ts-ignore: decorator
@inline function ioAt(table: usize): usize { return table + NB_HEADER_BYTES + (countOf(table) << 3); }

// @ts-ignore: decorator
@inline function getI(base: usize, i: usize): i32 { return load<i32>(base + (i << 2)); }
// @ts-ignore: decorator
@inline function setI(base: usize, i: usize, v: i32): void { store<i32>(base + (i << 2), v); }

/** Bytes a free list for `segmentCount` segments occupies. */
export function bufferTableBytes(segmentCount: usize): usize {
  return <usize>NB_HEADER_BYTES + segmentCount * <usize>NB_BYTES_PER_SEGMENT;
}

/** Lays out a free list with every segment free; segment 0 is handed out first. */
export function buffersInit(table: usize, segmentCount: u32, segmentShift: u32, segmentsBase: usize): void {
  setField(table, NB_SEGMENT_COUNT, segmentCount);
  setField(table, NB_FREE_COUNT, segmentCount);
  setField(table, NB_SEGMENT_SHIFT, segmentShift);
  setField(table, NB_SEGMENTS_BASE, <u32>segmentsBase);
  setField(table, NB_LOCK, 0);
  let N = <usize>segmentCount;
  let stack = stackAt(table), out = outAt(table);
  for (let i: usize = 0; i < N; ++i) {
    setI(stack, i, <i32>(N - 1 - i));
    setI(out, i, 0);
  }
}

/**
 * Takes `n` segments, all or none: returns `n` with their indices in
 * io[0..n), or -1 (nothing changed) when fewer than `n` are free.
 */
export function buffersTake(table: usize, n: u32): i32 {
  let free = field(table, NB_FREE_COUNT);
  if (n > free) return -1;
  let stack = stackAt(table), out = outAt(table), io = ioAt(table);
  for (let i: u32 = 0; i < n; ++i) {
    free -= 1;
    let index = getI(stack, <usize>free);
    setI(out, <usize>index, 1);
    setI(io, <usize>i, index);
  }
  setField(table, NB_FREE_COUNT, free);
  return <i32>n;
}

/**
 * Returns the `n` segments listed in io[0..n) to the free stack. Indices out
 * of range and segments already free are skipped, so a segment given back
 * twice is free once. Returns the number actually given back.
 */
export function buffersGive(table: usize, n: u32): u32 {
  let N = countOf(table);
  let stack = stackAt(table), out = outAt(table), io = ioAt(table);
  let free = field(table, NB_FREE_COUNT);
  let given: u32 = 0;
  for (let i: u32 = 0; i < n; ++i) {
    let index = <usize><u32>getI(io, <usize>i);
    if (index >= N || getI(out, index) == 0) continue;
    setI(out, index, 0);
    setI(stack, <usize>free, <i32>index);
    free += 1;
    given += 1;
  }
  setField(table, NB_FREE_COUNT, free);
  return given;
}
