// The segmem kernels: one module, no managed objects (stub runtime), every
// function over plain addresses in the one imported linear memory.
export { copy, fill, compare, equal, swap } from './bulk';
export { byteSwap16, byteSwap32, byteSwap64 } from './endian';
export { pageTableBytes, pagesInit, pagesAllocate, pagesRelease, pagesReleaseAll, budgetReserve, budgetRelease, slotAcquire, slotRelease } from './pages';
export { PT_PAGE_COUNT, PT_FREE_COUNT, PT_PAGE_SHIFT, PT_PAGES_BASE, PT_ZERO_ON_RELEASE, PT_BYTES_AVAILABLE, PT_FREE_SLOTS, PT_LOCK, PT_HEADER_BYTES, PT_BYTES_PER_PAGE } from './pages';
export { offHeapInit, offHeapAllocate, offHeapFree, offHeapLargestFree } from './offheap';
export { OH_AREA_BYTES, OH_FREE_BYTES, OH_FREE_HEAD, OH_USED_BLOCKS, OH_AREA_HEADER_BYTES, OH_SIZE, OH_PREV_SIZE, OH_NEXT_FREE, OH_PREV_FREE, OH_BLOCK_HEADER_BYTES, OH_USED } from './offheap';
export { bufferTableBytes, buffersInit, buffersTake, buffersGive } from './buffers';
export { NB_SEGMENT_COUNT, NB_FREE_COUNT, NB_SEGMENT_SHIFT, NB_SEGMENTS_BASE, NB_LOCK, NB_EPOCH, NB_WAITERS, NB_HEADER_BYTES, NB_BYTES_PER_SEGMENT } from './buffers';
export { getLong, putLong, getLongBigEndian, putLongBigEndian } from './longs';
export { sortInPlace, sortInPlaceRange, sortPartition, sortNextTie, sortRunEnd } from './sort';
export { sortCount, sortPlace, sortScatter, sortLeaf, sortRestore } from './radix';
export { SORT_N, SORT_ENTRY_SHIFT, SORT_PAGE_SHIFT, SORT_KEY_BYTES, SORT_FLAGS, SORT_CAPACITY, SORT_LIST, SORT_SPARE, SORT_COUNTS, SORT_LISTS } from './sort';
export { getInt, putInt, getIntBigEndian, putIntBigEndian, getDouble } from './scalar';

/** First address the module's own static data leaves free; segmem's layout starts at or above it. */
export function heapBase(): usize {
  return __heap_base;
}
export { sortIndexFixed, sortGatherFixed, PLAN_OFFSETS, PLAN_MASKS } from './batch';
export { mergeRuns, MERGE_STATE_BYTES, MERGE_RUN_BYTES, MERGE_FULL, MERGE_SERVICE, MERGE_DONE } from './merge';
export { spillChecksum } from './checksum';
