/**
 * Reads records in their serialized form (RecordSerializer's layout, back to
 * back, as ExternalSorter.writeTo writes them) from byte chunks cut anywhere,
 * without making objects of them: each record is found (its length, by
 * skipping its fields) and its key fields are read, and the caller gets its
 * bytes where they lie. A record cut by a chunk's end is kept, with the bytes
 * after it, and read once the next chunk has come.
 */
import { EndOfInputError, InvalidArgumentError } from '../errors.js';
import { DataInputView } from '../io/input-view.js';
import type { RecordSerializer } from '../io/serializer.js';
import { MemoryRegion } from '../memory/region.js';
import { render } from '../util/render.js';

/** Takes one serialized record: `length` bytes at `at`, its key values in `values` (by field index); a promise to await, or null. @internal */
export type RecordVisitor = (bytes: Uint8Array, at: number, length: number, values: readonly unknown[]) => Promise<void> | null;

/** Calls `each` with every record of `chunks` in order. ERR_EOF when the input ends inside a record, ERR_INVALID_ARGUMENT for a chunk that is not a Uint8Array or a malformed length. @internal */
export async function scanRecords(serializer: RecordSerializer, keyFields: readonly number[], chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, each: RecordVisitor): Promise<void> {
  if (chunks === null || typeof chunks !== 'object' || !(Symbol.asyncIterator in chunks || Symbol.iterator in chunks)) {
    throw new InvalidArgumentError(`expected an iterable of Uint8Array chunks, got ${render(chunks)}`);
  }
  const values: unknown[] = new Array(serializer.fields.length).fill(null);
  const fixed = serializer.fixedSize;
  let carry: Uint8Array | null = null;
  let offset = 0;
  for await (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) throw new InvalidArgumentError(`a chunk of the serialized records (after byte ${offset}) is not a Uint8Array: ${render(chunk)}`);
    if (chunk.length === 0) continue;
    let data: Uint8Array = chunk;
    if (carry !== null) {
      data = new Uint8Array(carry.length + chunk.length);
      data.set(carry);
      data.set(chunk, carry.length);
    }
    const view = new DataInputView([MemoryRegion.ofArray(data).segment(0, data.length, null, null)]);
    let start = 0;
    while (start < data.length) {
      let end: number;
      if (fixed >= 0) {
        // Records of one size: no need to walk their fields to find the end.
        end = start + fixed;
        if (end > data.length) break;
      } else {
        try {
          serializer.skip(view);
        } catch (err) {
          if (err instanceof EndOfInputError) break;
          throw err;
        }
        end = view.position;
      }
      for (const k of keyFields) {
        view.seek(start);
        values[k] = serializer.readFieldAt(view, k, false);
      }
      if (fixed < 0 || keyFields.length > 0) view.seek(end);
      const wait = each(data, start, end - start, values);
      if (wait !== null) await wait;
      start = end;
    }
    offset += start;
    // What is left is the start of a record: kept (a copy, the chunk may be reused) for the next chunk.
    carry = start < data.length ? data.slice(start) : null;
  }
  if (carry !== null) throw new EndOfInputError(`the serialized records end inside a record: ${carry.length} bytes after byte ${offset} do not make a whole one`);
}

/** Takes `count` whole serialized records of one size, back to back in `bytes` from `at`; a promise to await, or null. @internal */
export type RecordsVisitor = (bytes: Uint8Array, at: number, count: number) => Promise<void> | null;

/**
 * Calls `each` with the whole records of every chunk at once, for records
 * of `size` bytes (a fixed-size type): a record cut by a chunk's end is
 * completed from the next chunk in a copy of its own, so no chunk is copied
 * whole. Errors as scanRecords. @internal
 */
export async function scanFixedRecords(size: number, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, each: RecordsVisitor): Promise<void> {
  const carry = new Uint8Array(size);
  let carried = 0;
  let offset = 0;
  for await (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) throw new InvalidArgumentError(`a chunk of the serialized records (after byte ${offset}) is not a Uint8Array: ${render(chunk)}`);
    let at = 0;
    if (carried > 0) {
      at = Math.min(size - carried, chunk.length);
      carry.set(new Uint8Array(chunk.buffer, chunk.byteOffset, at), carried);
      carried += at;
      if (carried < size) continue;
      const wait = each(carry, 0, 1);
      if (wait !== null) await wait;
      carried = 0;
      offset += size;
    }
    const whole = size === 0 ? 0 : Math.floor((chunk.length - at) / size);
    if (whole > 0) {
      const wait = each(chunk, at, whole);
      if (wait !== null) await wait;
    }
    at += whole * size;
    offset += whole * size;
    if (at < chunk.length) {
      carry.set(new Uint8Array(chunk.buffer, chunk.byteOffset + at, chunk.length - at));
      carried = chunk.length - at;
    }
  }
  if (carried > 0) throw new EndOfInputError(`the serialized records end inside a record: ${carried} bytes after byte ${offset} do not make a whole one`);
}

/** The key fields' values of the serialized record at `at` of `bytes` (by field index; others null). @internal */
export function readKeyValues(serializer: RecordSerializer, keyFields: readonly number[], bytes: Uint8Array, at: number): unknown[] {
  const view = new DataInputView([MemoryRegion.ofArray(bytes).segment(0, bytes.length, null, null)]);
  const values: unknown[] = new Array(serializer.fields.length).fill(null);
  for (const k of keyFields) {
    view.seek(at);
    values[k] = serializer.readFieldAt(view, k, false);
  }
  return values;
}
