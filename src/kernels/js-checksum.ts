/**
 * The spill format's block checksum (described in src/sort/spill-format.ts)
 * in TypeScript: the twin of assembly/checksum.ts, the same values.
 *
 * The 32-bit words go round four lanes, each xor-ed in, multiplied by an odd
 * constant and rotated, so that every change of one word changes the sum;
 * the lanes are mixed at the end. Four independent lanes let the multiplies
 * overlap: one lane cost 424 ms of CPU over the 536 MB a 256 MiB sort writes
 * and reads (Node 20, loaded machine).
 */

/** The checksum of `length` bytes at `at` of `bytes`, seeded with `seed`. */
export function checksumBytes(bytes: Uint8Array, at: number, length: number, seed: number): number {
  let a = (seed ^ 0x811c9dc5 ^ length) | 0;
  let b = (a ^ 0x5bd1e995) | 0;
  let c = (a ^ 0x27d4eb2f) | 0;
  let d = (a ^ 0x165667b1) | 0;
  let i = at;
  const end = at + length;
  if (((bytes.byteOffset + at) & 3) === 0 && length >= 64) {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + at, (length >>> 4) << 2);
    for (let w = 0; w < words.length; w += 4) {
      a = Math.imul(a ^ words[w]!, 0x01000193);
      b = Math.imul(b ^ words[w + 1]!, 0x01000193);
      c = Math.imul(c ^ words[w + 2]!, 0x01000193);
      d = Math.imul(d ^ words[w + 3]!, 0x01000193);
      a = (a << 13) | (a >>> 19);
      b = (b << 13) | (b >>> 19);
      c = (c << 13) | (c >>> 19);
      d = (d << 13) | (d >>> 19);
    }
    i += words.length << 2;
  }
  let h = Math.imul(a ^ (b >>> 7), 0x01000193) ^ Math.imul(c ^ (d >>> 11), 0x85ebca6b) ^ (b << 5) ^ (d << 9);
  for (; i + 4 <= end; i += 4) {
    h = Math.imul(h ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)), 0x01000193);
    h = (h << 13) | (h >>> 19);
  }
  for (; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
