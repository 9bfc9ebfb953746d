/**
 * Waits, without blocking, for a word of a shared memory to change: what a
 * realm uses to hear that another worker gave network segments back. The
 * giver bumps the word and notifies (src/threads/locked-free-list.ts); the
 * waiter counts itself in a waiters word first, so that a giver notifies only
 * when somebody listens.
 *
 * Atomics.waitAsync where the engine has it (Node 16+, Chromium 87+); else a
 * 1 ms poll, since Atomics.wait would block, and a browser's main thread may
 * not block at all.
 */
type WaitAsync = (typedArray: Int32Array, index: number, value: number) => { async: boolean; value: Promise<string> | string };

const waitAsync: WaitAsync | undefined = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Polling interval where Atomics.waitAsync is missing. */
const POLL_MS = 1;
/**
 * While armed, a timer of this length is pending too: a pending
 * Atomics.waitAsync does not keep Node's event loop alive, so a worker whose
 * only task is a wait for segments would otherwise exit; it also re-checks
 * now and then should a wake ever be missed.
 */
const KEEP_ALIVE_MS = 1000;

/** @internal */
export class EpochWatch {
  private armed = false;
  private keepAlive: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly words: Int32Array,
    /** Int32 index of the epoch word. */
    private readonly epoch: number,
    /** Int32 index of the waiters word. */
    private readonly waiters: number,
    /** True when what the waiter waits for is there already (checked after the epoch is read, so no wake is lost). */
    private readonly ready: () => boolean,
    /** Called once per arm, when the epoch moved or `ready()` held. */
    private readonly onChange: () => void,
    /** Whether an armed watch keeps a Node worker alive (a wait someone awaits does; a background watch does not). */
    private readonly keepsAlive = true,
  ) {}

  /** Calls onChange once, after the next change of the epoch (or soon, when ready() holds already). Idempotent while armed. */
  arm(): void {
    if (this.armed) return;
    this.armed = true;
    const { words, epoch, waiters } = this;
    Atomics.add(words, waiters, 1);
    const seen = Atomics.load(words, epoch);
    if (this.ready()) {
      queueMicrotask(this.fire);
      return;
    }
    if (waitAsync === undefined) {
      this.keepAlive = setTimeout(this.fire, POLL_MS);
      return;
    }
    this.keepAlive = setTimeout(this.fire, KEEP_ALIVE_MS);
    if (!this.keepsAlive) (this.keepAlive as { unref?: () => void }).unref?.();
    const result = waitAsync(words, epoch, seen);
    if (result.async) (result.value as Promise<string>).then(this.fire);
    else queueMicrotask(this.fire);
  }

  /** True while armed. */
  isArmed(): boolean {
    return this.armed;
  }

  private readonly fire = (): void => {
    if (!this.armed) return;
    this.armed = false;
    if (this.keepAlive !== null) clearTimeout(this.keepAlive);
    this.keepAlive = null;
    Atomics.sub(this.words, this.waiters, 1);
    this.onChange();
  };

  /** Bumps the epoch and wakes the realms waiting on it. */
  static bump(words: Int32Array, epoch: number, waiters: number): void {
    Atomics.add(words, epoch, 1);
    if (Atomics.load(words, waiters) > 0) Atomics.notify(words, epoch);
  }
}
