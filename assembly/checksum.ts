// The spill format's block checksum (src/sort/spill-format.ts describes it;
// its TypeScript twin is src/kernels/js-checksum.ts, same values): four
// lanes of 32-bit words, each xor-ed in, multiplied by an odd constant and
// rotated. Four scalar lanes, not one SIMD vector: i32x4.mul's latency made
// the vector loop slower (0.35-0.56 ns a byte) than these four independent
// chains (0.11-0.15), against 0.20-0.26 for the TypeScript twin (32 KiB
// blocks, Node 20, loaded machine).

// @ts-ignore: decorator
@inline const PRIME: u32 = 0x01000193;

/** The checksum of `length` bytes at `at`, seeded with `seed`. */
export function spillChecksum(at: usize, length: u32, seed: u32): u32 {
  let a: u32 = seed ^ 0x811c9dc5 ^ length;
  let i = at;
  const end = at + <usize>length;
  let b: u32 = a ^ 0x5bd1e995;
  let c: u32 = a ^ 0x27d4eb2f;
  let d: u32 = a ^ 0x165667b1;
  // The lane loop runs on 4-byte-aligned ranges of 64 bytes or more only, as the twin does.
  if ((at & 3) == 0 && length >= 64) {
    const wordsEnd = at + (<usize>(length >>> 4) << 4);
    for (; i < wordsEnd; i += 16) {
      a = rotl<u32>((a ^ load<u32>(i)) * PRIME, 13);
      b = rotl<u32>((b ^ load<u32>(i, 4)) * PRIME, 13);
      c = rotl<u32>((c ^ load<u32>(i, 8)) * PRIME, 13);
      d = rotl<u32>((d ^ load<u32>(i, 12)) * PRIME, 13);
    }
  }
  let h: u32 = ((a ^ (b >>> 7)) * PRIME) ^ ((c ^ (d >>> 11)) * 0x85ebca6b) ^ (b << 5) ^ (d << 9);
  for (; i + 4 <= end; i += 4) h = rotl<u32>((h ^ load<u32>(i)) * PRIME, 13);
  for (; i < end; i++) h = (h ^ <u32>load<u8>(i)) * PRIME;
  h = (h ^ (h >>> 16)) * 0x85ebca6b;
  return h ^ (h >>> 13);
}
