import { MemoryAllocationError } from '../errors.js';
import type { MemoryRegion } from './region.js';
import type { MemorySegment, SegmentReleaser } from './segment.js';

/** Allocations are rounded up to this, keeping every block 16-byte aligned (one SIMD lane). */
const ALIGN = 16;

/**
 * The area of the linear memory that unpooled off-heap segments are carved
 * from: a first-fit list of free blocks, merged with their neighbours on free.
 * Unpooled allocation is rare (pages come from the MemoryManager), so a short
 * sorted list beats a cleverer structure here.
 */
export class OffHeapArea implements SegmentReleaser {
  /** Free blocks as [start, end) pairs, sorted by start, never adjacent. */
  private readonly free: number[] = [];
  /** Every segment handed out and not yet freed, so close() can free them. */
  private readonly live = new Set<MemorySegment>();
  private bytesFree: number;

  constructor(
    private readonly region: MemoryRegion,
    readonly base: number,
    readonly capacity: number,
  ) {
    this.bytesFree = capacity;
    if (capacity > 0) this.free.push(base, base + capacity);
  }

  /** Bytes not handed out. */
  get availableBytes(): number {
    return this.bytesFree;
  }

  /** Carves a segment of `size` bytes, or throws MemoryAllocationError. */
  allocate(size: number, owner: unknown): MemorySegment {
    const need = Math.max(ALIGN, Math.ceil(size / ALIGN) * ALIGN);
    const free = this.free;
    for (let i = 0; i < free.length; i += 2) {
      const start = free[i]!;
      const end = free[i + 1]!;
      if (end - start < need) continue;
      if (end - start === need) free.splice(i, 2);
      else free[i] = start + need;
      this.bytesFree -= need;
      const segment = this.region.segment(start, size, owner, this);
      this.live.add(segment);
      return segment;
    }
    throw new MemoryAllocationError(
      `cannot allocate an unpooled off-heap segment of ${size} bytes: ${this.bytesFree} of ${this.capacity} bytes free` +
        (this.bytesFree >= need ? ' but fragmented' : '') +
        '; raise offHeapMemory',
    );
  }

  /** Returns a freed segment's block to the free list, merging neighbours. */
  segmentFreed(segment: MemorySegment, address: number): void {
    this.live.delete(segment);
    const start = address;
    const end = address + Math.max(ALIGN, Math.ceil(segment.size / ALIGN) * ALIGN);
    this.bytesFree += end - start;
    const free = this.free;
    let i = 0;
    while (i < free.length && free[i]! < start) i += 2;
    const joinsBefore = i > 0 && free[i - 1] === start;
    const joinsAfter = i < free.length && free[i] === end;
    if (joinsBefore && joinsAfter) {
      free[i - 1] = free[i + 1]!;
      free.splice(i, 2);
    } else if (joinsBefore) {
      free[i - 1] = end;
    } else if (joinsAfter) {
      free[i] = start;
    } else {
      free.splice(i, 0, start, end);
    }
  }

  /** Frees every segment still handed out. */
  close(): void {
    for (const segment of [...this.live]) segment.free();
  }
}
