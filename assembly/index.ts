// The segmem kernels: one module, no managed objects (stub runtime), every
// function over plain addresses in the one imported linear memory.
export { copy, fill, compare, equal, swap } from './bulk';
export { byteSwap16, byteSwap32, byteSwap64 } from './endian';
export { pageTableBytes, pagesInit, pagesAllocate, pagesRelease, pagesReleaseAll } from './pages';
export { getInt, putInt, getIntBigEndian, putIntBigEndian, getLong, putLong, getDouble } from './scalar';

/** First address the module's own static data leaves free; segmem's layout starts at or above it. */
export function heapBase(): usize {
  return __heap_base;
}
