/**
 * The network free-list kernels in TypeScript: the twin of
 * assembly/buffers.ts, over the same bytes in the same layout
 * (src/kernels/buffer-pool-layout.ts), so either build's kernels can run a
 * list the other laid out.
 */
import type { Kernels } from './kernels.js';
import { NB_FREE_COUNT, NB_LOCK, NB_SEGMENT_COUNT, NB_SEGMENT_SHIFT, NB_SEGMENTS_BASE, bufferTableArrays, bufferTableBytes } from './buffer-pool-layout.js';

/** The free-list members of Kernels. */
export type BufferPoolKernels = Pick<Kernels, 'bufferTableBytes' | 'buffersInit' | 'buffersTake' | 'buffersGive'>;

/** Free-list kernels over `buffer`. */
export function createJsBufferPool(buffer: ArrayBufferLike): BufferPoolKernels {
  const i32 = new Int32Array(buffer);
  const u32 = new Uint32Array(buffer);

  const get = (table: number, field: number): number => u32[(table + field) >>> 2]!;
  const set = (table: number, field: number, value: number): void => {
    u32[(table + field) >>> 2] = value;
  };

  /** Int32 indices of a list's arrays. */
  const arrays = (table: number) => {
    const count = get(table, NB_SEGMENT_COUNT);
    const at = bufferTableArrays(count);
    return { count, stack: (table + at.freeStack) >>> 2, out: (table + at.out) >>> 2, io: (table + at.io) >>> 2 };
  };

  const buffersInit = (table: number, segmentCount: number, segmentShift: number, segmentsBase: number): void => {
    set(table, NB_SEGMENT_COUNT, segmentCount);
    set(table, NB_FREE_COUNT, segmentCount);
    set(table, NB_SEGMENT_SHIFT, segmentShift);
    set(table, NB_SEGMENTS_BASE, segmentsBase);
    set(table, NB_LOCK, 0);
    const { stack, out } = arrays(table);
    for (let i = 0; i < segmentCount; i++) {
      i32[stack + i] = segmentCount - 1 - i;
      i32[out + i] = 0;
    }
  };

  const buffersTake = (table: number, n: number): number => {
    let free = get(table, NB_FREE_COUNT);
    if (n > free || n < 0) return -1;
    const { stack, out, io } = arrays(table);
    for (let i = 0; i < n; i++) {
      const index = i32[stack + --free]!;
      i32[out + index] = 1;
      i32[io + i] = index;
    }
    set(table, NB_FREE_COUNT, free);
    return n;
  };

  const buffersGive = (table: number, n: number): number => {
    const { count, stack, out, io } = arrays(table);
    let free = get(table, NB_FREE_COUNT);
    let given = 0;
    for (let i = 0; i < n; i++) {
      const index = i32[io + i]!;
      if (index >>> 0 >= count || i32[out + index] === 0) continue;
      i32[out + index] = 0;
      i32[stack + free++] = index;
      given++;
    }
    set(table, NB_FREE_COUNT, free);
    return given;
  };

  return { bufferTableBytes, buffersInit, buffersTake, buffersGive };
}
