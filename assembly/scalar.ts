// One value per call. The facade does not use these: crossing into wasm for a
// single value costs several times the access itself, so single values go
// through a DataView. They stay exported as the benchmark's reference row,
// which keeps that choice measured.

/** Reads a little-endian int32 at `addr`. */
export function getInt(addr: usize): i32 {
  return load<i32>(addr);
}

/** Writes a little-endian int32 at `addr`. */
export function putInt(addr: usize, value: i32): void {
  store<i32>(addr, value);
}

/** Reads a big-endian int32 at `addr`. */
export function getIntBigEndian(addr: usize): i32 {
  return bswap<i32>(load<i32>(addr));
}

/** Writes a big-endian int32 at `addr`. */
export function putIntBigEndian(addr: usize, value: i32): void {
  store<i32>(addr, bswap<i32>(value));
}

/** Reads a little-endian float64 at `addr`. */
export function getDouble(addr: usize): f64 {
  return load<f64>(addr);
}
