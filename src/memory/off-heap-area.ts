import { InvalidArgumentError, MemoryAllocationError } from '../errors.js';
import {
  OH_AREA_BYTES,
  OH_AREA_HEADER_BYTES,
  OH_FREE_BYTES,
  OH_USED_BLOCKS,
  offHeapAreaBytes,
  offHeapBlockBytes,
  OH_BLOCK_HEADER_BYTES,
} from '../kernels/off-heap-layout.js';
import type { SpinLock } from '../threads/spin-lock.js';
import type { MemoryRegion } from './region.js';
import type { MemorySegment, SegmentReleaser } from './segment.js';

/**
 * The area of the linear memory that unpooled off-heap segments are carved
 * from. The allocator's state (free list, boundary tags, counts) lives in the
 * area itself and is changed only by the offHeap* kernels (layout in
 * assembly/offheap.ts), so a runtime attached to the same memory allocates
 * from the same area. What is per runtime is the set of segment handles this
 * runtime gave out, which close() frees.
 *
 * Accounting: the area holds `capacity` (offHeapMemory) bytes for segments
 * plus 32 bytes of headers, so a fresh area gives one segment of all
 * `capacity` bytes. A segment of n bytes takes a block of 16 + roundUp(n, 16)
 * bytes (a 16-byte header, then the segment, 16-byte aligned).
 * `availableBytes` is the sum, over free blocks, of what a segment carved
 * from that block alone could have (its size minus its header): `capacity`
 * when nothing is allocated, and a request of n bytes fits when n is at most
 * `availableBytes` and the free space is not fragmented.
 */
export class OffHeapArea implements SegmentReleaser {
  /** Every segment this runtime handed out and has not freed, so close() can free them. */
  private readonly live = new Set<MemorySegment>();
  /** The area header's u32 fields; null when the area is empty (offHeapMemory 0). */
  private readonly header: Uint32Array | null;

  /** Lays out an empty area at `base`, or (with `attach`) uses the one another runtime laid out there. */
  constructor(
    private readonly region: MemoryRegion,
    readonly base: number,
    readonly capacity: number,
    attach = false,
    /** A shared runtime's lock over the area's kernels (workers allocate from one area); null when unshared. */
    private readonly lock: SpinLock | null = null,
  ) {
    const areaBytes = offHeapAreaBytes(capacity);
    if (areaBytes === 0) {
      this.header = null;
      return;
    }
    this.header = new Uint32Array(region.bytes.buffer, region.bytes.byteOffset + base, OH_AREA_HEADER_BYTES / 4);
    if (!attach) region.kernels!.offHeapInit(base, areaBytes);
    else if (this.header[OH_AREA_BYTES / 4] !== areaBytes) {
      throw new InvalidArgumentError(
        `attach: the off-heap area at ${base} records ${this.header[OH_AREA_BYTES / 4]} bytes, the runtime header implies ${areaBytes}`,
      );
    }
  }

  /** Bytes free for segments: over free blocks, each block's size minus its 16-byte header (see the class comment). */
  get availableBytes(): number {
    return this.header === null ? 0 : this.header[OH_FREE_BYTES / 4]!;
  }

  /** Blocks handed out by every runtime on this memory and not yet freed. */
  get usedBlocks(): number {
    return this.header === null ? 0 : this.header[OH_USED_BLOCKS / 4]!;
  }

  /** Carves a segment of `size` bytes (an integer from 0 to 2^32 - 1, checked by the caller), or throws MemoryAllocationError with nothing changed. */
  allocate(size: number, owner: unknown): MemorySegment {
    const kernels = this.region.kernels;
    const address = this.header === null || kernels === null ? 0 : this.locked(() => kernels.offHeapAllocate(this.base, size) >>> 0);
    if (address === 0) throw this.allocationError(size);
    const segment = this.region.segment(address, size, owner, this);
    this.live.add(segment);
    return segment;
  }

  /** Returns a freed segment's block to the area, merged with its free neighbours. */
  segmentFreed(segment: MemorySegment, address: number): void {
    this.live.delete(segment);
    const kernels = this.region.kernels;
    if (this.header !== null && kernels !== null) this.locked(() => kernels.offHeapFree(this.base, address));
  }

  /** Runs one kernel call, under the shared runtime's lock when there is one. */
  private locked<T>(call: () => T): T {
    const lock = this.lock;
    if (lock === null) return call();
    lock.enter();
    try {
      return call();
    } finally {
      lock.leave();
    }
  }

  /** Frees every segment this runtime handed out and has not freed. */
  close(): void {
    for (const segment of [...this.live]) segment.free();
  }

  /** Why `size` bytes do not fit: the size, the bytes free, the largest free block when the free bytes are in pieces, the option. */
  private allocationError(size: number): MemoryAllocationError {
    const free = this.availableBytes;
    const kernels = this.region.kernels;
    let detail = '';
    if (offHeapBlockBytes(size) - OH_BLOCK_HEADER_BYTES <= free && kernels !== null && this.header !== null) {
      detail = `, fragmented: the largest free block holds ${this.locked(() => kernels.offHeapLargestFree(this.base) >>> 0)}`;
    }
    return new MemoryAllocationError(
      `cannot allocate an unpooled off-heap segment of ${size} bytes: ${free} of ${this.capacity} bytes free${detail}; raise offHeapMemory`,
    );
  }
}
