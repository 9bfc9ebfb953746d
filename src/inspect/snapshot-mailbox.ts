/// <reference types="node" />
/**
 * The slot in shared memory through which the watched thread hands each
 * interval's snapshot event to the server thread, without waking it.
 *
 *   Int32   [0]  sequence: even while the slot holds a whole event, odd while it is written
 *   Int32   [1]  bytes of the event
 *   Float64 [1]  when the next event is due (ms since the epoch, timeOrigin + now())
 *   [16, 16 + capacity)  the event as UTF-8 ('data: {...}\n\n')
 *
 * The writer makes the sequence odd, writes the bytes, their length and the
 * next event's due time, and makes it even again; the server thread copies
 * the event when the sequence is even and new, and keeps the copy only if
 * the sequence did not move meanwhile. It looks once an interval, a little
 * after each event is due (server-thread.ts): each wake-up of an idle
 * thread cost it 70-140 µs of CPU here, so looking twice an interval, as it
 * first did, cost twice that.
 * Why not postMessage: waking another thread on a busy 2-core machine made
 * the kernel run it in the waker's place. Beside the hot builder loop
 * (Node 20, 8 MiB touched between calls) a postMessage of a 4.5 KB event took
 * 66 µs median but 925 µs mean (p90 3.3 ms), Atomics.notify the same; this
 * write, which wakes no one, 19 µs median and 22 µs mean.
 *
 * An event larger than the slot goes to a new slot twice its size, posted
 * to the server thread once (postMessage); writes go there from then on.
 */

/** Where the slot's fields are: passed to the server thread, whose body cannot import. @internal */
export const MAILBOX_LAYOUT = { sequence: 0, length: 1, due: 1, dataOffset: 16 } as const;

/** The slot's three views: the Int32 header, the Float64 due time, the event bytes. */
function slotViews(buffer: SharedArrayBuffer): { header: Int32Array; due: Float64Array; bytes: Uint8Array } {
  return { header: new Int32Array(buffer, 0, 2), due: new Float64Array(buffer, 0, 2), bytes: new Uint8Array(buffer, MAILBOX_LAYOUT.dataOffset) };
}

/** The slot's first capacity: a snapshot of ~100 pools and partitions fits (40 KB). @internal */
const FIRST_CAPACITY = 64 * 1024;

/** The watched thread's end of the mailbox. @internal */
export interface SnapshotMailbox {
  /** The slot now written to. */
  readonly buffer: SharedArrayBuffer;
  /** Writes `event` and when the next is due (ms since the epoch); returns the new slot when the event needed one (post it to the reader), else null. */
  write(event: string, nextDue: number): SharedArrayBuffer | null;
}

/** A mailbox with an empty slot (sequence 0). @internal */
export function createSnapshotMailbox(): SnapshotMailbox {
  let buffer = new SharedArrayBuffer(MAILBOX_LAYOUT.dataOffset + FIRST_CAPACITY);
  let { header, due, bytes } = slotViews(buffer);
  const encoder = new TextEncoder();
  return {
    get buffer() {
      return buffer;
    },
    write(event, nextDue) {
      let replaced: SharedArrayBuffer | null = null;
      // At most 3 UTF-8 bytes per UTF-16 unit: only an event that may not fit is measured exactly.
      if (event.length * 3 > bytes.length) {
        const needed = Buffer.byteLength(event);
        if (needed > bytes.length) {
          replaced = buffer = new SharedArrayBuffer(MAILBOX_LAYOUT.dataOffset + Math.max(2 * needed, 2 * bytes.length));
          ({ header, due, bytes } = slotViews(buffer));
        }
      }
      Atomics.add(header, MAILBOX_LAYOUT.sequence, 1);
      const { written } = encoder.encodeInto(event, bytes);
      Atomics.store(header, MAILBOX_LAYOUT.length, written);
      due[MAILBOX_LAYOUT.due] = nextDue;
      Atomics.add(header, MAILBOX_LAYOUT.sequence, 1);
      return replaced;
    },
  };
}
