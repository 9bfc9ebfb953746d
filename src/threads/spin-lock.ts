import { IllegalStateError } from '../errors.js';

/**
 * A short compare-and-swap spin lock on one word of a shared memory: 0 while
 * free, the holder's worker id + 1 while held. Every table operation of a
 * shared runtime (a batch of pages or buffers, a slot, a reservation) takes
 * it for a few hundred nanoseconds at most.
 *
 * Why a lock and not a lock-free free stack with an ABA tag: a page-table
 * operation changes the free stack and the owner of each page together, and
 * the budget with them; a lock-free stack would make only the first of these
 * atomic. One lock per batch also costs one CAS per batch where a
 * lock-free stack costs one CAS per page. Measured on a bare stack of 1024
 * indices, one pop + one push per op (`node bench/threads.mjs wasm|js`, Node
 * 20, 2 cores at load 6): 2 workers at once, spin lock 157 / 238 ns, lock-free
 * 116 / 355 ns (wasm / js process); 1 worker 90 / 61 against 82 / 98 ns. On
 * the bare stack neither wins clearly; the lock wins on the real table, where
 * one CAS covers a whole batch and everything that changes with it.
 *
 * Waiting: it spins; after a few hundred failed tries, where the agent may
 * block (a worker, Node's main thread), it sleeps 20 µs in Atomics.wait so
 * that a holder preempted on a busy machine gets the core back. A browser's
 * main thread may not block and keeps spinning.
 *
 * A worker terminated inside an operation leaves the word holding its tag,
 * and the table possibly half-changed. Nothing can tell a dead holder from a
 * slow one but the application, which says so with releaseAllOf(id): finding
 * the lock held by `id` there poisons it (the word becomes -(id + 1)), so that
 * every realm waiting for it, and every later operation, fails with
 * ERR_ILLEGAL_STATE instead of waiting forever.
 *
 *   word:  0 free   |   id + 1 held by worker id   |   -(id + 1) poisoned: worker id died holding it
 */
const SPINS_BEFORE_SLEEP = 4096;
const SLEEP_MS = 0.02;

/** Whether this agent may call Atomics.wait (false on a browser's main thread); probed once. */
let canBlock: boolean | undefined;

function probeBlocking(words: Int32Array, index: number): boolean {
  try {
    // Waits for a value the word never holds (-1): returns 'not-equal' at once where blocking is allowed.
    Atomics.wait(words, index, -1, 0);
    return true;
  } catch {
    return false;
  }
}

/** @internal */
export class SpinLock {
  constructor(
    private readonly words: Int32Array,
    /** Int32 index of the lock word. */
    private readonly index: number,
    /** What the word holds while this realm holds the lock: its worker id + 1. */
    private readonly tag: number,
    /** What the lock guards, for messages ('page table'). */
    private readonly what: string,
  ) {}

  /** Takes the lock, spinning (and, where allowed, sleeping briefly) while another realm holds it. */
  enter(): void {
    const { words, index, tag } = this;
    if (Atomics.compareExchange(words, index, 0, tag) === 0) return;
    let spins = 0;
    for (;;) {
      const holder = Atomics.load(words, index);
      if (holder === 0 && Atomics.compareExchange(words, index, 0, tag) === 0) return;
      if (holder < 0) throw this.poisonedError(-holder - 1);
      if (++spins < SPINS_BEFORE_SLEEP) continue;
      spins = 0;
      canBlock ??= probeBlocking(words, index);
      if (canBlock && holder !== 0) Atomics.wait(words, index, holder, SLEEP_MS);
    }
  }

  /** Gives the lock back. */
  leave(): void {
    Atomics.store(this.words, this.index, 0);
  }

  /** The worker id + 1 of the realm holding the lock now, 0 when free. */
  holder(): number {
    return Atomics.load(this.words, this.index);
  }

  /**
   * Throws IllegalStateError when worker `id` holds the lock: a worker that
   * ended while holding it ended inside a table operation, which may have
   * left the table half-changed, so nothing of it can be reclaimed safely.
   * The lock is poisoned on the way (see above), so that no realm waits for
   * it forever.
   */
  checkNotHeldBy(id: number): void {
    const { words, index } = this;
    const holder = Atomics.load(words, index);
    if (holder < 0) throw this.poisonedError(-holder - 1);
    if (holder !== id + 1) return;
    if (Atomics.compareExchange(words, index, id + 1, -(id + 1)) !== id + 1) return;
    // Wake the realms sleeping on the word, so that they see the poison now.
    Atomics.notify(words, index);
    throw new IllegalStateError(
      `releaseAllOf: worker ${id} holds the lock of the ${this.what}: it ended inside a table operation, which may have left the table inconsistent; start a new runtime (every operation on the ${this.what} now fails with ERR_ILLEGAL_STATE)`,
    );
  }

  private poisonedError(id: number): IllegalStateError {
    return new IllegalStateError(`the ${this.what} of this shared runtime can no longer be used: worker ${id} ended inside one of its operations (found by releaseAllOf); start a new runtime`);
  }
}
