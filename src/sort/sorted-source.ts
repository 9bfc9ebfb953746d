/**
 * The sorted records an external sort hands out, from wherever they are:
 * the in-memory sorter when everything fit in one run, else the merge of
 * the spilled runs. Both show the current record as a view (to read it as an
 * object) or as bytes to copy (to write it out as it is).
 */
import type { DataInputView } from '../io/input-view.js';
import type { Kernels } from '../kernels/kernels.js';
import { copyBytes } from './copy-bytes.js';
import type { RecordSerializer } from '../io/serializer.js';
import type { MergeDrain } from './merge-drain.js';
import type { Merger } from './merger.js';
import type { InMemorySorter } from './sorter.js';

/** A cursor over records in sorted order. @internal */
export interface SortedSource {
  /** False once every record was handed out. */
  readonly valid: boolean;
  /** A view at the current record. */
  view(): DataInputView;
  /** Bytes of the current record. */
  length(): number;
  /** Copies the current record (`length()` bytes) to `dst` at `at`. */
  copyTo(dst: Uint8Array, at: number): void;
  /** Moves to the next record; null when done at once, else a promise. */
  advance(): Promise<void> | null;
  /** The merge kernel's driver, when it serves this source. */
  readonly drain: MergeDrain | null;
}

/** The records of a sorted in-memory sorter, in index order. @internal */
export class InMemorySource implements SortedSource {
  readonly drain = null;
  private i = 0;
  private readonly n: number;
  private start = 0;
  private size = -1;

  constructor(
    private readonly sorter: InMemorySorter,
    private readonly serializer: RecordSerializer,
  ) {
    this.n = sorter.size;
  }

  get valid(): boolean {
    return this.i < this.n;
  }

  view(): DataInputView {
    const view = this.sorter.viewAt(this.i);
    this.start = view.position;
    return view;
  }

  length(): number {
    if (this.serializer.fixedSize >= 0) return this.serializer.fixedSize;
    if (this.size < 0) {
      const view = this.view();
      this.serializer.skip(view);
      this.size = view.position - this.start;
    }
    return this.size;
  }

  copyTo(dst: Uint8Array, at: number): void {
    const length = this.length();
    const v = this.view();
    if (v.pos + length <= v.end && v.seg.address <= v.seg.addressLimit) {
      // Within one live page: one copy.
      const seg = v.seg;
      copyBytes(seg.region.kernels, seg.bytes, seg.view, v.bytes, v.pos, dst, at, length);
    } else v.readBytes(dst, at, length);
  }

  advance(): null {
    this.i++;
    this.size = -1;
    return null;
  }
}

/** The merge of spilled runs. @internal */
export class MergedSource implements SortedSource {
  constructor(
    private readonly merger: Merger,
    private readonly kernels: Kernels | null,
    private readonly memory: Uint8Array,
    private readonly memoryView: DataView,
    /** The merge kernel's driver over the same merge, or null. */
    readonly drain: MergeDrain | null,
  ) {}

  get valid(): boolean {
    return this.merger.current !== null;
  }

  view(): DataInputView {
    return this.merger.current!.recordView();
  }

  length(): number {
    return this.merger.current!.recordLength;
  }

  copyTo(dst: Uint8Array, at: number): void {
    const r = this.merger.current!;
    copyBytes(this.kernels, this.memory, this.memoryView, r.bytes, r.recordAt, dst, at, r.recordLength);
  }

  advance(): Promise<void> | null {
    return this.merger.advance();
  }
}
