/**
 * Sizes as people write them ('32kb', '1.5 GiB', 4096) turned into byte
 * counts, and byte counts turned back into short human text.
 */

import { IllegalConfigurationError } from '../errors.js';
import { render } from '../util/render.js';

/**
 * Units are binary (1 kb = 1024 bytes): every size in the memory model is
 * compared against pages, which are powers of two, so decimal units would
 * only produce sizes that never divide evenly.
 */
const UNIT_BYTES: Readonly<Record<string, bigint>> = Object.freeze({
  '': 1n,
  b: 1n,
  bytes: 1n,
  k: 1n << 10n,
  kb: 1n << 10n,
  kib: 1n << 10n,
  m: 1n << 20n,
  mb: 1n << 20n,
  mib: 1n << 20n,
  g: 1n << 30n,
  gb: 1n << 30n,
  gib: 1n << 30n,
  t: 1n << 40n,
  tb: 1n << 40n,
  tib: 1n << 40n,
});

/** Digits, an optional fraction, then an optional unit; no sign, no exponent. */
const SIZE_PATTERN = /^\s*(\d+)(?:\.(\d+))?\s*([a-z]*)\s*$/i;

const EXPECTED = "expected bytes or a number with unit b, kb, mb, gb, tb, e.g. '64mb'";

const FORMAT_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Parses a size into whole bytes. Units are binary: 1kb = 1 KiB = 1024 bytes.
 *
 * @param value A whole, non-negative count of bytes, or text: digits with an
 *   optional fraction and unit (b, k/kb/kib, m/mb/mib, g/gb/gib, t/tb/tib;
 *   any case, spaces allowed), such as '64mb', '1.5 GiB' or '4096'.
 * @param option The name the value came from, e.g. 'totalMemory'; error
 *   messages start with it.
 * @returns The byte count, at most Number.MAX_SAFE_INTEGER.
 * @throws IllegalConfigurationError (ERR_ILLEGAL_CONFIGURATION) for anything
 *   else: a negative or fractional number, unparsable text, an unknown unit,
 *   a fraction that is not a whole number of bytes, or a size beyond 2^53 − 1.
 */
export function parseSize(value: number | string, option: string): number {
  if (typeof value === 'number') return checkByteCount(value, option);
  if (typeof value === 'string') return parseSizeText(value, option);
  throw new IllegalConfigurationError(`${option}: cannot use ${render(value)} as a size (${EXPECTED})`);
}

/** A plain number is taken as bytes, so it has to be a whole, safe, non-negative count. */
function checkByteCount(value: number, option: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new IllegalConfigurationError(
      `${option}: cannot use ${render(value)} as a size (${EXPECTED}; a number means a whole count of bytes)`,
    );
  }
  // Normalises -0, which passes the checks above.
  return value + 0;
}

/** Parses text with exact integer arithmetic so that '1.5gb' cannot pick up rounding error. */
function parseSizeText(text: string, option: string): number {
  const match = SIZE_PATTERN.exec(text);
  const unit = match?.[3]?.toLowerCase();
  if (match === null || unit === undefined || !Object.hasOwn(UNIT_BYTES, unit)) {
    throw new IllegalConfigurationError(`${option}: cannot parse ${render(text)} as a size (${EXPECTED})`);
  }
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const scale = 10n ** BigInt(fraction.length);
  const numerator = BigInt(whole + fraction) * (UNIT_BYTES[unit] as bigint);
  if (numerator % scale !== 0n) {
    throw new IllegalConfigurationError(
      `${option}: ${render(text)} is not a whole number of bytes (${EXPECTED})`,
    );
  }
  const bytes = numerator / scale;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new IllegalConfigurationError(
      `${option}: ${render(text)} is larger than the largest supported size, ${Number.MAX_SAFE_INTEGER} bytes`,
    );
  }
  return Number(bytes);
}

/** Formats a byte count as short text with a binary unit and at most one decimal, e.g. '51.2 MiB' (rounded: for exact figures show the bytes too). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  let unit = 0;
  let scaled = bytes;
  while (Math.abs(scaled) >= 1024 && unit < FORMAT_UNITS.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  let rounded = Math.round(scaled * 10) / 10;
  // 1048575 bytes would otherwise show as '1024 KiB'.
  if (Math.abs(rounded) >= 1024 && unit < FORMAT_UNITS.length - 1) {
    rounded = Math.round((scaled / 1024) * 10) / 10;
    unit += 1;
  }
  const digits = Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
  return `${digits} ${FORMAT_UNITS[unit]}`;
}

/** Rounds down to a multiple of unit. */
export function alignDown(bytes: number, unit: number): number {
  return bytes - (bytes % unit);
}
