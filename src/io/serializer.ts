/**
 * Writes records of a RecordTypeSpec to a DataOutputView and reads them back
 * from a DataInputView, whole or one field at a time.
 *
 * Layout of a record: its fields in the order of the type, each
 *
 *   [flag: 1 byte, nullable fields only: 0 null, 1 present] [value, absent when null]
 *
 * with int 4 bytes, long/bigint 8, double 8 (all big-endian), boolean 1,
 * string varint(UTF-8 length) + UTF-8, bytes varint(length) + bytes, fixed
 * bytes their n bytes.
 *
 * `write` is all or nothing: every field is checked before the first byte is
 * written, and a record cut short by the page source running dry is
 * truncated away before the error goes on.
 */
import { IllegalStateError, InvalidArgumentError } from '../errors.js';
import { render } from '../util/render.js';
import { checkInstance } from '../util/checks.js';
import { DataInputView } from './input-view.js';
import { DataOutputView } from './output-view.js';
import { checkValue, Kind, resolveFields, type Field, type RecordOf, type RecordTypeSpec } from './record-type.js';

/** Serializes records of one type. */
export class RecordSerializer<S extends RecordTypeSpec = RecordTypeSpec> {
  /** The fields, in serialization order. */
  readonly fields: readonly Field[];
  /** Bytes of every record when all fields have a fixed length and none is nullable; else -1. */
  readonly fixedSize: number;
  /** Checked values of the record being written, read from it exactly once. @internal */
  readonly values: unknown[];
  /** What checkValue found for each of them (string/bytes lengths; -1 for null). @internal */
  readonly extents: number[];
  private readonly names: readonly string[];
  private checking = false;
  private readonly index: Map<string, number>;

  /** A serializer for `type`; ERR_INVALID_ARGUMENT for a malformed type description. */
  constructor(type: S) {
    this.fields = resolveFields(type);
    this.names = this.fields.map((f) => f.name);
    this.index = new Map(this.names.map((n, i) => [n, i]));
    this.values = new Array(this.fields.length).fill(null);
    this.extents = new Array(this.fields.length).fill(0);
    let size = 0;
    for (const f of this.fields) size = f.nullable || f.fixedLength < 0 || size < 0 ? -1 : size + f.fixedLength;
    this.fixedSize = size;
  }

  /** Position of field `name` in the type; ERR_INVALID_ARGUMENT when the type has no such field. */
  fieldIndex(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new InvalidArgumentError(`the record type has no field ${render(name)} (fields: ${this.names.join(', ')})`);
    return i;
  }

  /** Writes `record`; ERR_INVALID_ARGUMENT / ERR_VALUE_OUT_OF_RANGE for a record not matching the type, ERR_MEMORY_ALLOCATION when pages run out (nothing of it then stays written), ERR_ILLEGAL_STATE when a getter of the record writes with this serializer. */
  write(out: DataOutputView, record: RecordOf<S>): void {
    checkInstance(out, DataOutputView, 'DataOutputView', 'RecordSerializer.write');
    this.check(record);
    this.writeChecked(out);
  }

  /** Reads each field of `record` once into `values` and checks it. @internal */
  check(record: unknown): void {
    if (record === null || typeof record !== 'object') throw new InvalidArgumentError(`a record must be an object, got ${render(record)}`);
    // A getter of the record that writes with this serializer would overwrite the values being checked.
    if (this.checking) throw new IllegalStateError('a record was written from inside the check of another record (a getter of it?)');
    this.checking = true;
    try {
      this.checkFields(record);
    } finally {
      this.checking = false;
    }
  }

  private checkFields(record: object): void {
    const fields = this.fields;
    const values = this.values;
    const extents = this.extents;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const v = (record as Record<string, unknown>)[f.name];
      extents[i] = checkValue(f, v);
      values[i] = v;
    }
  }

  /**
   * Writes the record that check() accepted, all or nothing. The checked
   * values stay in `values` until the next record (clearing them per record
   * cost a tenth of a small record's write). @internal
   */
  writeChecked(out: DataOutputView): void {
    const start = out.position;
    try {
      this.writeValues(out);
    } catch (err) {
      // Appending: the cut record goes. Overwriting in place (after seek()): the
      // data keeps its size and the write position its start; the bytes it
      // covered are the cut record's. `high` still holds the size before the write.
      const size = out.high > start ? out.high : start;
      if (size <= start) out.truncate(start);
      else {
        out.truncate(size);
        out.seek(start);
      }
      throw err;
    }
  }

  private writeValues(out: DataOutputView): void {
    const fields = this.fields;
    const values = this.values;
    const extents = this.extents;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const v = values[i];
      if (f.nullable) {
        if (extents[i] === -1) {
          out.writeByte(0);
          continue;
        }
        out.writeByte(1);
      }
      switch (f.kind) {
        case Kind.Int:
          out.writeInt(v as number);
          break;
        case Kind.Long:
          out.writeLongNumber(v as number);
          break;
        case Kind.BigInt:
          out.writeLong(v as bigint);
          break;
        case Kind.Double:
          out.writeDouble(v as number);
          break;
        case Kind.Boolean:
          out.writeByte(v ? 1 : 0);
          break;
        case Kind.String:
          out.writeVarUint(extents[i]!);
          out.writeUtf8(v as string, extents[i]!);
          break;
        case Kind.Bytes:
          out.writeVarUint(extents[i]!);
          out.writeBytes(v as Uint8Array);
          break;
        default:
          out.writeBytes(v as Uint8Array);
      }
    }
  }

  /** Reads one record as an object; ERR_EOF when the input ends inside it (the position is then back at its start). */
  read(input: DataInputView): RecordOf<S> {
    const start = checkInstance(input, DataInputView, 'DataInputView', 'RecordSerializer.read').position;
    const record: Record<string, unknown> = {};
    try {
      const fields = this.fields;
      for (let i = 0; i < fields.length; i++) record[fields[i]!.name] = readValue(input, fields[i]!);
    } catch (err) {
      input.seek(start);
      throw err;
    }
    return record as RecordOf<S>;
  }

  /** Reads only field `name` of the record at the input's position and moves past the record; ERR_INVALID_ARGUMENT for an unknown field, ERR_EOF for a cut record. */
  readField<K extends keyof S & string>(input: DataInputView, name: K): RecordOf<S>[K] {
    checkInstance(input, DataInputView, 'DataInputView', 'RecordSerializer.readField');
    return this.readFieldAt(input, this.fieldIndex(name), true) as RecordOf<S>[K];
  }

  /** Reads field number `index` of the record at the input's position; past the whole record when `skipRest`, else just past the field. @internal */
  readFieldAt(input: DataInputView, index: number, skipRest: boolean): unknown {
    const start = input.position;
    const fields = this.fields;
    try {
      for (let i = 0; i < index; i++) skipValue(input, fields[i]!);
      const value = readValue(input, fields[index]!);
      if (skipRest) for (let i = index + 1; i < fields.length; i++) skipValue(input, fields[i]!);
      return value;
    } catch (err) {
      input.seek(start);
      throw err;
    }
  }

  /** Moves past the record at the input's position without reading it; ERR_EOF for a cut record. */
  skip(input: DataInputView): void {
    const start = checkInstance(input, DataInputView, 'DataInputView', 'RecordSerializer.skip').position;
    try {
      if (this.fixedSize >= 0) input.skipBytes(this.fixedSize);
      else for (const f of this.fields) skipValue(input, f);
    } catch (err) {
      input.seek(start);
      throw err;
    }
  }
}

/** Reads one field's value. */
function readValue(input: DataInputView, f: Field): unknown {
  if (f.nullable && input.readUnsignedByte() === 0) return null;
  switch (f.kind) {
    case Kind.Int:
      return input.readInt();
    case Kind.Long:
      return input.readLongNumber();
    case Kind.BigInt:
      return input.readLong();
    case Kind.Double:
      return input.readDouble();
    case Kind.Boolean:
      return input.readUnsignedByte() !== 0;
    case Kind.String:
      return input.readString();
    case Kind.Bytes: {
      const bytes = new Uint8Array(input.readVarUint());
      input.readBytes(bytes);
      return bytes;
    }
    default: {
      const bytes = new Uint8Array(f.fixedLength);
      input.readBytes(bytes);
      return bytes;
    }
  }
}

/** Moves past one field's value. */
function skipValue(input: DataInputView, f: Field): void {
  if (f.nullable && input.readUnsignedByte() === 0) return;
  if (f.fixedLength >= 0) input.skipBytes(f.fixedLength);
  else input.skipBytes(input.readVarUint());
}
