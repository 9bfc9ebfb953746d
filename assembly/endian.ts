// In-place byte-order reversal of regions holding 16-, 32- or 64-bit values.
//
// Sixteen bytes per step with one SIMD shuffle; the tail (fewer than 16 bytes)
// one value at a time. `n` is a byte count and a multiple of the width.

/** Reverses the byte order of every 16-bit value in `n` bytes at `addr`. */
export function byteSwap16(addr: usize, n: usize): void {
  let i: usize = 0;
  while (i + 16 <= n) {
    let v = v128.load(addr + i);
    v128.store(addr + i, i8x16.shuffle(v, v, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
    i += 16;
  }
  while (i < n) {
    store<u16>(addr + i, bswap<u16>(load<u16>(addr + i)));
    i += 2;
  }
}

/** Reverses the byte order of every 32-bit value in `n` bytes at `addr`. */
export function byteSwap32(addr: usize, n: usize): void {
  let i: usize = 0;
  while (i + 16 <= n) {
    let v = v128.load(addr + i);
    v128.store(addr + i, i8x16.shuffle(v, v, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12));
    i += 16;
  }
  while (i < n) {
    store<u32>(addr + i, bswap<u32>(load<u32>(addr + i)));
    i += 4;
  }
}

/** Reverses the byte order of every 64-bit value in `n` bytes at `addr`. */
export function byteSwap64(addr: usize, n: usize): void {
  let i: usize = 0;
  while (i + 16 <= n) {
    let v = v128.load(addr + i);
    v128.store(addr + i, i8x16.shuffle(v, v, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8));
    i += 16;
  }
  while (i < n) {
    store<u64>(addr + i, bswap<u64>(load<u64>(addr + i)));
    i += 8;
  }
}
