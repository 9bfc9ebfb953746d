import { IllegalStateError, InvalidArgumentError } from '../errors.js';
import type { BufferPoolKernels } from '../kernels/js-buffer-pool.js';
import type { EpochWatch } from '../threads/epoch-watch.js';
import { LockedFreeList } from '../threads/locked-free-list.js';
import type { ThreadsContext } from '../threads/realm-table.js';
import { adoptedIndex, type SegmentDescriptor } from '../threads/segment-descriptor.js';
import { checkInteger } from '../util/checks.js';
import type { NetworkArea } from './network-buffer-pool.js';

/**
 * What a NetworkBufferPool of a shared runtime has beside an unshared one:
 * the free list's kernels under the list's lock, the watches that wake this
 * realm when another worker gives segments back or changes what it
 * requires, and the ways segments pass between workers (handOver, adopt,
 * releaseAllOf). @internal
 */
export class SharedNetwork {
  /** The kernels under the shared list's lock. */
  readonly locked: LockedFreeList;
  /** Wakes this realm when another worker gives segments back. */
  readonly remoteGives: EpochWatch;
  /** Wakes this realm when another worker changes what it requires, so that its resizable pools share the spare again. */
  readonly remoteRequired: EpochWatch;

  constructor(
    kernels: BufferPoolKernels,
    private readonly threads: ThreadsContext,
    private readonly area: NetworkArea,
    /** This realm's own array for segment indices (workers share the list's io area). */
    io: Int32Array,
    onRemoteGive: () => void,
    onRemoteRequired: () => void,
  ) {
    this.locked = new LockedFreeList(kernels, threads.realms.words, area.table, area.segmentCount, io, threads.realm);
    this.remoteGives = this.locked.watch(onRemoteGive);
    this.remoteRequired = threads.realms.watchRequired(onRemoteRequired);
  }

  /** Gives back every segment of worker `workerId` (nothing once `destroyed`, after the checks); returns how many. See NetworkBufferPool.releaseAllOf(). */
  releaseAllOf(workerId: number, destroyed: boolean): number {
    const locked = this.locked;
    checkInteger(workerId, 'releaseAllOf: workerId', 0, this.threads.realms.realmCount - 1);
    if (workerId === locked.realm) throw new InvalidArgumentError(`releaseAllOf: ${workerId} is this worker's own id; destroy() gives its segments back`);
    if (destroyed) return 0;
    this.threads.realms.dropRequired(workerId);
    return locked.releaseRealm(this.area.table, workerId);
  }

  /** Puts segment `index` (its handle freed already) in transit to another worker; returns its descriptor. */
  handOver(index: number, address: number, size: number): SegmentDescriptor {
    this.locked.handOver(index);
    return { kind: 'segmem.segment', handover: 'buffer', byteOffset: address, size };
  }

  /** Takes the segment of `descriptor` out of transit for this worker; returns its index. See NetworkBufferPool.adopt(). */
  adopt(descriptor: SegmentDescriptor): number {
    const { base, segmentSize: size, segmentCount: count } = this.area;
    const index = adoptedIndex(descriptor, 'buffer', { base, size, count, what: 'network segments' });
    if (!this.locked.adopt(index)) throw new IllegalStateError(`adopt: network segment ${index} is not in transit (adopted already, recycled or reclaimed)`);
    return index;
  }
}
