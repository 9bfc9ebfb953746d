import { Readable, Writable } from 'node:stream';
import type { InputGate } from './input-gate.js';
import type { ResultPartition } from './result-partition.js';
import { checkInteger, checkUint8Array } from '../util/checks.js';
import { RecordWriter } from './record-writer.js';
import { checkGateStream, checkPartitionStream, nextBytes, type PartitionStreamOptions } from './web-streams.js';

/**
 * A Node Writable whose chunks are appended to one subpartition of
 * `partition` as raw bytes. While the partition's buffers are all out, a
 * write waits; the Writable's own buffer then fills, write() returns false
 * and 'drain' follows when the consumer caught up. end() ends the
 * subpartition ('finish' once its end is delivered); destroy() before that
 * releases the partition, cancelling its consumers and returning every buffer.
 */
export function partitionWritable(partition: ResultPartition, options: PartitionStreamOptions & { highWaterMark?: number } = {}): Writable {
  const subpartition = checkPartitionStream(partition, options, 'partitionWritable');
  const writer = new RecordWriter(partition, { framing: 'raw' });
  const given = options.highWaterMark;
  const highWaterMark = given === undefined ? undefined : checkInteger(given, 'partitionWritable: highWaterMark', 1);
  let ended = false;
  return new Writable({
    highWaterMark,
    write(chunk: Uint8Array, _encoding, callback) {
      let wait: Promise<void> | undefined;
      try {
        wait = writer.write(subpartition, checkUint8Array(chunk, 'partitionWritable: chunk'));
      } catch (error) {
        callback(error as Error);
        return;
      }
      if (wait === undefined) callback();
      else wait.then(() => callback(), callback);
    },
    final(callback) {
      partition.finish(subpartition).then(() => {
        ended = true;
        callback();
      }, callback);
    },
    destroy(error, callback) {
      if (!ended) partition.release();
      callback(error);
    },
  });
}

/**
 * A Node Readable of the bytes arriving at `gate` (each buffer copied out as
 * it is read, then recycled; events skipped), ending after every channel's
 * end. It reads from the gate only while its own buffer is below its
 * high-water mark, so a slow consumer holds the producer back. destroy()
 * releases the gate and returns every buffer.
 */
export function gateReadable(gate: InputGate, options: { highWaterMark?: number } = {}): Readable {
  const source = checkGateStream(gate, 'gateReadable');
  const highWaterMark = options.highWaterMark === undefined ? undefined : checkInteger(options.highWaterMark, 'gateReadable: highWaterMark', 1);
  let reading = false;
  return new Readable({
    highWaterMark,
    read() {
      if (reading) return;
      reading = true;
      const pump = (): void => {
        nextBytes(source).then(
          (bytes) => {
            if (bytes === null) {
              reading = false;
              source.release();
              this.push(null);
            } else if (this.push(bytes)) pump();
            else reading = false;
          },
          (error: unknown) => {
            reading = false;
            this.destroy(error as Error);
          },
        );
      };
      pump();
    },
    destroy(error, callback) {
      source.release();
      callback(error);
    },
  });
}
