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

/** The string of `length` UTF-8 bytes at `pos` (malformed bytes, which segmem never writes, become U+FFFD). */
export function decodeUtf8(bytes: Uint8Array, pos: number, length: number): string {
  if (length >= CODEC_MIN) return decoder.decode(bytes.subarray(pos, pos + length));
  let s = '';
  const end = pos + length;
  while (pos < end) {
    const b = bytes[pos++]!;
    if (b < 0x80) {
      s += String.fromCharCode(b);
      continue;
    }
    // Anything but a well-formed sequence goes to TextDecoder, which knows the replacement rules.
    if (b >= 0xc2 && b < 0xe0 && pos < end) s += String.fromCharCode(((b & 31) << 6) | (bytes[pos++]! & 63));
    else if (b >= 0xe0 && b < 0xf0 && pos + 1 < end) {
      s += String.fromCharCode(((b & 15) << 12) | ((bytes[pos]! & 63) << 6) | (bytes[pos + 1]! & 63));
      pos += 2;
    } else if (b >= 0xf0 && b < 0xf5 && pos + 2 < end) {
      s += String.fromCodePoint(((b & 7) << 18) | ((bytes[pos]! & 63) << 12) | ((bytes[pos + 1]! & 63) << 6) | (bytes[pos + 2]! & 63));
      pos += 3;
    } else return decoder.decode(bytes.subarray(end - length, end));
  }
  return s;
}
