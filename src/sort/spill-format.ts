/**
 * The spill file format: one file per sorted run.
 *
 *   file     [ header, 32 bytes ][ block 0 ][ block 1 ] …   every block `blockBytes` long
 *
 *   header   (little-endian)
 *      0  4  magic 'SGMR'
 *      4  2  format version (1)
 *      6  2  header bytes (32)
 *      8  4  fingerprint of the record type and sort key
 *     12  4  block bytes (the writer's page size)
 *     16  8  records in the run (low word, high word)
 *     24  4  blocks
 *     28  4  checksum of bytes 0-27
 *
 *   block
 *      0  4  payload bytes; the top bit set when the block goes on with an
 *            entry the block before began
 *      4  4  checksum of the payload, seeded with the block's index (so that
 *            a block read from the wrong place does not pass)
 *      8  …  payload, then zeros to the block's end
 *
 *   entry    [ varuint: record bytes ][ normalized key, keyBytes ][ record, as RecordSerializer wrote it ]
 *
 * An entry lies within one block unless it is longer than a block's payload:
 * then it starts a block and goes on through the next ones (each flagged).
 * A block is one page in memory, so a reader compares keys and copies
 * records where they lie, with no copy of its own, for every entry that fits.
 */
import { SpillFileError } from '../errors.js';
import { checksumBytes } from '../kernels/js-checksum.js';
import type { Kernels } from '../kernels/kernels.js';
import type { NormalizedKeys } from './normalized-key.js';

/** Bytes of the file header. */
export const HEADER_BYTES = 32;
/** Bytes of a block's header. */
export const BLOCK_HEADER_BYTES = 8;
/** The one format version this code writes and reads. */
export const FORMAT_VERSION = 1;
/** Set in a block's length word when the block goes on with the entry of the block before. */
export const CONTINUES = 0x80000000;
const MAGIC = 0x524d4753; // 'SGMR' read little-endian
const TWO_POW_32 = 4294967296;

/** What a run's header says. */
export interface RunHeader {
  /** Fingerprint of the record type and key. */
  readonly fingerprint: number;
  /** Bytes of every block. */
  readonly blockBytes: number;
  /** Records in the run. */
  readonly records: number;
  /** Blocks in the run. */
  readonly blocks: number;
}

/** The header bytes of a run. */
export function encodeHeader(h: RunHeader): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint16(4, FORMAT_VERSION, true);
  view.setUint16(6, HEADER_BYTES, true);
  view.setUint32(8, h.fingerprint, true);
  view.setUint32(12, h.blockBytes, true);
  view.setUint32(16, h.records % TWO_POW_32, true);
  view.setUint32(20, Math.floor(h.records / TWO_POW_32), true);
  view.setUint32(24, h.blocks, true);
  view.setUint32(28, checksum(bytes, 0, 28, 0), true);
  return bytes;
}

/** The header in `bytes` (`length` of them read), checked against what the reader expects; ERR_SPILL_FILE when it does not match. */
export function decodeHeader(bytes: Uint8Array, length: number, file: string, expected: { fingerprint: number; blockBytes: number }): RunHeader {
  if (length < HEADER_BYTES) throw new SpillFileError(`spill file ${file} is truncated: ${length} bytes, not even its ${HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (view.getUint32(0, true) !== MAGIC) throw new SpillFileError(`${file} is not a segmem spill file (its first bytes are not 'SGMR')`);
  const version = view.getUint16(4, true);
  if (version !== FORMAT_VERSION) throw new SpillFileError(`spill file ${file} has format version ${version}; this version of segmem reads version ${FORMAT_VERSION}`);
  if (view.getUint32(28, true) !== checksum(bytes, 0, 28, 0) || view.getUint16(6, true) !== HEADER_BYTES) {
    throw new SpillFileError(`spill file ${file} is corrupt: its header checksum does not match`);
  }
  const fingerprint = view.getUint32(8, true);
  if (fingerprint !== expected.fingerprint) {
    throw new SpillFileError(`spill file ${file} holds records of another type or key (fingerprint ${hex(fingerprint)}, expected ${hex(expected.fingerprint)})`);
  }
  const blockBytes = view.getUint32(12, true);
  if (blockBytes !== expected.blockBytes) throw new SpillFileError(`spill file ${file} has blocks of ${blockBytes} bytes; this sorter reads blocks of ${expected.blockBytes}`);
  return { fingerprint, blockBytes, records: view.getUint32(16, true) + view.getUint32(20, true) * TWO_POW_32, blocks: view.getUint32(24, true) };
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * A 32-bit checksum of `length` bytes at `at` (src/kernels/js-checksum.ts;
 * the wasm build computes the same in assembly/checksum.ts): every change of
 * one 32-bit word changes the sum.
 */
export const checksum = checksumBytes;

/** The checksum of `length` bytes at address `at` of the linear memory `memory`, by the kernel when there is one. @internal */
export function blockChecksum(kernels: Kernels | null, memory: Uint8Array, at: number, length: number, seed: number): number {
  return kernels === null ? checksumBytes(memory, at, length, seed) : kernels.spillChecksum(at, length, seed) >>> 0;
}

/** A fingerprint of the record type and the key: two sorters that would write different entries get different ones (with 32-bit certainty). */
export function fingerprintOf(keys: NormalizedKeys, fields: readonly { name: string; type: string; nullable: boolean; fixedLength: number }[]): number {
  const text =
    fields.map((f) => `${f.name}:${f.type}:${f.nullable ? 1 : 0}:${f.fixedLength}`).join(';') +
    `|${keys.keys.map((k) => `${k.index}:${k.descending ? 'd' : 'a'}:${k.width}`).join(';')}|${keys.keyBytes}`;
  const bytes = new TextEncoder().encode(text);
  return checksum(bytes, 0, bytes.length, FORMAT_VERSION);
}
