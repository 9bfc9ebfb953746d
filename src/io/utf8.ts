/**
 * UTF-8 for the paged views: the encoded length (refusing lone surrogates,
 * which UTF-8 cannot carry and TextEncoder would silently replace), encoding
 * straight into a byte array, and decoding. Short strings go through a loop,
 * long ones through TextEncoder/TextDecoder, whose per-call cost only pays
 * off past a few dozen bytes.
 */

/** From this many UTF-16 units on, TextEncoder/TextDecoder beat a loop. */
const CODEC_MIN = 48;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Bytes of `s` in UTF-8, or -1 - i when it has a lone surrogate at index i. */
export function utf8Length(s: string): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c < 0xd800 || c > 0xdfff) bytes += 2;
    else if (c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A pair: 4 bytes for 2 units.
      bytes += 2;
      i++;
    } else return -1 - i;
  }
  return bytes;
}

/** Writes the UTF-8 of a well-formed `s` (checked by utf8Length) at `pos`; returns the position after it. */
export function encodeUtf8(s: string, bytes: Uint8Array, pos: number, byteLength: number): number {
  const n = s.length;
  if (n >= CODEC_MIN) {
    encoder.encodeInto(s, bytes.subarray(pos, pos + byteLength));
    return pos + byteLength;
  }
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) bytes[pos++] = c;
    else if (c < 0x800) {
      bytes[pos++] = 0xc0 | (c >> 6);
      bytes[pos++] = 0x80 | (c & 63);
    } else if (c < 0xd800 || c > 0xdfff) {
      bytes[pos++] = 0xe0 | (c >> 12);
      bytes[pos++] = 0x80 | ((c >> 6) & 63);
      bytes[pos++] = 0x80 | (c & 63);
    } else {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      bytes[pos++] = 0xf0 | (c >> 18);
      bytes[pos++] = 0x80 | ((c >> 12) & 63);
      bytes[pos++] = 0x80 | ((c >> 6) & 63);
      bytes[pos++] = 0x80 | (c & 63);
    }
  }
  return pos;
}

/**
 * For each length below CODEC_MIN, a plain array of that many UTF-16 units,
 * reused: String.fromCharCode.apply over it measured 88 ns for 16 ASCII
 * bytes, against 256 ns for a loop of `s += String.fromCharCode(b)` and
 * 167 ns for TextDecoder (Node 20; 79, 259 and 241 ns on Node 24).
 */
const UNITS: number[][] = Array.from({ length: CODEC_MIN }, (_, n) => new Array<number>(n).fill(0));

/** The string of `length` UTF-8 bytes at `pos` (malformed bytes, which segmem never writes, become U+FFFD as TextDecoder makes them). */
export function decodeUtf8(bytes: Uint8Array, pos: number, length: number): string {
  if (length >= CODEC_MIN) return decoder.decode(bytes.subarray(pos, pos + length));
  const units = UNITS[length]!;
  for (let i = 0; i < length; i++) {
    const b = bytes[pos + i]!;
    if (b >= 0x80) return decodeShortFrom(bytes, pos, length, i);
    units[i] = b;
  }
  return String.fromCharCode.apply(null, units);
}

/** True when `b` is a continuation byte (10xxxxxx) within [lo, hi]. */
const within = (b: number, lo: number, hi: number): boolean => b >= lo && b <= hi;

/**
 * A short string with a multi-byte sequence at `first` (the bytes before it
 * are ASCII): well-formed sequences (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) are decoded here; anything else goes to
 * TextDecoder, which knows the replacement rules.
 */
function decodeShortFrom(bytes: Uint8Array, pos: number, length: number, first: number): string {
  const scratch = UNITS[length]!;
  const end = pos + length;
  let k = first;
  let at = pos + first;
  while (at < end) {
    const b = bytes[at]!;
    const c1 = at + 1 < end ? bytes[at + 1]! : -1;
    const c2 = at + 2 < end ? bytes[at + 2]! : -1;
    const c3 = at + 3 < end ? bytes[at + 3]! : -1;
    if (b < 0x80) {
      scratch[k++] = b;
      at += 1;
    } else if (b >= 0xc2 && b <= 0xdf && within(c1, 0x80, 0xbf)) {
      scratch[k++] = ((b & 31) << 6) | (c1 & 63);
      at += 2;
    } else if (b >= 0xe0 && b <= 0xef && within(c1, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf) && within(c2, 0x80, 0xbf)) {
      scratch[k++] = ((b & 15) << 12) | ((c1 & 63) << 6) | (c2 & 63);
      at += 3;
    } else if (b >= 0xf0 && b <= 0xf4 && within(c1, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf) && within(c2, 0x80, 0xbf) && within(c3, 0x80, 0xbf)) {
      const cp = (((b & 7) << 18) | ((c1 & 63) << 12) | ((c2 & 63) << 6) | (c3 & 63)) - 0x10000;
      scratch[k++] = 0xd800 + (cp >> 10);
      scratch[k++] = 0xdc00 + (cp & 0x3ff);
      at += 4;
    } else return decoder.decode(bytes.subarray(pos, end));
  }
  // k units (fewer than `length` bytes): the array of that length takes them.
  const units = UNITS[k]!;
  for (let i = 0; i < k; i++) units[i] = scratch[i]!;
  return String.fromCharCode.apply(null, units);
}
