/**
 * Reads one spill file (layout in spill-format.ts) entry by entry through a
 * ring of pages, one block per page: while the merge works on one block the
 * next ones are being read. The current entry is shown where it lies: its
 * key at `keyAt` and its record at `recordAt` in `bytes` (the block's page),
 * or, for an entry longer than a block, in a scratch copy.
 *
 * Everything read is checked before it is shown: the header against the
 * sorter's format, fingerprint and block size, each block's length word and
 * checksum, each entry's bounds, and the number of records. A file that does
 * not pass is an ERR_SPILL_FILE error, never a garbage record.
 */
import { SegmentFreedError, SpillFileError, SpillStoreError } from '../errors.js';
import { DataInputView } from '../io/input-view.js';
import { errorText } from '../util/error-text.js';
import { MemoryRegion } from '../memory/region.js';
import type { MemorySegment } from '../memory/segment.js';
import { BLOCK_HEADER_BYTES, blockChecksum, CONTINUES, decodeHeader, HEADER_BYTES, type RunHeader } from './spill-format.js';
import type { SpillFile } from './spill-store.js';

/** Reads the entries of one run in order. */
export class RunReader {
  /** True once every entry was read (the current entry is then gone). */
  done = false;
  /** The bytes holding the current entry's key and record. */
  bytes: Uint8Array;
  /** Address of the current entry's normalized key in `bytes`. */
  keyAt = 0;
  /** Address of the current entry's record in `bytes`. */
  recordAt = 0;
  /** Bytes of the current entry's record. */
  recordLength = 0;
  /** Records in the run, as its header says. */
  records = 0;
  private header: RunHeader | null = null;
  private readonly mem: Uint8Array;
  private readonly memView: DataView;
  private readonly pageSize: number;
  private readonly group: number;
  private readonly ring: number;
  private readonly views: DataInputView[];
  private readonly loads: (Promise<void> | null)[];
  private readonly got: number[];
  private readonly errors: unknown[];
  private block = -1;
  private requested = 0;
  private pos = 0;
  private payloadEnd = 0;
  private blockStart = 0;
  private read = 0;
  private scratch = new Uint8Array(0);
  private scratchView: DataInputView | null = null;
  private inScratch = false;

  constructor(
    /** The run's file. */
    readonly file: SpillFile,
    private readonly pages: readonly MemorySegment[],
    private readonly keyBytes: number,
    private readonly fingerprint: number,
    private readonly onRead: (bytes: number) => void,
  ) {
    this.mem = pages[0]!.bytes;
    this.bytes = this.mem;
    this.memView = pages[0]!.view;
    this.pageSize = pages[0]!.size;
    // Half the ring is read in one call while the merge works on the other half.
    this.group = Math.max(1, pages.length >> 1);
    this.ring = this.group * Math.floor(pages.length / this.group);
    this.views = pages.map((p) => new DataInputView([p]));
    this.loads = pages.map(() => null);
    this.got = pages.map(() => 0);
    this.errors = pages.map(() => null);
  }

  /** Reads and checks the header, starts reading blocks and moves to the first entry. */
  async open(): Promise<void> {
    const bytes = new Uint8Array(HEADER_BYTES);
    const n = await this.io(this.file.read([bytes], 0), 'read');
    this.onRead(n);
    this.header = decodeHeader(bytes, n, this.file.name, { fingerprint: this.fingerprint, blockBytes: this.pageSize });
    this.records = this.header.records;
    for (let i = 0; i < this.ring; i += this.group) this.request();
    const wait = this.advance();
    if (wait !== null) await wait;
  }

  /** A view positioned at the current record (valid until the next advance). */
  recordView(): DataInputView {
    if (this.inScratch) {
      const view = this.scratchView!;
      view.seek(this.recordAt);
      return view;
    }
    const slot = this.block % this.ring;
    const view = this.views[slot]!;
    view.seek(this.recordAt - this.pages[slot]!.address);
    return view;
  }

  /** True while the current entry lies in a scratch copy (it is longer than a block). @internal */
  get inCopy(): boolean {
    return this.inScratch;
  }

  /** Address past the payload of the current block. @internal */
  get blockEnd(): number {
    return this.payloadEnd;
  }

  /** Entries of the run after the current one. @internal */
  get left(): number {
    return this.records - this.read;
  }

  /** Makes the entry the merge kernel stepped to (in the current block, key at `keyAt`) the current one, `left` entries after it. @internal */
  stepTo(keyAt: number, length: number, left: number): void {
    this.bytes = this.mem;
    this.inScratch = false;
    this.keyAt = keyAt;
    this.recordAt = keyAt + this.keyBytes;
    this.recordLength = length;
    this.pos = this.recordAt + length;
    this.read = this.records - left;
  }

  /** Moves to the next entry; null when that was done at once, else a promise to await first. */
  advance(): Promise<void> | null {
    const h = this.header!;
    if (this.read === h.records) {
      this.finishRun();
      return null;
    }
    if (this.pos < this.payloadEnd) {
      // The usual case: the next entry lies in this block.
      const mem = this.mem;
      let pos = this.pos;
      let length = mem[pos++]!;
      if (length >= 0x80) {
        length &= 0x7f;
        for (let shift = 7; ; shift += 7) {
          if (pos >= this.payloadEnd || shift > 28) throw this.corrupt('an entry length runs past its block');
          const b = mem[pos++]!;
          length += (b & 0x7f) * 2 ** shift;
          if (b < 0x80) break;
        }
      }
      const end = pos + this.keyBytes + length;
      if (end <= this.payloadEnd) {
        this.bytes = mem;
        this.inScratch = false;
        this.keyAt = pos;
        this.recordAt = pos + this.keyBytes;
        this.recordLength = length;
        this.pos = end;
        this.read++;
        return null;
      }
      if (this.pos !== this.blockStart) throw this.corrupt('an entry that does not start its block runs past it');
      return this.readLong(pos, length);
    }
    return this.nextBlock(false).then(() => this.advance() ?? undefined);
  }

  /** Waits for every read in flight: the pages may go back after this. */
  async settle(): Promise<void> {
    for (const p of this.loads) if (p !== null) await p;
    this.loads.fill(null);
  }

  /** An entry longer than a block: copied into the scratch array from this block and the ones after it. */
  private async readLong(pos: number, length: number): Promise<void> {
    const total = this.keyBytes + length;
    if (this.scratch.length < total) {
      this.scratch = new Uint8Array(Math.max(total, this.scratch.length * 2));
      this.scratchView = null;
    }
    const scratch = this.scratch;
    let filled = 0;
    while (filled < total) {
      const n = Math.min(total - filled, this.payloadEnd - pos);
      scratch.set(new Uint8Array(this.mem.buffer, this.mem.byteOffset + pos, n), filled);
      filled += n;
      pos += n;
      this.pos = pos;
      if (filled < total) {
        await this.nextBlock(true);
        pos = this.pos;
      }
    }
    this.scratchView ??= new DataInputView([MemoryRegion.ofArray(this.scratch).segment(0, this.scratch.length, null, null)]);
    this.bytes = scratch;
    this.inScratch = true;
    this.keyAt = 0;
    this.recordAt = this.keyBytes;
    this.recordLength = length;
    this.read++;
  }

  /** Leaves the current block (its page then takes a block further on) and enters the next one, waiting for its read. */
  private async nextBlock(continuing: boolean): Promise<void> {
    const h = this.header!;
    const leaving = this.block;
    const next = leaving + 1;
    if (next >= h.blocks) throw this.truncated(`its ${h.blocks} blocks hold ${this.read} of the ${h.records} records its header counts`);
    // The last block of a group left: its pages take the next group not yet asked for.
    if (leaving >= 0 && next % this.group === 0) this.request();
    const slot = next % this.ring;
    const load = this.loads[slot];
    if (load !== null) await load;
    this.loads[slot] = null;
    if (this.pages[slot]!.isFreed()) throw new SegmentFreedError(`the pages reading spill file ${this.file.name} were freed underneath it (releaseAll on their owner, or the runtime closed); it cannot go on`);
    if (this.errors[slot] !== null) {
      const err = this.errors[slot];
      this.errors[slot] = null;
      throw this.storeError(err, 'read');
    }
    if (this.got[slot]! < this.pageSize) throw this.truncated(`block ${next} has ${this.got[slot]} of its ${this.pageSize} bytes`);
    const base = this.pages[slot]!.address;
    const word = this.memView.getUint32(base, true);
    const payload = word & ~CONTINUES;
    if (payload > this.pageSize - BLOCK_HEADER_BYTES) throw this.corrupt(`block ${next} claims ${payload} bytes of payload`);
    if ((word >= CONTINUES) !== continuing) throw this.corrupt(`block ${next} ${continuing ? 'does not go on with' : 'goes on with'} the entry of the block before`);
    if (blockChecksum(this.pages[0]!.region.kernels, this.mem, base + BLOCK_HEADER_BYTES, payload, next) !== this.memView.getUint32(base + 4, true)) {
      throw this.corrupt(`the checksum of block ${next} does not match`);
    }
    this.block = next;
    this.blockStart = base + BLOCK_HEADER_BYTES;
    this.pos = this.blockStart;
    this.payloadEnd = this.blockStart + payload;
  }

  /** Starts reading the next group of blocks not yet asked for into its pages, with one vectored read. */
  private request(): void {
    const h = this.header!;
    const first = this.requested;
    if (first >= h.blocks) return;
    const count = Math.min(this.group, h.blocks - first);
    this.requested += this.group;
    const into: Uint8Array[] = [];
    const slot0 = first % this.ring;
    for (let i = 0; i < count; i++) {
      into.push(new Uint8Array(this.mem.buffer, this.mem.byteOffset + this.pages[slot0 + i]!.address, this.pageSize));
      this.got[slot0 + i] = 0;
    }
    const load = this.file.read(into, HEADER_BYTES + first * this.pageSize).then(
      (n) => {
        for (let i = 0; i < count; i++) this.got[slot0 + i] = Math.max(0, Math.min(this.pageSize, n - i * this.pageSize));
        this.onRead(n);
      },
      (err: unknown) => {
        for (let i = 0; i < count; i++) this.errors[slot0 + i] = err;
      },
    );
    for (let i = 0; i < count; i++) this.loads[slot0 + i] = load;
  }

  /** After the last record: nothing may follow it. */
  private finishRun(): void {
    if (this.done) return;
    this.done = true;
    if (this.pos < this.payloadEnd || this.block !== this.header!.blocks - 1) throw this.corrupt(`data follows the last of its ${this.header!.records} records`);
  }

  private async io<T>(p: Promise<T>, op: string): Promise<T> {
    try {
      return await p;
    } catch (err) {
      throw this.storeError(err, op);
    }
  }

  private storeError(err: unknown, op: string): Error {
    if (err instanceof SpillStoreError || err instanceof SpillFileError) return err;
    return new SpillStoreError(`cannot ${op} spill file ${this.file.name}: ${errorText(err)}`, err);
  }

  private corrupt(what: string): SpillFileError {
    return new SpillFileError(`spill file ${this.file.name} is corrupt: ${what}`);
  }

  private truncated(what: string): SpillFileError {
    return new SpillFileError(`spill file ${this.file.name} is truncated: ${what}`);
  }
}
