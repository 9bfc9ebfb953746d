// Shared by the channel suites: deterministic records, a producer that
// writes them fast and a consumer that reads them slowly, with the checks
// every run makes (every record once, in order per channel, byte-identical).
import type { Build } from './builds.js';
import type { InputGate, RecordWriter, ResultPartition } from '../src/index.js';

/** The bytes every record is cut from: record (channel, seq) is PATTERN[offset(channel, seq) .. + length(channel, seq)). */
export const PATTERN = (() => {
  const p = new Uint8Array(16384);
  let x = 0x9e3779b9;
  for (let i = 0; i < p.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    p[i] = x & 0xff;
  }
  return p;
})();

/** Record lengths vary from 0 to maxLength − 1 so that records and their prefixes straddle buffers at every offset. */
export function recordLength(channel: number, seq: number, maxLength: number): number {
  return (seq * 7919 + channel * 104729 + ((seq * seq) % 97)) % maxLength;
}

export function recordOffset(channel: number, seq: number): number {
  return (seq * 131 + channel * 17) % 8192;
}

/** The record `seq` of `channel` (a view of PATTERN: the writer copies it). */
export function recordOf(channel: number, seq: number, maxLength: number): Uint8Array {
  const at = recordOffset(channel, seq);
  return PATTERN.subarray(at, at + recordLength(channel, seq, maxLength));
}

/** Throws unless `record` is record `seq` of `channel`. */
export function checkRecord(channel: number, seq: number, record: Uint8Array, maxLength: number): void {
  const length = recordLength(channel, seq, maxLength);
  if (record.length !== length) throw new Error(`channel ${channel} record ${seq}: ${record.length} bytes, expected ${length}`);
  const at = recordOffset(channel, seq);
  for (let i = 0; i < length; i++) {
    if (record[i] !== PATTERN[at + i]) throw new Error(`channel ${channel} record ${seq}: byte ${i} is ${record[i]}, expected ${PATTERN[at + i]}`);
  }
}

/** Writes records round-robin over the subpartitions until `bytesPerChannel` each, then finishes; returns records per channel. */
export async function produce(writer: RecordWriter, partition: ResultPartition, bytesPerChannel: number, maxLength: number): Promise<number[]> {
  const n = partition.numSubpartitions;
  const counts = new Array<number>(n).fill(0);
  const bytes = new Array<number>(n).fill(0);
  let active = n;
  while (active > 0) {
    active = 0;
    for (let c = 0; c < n; c++) {
      if (bytes[c]! >= bytesPerChannel) continue;
      active++;
      const record = recordOf(c, counts[c]!, maxLength);
      const wait = writer.write(c, record);
      if (wait !== undefined) await wait;
      counts[c]!++;
      bytes[c]! += record.length + 4;
    }
  }
  await partition.finish();
  return counts;
}

/** Reads every record, checking each; pauses for a timer turn every `pauseEvery` records (the slow consumer). Returns records per channel. */
export async function consume(lib: Build, gate: InputGate, maxLength: number, pauseEvery: number, onRecord?: () => void): Promise<number[]> {
  const reader = new lib.RecordReader(gate);
  const counts = new Array<number>(gate.numChannels).fill(0);
  let seen = 0;
  for (;;) {
    const record = await reader.next();
    if (record === null) break;
    const c = reader.channel;
    checkRecord(c, counts[c]!, record, maxLength);
    counts[c]!++;
    onRecord?.();
    if (++seen % pauseEvery === 0) await new Promise((r) => setTimeout(r, 0));
  }
  return counts;
}

/** A frame header, as a producer or consumer of the test writes it by hand. */
export function rawHeader(type: number, channel: number, sequence: number, length: number, backlog: number, version = 1): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, type);
  view.setUint8(1, version);
  view.setUint16(2, channel, true);
  view.setUint32(4, sequence, true);
  view.setUint32(8, length, true);
  view.setUint32(12, backlog, true);
  return bytes;
}
