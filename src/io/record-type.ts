/**
 * A small, explicit description of a record's fields, and the checks that a
 * JS object matches it. Field types:
 *
 *   'int'      int32, a number                       4 bytes
 *   'long'     int64, a number within ±(2^53 - 1)    8 bytes
 *   'bigint'   int64, a bigint                       8 bytes
 *   'double'   float64, any number (NaN included)    8 bytes
 *   'boolean'  true or false                         1 byte
 *   'string'   UTF-8, well-formed                    varint length + bytes
 *   'bytes'    a Uint8Array; { type: 'bytes', length: n } is fixed at n bytes, else varint length + bytes
 *
 * A field written `{ type, nullable: true }` also takes null (or undefined)
 * and costs one more byte, a presence flag. Fields are serialized in the
 * order the description lists them.
 */
import { InvalidArgumentError, ValueOutOfRangeError } from '../errors.js';
import { render } from '../util/render.js';
import { checkedUtf8Length } from './output-view.js';

/** The types a field can have. */
export type FieldType = 'int' | 'long' | 'bigint' | 'double' | 'boolean' | 'string' | 'bytes';
/** One field: its type, or its type with options. */
export type FieldSpec = FieldType | FieldOptions;

/** A field's type with its options. */
export interface FieldOptions {
  /** The field's type. */
  readonly type: FieldType;
  /** True: the field also takes null (default false). */
  readonly nullable?: boolean;
  /** 'bytes' only: a fixed length in bytes. */
  readonly length?: number;
}

/** A record type: field name to field spec, in serialization order. */
export type RecordTypeSpec = { readonly [name: string]: FieldSpec };

/** The JS value of each field type. */
export interface FieldValues {
  /** A number, an integer from -2^31 to 2^31 - 1. */
  int: number;
  /** A number, an integer within ±(2^53 - 1). */
  long: number;
  /** A bigint within the int64 range. */
  bigint: bigint;
  /** Any number. */
  double: number;
  /** true or false. */
  boolean: boolean;
  /** A well-formed string. */
  string: string;
  /** A Uint8Array. */
  bytes: Uint8Array;
}

/** The JS value of a field of spec F (null too when it is nullable). */
export type FieldValue<F> = F extends FieldType
  ? FieldValues[F]
  : F extends FieldOptions
    ? FieldValues[F['type']] | (F['nullable'] extends true ? null : never)
    : never;
/** The JS object a record type describes. */
export type RecordOf<S extends RecordTypeSpec> = { -readonly [K in keyof S]: FieldValue<S[K]> };

/** Field kinds as small integers, for switches on the hot path. @internal */
export const Kind = { Int: 0, Long: 1, BigInt: 2, Double: 3, Boolean: 4, String: 5, Bytes: 6, FixedBytes: 7 } as const;
/** @internal */
export type Kind = (typeof Kind)[keyof typeof Kind];

const KINDS: { readonly [T in FieldType]: Kind } = {
  int: Kind.Int,
  long: Kind.Long,
  bigint: Kind.BigInt,
  double: Kind.Double,
  boolean: Kind.Boolean,
  string: Kind.String,
  bytes: Kind.Bytes,
};

/** One field, resolved. */
export interface Field {
  /** The field's name in the record. */
  readonly name: string;
  /** Its type. */
  readonly type: FieldType;
  /** @internal */ readonly kind: Kind;
  /** True when it takes null. */
  readonly nullable: boolean;
  /** Bytes of a fixed-length field (its presence flag not counted); -1 for strings and variable bytes. */
  readonly fixedLength: number;
}

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;
const MAX_FIXED_BYTES = 2 ** 31 - 1;

/** The fields of a record type description; ERR_INVALID_ARGUMENT for anything malformed (unknown type, bad length, no fields). */
export function resolveFields(spec: RecordTypeSpec): Field[] {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new InvalidArgumentError(`a record type must be an object of field specs, got ${render(spec)}`);
  const names = Object.keys(spec);
  if (names.length === 0) throw new InvalidArgumentError('a record type needs at least one field');
  return names.map((name) => {
    const raw: unknown = spec[name];
    const desc = typeof raw === 'string' ? { type: raw } : raw;
    if (desc === null || typeof desc !== 'object') throw new InvalidArgumentError(`field '${name}': expected a type name or { type, nullable?, length? }, got ${render(raw)}`);
    const { type, nullable = false, length } = desc as { type?: unknown; nullable?: unknown; length?: unknown };
    if (typeof type !== 'string' || !Object.hasOwn(KINDS, type)) {
      throw new InvalidArgumentError(`field '${name}': type must be one of ${Object.keys(KINDS).join(', ')}, got ${render(type)}`);
    }
    if (typeof nullable !== 'boolean') throw new InvalidArgumentError(`field '${name}': nullable must be true or false, got ${render(nullable)}`);
    let kind: Kind = KINDS[type as FieldType];
    let fixedLength = FIXED[kind];
    if (length !== undefined) {
      if (kind !== Kind.Bytes) throw new InvalidArgumentError(`field '${name}': only 'bytes' fields take a length, not '${type}'`);
      if (!(typeof length === 'number' && Number.isInteger(length) && length >= 0 && length <= MAX_FIXED_BYTES)) {
        throw new InvalidArgumentError(`field '${name}': length must be a whole number from 0 to ${MAX_FIXED_BYTES}, got ${render(length)}`);
      }
      kind = Kind.FixedBytes;
      fixedLength = length;
    }
    return { name, type: type as FieldType, kind, nullable, fixedLength };
  });
}

/** Serialized bytes of each kind's value; -1: variable. */
const FIXED: readonly number[] = [4, 8, 8, 8, 1, -1, -1, -1];

/**
 * Checks one field value and returns what its serialized form needs beyond
 * the kind: the UTF-8 length of a string, the length of variable bytes, else
 * 0; -1 for null. Throws ERR_INVALID_ARGUMENT for a wrong type and
 * ERR_VALUE_OUT_OF_RANGE for a number outside the field's range. @internal
 */
export function checkValue(field: Field, value: unknown): number {
  if (value === null || value === undefined) {
    if (field.nullable) return -1;
    throw new InvalidArgumentError(`field '${field.name}' (${field.type}) is not nullable, got ${render(value)}`);
  }
  switch (field.kind) {
    case Kind.Int:
      if (typeof value === 'number' && (value | 0) === value) return 0;
      throw badNumber(field, value, 'an integer from -2147483648 to 2147483647');
    case Kind.Long:
      if (Number.isSafeInteger(value)) return 0;
      throw badNumber(field, value, 'an integer within ±(2^53 - 1) (use a bigint field beyond)');
    case Kind.BigInt:
      if (typeof value === 'bigint' && value >= MIN_INT64 && value <= MAX_INT64) return 0;
      if (typeof value === 'bigint') throw new ValueOutOfRangeError(`field '${field.name}' (bigint): ${render(value)} is outside the int64 range -2^63 to 2^63 - 1`);
      throw new InvalidArgumentError(`field '${field.name}' (bigint) must be a bigint, got ${render(value)}`);
    case Kind.Double:
      if (typeof value === 'number') return 0;
      throw new InvalidArgumentError(`field '${field.name}' (double) must be a number, got ${render(value)}`);
    case Kind.Boolean:
      if (typeof value === 'boolean') return 0;
      throw new InvalidArgumentError(`field '${field.name}' (boolean) must be true or false, got ${render(value)}`);
    case Kind.String:
      return checkedUtf8Length(value, `field '${field.name}' (string)`);
    case Kind.Bytes:
      if (value instanceof Uint8Array) return value.length;
      throw new InvalidArgumentError(`field '${field.name}' (bytes) must be a Uint8Array, got ${render(value)}`);
    default:
      if (value instanceof Uint8Array && value.length === field.fixedLength) return 0;
      throw new InvalidArgumentError(`field '${field.name}' (bytes of length ${field.fixedLength}) must be a Uint8Array of ${field.fixedLength} bytes, got ${render(value)}`);
  }
}

function badNumber(field: Field, value: unknown, limit: string): Error {
  if (typeof value !== 'number') return new InvalidArgumentError(`field '${field.name}' (${field.type}) must be a number, got ${render(value)}`);
  return new ValueOutOfRangeError(`field '${field.name}' (${field.type}): ${render(value)} is not ${limit}`);
}
