/**
 * Byte-range loops over one buffer, in JavaScript: what the segment runs for
 * ranges at or below the cut-offs in kernels.ts (where a call into wasm costs
 * more than the work), and the loops the pure-JS kernels are made of. Callers
 * have checked every range. Four bytes at a time through the DataView, then
 * byte by byte.
 */

/** Copies `n` bytes from `src` to `dst` with memmove semantics. */
export function copyRange(view: DataView, bytes: Uint8Array, dst: number, src: number, n: number): void {
  if (dst > src && dst < src + n) {
    // Overlapping with the destination above: back to front.
    for (let i = n - 1; i >= 0; i--) bytes[dst + i] = bytes[src + i]!;
    return;
  }
  // Front to back is safe when dst < src: each word is read before the writes reach it.
  let i = 0;
  for (; i + 4 <= n; i += 4) view.setUint32(dst + i, view.getUint32(src + i, true), true);
  for (; i < n; i++) bytes[dst + i] = bytes[src + i]!;
}

/** Unsigned lexicographic comparison of `n` bytes: -1, 0 or 1. */
export function compareRange(view: DataView, bytes: Uint8Array, a: number, b: number, n: number): number {
  let i = 0;
  // Read big-endian, so that the lowest address weighs most.
  for (; i + 4 <= n; i += 4) {
    const x = view.getUint32(a + i, false);
    const y = view.getUint32(b + i, false);
    if (x !== y) return x < y ? -1 : 1;
  }
  for (; i < n; i++) {
    const x = bytes[a + i]!;
    const y = bytes[b + i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** True when the `n` bytes at `a` and `b` are equal. */
export function equalRange(view: DataView, bytes: Uint8Array, a: number, b: number, n: number): boolean {
  let i = 0;
  for (; i + 4 <= n; i += 4) if (view.getInt32(a + i, true) !== view.getInt32(b + i, true)) return false;
  for (; i < n; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

/** Exchanges `n` bytes between two ranges that do not overlap. */
export function swapRange(view: DataView, bytes: Uint8Array, a: number, b: number, n: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = view.getUint32(a + i, true);
    view.setUint32(a + i, view.getUint32(b + i, true), true);
    view.setUint32(b + i, x, true);
  }
  for (; i < n; i++) {
    const x = bytes[a + i]!;
    bytes[a + i] = bytes[b + i]!;
    bytes[b + i] = x;
  }
}

/**
 * Reverses the byte order of each `width`-byte value (2, 4 or 8) in `n` bytes
 * at `pos`: read little-endian, written big-endian. The byte loop this
 * replaced in the segment ran 32 KiB in 160-310 µs on Node 24 (6.5-15 µs on
 * Node 20 and in Chromium; bench micro row "byteSwap 32 KiB (width 4)").
 */
export function byteSwapRange(view: DataView, pos: number, n: number, width: 2 | 4 | 8): void {
  const end = pos + n;
  if (width === 4) for (let i = pos; i < end; i += 4) view.setUint32(i, view.getUint32(i, true), false);
  else if (width === 8) {
    for (let i = pos; i < end; i += 8) {
      const lo = view.getUint32(i, true);
      view.setUint32(i, view.getUint32(i + 4, true), false);
      view.setUint32(i + 4, lo, false);
    }
  } else for (let i = pos; i < end; i += 2) view.setUint16(i, view.getUint16(i, true), false);
}
