/**
 * Gathers sorted records for writeTo in a few pages of linear memory (a
 * merge-kernel call per page, or a copy-kernel call per record), and hands
 * them out as one JS chunk per stageful (a bulk copy per page): the target
 * gets large chunks it may keep, and no record copy crosses out of the
 * linear memory.
 *
 *   stage   [ page 0 ……… full ][ page 1 ……… full ][ page 2 …   ]  →  chunk of every byte so far
 */
import { SegmentFreedError } from '../errors.js';
import type { MemorySegment } from '../memory/segment.js';
import type { ByteSink } from './byte-sink.js';
import type { SortedSource } from './sorted-source.js';

/** Collects records' bytes across a list of pages. @internal */
export class OutputStage {
  private readonly mem: Uint8Array;
  private readonly pageSize: number;
  private page = 0;
  private pos: number;
  private end: number;
  private spare = new Uint8Array(0);

  constructor(private readonly pages: readonly MemorySegment[]) {
    this.mem = pages[0]!.bytes;
    this.pageSize = pages[0]!.size;
    this.pos = pages[0]!.address;
    this.end = this.pos + this.pageSize;
  }

  /** Bytes gathered so far. */
  get size(): number {
    return this.page * this.pageSize + (this.pos - this.pages[this.page]!.address);
  }

  /** Room left before the stage is full. */
  get room(): number {
    return (this.pages.length - this.page - 1) * this.pageSize + (this.end - this.pos);
  }

  /** Address of the next free byte of the current page. */
  get cursor(): number {
    return this.pos;
  }

  /** Address past the current page. */
  get pageEnd(): number {
    return this.end;
  }

  /** ERR_SEGMENT_FREED when the stage's pages were freed underneath it (they share one owner: releaseAll on it, or the runtime closed). */
  checkLive(): void {
    if (this.pages[0]!.isFreed()) throw new SegmentFreedError('the pages of the sorted output were freed underneath it (releaseAll on their owner, or the runtime closed); it cannot go on');
  }

  /** Counts the bytes a kernel wrote at the cursor, up to `end` (within the current page). */
  filledTo(end: number): void {
    this.pos = end;
    if (this.pos === this.end && this.page + 1 < this.pages.length) this.enter(this.page + 1);
  }

  /** Adds the source's current record (`length` bytes, at most `room`). */
  add(source: SortedSource, length: number): void {
    if (this.pos + length <= this.end) {
      source.copyTo(this.mem, this.pos);
      this.pos += length;
      if (this.pos === this.end && this.page + 1 < this.pages.length) this.enter(this.page + 1);
      return;
    }
    // Across pages: through a spare array.
    if (this.spare.length < length) this.spare = new Uint8Array(Math.max(length, 2 * this.spare.length));
    source.copyTo(this.spare, 0);
    for (let at = 0; at < length; ) {
      if (this.pos === this.end) this.enter(this.page + 1);
      const n = Math.min(length - at, this.end - this.pos);
      this.mem.set(new Uint8Array(this.spare.buffer, at, n), this.pos);
      this.pos += n;
      at += n;
    }
  }

  /** Every byte gathered, as a new array; the stage is empty after. */
  take(): Uint8Array {
    const chunk = new Uint8Array(this.size);
    let at = 0;
    for (let i = 0; i <= this.page; i++) {
      const page = this.pages[i]!;
      const n = i < this.page ? this.pageSize : this.pos - page.address;
      chunk.set(new Uint8Array(this.mem.buffer, this.mem.byteOffset + page.address, n), at);
      at += n;
    }
    this.enter(0);
    return chunk;
  }

  private enter(index: number): void {
    this.page = index;
    this.pos = this.pages[index]!.address;
    this.end = this.pos + this.pageSize;
  }
}

/**
 * Writes every record of `source` from its current one on to `sink` through
 * `stage`, a chunk per stageful; `checkStop` runs whenever a full stage has
 * gone out. Resolves to the records written (the last chunk written, the
 * sink not closed). @internal
 */
export async function writeStaged(source: SortedSource, stage: OutputStage, sink: ByteSink, checkStop: () => void): Promise<number> {
  // One chunk in flight while the next stageful is gathered: the target's
  // write (a file's, on the thread pool) overlaps the merge. Each chunk is a
  // copy, so nothing waits to reuse the stage.
  let inFlight: Promise<void> | null = null;
  const hand = async (chunk: Uint8Array): Promise<void> => {
    if (inFlight !== null) await inFlight;
    inFlight = sink.write(chunk);
    inFlight.catch(() => {}); // awaited before the next chunk, or at the end
    // The target's code has run: it may have freed the pages.
    stage.checkLive();
  };
  let count = 0;
  const drain = source.drain;
  while (source.valid) {
    stage.checkLive();
    if (drain !== null && drain.drain(stage.cursor, stage.pageEnd, false)) {
      // Records by the merge kernel up to the page's end; the one that does not fit goes the per-record way.
      stage.filledTo(drain.end);
      count += drain.written;
      if (drain.wait !== null) await drain.wait;
      checkStop();
      if (!drain.full || !source.valid) continue;
    }
    const length = source.length();
    if (length > stage.room) {
      if (stage.size > 0) await hand(stage.take());
      checkStop();
      // A record larger than the whole stage goes as a chunk of its own.
      if (length > stage.room) {
        const chunk = new Uint8Array(length);
        source.copyTo(chunk, 0);
        await hand(chunk);
        count++;
        const moved = source.advance();
        if (moved !== null) await moved;
        continue;
      }
    }
    stage.add(source, length);
    count++;
    const moved = source.advance();
    if (moved !== null) await moved;
  }
  if (stage.size > 0) await hand(stage.take());
  if (inFlight !== null) await inFlight;
  return count;
}
