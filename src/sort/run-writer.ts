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
import type { MemorySegment } from '../memory/segment.js';
import { errorText } from '../util/error-text.js';
import { BLOCK_HEADER_BYTES, checksum, CONTINUES, encodeHeader, HEADER_BYTES } from './spill-format.js';
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
  private slot = 0;
  /** Address of the current block's first byte, of the next payload byte, and past the block. */
  private base: number;
  private pos: number;
  private end: number;
  private continues = false;
  private blocks = 0;
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
    this.pending = pages.map(() => null);
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

  /** Writes the last block and the header, waits for every write and seals the file; ERR_SPILL_STORE when a write failed. */
  async finish(): Promise<void> {
    if (this.pos > this.base + BLOCK_HEADER_BYTES || this.blocks === 0) await this.flush();
    await this.settle();
    const header = encodeHeader({ fingerprint: this.fingerprint, blockBytes: this.pageSize, records: this.records, blocks: this.blocks });
    await this.guard(this.file.write(header, 0));
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
    if (this.srcView !== null) this.srcView.readBytes(this.mem, this.pos, n);
    else {
      this.mem.set(new Uint8Array(this.srcBytes!.buffer, this.srcBytes!.byteOffset + this.srcAt, n), this.pos);
      this.srcAt += n;
    }
    this.pos += n;
  }

  /** Seals the current block, hands it to the store and moves to the next page (waiting for its last write). */
  private async flush(): Promise<void> {
    const base = this.base;
    const payload = this.pos - base - BLOCK_HEADER_BYTES;
    this.mem.fill(0, this.pos, this.end);
    this.view.setUint32(base, (payload | (this.continues ? CONTINUES : 0)) >>> 0, true);
    this.view.setUint32(base + 4, checksum(this.mem, base + BLOCK_HEADER_BYTES, payload, this.blocks), true);
    this.continues = false;
    const page = this.pages[this.slot]!;
    const position = HEADER_BYTES + this.blocks * this.pageSize;
    this.blocks++;
    const size = this.pageSize;
    this.pending[this.slot] = this.file.write(new Uint8Array(this.mem.buffer, this.mem.byteOffset + page.address, size), position).then(
      () => this.onWritten(size),
      (err: unknown) => void (this.failure ??= err),
    );
    this.slot = (this.slot + 1) % this.pages.length;
    const wait = this.pending[this.slot];
    if (wait !== null) {
      await wait;
      this.pending[this.slot] = null;
    }
    this.throwFailure();
    this.base = this.pages[this.slot]!.address;
    this.pos = this.base + BLOCK_HEADER_BYTES;
    this.end = this.base + this.pageSize;
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
