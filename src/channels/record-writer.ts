import { checkInstance, checkOption, checkOptionsObject, checkUint8Array } from '../util/checks.js';
import { ResultPartition } from './result-partition.js';

/** Options of a RecordWriter. */
export interface RecordWriterOptions {
  /** 'length-prefixed' (default): each record after its u32 little-endian length, for a RecordReader; 'raw': the bytes as they are (a byte stream). */
  framing?: 'length-prefixed' | 'raw';
}

/**
 * Writes records into a partition's subpartitions: each record's bytes
 * (after a 4-byte little-endian length, unless raw) are appended to the
 * subpartition's current buffer, spanning as many buffers as it needs.
 *
 * write() returns undefined when the record is written, or a Promise when it
 * had to wait for a buffer (the producer is back-pressured): await it before
 * changing the record or writing to that subpartition again. The common case
 * thus costs no Promise:
 *
 *   const wait = writer.write(channel, record);
 *   if (wait !== undefined) await wait;
 */
export class RecordWriter {
  /** The partition written into. */
  readonly partition: ResultPartition;
  private readonly prefixed: boolean;

  /** A writer into `partition`. */
  constructor(partition: ResultPartition, options: RecordWriterOptions = {}) {
    this.partition = checkInstance(partition, ResultPartition, 'ResultPartition', 'RecordWriter');
    this.prefixed = checkOption(checkOptionsObject<RecordWriterOptions>(options, 'RecordWriter: options').framing, 'RecordWriter: framing', ['length-prefixed', 'raw'] as const, 'length-prefixed') === 'length-prefixed';
  }

  /** Writes `record` to `subpartition`: undefined when done, a Promise when it waits for a buffer. Throws ERR_CHANNEL_CLOSED once the channel is closed. */
  write(subpartition: number, record: Uint8Array): Promise<void> | undefined {
    const sp = this.partition.subpartition(subpartition, 'write');
    return sp.write(checkUint8Array(record, 'write: record'), this.prefixed, 'write');
  }

  /** Writes `record` to every subpartition in turn; resolves when all have it. */
  async broadcast(record: Uint8Array): Promise<void> {
    checkUint8Array(record, 'broadcast: record');
    for (let i = 0; i < this.partition.numSubpartitions; i++) {
      const wait = this.write(i, record);
      if (wait !== undefined) await wait;
    }
  }

  /** Makes what is written to `subpartition` (default: all) available to readers now. */
  flush(subpartition?: number): void {
    this.partition.flush(subpartition);
  }
}
