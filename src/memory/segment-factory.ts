import { InvalidArgumentError, SegmentOutOfBoundsError } from '../errors.js';
import type { OffHeapArena } from './off-heap-arena.js';
import { MemorySegment } from './segment.js';

/** Largest size of a plain-memory segment: typed arrays index with numbers below 2^32 here. */
const MAX_SEGMENT_SIZE = 2 ** 32 - 1;

/**
 * Makes segments that do not come from a pool: wrappers of existing bytes,
 * plain-JS-memory segments, and unpooled segments in the linear memory.
 */
export class MemorySegmentFactory {
  /** @internal Each runtime has its own, rt.segments. */
  constructor(
    private readonly arena: OffHeapArena,
    private readonly checkOpen: () => void,
  ) {}

  /** A heap segment over `bytes` itself: writes show through both ways. Throws ERR_INVALID_ARGUMENT unless `bytes` is a Uint8Array. */
  wrap(bytes: Uint8Array): MemorySegment {
    checkBytes(bytes, 'bytes');
    return heapSegment(bytes, null);
  }

  /** A heap segment over a copy of `bytes[start, end)` (default: all of it); throws ERR_INVALID_ARGUMENT unless `bytes` is a Uint8Array, ERR_SEGMENT_OUT_OF_BOUNDS for a range outside it. */
  wrapCopy(bytes: Uint8Array, start = 0, end: number = checkBytes(bytes, 'bytes').length): MemorySegment {
    checkBytes(bytes, 'bytes');
    if (!(start >>> 0 === start && end >>> 0 === end && start <= end && end <= bytes.length)) {
      throw new SegmentOutOfBoundsError(`wrapCopy: start ${String(start)}, end ${String(end)} is not a range within the array of ${bytes.length} bytes`);
    }
    return heapSegment(bytes.slice(start, end), null);
  }

  /** A segment of `size` zeroed bytes in plain JS memory (garbage-collected; free() only revokes access); throws ERR_INVALID_ARGUMENT unless `size` is an integer from 0 to 2^32 − 1. */
  allocateUnpooledSegment(size: number, owner: unknown = null): MemorySegment {
    checkSize(size, 'allocateUnpooledSegment');
    return heapSegment(new Uint8Array(size), owner);
  }

  /** A segment of `size` bytes in the runtime's linear memory (offHeapMemory area); free() returns them. Throws ERR_MEMORY_ALLOCATION when the area has no room, ERR_INVALID_ARGUMENT for a bad `size`, ERR_SHUTDOWN after rt.close(). */
  allocateUnpooledOffHeapMemory(size: number, owner: unknown = null): MemorySegment {
    checkSize(size, 'allocateUnpooledOffHeapMemory');
    this.checkOpen();
    return this.arena.allocate(size, owner);
  }
}

/** A segment backed by a plain Uint8Array. */
function heapSegment(bytes: Uint8Array, owner: unknown): MemorySegment {
  return new MemorySegment(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.length, owner, null, null);
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
