/**
 * Writes one sorted run to a spill file (layout in spill-format.ts) through a
 * ring of pages: entries are copied into the current page's block; a full
 * block is checksummed and handed to the store while the next page fills, so
 * copying and writing overlap and no run is ever one JS buffer. A page is
 * reused only when its write has settled.
 *
 * `append` is synchronous while the entry fits the pages at hand and returns
 * null; otherwise it returns a promise that the caller awaits before the next
 * entry (the source of the record must stay put until then).
 */
import { SpillStoreError } from '../errors.js';
import type { DataInputView } from '../io/input-view.js';
import type { Kernels } from '../kernels/kernels.js';
import type { MemorySegment } from '../memory/segment.js';
import { copyBytes } from './copy-bytes.js';
import { errorText } from '../util/error-text.js';
import { BLOCK_HEADER_BYTES, blockChecksum, CONTINUES, encodeHeader, HEADER_BYTES } from './spill-format.js';
import type { SpillFile } from './spill-store.js';

/** Called with the bytes of each block (and the header) once written. */
export type BytesWritten = (bytes: number) => void;

/** Writes the entries of one run. */
export class RunWriter {
  /** Records appended. */
  records = 0;
  private readonly pageSize: number;
  private readonly mem: Uint8Array;
  private readonly view: DataView;
  private readonly kernels: Kernels | null;
  private slot = 0;
  /** Address of the current block's first byte, of the next payload byte, and past the block. */
  private base: number;
  private pos: number;
  private end: number;
  private continues = false;
  private blocks = 0;
  private readonly group: number;
  /** Pages of the ring in use: a whole number of groups. */
  private readonly ring: number;
  private readonly pending: (Promise<void> | null)[];
  private failure: unknown = null;
  // The source of the record being copied: a view (the in-memory sorter's pages) or bytes.
  private srcView: DataInputView | null = null;
  private srcBytes: Uint8Array | null = null;
  private srcAt = 0;

  constructor(
    /** The file the run goes to. */
    readonly file: SpillFile,
    private readonly pages: readonly MemorySegment[],
    private readonly keyBytes: number,
    private readonly fingerprint: number,
    private readonly onWritten: BytesWritten,
  ) {
    this.pageSize = pages[0]!.size;
    this.mem = pages[0]!.bytes;
    this.view = pages[0]!.view;
    this.kernels = pages[0]!.region.kernels;
    // Half the ring fills while the other half is written (one page: no overlap).
    this.group = Math.max(1, pages.length >> 1);
    this.ring = this.group * Math.floor(pages.length / this.group);
    this.pending = new Array<Promise<void> | null>(this.ring / this.group).fill(null);
    this.base = pages[0]!.address;
    this.pos = this.base + BLOCK_HEADER_BYTES;
    this.end = this.base + this.pageSize;
  }

  /** Appends an entry whose record (`length` bytes) is read from `view` at its position; null when done, else a promise to await first. */
  appendFromView(key: Uint8Array, keyAt: number, view: DataInputView, length: number): Promise<void> | null {
    this.srcView = view;
    this.srcBytes = null;
    return this.append(key, keyAt, length);
  }

  /** Appends an entry whose record is `length` bytes of `bytes` at `at`; null when done, else a promise to await first. */
  appendFromBytes(key: Uint8Array, keyAt: number, bytes: Uint8Array, at: number, length: number): Promise<void> | null {
    this.srcView = null;
    this.srcBytes = bytes;
    this.srcAt = at;
    return this.append(key, keyAt, length);
  }

  /** Address of the next free byte of the current block, for a caller that writes entries there itself (then calls took). */
  get cursor(): number {
    return this.pos;
  }

  /** Address just past the current block. */
  get limit(): number {
    return this.end;
  }

  /** True while the current block holds no entry. */
  get blockEmpty(): boolean {
    return this.pos === this.base + BLOCK_HEADER_BYTES;
  }

  /** Counts `records` entries of `bytes` in all that the caller wrote at the cursor. */
  took(records: number, bytes: number): void {
    this.pos += bytes;
    this.records += records;
  }

  /** Seals the current block (unless empty) and moves to the next one, waiting when the ring is full; ERR_SPILL_STORE when a write failed. */
  async nextBlock(): Promise<void> {
    if (!this.blockEmpty) await this.flush();
  }

  /** Writes the last block and the header, waits for every write and seals the file; ERR_SPILL_STORE when a write failed. */
  async finish(): Promise<void> {
    if (this.pos > this.base + BLOCK_HEADER_BYTES || this.blocks === 0) await this.flush();
    const partial = this.slot % this.group;
    if (partial > 0) this.writeGroup(this.slot - partial, partial);
    await this.settle();
    const header = encodeHeader({ fingerprint: this.fingerprint, blockBytes: this.pageSize, records: this.records, blocks: this.blocks });
    await this.guard(this.file.write([header], 0));
    this.onWritten(HEADER_BYTES);
    await this.guard(this.file.seal());
  }

  /** Waits for every write in flight (their errors are then dropped): the pages may go back after this. */
  async settle(): Promise<void> {
    for (const p of this.pending) if (p !== null) await p;
    this.pending.fill(null);
    this.throwFailure();
  }

  private append(key: Uint8Array, keyAt: number, length: number): Promise<void> | null {
    const lengthBytes = length < 0x80 ? 1 : length < 0x4000 ? 2 : length < 0x200000 ? 3 : length < 0x10000000 ? 4 : 5;
    if (this.pos + lengthBytes + this.keyBytes + length <= this.end) {
      this.putHead(length, key, keyAt);
      this.copyRecord(length);
      this.records++;
      return null;
    }
    return this.appendSlow(key, keyAt, length, lengthBytes);
  }

  /** An entry that does not fit the rest of the block: a new block, or several for an entry longer than one. */
  private async appendSlow(key: Uint8Array, keyAt: number, length: number, lengthBytes: number): Promise<void> {
    const capacity = this.pageSize - BLOCK_HEADER_BYTES;
    if (this.pos > this.base + BLOCK_HEADER_BYTES) await this.flush();
    this.putHead(length, key, keyAt);
    let left = length;
    if (lengthBytes + this.keyBytes + length > capacity) {
      while (left > this.end - this.pos) {
        const n = this.end - this.pos;
        this.copyRecord(n);
        left -= n;
        await this.flush();
        this.continues = true;
      }
    }
    this.copyRecord(left);
    this.records++;
  }

  private putHead(length: number, key: Uint8Array, keyAt: number): void {
    const mem = this.mem;
    let pos = this.pos;
    while (length >= 0x80) {
      mem[pos++] = (length & 0x7f) | 0x80;
      length >>>= 7;
    }
    mem[pos++] = length;
    const n = this.keyBytes;
    for (let i = 0; i < n; i++) mem[pos + i] = key[keyAt + i]!;
    this.pos = pos + n;
  }

  private copyRecord(n: number): void {
    if (n === 0) return;
    const v = this.srcView;
    if (v === null) {
      copyBytes(this.kernels, this.mem, this.view, this.srcBytes!, this.srcAt, this.mem, this.pos, n);
      this.srcAt += n;
    } else if (v.bytes === this.mem && v.pos + n <= v.end && v.seg.address <= v.seg.addressLimit) {
      // Within one live page of the view: straight from there.
      copyBytes(this.kernels, this.mem, this.view, this.mem, v.pos, this.mem, this.pos, n);
      v.pos += n;
    } else v.readBytes(this.mem, this.pos, n);
    this.pos += n;
  }

  /**
   * Seals the current block and moves to the next page. The pages form groups
   * of `group` (half the ring): a full group goes to the store in one
   * vectored write while the other fills; a group's pages are reused once
   * its write has settled.
   */
  private async flush(): Promise<void> {
    const base = this.base;
    const payload = this.pos - base - BLOCK_HEADER_BYTES;
    this.mem.fill(0, this.pos, this.end);
    this.view.setUint32(base, (payload | (this.continues ? CONTINUES : 0)) >>> 0, true);
    this.view.setUint32(base + 4, blockChecksum(this.kernels, this.mem, base + BLOCK_HEADER_BYTES, payload, this.blocks), true);
    this.continues = false;
    this.blocks++;
    this.slot++;
    if (this.slot % this.group === 0) {
      this.writeGroup(this.slot - this.group, this.group);
      if (this.slot === this.ring) this.slot = 0;
      const wait = this.pending[this.slot / this.group];
      if (wait !== null && wait !== undefined) {
        await wait;
        this.pending[this.slot / this.group] = null;
      }
      this.throwFailure();
    }
    this.base = this.pages[this.slot]!.address;
    this.pos = this.base + BLOCK_HEADER_BYTES;
    this.end = this.base + this.pageSize;
  }

  /** Hands `count` sealed blocks, from ring slot `first` on, to the store. */
  private writeGroup(first: number, count: number): void {
    const chunks: Uint8Array[] = [];
    for (let i = first; i < first + count; i++) chunks.push(new Uint8Array(this.mem.buffer, this.mem.byteOffset + this.pages[i]!.address, this.pageSize));
    const bytes = count * this.pageSize;
    const position = HEADER_BYTES + (this.blocks - count) * this.pageSize;
    this.pending[first / this.group] = this.file.write(chunks, position).then(
      () => this.onWritten(bytes),
      (err: unknown) => void (this.failure ??= err),
    );
  }

  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      this.failure ??= err;
      this.throwFailure();
      throw err;
    }
  }

  private throwFailure(): void {
    const err = this.failure;
    if (err === null) return;
    if (err instanceof SpillStoreError) throw err;
    throw new SpillStoreError(`cannot write spill file ${this.file.name}: ${errorText(err)}`, err);
  }
}
