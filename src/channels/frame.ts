/**
 * The one framing every remote channel uses, on every transport. A frame is
 * a fixed header and a payload; all numbers little-endian:
 *
 *   frame:  [ header, 16 bytes ][ payload, `length` bytes ]
 *
 *   header: 0   u8   type      DATA 1, EVENT 2, END 3, CREDIT 4, CANCEL 5
 *           1   u8   version   FRAME_VERSION
 *           2   u16  channel   the subpartition / input channel (CANCEL: ALL_CHANNELS for the connection)
 *           4   u32  sequence  per channel and direction, from 0 (CANCEL: 0)
 *           8   u32  length    payload bytes
 *           12  u32  backlog   DATA, EVENT, END: buffers the sender still has queued on that channel;
 *                              CREDIT: buffers the receiver adds to its credit; CANCEL: 0
 *
 * Producer → consumer: DATA (one buffer's bytes, one credit each), EVENT (a
 * user event, no credit), END (end of the partition, no payload), CANCEL.
 * Consumer → producer: CREDIT (no payload), CANCEL. A CANCEL's payload is
 * UTF-8 `code` + "\n" + message, at most MAX_CANCEL_BYTES.
 */
/** Bytes of a frame header. */
export const FRAME_HEADER_BYTES = 16;
/** Version byte of this layout; any other is malformed. */
export const FRAME_VERSION = 1;

/** Frame type: one buffer's bytes (uses one credit). */
export const FRAME_DATA = 1;
/** Frame type: a user event (no credit). */
export const FRAME_EVENT = 2;
/** Frame type: the end of the partition on a channel (no payload). */
export const FRAME_END = 3;
/** Frame type: credit granted by the consumer (no payload; the count in the backlog field). */
export const FRAME_CREDIT = 4;
/** Frame type: a channel or the connection is cancelled (payload: code, newline, message). */
export const FRAME_CANCEL = 5;

/** The channel number of a CANCEL that ends the whole connection. */
export const ALL_CHANNELS = 0xffff;
/** Most channels one connection carries (channel numbers are u16; the top one means all). */
export const MAX_CHANNELS = 0xffff;
/** Largest user event payload (events are copied, not pooled: they must stay small). */
export const MAX_EVENT_BYTES = 65536;
/** Largest CANCEL payload: the code and a message. */
export const MAX_CANCEL_BYTES = 4096;
/** Largest credit one CREDIT frame may grant (more is malformed: no receiver holds that many buffers). */
export const MAX_CREDIT = 1 << 24;

/** Writes a header into `into` at `at`. */
export function writeHeader(into: DataView, at: number, type: number, channel: number, sequence: number, length: number, backlog: number): void {
  into.setUint8(at, type);
  into.setUint8(at + 1, FRAME_VERSION);
  into.setUint16(at + 2, channel, true);
  into.setUint32(at + 4, sequence >>> 0, true);
  into.setUint32(at + 8, length, true);
  into.setUint32(at + 12, backlog >>> 0, true);
}

/** A fresh header (its own 16 bytes: a transport may hold it until sent), written byte by byte: no DataView per frame. */
export function header(type: number, channel: number, sequence: number, length: number, backlog: number): Uint8Array {
  const b = new Uint8Array(FRAME_HEADER_BYTES);
  b[0] = type;
  b[1] = FRAME_VERSION;
  b[2] = channel;
  b[3] = channel >>> 8;
  putU32(b, 4, sequence);
  putU32(b, 8, length);
  putU32(b, 12, backlog);
  return b;
}

function putU32(b: Uint8Array, at: number, value: number): void {
  b[at] = value;
  b[at + 1] = value >>> 8;
  b[at + 2] = value >>> 16;
  b[at + 3] = value >>> 24;
}

/** A whole CANCEL frame for `code` and `message` (cut to MAX_CANCEL_BYTES). */
export function cancelFrame(channel: number, code: string, message: string): Uint8Array {
  let payload = new TextEncoder().encode(`${code}\n${message}`);
  if (payload.length > MAX_CANCEL_BYTES) payload = payload.subarray(0, MAX_CANCEL_BYTES);
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  writeHeader(new DataView(frame.buffer), 0, FRAME_CANCEL, channel, 0, payload.length, 0);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** The code and message of a CANCEL payload (bytes that are not UTF-8 are replaced, never refused). */
export function parseCancel(payload: Uint8Array): { code: string; message: string } {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(payload);
  const cut = text.indexOf('\n');
  return cut < 0 ? { code: text, message: '' } : { code: text.slice(0, cut), message: text.slice(cut + 1) };
}

/** The name of a frame type, for messages. */
export function frameTypeName(type: number): string {
  return ['?', 'DATA', 'EVENT', 'END', 'CREDIT', 'CANCEL'][type] ?? `type ${type}`;
}
