import type { BufferPoolKernels } from '../kernels/js-buffer-pool.js';
import { NB_EPOCH, NB_FREE_COUNT, NB_LOCK, NB_WAITERS, bufferTableArrays } from '../kernels/buffer-pool-layout.js';
import { EpochWatch } from './epoch-watch.js';
import { SpinLock } from './spin-lock.js';

/**
 * The network free-list kernels of a shared runtime: each call under the
 * list's lock, segment indices through this realm's own io array (copied to
 * and from the list's io area under the lock). A taken segment's out flag
 * holds the taking worker's id + 1, so that releaseRealm() can give back
 * what a worker that ended held; every give bumps the list's epoch and wakes
 * the realms waiting on it. @internal
 */
export class LockedFreeList implements BufferPoolKernels {
  private readonly lock: SpinLock;
  private readonly words: Int32Array;
  private readonly tableIo: Int32Array;
  /** Int32 index of out[0]. */
  private readonly out: number;
  private readonly epoch: number;
  private readonly waiters: number;
  private readonly freeCount: number;

  constructor(
    private readonly inner: BufferPoolKernels,
    words: Int32Array,
    table: number,
    private readonly segmentCount: number,
    /** This realm's io array: what the NetworkBufferPool reads and writes. */
    private readonly io: Int32Array,
    /** This realm's worker id. */
    readonly realm: number,
  ) {
    this.words = words;
    this.lock = new SpinLock(words, (table + NB_LOCK) >>> 2, realm + 1, 'network free list');
    const arrays = bufferTableArrays(segmentCount);
    this.tableIo = new Int32Array(words.buffer, table + arrays.io, segmentCount);
    this.out = (table + arrays.out) >>> 2;
    this.epoch = (table + NB_EPOCH) >>> 2;
    this.waiters = (table + NB_WAITERS) >>> 2;
    this.freeCount = (table + NB_FREE_COUNT) >>> 2;
  }

  bufferTableBytes(segmentCount: number): number {
    return this.inner.bufferTableBytes(segmentCount);
  }

  buffersInit(table: number, segmentCount: number, segmentShift: number, segmentsBase: number): void {
    this.inner.buffersInit(table, segmentCount, segmentShift, segmentsBase);
  }

  buffersTake(table: number, n: number): number {
    this.lock.enter();
    try {
      const taken = this.inner.buffersTake(table, n);
      if (taken !== n) return taken;
      const { io, tableIo, words, out } = this;
      const tag = this.realm + 1;
      for (let i = 0; i < n; i++) {
        const index = tableIo[i]!;
        io[i] = index;
        words[out + index] = tag;
      }
      return taken;
    } finally {
      this.lock.leave();
    }
  }

  buffersGive(table: number, n: number): number {
    let given: number;
    this.lock.enter();
    try {
      this.tableIo.set(this.io.subarray(0, n));
      given = this.inner.buffersGive(table, n);
    } finally {
      this.lock.leave();
    }
    if (given > 0) EpochWatch.bump(this.words, this.epoch, this.waiters);
    return given;
  }

  /** Segments on the free list now. */
  free(): number {
    return Atomics.load(this.words, this.freeCount);
  }

  /** A watch that calls `onChange` after segments come back (from any realm). */
  watch(onChange: () => void): EpochWatch {
    return new EpochWatch(this.words, this.epoch, this.waiters, () => this.free() > 0, onChange);
  }

  /**
   * Marks segment `index` (out to this realm) in transit: its out flag holds
   * minus this realm's worker id + 1 until a realm adopts it.
   */
  handOver(index: number): void {
    this.lock.enter();
    this.words[this.out + index] = -(this.realm + 1);
    this.lock.leave();
  }

  /** Makes segment `index`, in transit, this realm's: true, or false when it is not in transit (free, held, adopted already). */
  adopt(index: number): boolean {
    this.lock.enter();
    try {
      const at = this.out + index;
      if (index >>> 0 >= this.segmentCount || this.words[at]! >= 0) return false;
      this.words[at] = this.realm + 1;
      return true;
    } finally {
      this.lock.leave();
    }
  }

  /** Gives back every segment worker `id` holds; returns how many. */
  releaseRealm(table: number, id: number): number {
    let given: number;
    this.lock.checkNotHeldBy(id);
    this.lock.enter();
    try {
      const { words, out, tableIo } = this;
      const tag = id + 1;
      let count = 0;
      // What it holds, and what it handed over that nobody adopted.
      for (let index = 0; index < this.segmentCount; index++) {
        const flag = words[out + index]!;
        if (flag === tag || flag === -tag) tableIo[count++] = index;
      }
      given = this.inner.buffersGive(table, count);
    } finally {
      this.lock.leave();
    }
    if (given > 0) EpochWatch.bump(this.words, this.epoch, this.waiters);
    return given;
  }
}
