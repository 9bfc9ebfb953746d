// Property tests of the whole channel path against a plain model: random
// records (0 to 3 pages long), events and flushes over random channels, a
// pool small enough that writes wait, read through a local channel and
// through the remote protocol over an in-memory transport cut into random
// chunks, each record taken by one of the reader's four ways (next, poll,
// nextSpan, pollSpan) in a random mix. Per channel, the reader sees exactly
// the model's sequence, and afterwards every segment is back (both builds).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { PATTERN } from './channels-support.js';

const PAGE = 4096;
const CHANNELS = 3;

type Op = { kind: 'record'; channel: number; length: number; at: number } | { kind: 'event'; channel: number; value: number } | { kind: 'flush'; channel: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('record' as const), channel: fc.nat(CHANNELS - 1), length: fc.oneof(fc.nat(40), fc.nat(3 * PAGE)), at: fc.nat(4096) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('event' as const), channel: fc.nat(CHANNELS - 1), value: fc.nat(255) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const), channel: fc.nat(CHANNELS - 1) }) },
);

/** The bytes records are cut from: record `o` is SOURCE[o.at .. o.at + o.length). */
const SOURCE = Uint8Array.from({ length: 8192 + 3 * PAGE }, (_, i) => PATTERN[i % PATTERN.length]!);

/** A record's bytes as text, for comparing sequences. */
const text = (bytes: Uint8Array): string => `r:${bytes.join(',')}`;

/** What each channel's reader must see: records and events, in order. */
function model(ops: Op[]): string[][] {
  const out = Array.from({ length: CHANNELS }, () => [] as string[]);
  for (const o of ops) {
    if (o.kind === 'record') out[o.channel]!.push(text(SOURCE.subarray(o.at, o.at + o.length)));
    else if (o.kind === 'event') out[o.channel]!.push(`e${o.value}`);
  }
  return out;
}

/** How the reader is asked for each record, cycling: 0 next(), 1 poll() then next(), 2 nextSpan(), 3 pollSpan() then nextSpan(). */
const readModes = fc.array(fc.nat(3), { minLength: 1, maxLength: 8 });

describe.each(builds)('$name build', ({ init, lib }) => {
  type Reader = InstanceType<typeof lib.RecordReader>;
  /** The next record's bytes (copied out of a span) by `mode`, or null at the end; a span must name the reader's channel. */
  async function readOne(reader: Reader, mode: number): Promise<Uint8Array | null> {
    if (mode === 0) return reader.next();
    if (mode === 1) return reader.poll() ?? (await reader.next());
    const span = mode === 2 ? await reader.nextSpan() : (reader.pollSpan() ?? (await reader.nextSpan()));
    if (span === null) return null;
    expect(span.channel).toBe(reader.channel);
    return span.bytes.slice(span.offset, span.offset + span.length);
  }

  async function run(ops: Op[], remote: boolean, maxChunk: number, modes: number[] = [0]): Promise<{ seen: string[][]; left: number[] }> {
    const producerRt = await init({ managedMemory: 4 * PAGE, networkMemory: 16 * PAGE, offHeapMemory: '64kb', pageSize: PAGE });
    const consumerRt = remote ? await init({ managedMemory: 4 * PAGE, networkMemory: 16 * PAGE, offHeapMemory: '64kb', pageSize: PAGE }) : producerRt;
    const partition = new lib.ResultPartition(producerRt.networkBufferPool, { numSubpartitions: CHANNELS, maxBuffersPerChannel: 2 });
    let gate;
    if (remote) {
      const [a, b] = lib.memoryTransportPair({ maxChunk });
      lib.connectPartition(partition, a);
      gate = new lib.InputGate(consumerRt.networkBufferPool, { transport: b, numChannels: CHANNELS, exclusiveBuffersPerChannel: 1, floatingBuffers: 2 });
    } else gate = new lib.InputGate(producerRt.networkBufferPool, { partition });
    const seen = Array.from({ length: CHANNELS }, () => [] as string[]);
    const reader = new lib.RecordReader(gate, { onEvent: (c, p) => seen[c]!.push(`e${p[0]}`) });
    const writing = (async () => {
      const writer = new lib.RecordWriter(partition);
      for (const o of ops) {
        if (o.kind === 'record') {
          const wait = writer.write(o.channel, SOURCE.subarray(o.at, o.at + o.length));
          if (wait !== undefined) await wait;
        } else if (o.kind === 'event') partition.emitEvent(o.channel, new Uint8Array([o.value]));
        else partition.flush(o.channel);
      }
      await partition.finish();
    })();
    for (let k = 0, r = await readOne(reader, modes[0]!); r !== null; r = await readOne(reader, modes[++k % modes.length]!)) seen[reader.channel]!.push(text(r));
    await writing;
    gate.release();
    partition.release();
    await new Promise((r) => setTimeout(r, 0));
    const left = [producerRt.networkBufferPool.numberOfAvailableMemorySegments, consumerRt.networkBufferPool.numberOfAvailableMemorySegments];
    producerRt.close();
    if (remote) consumerRt.close();
    return { seen, left };
  }

  for (const remote of [false, true]) {
    it(`${remote ? 'remote (in-memory transport)' : 'local'}: every record and event once, in order per channel, every segment back`, { timeout: 60_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 30 }), fc.integer({ min: 1, max: 5000 }), readModes, async (ops, maxChunk, modes) => {
          const { seen, left } = await run(ops, remote, maxChunk, modes);
          expect(seen).toEqual(model(ops));
          expect(left).toEqual([16, 16]);
        }),
        { numRuns: 40 },
      );
    });
  }
});
