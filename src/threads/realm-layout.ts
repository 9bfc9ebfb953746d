/**
 * The realm table of a shared runtime: which workers are attached, what each
 * one holds that the page table and the network free list cannot tell, and
 * the off-heap area's lock. It lies in the linear memory (right after the
 * network free list) only when the runtime is shared; unshared layouts have
 * none. Every field is a u32 changed with Atomics or under a table's lock.
 *
 *   realms +  0   users           runtimes attached to the memory (the creator included)
 *          +  4   offHeapLock     lock word of the off-heap area (its own header has no spare word)
 *          +  8   realmCount      R: worker ids 0..R-1
 *          + 12   slotCount       P: owner slots of the page table
 *          + 16   netRequired     network segments required by every worker's pools and unpooled requests
 *          + 20   netEpoch        bumped whenever netRequired changes (workers then share the spare again)
 *          + 24   netWaiters      realms waiting on netEpoch
 *          + 28   (reserved)
 *          + 32           live[R]       1 while worker id r is taken, else 0
 *          + 32 + 4R      reserved[R]   managed bytes reserved by worker r's owners (under the page table's lock)
 *          + 32 + 8R      required[R]   network segments worker r requires (its share of netRequired)
 *          + 32 + 12R     slotRealm[P]  worker id + 1 of the realm holding owner slot s; 0 while free
 *          = 32 + 12R + 4P bytes in all
 */

/** Runtimes attached to the memory. */
export const RT_USERS = 0;
/** The off-heap area's lock word. */
export const RT_OFF_HEAP_LOCK = 4;
/** Number of worker ids. */
export const RT_REALM_COUNT = 8;
/** Number of owner slots (the page table's page count). */
export const RT_SLOT_COUNT = 12;
/** Network segments every worker's pools and unpooled requests require. */
export const RT_NET_REQUIRED = 16;
/** Bumped whenever RT_NET_REQUIRED changes. */
export const RT_NET_EPOCH = 20;
/** Realms waiting on RT_NET_EPOCH. */
export const RT_NET_WAITERS = 24;
/** Bytes of the header; the arrays follow it. */
export const RT_HEADER_BYTES = 32;

/**
 * Worker ids a shared runtime has: at most this many runtimes can be attached
 * to one memory at once (the creator included). 256 costs 3 KiB.
 */
export const MAX_REALMS = 256;

/** Where each array of a realm table starts, in bytes from the table. */
export function realmTableArrays(realmCount: number) {
  return {
    live: RT_HEADER_BYTES,
    reserved: RT_HEADER_BYTES + realmCount * 4,
    required: RT_HEADER_BYTES + realmCount * 8,
    slotRealm: RT_HEADER_BYTES + realmCount * 12,
  };
}

/** Total bytes of a realm table for `slotCount` owner slots. */
export const realmTableBytes = (slotCount: number): number => RT_HEADER_BYTES + MAX_REALMS * 12 + slotCount * 4;
