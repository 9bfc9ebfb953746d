// Int64 values as BigInt, one per call. Where an engine's DataView BigInt
// path is slow (V8 before 13.5: 14-24 ns per read on Node 20), one call into
// wasm returning an i64 (5.7 ns, the engine makes the BigInt) is the faster
// way, and the wasm build's segments use these; elsewhere they use DataView.

/** Reads a little-endian int64 at `addr`. */
export function getLong(addr: usize): i64 {
  return load<i64>(addr);
}

/** Writes a little-endian int64 at `addr` (the engine wraps the BigInt to 64 bits). */
export function putLong(addr: usize, value: i64): void {
  store<i64>(addr, value);
}

/** Reads a big-endian int64 at `addr`. */
export function getLongBigEndian(addr: usize): i64 {
  return bswap<i64>(load<i64>(addr));
}

/** Writes a big-endian int64 at `addr`. */
export function putLongBigEndian(addr: usize, value: i64): void {
  store<i64>(addr, bswap<i64>(value));
}
