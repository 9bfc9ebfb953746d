import { InvalidArgumentError } from '../errors.js';
import { render } from '../util/render.js';
import { readFields } from './descriptor.js';

/**
 * A segment passed to another worker by its address, never by its bytes:
 * plain data to post along with (or after) the runtime's descriptor.
 *
 * - 'view' (rt.segments.share): the receiver wraps the same bytes without
 *   taking ownership (rt.segments.open); the sender still owns them, and its
 *   release ends the view's meaning.
 * - 'buffer' (networkBufferPool.handOver): a network segment handed over; the
 *   receiver's networkBufferPool.adopt() makes it its own, once.
 * - 'page' (memoryManager.handOver): a managed page handed over; the
 *   receiver's memoryManager.adopt() gives it to one of its owners, once.
 *
 * Until adopted, a handed-over segment still counts as the sender's worker
 * id: it outlives the sender's close() (a producer may post its last
 * segments and end), and releaseAllOf() of that id reclaims it if nobody
 * adopts it.
 */
export interface SegmentDescriptor {
  /** Always 'segmem.segment'. */
  readonly kind: 'segmem.segment';
  /** What the receiver may do with it (see above). */
  readonly handover: 'view' | 'buffer' | 'page';
  /** Where the segment's first byte lies in the shared memory (its address). */
  readonly byteOffset: number;
  /** Bytes of the segment. */
  readonly size: number;
}

/** Checks that `value` is a segment descriptor of the `handover` kind. @internal */
export function checkSegmentDescriptor(value: unknown, handover: SegmentDescriptor['handover'], operation: string): SegmentDescriptor {
  const descriptor = readFields<SegmentDescriptor>(value, ['kind', 'handover', 'byteOffset', 'size'], operation);
  if (descriptor?.kind !== 'segmem.segment') {
    throw new InvalidArgumentError(`${operation}: expected a segment descriptor, got ${render(value)}`);
  }
  if (descriptor.handover !== handover) {
    throw new InvalidArgumentError(`${operation}: expected a descriptor handed over as ${render(handover)}, got one of ${render(descriptor.handover)}`);
  }
  const { byteOffset, size } = descriptor;
  if (typeof byteOffset !== 'number' || byteOffset >>> 0 !== byteOffset || typeof size !== 'number' || size >>> 0 !== size) {
    throw new InvalidArgumentError(`${operation}: the descriptor's byteOffset ${render(byteOffset)} and size ${render(size)} are not a range of the memory`);
  }
  return descriptor;
}

/** The checked extent of the segments a descriptor may name: `count` of `size` bytes each from address `base`, called `what` in messages. @internal */
export interface HandoverExtent {
  readonly base: number;
  readonly size: number;
  readonly count: number;
  readonly what: string;
}

/** Checks that `value` is a descriptor (of the `handover` kind) of one of the segments of `extent`, for adopt(); returns its index. @internal */
export function adoptedIndex(value: unknown, handover: 'buffer' | 'page', extent: HandoverExtent): number {
  const { byteOffset: address, size } = checkSegmentDescriptor(value, handover, 'adopt');
  const index = (address - extent.base) / extent.size;
  if (size !== extent.size || !Number.isInteger(index) || index < 0 || index >= extent.count) {
    throw new InvalidArgumentError(`adopt: ${size} bytes at ${address} is not one of the ${extent.count} ${extent.what} of this memory`);
  }
  return index;
}
