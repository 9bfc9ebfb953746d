import { InvalidArgumentError, SegmentOutOfBoundsError, SegmentFreedError } from '../errors.js';
import { checkSegmentDescriptor, type SegmentDescriptor } from '../threads/segment-descriptor.js';
import { checkInteger, checkUint8Array } from '../util/checks.js';
import { render } from '../util/render.js';
import type { OffHeapArea } from './off-heap-area.js';
import { MemoryRegion } from './region.js';
import { MemorySegment } from './segment.js';

/** The runtime's linear memory, for descriptors of segments in it. @internal */
export interface SharedSegments {
  readonly region: MemoryRegion;
  /** First and last (exclusive) address segments may lie at: the off-heap area through the network pages. */
  readonly start: number;
  readonly end: number;
}

/** Largest size of a plain-memory segment: typed arrays index with numbers below 2^32 here. */
const MAX_SEGMENT_SIZE = 2 ** 32 - 1;

/**
 * Makes segments that do not come from a pool: wrappers of existing bytes,
 * plain-JS-memory segments, and unpooled segments in the linear memory.
 */
export class MemorySegmentFactory {
  /** @internal Each runtime has its own, rt.segments. */
  constructor(
    private readonly offHeap: OffHeapArea,
    private readonly checkOpen: () => void,
    private readonly linear: SharedSegments | null = null,
  ) {}

  /**
   * A descriptor of `segment` (a page, a network buffer's segment or an
   * unpooled off-heap segment of this runtime) that another worker attached
   * to the same shared memory opens with open(): the same bytes, no
   * ownership. Throws ERR_INVALID_ARGUMENT for a segment in plain JS memory or
   * of another runtime, ERR_SEGMENT_FREED for a freed one.
   */
  share(segment: MemorySegment): SegmentDescriptor {
    this.checkOpen();
    if (!(segment instanceof MemorySegment)) throw new InvalidArgumentError(`share: expected a MemorySegment, got ${render(segment)}`);
    if (segment.isFreed()) throw new SegmentFreedError(`share: the segment (${segment.size} bytes) has been freed`);
    const linear = this.linear;
    if (linear === null || !segment.isOffHeap() || segment.address < linear.start || segment.address + segment.size > linear.end) {
      throw new InvalidArgumentError(`share: the segment (${segment.size} bytes) is not in this runtime's linear memory`);
    }
    return { kind: 'segmem.segment', handover: 'view', byteOffset: segment.address, size: segment.size };
  }

  /**
   * A segment over the bytes a 'view' descriptor (share(), maybe from another
   * worker) names, owned by nobody: its free() only ends this handle's access.
   * Throws ERR_INVALID_ARGUMENT for anything else or a range outside the
   * runtime's segment areas, ERR_SHUTDOWN after rt.close().
   */
  open(descriptor: SegmentDescriptor): MemorySegment {
    this.checkOpen();
    const { byteOffset: address, size } = checkSegmentDescriptor(descriptor, 'view', 'open');
    const linear = this.linear;
    if (linear === null || address < linear.start || address + size > linear.end) {
      const range = linear === null ? 'none' : `[${linear.start}, ${linear.end})`;
      throw new InvalidArgumentError(`open: the range [${address}, ${address + size}) is outside the runtime's segment areas ${range}`);
    }
    return linear.region.segment(address, size, null, null);
  }

  /** A heap segment over `bytes` itself: writes show through both ways. Throws ERR_INVALID_ARGUMENT unless `bytes` is a Uint8Array. */
  wrap(bytes: Uint8Array): MemorySegment {
    checkUint8Array(bytes, 'bytes');
    return arraySegment(bytes, null);
  }

  /** A heap segment over a copy of `bytes[start, end)` (default: all of it); throws ERR_INVALID_ARGUMENT unless `bytes` is a Uint8Array, ERR_SEGMENT_OUT_OF_BOUNDS for a range outside it. */
  wrapCopy(bytes: Uint8Array, start = 0, end: number = checkUint8Array(bytes, 'bytes').length): MemorySegment {
    checkUint8Array(bytes, 'bytes');
    if (!(typeof start === 'number' && typeof end === 'number' && start >>> 0 === start && end >>> 0 === end && start <= end && end <= bytes.length)) {
      throw new SegmentOutOfBoundsError(`wrapCopy: start ${render(start)}, end ${render(end)} is not a range within the array of ${bytes.length} bytes`);
    }
    return arraySegment(bytes.slice(start, end), null);
  }

  /** A segment of `size` zeroed bytes in plain JS memory (garbage-collected; free() only revokes access); throws ERR_INVALID_ARGUMENT unless `size` is an integer from 0 to 2^32 − 1. */
  allocateUnpooledSegment(size: number, owner: unknown = null): MemorySegment {
    checkSize(size, 'allocateUnpooledSegment');
    return arraySegment(new Uint8Array(size), owner);
  }

  /** A segment of `size` bytes in the runtime's linear memory (offHeapMemory area); free() returns them. Throws ERR_MEMORY_ALLOCATION when the area has no room, ERR_INVALID_ARGUMENT for a bad `size`, ERR_SHUTDOWN after rt.close(). */
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

function checkSize(size: number, what: string): void {
  checkInteger(size, `${what}: size`, 0, MAX_SEGMENT_SIZE);
}
