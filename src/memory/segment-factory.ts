import { InvalidArgumentError, SegmentOutOfBoundsError } from '../errors.js';
import type { OffHeapArea } from './off-heap-area.js';
import { MemoryRegion } from './region.js';
import type { MemorySegment } from './segment.js';

/** Largest size of a plain-memory segment: typed arrays index with numbers below 2^32 here. */
const MAX_SEGMENT_SIZE = 2 ** 32 - 1;

/**
 * Makes segments that do not come from a pool: wrappers of existing bytes,
 * plain-JS-memory segments, and unpooled segments in the linear memory.
 */
export class MemorySegmentFactory {
  /** @internal */
  constructor(
    private readonly offHeap: OffHeapArea,
    private readonly checkOpen: () => void,
  ) {}

  /** A heap segment over `bytes` itself: writes show through both ways. */
  wrap(bytes: Uint8Array): MemorySegment {
    checkBytes(bytes, 'bytes');
    return arraySegment(bytes, null);
  }

  /** A heap segment over a copy of `bytes[start, end)` (default: all of it). */
  wrapCopy(bytes: Uint8Array, start = 0, end: number = checkBytes(bytes, 'bytes').length): MemorySegment {
    checkBytes(bytes, 'bytes');
    if (!(start >>> 0 === start && end >>> 0 === end && start <= end && end <= bytes.length)) {
      throw new SegmentOutOfBoundsError(`wrapCopy: start ${String(start)}, end ${String(end)} is not a range within the array of ${bytes.length} bytes`);
    }
    return arraySegment(bytes.slice(start, end), null);
  }

  /** A segment of `size` zeroed bytes in plain JS memory (garbage-collected; free() only revokes access). */
  allocateUnpooledSegment(size: number, owner: unknown = null): MemorySegment {
    checkSize(size, 'allocateUnpooledSegment');
    return arraySegment(new Uint8Array(size), owner);
  }

  /** A segment of `size` bytes in the runtime's linear memory (offHeapMemory area); free() returns them. */
  allocateUnpooledOffHeapMemory(size: number, owner: unknown = null): MemorySegment {
    checkSize(size, 'allocateUnpooledOffHeapMemory');
    this.checkOpen();
    return this.offHeap.allocate(size, owner);
  }
}

/** A segment over all of a plain Uint8Array (JS memory, not the linear memory). */
function arraySegment(bytes: Uint8Array, owner: unknown): MemorySegment {
  return MemoryRegion.ofArray(bytes).segment(0, bytes.length, owner, null);
}

function checkBytes(bytes: unknown, name: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  throw new InvalidArgumentError(`${name} must be a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
}

function checkSize(size: number, what: string): void {
  if (!(Number.isInteger(size) && size >= 0 && size <= MAX_SEGMENT_SIZE)) {
    throw new InvalidArgumentError(`${what}: size ${String(size)} is not an integer from 0 to ${MAX_SEGMENT_SIZE}`);
  }
}
