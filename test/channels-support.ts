// Shared by the channel suites: deterministic records, a producer that
// writes them fast and a consumer that reads them slowly, with the checks
// every run makes (every record once, in order per channel, byte-identical).
import type { Build } from './builds.js';
import type { InputGate } from '../src/index.js';
import { checkRecord } from './fixtures/records.mjs';
import * as PATTERN_MODULE from './fixtures/records.mjs';

export { checkRecord, PATTERN, produce, recordOf } from './fixtures/records.mjs';

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

/** The bytes stream chunks are cut from: chunk k is STREAM_BYTES[chunkOffset(k) .. + STREAM_CHUNK). */
export const STREAM_CHUNK = 65536;
const STREAM_BYTES = (() => {
  const { PATTERN } = PATTERN_MODULE;
  const out = new Uint8Array(PATTERN.length + STREAM_CHUNK);
  for (let i = 0; i < out.length; i++) out[i] = PATTERN[i % PATTERN.length]!;
  return out;
})();
const chunkOffset = (k: number): number => (k * 4099) % 16384;

/** Chunk `k` of a byte stream (a view: not to be changed). */
export function streamChunk(k: number): Uint8Array {
  return STREAM_BYTES.subarray(chunkOffset(k), chunkOffset(k) + STREAM_CHUNK);
}

/** Checks bytes of a stream as they arrive, in any chunking: `check(bytes)` throws at the first byte that differs. */
export function streamChecker(): { check(bytes: Uint8Array): void; readonly position: number } {
  let position = 0;
  return {
    check(bytes: Uint8Array) {
      for (let i = 0; i < bytes.length; i++, position++) {
        const expected = STREAM_BYTES[chunkOffset(Math.floor(position / STREAM_CHUNK)) + (position % STREAM_CHUNK)];
        if (bytes[i] !== expected) throw new Error(`stream byte ${position} is ${bytes[i]}, expected ${expected}`);
      }
    },
    get position() {
      return position;
    },
  };
}
