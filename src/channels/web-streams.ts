import { checkInstance, checkInteger, checkOptionsObject, checkUint8Array } from '../util/checks.js';
import { InputGate } from './input-gate.js';
import { RecordWriter } from './record-writer.js';
import { ResultPartition } from './result-partition.js';

/** Options of the writable stream adapters. */
export interface PartitionStreamOptions {
  /** The subpartition the stream's bytes go to (default 0). */
  subpartition?: number;
}

/** Checks the adapters' arguments; returns the subpartition. @internal */
export function checkPartitionStream(partition: unknown, options: PartitionStreamOptions, operation: string): number {
  const checked = checkInstance(partition, ResultPartition, 'ResultPartition', operation);
  const { subpartition } = checkOptionsObject<PartitionStreamOptions>(options, `${operation}: options`);
  return subpartition === undefined ? 0 : checkInteger(subpartition, `${operation}: subpartition`, 0, checked.numSubpartitions - 1);
}

/** Checks the readable adapters' gate. @internal */
export function checkGateStream(gate: unknown, operation: string): InputGate {
  return checkInstance(gate, InputGate, 'InputGate', operation);
}

/** The bytes of the next buffer of `gate`, copied out (the buffer is recycled at once), or null after every channel's end; events are skipped. @internal */
export async function nextBytes(gate: InputGate): Promise<Uint8Array | null> {
  for (;;) {
    const item = await gate.next();
    if (item === null) return null;
    if (item.kind !== 'buffer') continue;
    const buffer = item.buffer;
    try {
      return buffer.bytes().slice();
    } finally {
      buffer.recycleBuffer();
    }
  }
}

/**
 * A WHATWG WritableStream whose chunks (Uint8Arrays) are appended to one
 * subpartition of `partition`, as raw bytes. A write waits while the
 * partition's buffers are all out, so `desiredSize` drops and `ready` stays
 * pending: the stream's own backpressure. close() ends the subpartition
 * (resolving once its end is delivered); abort() releases the partition,
 * cancelling its consumers and returning every buffer.
 */
export function partitionWritableStream(partition: ResultPartition, options: PartitionStreamOptions = {}): WritableStream<Uint8Array> {
  const subpartition = checkPartitionStream(partition, options, 'partitionWritableStream');
  const writer = new RecordWriter(partition, { framing: 'raw' });
  return new WritableStream<Uint8Array>(
    {
      write(chunk) {
        return writer.write(subpartition, checkUint8Array(chunk, 'partitionWritableStream: chunk'));
      },
      close() {
        return partition.finish(subpartition);
      },
      abort() {
        partition.release();
      },
    },
    { highWaterMark: 1 },
  );
}

/**
 * A WHATWG ReadableStream of the bytes arriving at `gate` (every channel's
 * buffers, copied out as they are read; events skipped), ending after every
 * channel's end. It pulls only when its reader asks (high-water mark 0), so a
 * slow reader leaves buffers unrecycled and the producer runs out of credit
 * or buffers. cancel() releases the gate and returns every buffer.
 */
export function gateReadableStream(gate: InputGate): ReadableStream<Uint8Array> {
  const source = checkGateStream(gate, 'gateReadableStream');
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const bytes = await nextBytes(source);
        if (bytes === null) {
          source.release();
          controller.close();
        } else controller.enqueue(bytes);
      },
      cancel() {
        source.release();
      },
    },
    { highWaterMark: 0 },
  );
}
