/**
 * The k-way merge of sorted runs: a loser tree over the runs' current
 * entries. Each inner node keeps the run that lost the match played there,
 * node 0 the overall winner, so taking the next entry costs one match per
 * level, ⌈log2 k⌉ in all, against a heap's two per level.
 *
 *            [0] winner
 *             |
 *            [1] loser of (2, 3)
 *           /   \
 *        [2]     [3]           inner nodes 1 … k-1
 *       /  \    /   \
 *     r0   r1  r2   r3         run i is leaf k + i
 *
 * Entries compare by their normalized keys (unsigned bytes), then, when the
 * prefix does not decide the key, by the key fields read from the records;
 * equal keys go in run order, so that merging runs made in input order keeps
 * a stable sort stable.
 */
import type { RecordSerializer } from '../io/serializer.js';
import type { NormalizedKeys } from './normalized-key.js';
import type { RunReader } from './run-reader.js';

/** The order of two runs' current entries. */
export class EntryOrder {
  /** Indexes of the key fields in the record type. */
  readonly keyFields: readonly number[];
  /** Bytes of every entry's normalized key. */
  readonly keyBytes: number;
  /** True when the normalized keys decide the order (equal prefixes are equal keys): the merge kernel can merge. */
  readonly decided: boolean;

  constructor(
    private readonly keys: NormalizedKeys,
    private readonly serializer: RecordSerializer,
  ) {
    this.keyBytes = keys.keyBytes;
    this.keyFields = keys.keys.map((k) => k.index);
    this.decided = keys.fullyDetermined;
  }

  /** -1, 0 or 1: the key order of the current entries of `a` and `b`. */
  compare(a: RunReader, b: RunReader): number {
    const x = a.bytes;
    const y = b.bytes;
    const i0 = a.keyAt;
    const j0 = b.keyAt;
    const n = this.keyBytes;
    for (let i = 0; i < n; i++) {
      const p = x[i0 + i]!;
      const q = y[j0 + i]!;
      if (p !== q) return p < q ? -1 : 1;
    }
    return this.decided ? 0 : this.keys.compare(this.keyValues(a), this.keyValues(b));
  }

  private keyValues(r: RunReader): unknown[] {
    return this.keys.keys.map((k) => this.serializer.readFieldAt(r.recordView(), k.index, false));
  }
}

/** Merges (opened) run readers: `current` is the reader whose entry comes next, null once all are done. */
export class Merger {
  /** The reader whose current entry is next in order; null when every run is done. */
  current: RunReader | null = null;
  private readonly k: number;
  /** The loser tree: [0] the winner's run, [1 … k-1] the losers. @internal */
  readonly tree: Int32Array;

  constructor(
    private readonly readers: readonly RunReader[],
    private readonly order: EntryOrder,
  ) {
    const k = readers.length;
    this.k = k;
    // -1 stands for "no one yet" while building.
    const tree = (this.tree = new Int32Array(Math.max(k, 1)).fill(-1));
    // Each run climbs until a node is empty (it waits there) or to the top.
    for (let leaf = 0; leaf < k; leaf++) {
      let winner = leaf;
      let node = (leaf + k) >> 1;
      for (; node > 0; node >>= 1) {
        if (tree[node] === -1) {
          tree[node] = winner;
          winner = -1;
          break;
        }
        if (this.less(tree[node]!, winner)) {
          const t = tree[node]!;
          tree[node] = winner;
          winner = t;
        }
      }
      if (winner !== -1) tree[0] = winner;
    }
    this.settleTop();
  }

  /** Moves past the current entry; null when done at once, else a promise to await first. */
  advance(): Promise<void> | null {
    const top = this.tree[0]!;
    const moved = this.readers[top]!.advance();
    if (moved === null) {
      this.replay(top);
      return null;
    }
    return moved.then(() => this.replay(top));
  }

  /** After the winner moved on: one match per level on its path. */
  private replay(top: number): void {
    const tree = this.tree;
    let winner = top;
    for (let node = (top + this.k) >> 1; node > 0; node >>= 1) {
      const loser = tree[node]!;
      if (this.less(loser, winner)) {
        tree[node] = winner;
        winner = loser;
      }
    }
    tree[0] = winner;
    this.settleTop();
  }

  /** Points `current` at the winner's reader (after the merge kernel moved the tree). @internal */
  settleTop(): void {
    const top = this.readers[this.tree[0]!];
    this.current = top === undefined || top.done ? null : top;
  }

  /** True when run a's entry goes before run b's; a finished run goes after every other. */
  private less(a: number, b: number): boolean {
    const ra = this.readers[a]!;
    const rb = this.readers[b]!;
    if (ra.done) return false;
    if (rb.done) return true;
    const c = this.order.compare(ra, rb);
    return c < 0 || (c === 0 && a < b);
  }
}
