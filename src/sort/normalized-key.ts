/**
 * Normalized keys: a fixed-length byte prefix per record whose unsigned
 * lexicographic order is the order of the record's key, so that a sort can
 * compare (or radix-sort) plain bytes and only look at records on a tie.
 *
 * Each key field, in the order given, contributes:
 *
 *   nullable: [flag: 0 null (value bytes then all 0), 1 present]
 *   int       4 bytes: the value with its sign bit flipped, big-endian
 *   long      8 bytes: the int64 with its sign bit flipped, big-endian (number and bigint alike)
 *   double    8 bytes: the IEEE bits, big-endian; negative values with every bit
 *             inverted, others with the sign bit flipped; every NaN first made
 *             the one quiet NaN. So -Infinity < … < -0 < +0 < … < +Infinity < NaN,
 *             the order of Java's Double.compare.
 *   boolean   1 byte: 0 false, 1 true
 *   string    the first `prefix` bytes (default 8) of its UTF-8, zero-padded:
 *             UTF-8 byte order is code point order
 *   bytes     the first `prefix` bytes (fixed-length: all of them), zero-padded
 *
 * and a descending field has all its bytes inverted (so null, the least
 * value, comes last). Fields go into the prefix until `maxBytes` is reached or
 * a field is cut short or is a string or variable bytes: a field after one
 * whose prefix does not decide it would order records wrongly, so it is left
 * to the full-key comparison. When every key field fits and decides itself,
 * `fullyDetermined` is true and a tie on the prefix is a tie on the key.
 */
import { InvalidArgumentError } from '../errors.js';
import { Kind, type Field } from '../io/record-type.js';
import type { RecordSerializer } from '../io/serializer.js';
import { render } from '../util/render.js';

/** Ascending or descending. */
export type SortOrder = 'asc' | 'desc';
/** One key field: its name, or its name with an order and (strings, variable bytes) a prefix length. */
export type KeyFieldSpec =
  | string
  | {
      /** The field's name. */
      readonly field: string;
      /** 'asc' (default) or 'desc'. */
      readonly order?: SortOrder;
      /** Strings and variable bytes: bytes of the value taken into the prefix, 1 to 28 (default 8). */
      readonly prefix?: number;
    };
/** The key: one field or several, most significant first. */
export type KeySpec = KeyFieldSpec | readonly KeyFieldSpec[];

/** The longest normalized key prefix: with a 4-byte record pointer it fills a 32-byte index entry. */
export const MAX_KEY_BYTES = 28;
/** Bytes of a string's (or variable bytes') UTF-8 taken into the prefix unless the key says otherwise. */
export const DEFAULT_STRING_PREFIX = 8;

/** One key field, resolved. */
export interface KeyField {
  /** Index of the field in the record type. */
  readonly index: number;
  /** The field. */
  readonly field: Field;
  /** True for a descending field. */
  readonly descending: boolean;
  /** Bytes of the prefix this field takes (its flag included); 0 when it is left to the full comparison. */
  readonly width: number;
}

const TWO_POW_32 = 4294967296;

/** Computes and compares normalized keys of one record type and key. */
export class NormalizedKeys {
  /** Every key field, most significant first. */
  readonly keys: readonly KeyField[];
  /** Bytes of the prefix. */
  readonly keyBytes: number;
  /** True when equal prefixes mean equal keys. */
  readonly fullyDetermined: boolean;
  /** The key fields that have bytes in the prefix. */
  private readonly inPrefix: readonly KeyField[];
  private readonly scratch = new DataView(new ArrayBuffer(8));

  /** Keys of `key` over the serializer's type; ERR_INVALID_ARGUMENT for an unknown or repeated field, a bad order or prefix, or a maxBytes outside 1 to 28. */
  constructor(
    private readonly serializer: RecordSerializer,
    key: KeySpec,
    maxBytes = MAX_KEY_BYTES,
  ) {
    if (!(Number.isInteger(maxBytes) && maxBytes >= 1 && maxBytes <= MAX_KEY_BYTES)) {
      throw new InvalidArgumentError(`keyPrefixBytes must be a whole number from 1 to ${MAX_KEY_BYTES}, got ${render(maxBytes)}`);
    }
    const specs: readonly KeyFieldSpec[] = Array.isArray(key) ? key : [key as KeyFieldSpec];
    if (specs.length === 0) throw new InvalidArgumentError('a key needs at least one field');
    const seen = new Set<number>();
    let remaining = maxBytes;
    let open = true; // later fields may still go into the prefix
    let determined = true;
    const keys: KeyField[] = [];
    for (const spec of specs) {
      const { field: name, order = 'asc', prefix } = typeof spec === 'string' ? { field: spec } : (spec ?? ({} as { field?: unknown; order?: unknown; prefix?: unknown }));
      if (typeof name !== 'string') throw new InvalidArgumentError(`a key field must be a field name or { field, order?, prefix? }, got ${render(spec)}`);
      const index = serializer.fieldIndex(name);
      if (seen.has(index)) throw new InvalidArgumentError(`key field '${name}' is given twice`);
      seen.add(index);
      if (order !== 'asc' && order !== 'desc') throw new InvalidArgumentError(`key field '${name}': order must be 'asc' or 'desc', got ${render(order)}`);
      const field = serializer.fields[index]!;
      const variable = field.kind === Kind.String || field.kind === Kind.Bytes;
      if (prefix !== undefined && (!variable || !(Number.isInteger(prefix) && prefix >= 1 && prefix <= MAX_KEY_BYTES))) {
        throw new InvalidArgumentError(`key field '${name}': prefix applies to string and variable bytes fields only, as a whole number from 1 to ${MAX_KEY_BYTES}; got ${render(prefix)}`);
      }
      const flag = field.nullable ? 1 : 0;
      const natural = flag + (variable ? (prefix ?? DEFAULT_STRING_PREFIX) : field.fixedLength);
      let width = 0;
      if (open && remaining > flag && natural > flag) {
        width = Math.min(natural, remaining);
        remaining -= width;
        if (variable || width < natural) open = false;
      } else if (open && natural === flag && remaining >= flag) {
        // A zero-length fixed field decides itself with its flag alone.
        width = flag;
        remaining -= width;
      } else open = false;
      if (width === 0 && natural > 0) determined = false;
      if (variable || width < natural) determined = false;
      keys.push({ index, field, descending: order === 'desc', width });
    }
    this.keys = keys;
    this.inPrefix = keys.filter((k) => k.width > 0);
    this.keyBytes = maxBytes - remaining;
    this.fullyDetermined = determined;
    if (this.keyBytes === 0) throw new InvalidArgumentError('the key leaves no byte for the normalized prefix');
  }

  /** The prefix of `record` as a new array; ERR_INVALID_ARGUMENT / ERR_VALUE_OUT_OF_RANGE for a record not matching the type. */
  normalize(record: object): Uint8Array {
    this.serializer.check(record);
    const out = new Uint8Array(this.keyBytes);
    try {
      this.put(this.serializer.values, out, new DataView(out.buffer), 0);
    } finally {
      this.serializer.values.fill(null);
    }
    return out;
  }

  /**
   * The key as bytes of the serialized record, for fixed-size records whose
   * prefix fields are ints, bigints or fixed bytes (stored big-endian, so
   * prefix byte j is record byte `offsets[j]` xor `masks[j]`: 0x80 on a sign
   * byte, 0xff for a descending field); null for any other key. @internal
   */
  bytePlan(): { readonly offsets: readonly number[]; readonly masks: readonly number[] } | null {
    const fields = this.serializer.fields;
    if (this.serializer.fixedSize < 0) return null;
    const starts: number[] = [];
    for (let i = 0, at = 0; i < fields.length; at += fields[i]!.fixedLength, i++) starts.push(at);
    const offsets: number[] = [];
    const masks: number[] = [];
    for (const key of this.inPrefix) {
      const kind = key.field.kind;
      if (kind !== Kind.Int && kind !== Kind.BigInt && kind !== Kind.FixedBytes) return null;
      for (let j = 0; j < key.width; j++) {
        const at = starts[key.index]! + j;
        if (at > 0xffff) return null;
        offsets.push(at);
        masks.push((j === 0 && kind !== Kind.FixedBytes ? 0x80 : 0) ^ (key.descending ? 0xff : 0));
      }
    }
    return { offsets, masks };
  }

  /** Key order of two records: -1, 0 or 1; ERR_INVALID_ARGUMENT / ERR_VALUE_OUT_OF_RANGE for a record not matching the type. */
  compareRecords(a: object, b: object): number {
    return this.compare(this.keyValues(a), this.keyValues(b));
  }

  /** The checked key values of a record, by key position. */
  private keyValues(record: object): unknown[] {
    this.serializer.check(record);
    const values = this.keys.map((k) => this.serializer.values[k.index]);
    this.serializer.values.fill(null);
    return values;
  }

  /** Writes the prefix of a record whose checked field values are `values` (by field index) at `pos`. @internal */
  put(values: readonly unknown[], bytes: Uint8Array, view: DataView, pos: number): void {
    const keys = this.inPrefix;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const start = pos;
      const field = key.field;
      let width = key.width;
      const value = values[key.index];
      if (field.nullable) {
        if (value === null || value === undefined) {
          bytes.fill(key.descending ? 0xff : 0, pos, pos + width);
          pos += width;
          continue;
        }
        bytes[pos++] = 1;
        width--;
      }
      switch (field.kind) {
        case Kind.Int:
          if (width === 4) view.setUint32(pos, ((value as number) ^ 0x80000000) >>> 0, false);
          else this.putCut(bytes, pos, width, ((value as number) ^ 0x80000000) >>> 0, 0);
          break;
        case Kind.Long: {
          const v = value as number;
          const hi = Math.floor(v / TWO_POW_32);
          this.putWide(bytes, view, pos, width, (hi ^ 0x80000000) >>> 0, v - hi * TWO_POW_32);
          break;
        }
        case Kind.BigInt: {
          const v = value as bigint;
          this.putWide(bytes, view, pos, width, (Number(BigInt.asIntN(32, v >> 32n)) ^ 0x80000000) >>> 0, Number(BigInt.asUintN(32, v)));
          break;
        }
        case Kind.Double: {
          const s = this.scratch;
          s.setFloat64(0, value as number, false);
          let hi = s.getUint32(0, false);
          let lo = s.getUint32(4, false);
          if (value !== value) {
            hi = 0x7ff80000;
            lo = 0;
          }
          if (hi >= 0x80000000) {
            hi = ~hi >>> 0;
            lo = ~lo >>> 0;
          } else hi = (hi | 0x80000000) >>> 0;
          this.putWide(bytes, view, pos, width, hi, lo);
          break;
        }
        case Kind.Boolean:
          bytes[pos] = value ? 1 : 0;
          break;
        case Kind.String:
          putUtf8Prefix(value as string, bytes, pos, width);
          break;
        default: {
          const src = value as Uint8Array;
          const n = src.length < width ? src.length : width;
          for (let i = 0; i < n; i++) bytes[pos + i] = src[i]!;
          for (let i = n; i < width; i++) bytes[pos + i] = 0;
        }
      }
      pos += width;
      if (key.descending) for (let i = start; i < pos; i++) bytes[i] = ~bytes[i]! & 0xff;
    }
  }

  /** Compares two records' key values (each array by key position, as readKeys gives them): -1, 0 or 1 in the key's order. */
  compare(a: readonly unknown[], b: readonly unknown[]): number {
    const keys = this.keys;
    for (let k = 0; k < keys.length; k++) {
      const c = compareValues(keys[k]!.field.kind, a[k], b[k]);
      if (c !== 0) return keys[k]!.descending ? -c : c;
    }
    return 0;
  }

  /** The first `width` bytes of the 8 big-endian bytes hi:lo. */
  private putWide(bytes: Uint8Array, view: DataView, pos: number, width: number, hi: number, lo: number): void {
    if (width === 8) {
      view.setUint32(pos, hi, false);
      view.setUint32(pos + 4, lo, false);
    } else this.putCut(bytes, pos, width, hi, lo);
  }

  private putCut(bytes: Uint8Array, pos: number, width: number, hi: number, lo: number): void {
    const s = this.scratch;
    s.setUint32(0, hi, false);
    s.setUint32(4, lo, false);
    for (let i = 0; i < width; i++) bytes[pos + i] = s.getUint8(i);
  }
}

/** Writes the first `width` bytes of the UTF-8 of `s` at `pos`, zero-padded. */
function putUtf8Prefix(s: string, bytes: Uint8Array, pos: number, width: number): void {
  const end = pos + width;
  for (let i = 0; i < s.length && pos < end; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      bytes[pos++] = c;
      continue;
    }
    let n: number;
    if (c < 0x800) n = 2;
    else if (c < 0xd800 || c > 0xdfff) n = 3;
    else {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      n = 4;
    }
    // Lead byte, then continuation bytes, as many as fit.
    bytes[pos++] = n === 2 ? 0xc0 | (c >> 6) : n === 3 ? 0xe0 | (c >> 12) : 0xf0 | (c >> 18);
    for (let shift = (n - 2) * 6; shift >= 0 && pos < end; shift -= 6) bytes[pos++] = 0x80 | ((c >> shift) & 63);
  }
  while (pos < end) bytes[pos++] = 0;
}

/** Order of two values of one kind, null least; doubles as Java's Double.compare (-0 < +0, NaN above +Infinity). */
export function compareValues(kind: number, a: unknown, b: unknown): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an === bn ? 0 : an ? -1 : 1;
  switch (kind) {
    case Kind.String:
      return compareCodePoints(a as string, b as string);
    case Kind.Bytes:
    case Kind.FixedBytes:
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case Kind.Boolean:
      return a === b ? 0 : a ? 1 : -1;
    case Kind.Double:
      return compareDoubles(a as number, b as number);
    default:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
}

/** Java's Double.compare: -0 < +0, every NaN equal and above +Infinity. */
function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  const aNaN = a !== a;
  const bNaN = b !== b;
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  if (a === 0) {
    const aNeg = 1 / a < 0;
    const bNeg = 1 / b < 0;
    return aNeg === bNeg ? 0 : aNeg ? -1 : 1;
  }
  return 0;
}

/** Code point order of two well-formed strings (= UTF-8 byte order), which differs from `<` on UTF-16 units above U+E000. */
export function compareCodePoints(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates stand for code points above every BMP unit: lift them over U+E000-U+FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Unsigned lexicographic order of two byte arrays, the shorter first on a common prefix. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
