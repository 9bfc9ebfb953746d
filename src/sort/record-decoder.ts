/**
 * Reads records in their serialized form (RecordSerializer's layout, back to
 * back, as ExternalSorter.writeTo writes them) from byte chunks cut anywhere:
 * a record cut by a chunk's end is kept, with the bytes after it, and read
 * once the next chunk has come.
 */
import { EndOfInputError, InvalidArgumentError } from '../errors.js';
import { DataInputView } from '../io/input-view.js';
import type { RecordOf, RecordTypeSpec } from '../io/record-type.js';
import type { RecordSerializer } from '../io/serializer.js';
import { MemoryRegion } from '../memory/region.js';
import { render } from '../util/render.js';

/** Calls `each` with every record of `chunks` in order; awaits what `each` returns when it is a promise. ERR_EOF when the input ends inside a record, ERR_INVALID_ARGUMENT for a chunk that is not a Uint8Array. @internal */
export async function decodeRecords<S extends RecordTypeSpec>(
  serializer: RecordSerializer<S>,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  each: (record: RecordOf<S>) => Promise<void> | null,
): Promise<void> {
  if (chunks === null || typeof chunks !== 'object' || !(Symbol.asyncIterator in chunks || Symbol.iterator in chunks)) {
    throw new InvalidArgumentError(`expected an iterable of Uint8Array chunks, got ${render(chunks)}`);
  }
  let carry: Uint8Array | null = null;
  let offset = 0;
  for await (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) throw new InvalidArgumentError(`chunk ${offset} of the serialized records is not a Uint8Array: ${render(chunk)}`);
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
      let record: RecordOf<S>;
      try {
        record = serializer.read(view);
      } catch (err) {
        if (err instanceof EndOfInputError) break;
        throw err;
      }
      start = view.position;
      const wait = each(record);
      if (wait !== null) await wait;
    }
    offset += start;
    // What is left is the start of a record: kept (a copy, the chunk may be reused) for the next chunk.
    carry = start < data.length ? data.slice(start) : null;
  }
  if (carry !== null) throw new EndOfInputError(`the serialized records end inside a record: ${carry.length} bytes after byte ${offset} do not make a whole one`);
}
