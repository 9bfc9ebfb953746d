// The frame decoder against random and mutated frame streams, cut into
// random chunks (fast-check): it never crashes, hangs or leaks a buffer; a
// stream either decodes to exactly what a plain model of the framing reads
// from it, or fails with a typed error at the first broken rule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { rawHeader } from './channels-support.js';
import type { GateItem, Transport } from '../src/index.js';

const PAGE = 4096;
const CHANNELS = 3;
/** Credit per channel: the exclusive buffers, announced once (no floating buffers, and nothing is recycled while the stream is fed). */
const CREDIT = 2;

type ModelItem = { kind: 'buffer' | 'event'; channel: number; bytes: number[] } | { kind: 'end'; channel: number };
/** The items of each channel, in order: the gate keeps order per channel, not across channels. */
const byChannel = (items: ModelItem[]): ModelItem[][] => Array.from({ length: CHANNELS }, (_, c) => items.filter((i) => i.channel === c));

type Outcome = { items: ModelItem[]; failure: 'ERR_PROTOCOL' | 'ERR_CHANNEL_CLOSED' | null };

/** What the framing says `stream` is: the items up to the first broken rule (or every channel's end), and how it ends. */
function model(stream: Uint8Array): Outcome {
  const items: ModelItem[] = [];
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const sequence = new Array<number>(CHANNELS).fill(0);
  const credit = new Array<number>(CHANNELS).fill(CREDIT);
  const ended = new Array<boolean>(CHANNELS).fill(false);
  let at = 0;
  const protocol = (): Outcome => ({ items, failure: 'ERR_PROTOCOL' });
  while (at < stream.length) {
    if (at + 16 > stream.length) return protocol();
    const type = stream[at]!;
    const channel = view.getUint16(at + 2, true);
    const seq = view.getUint32(at + 4, true);
    const length = view.getUint32(at + 8, true);
    const backlog = view.getUint32(at + 12, true);
    if (stream[at + 1] !== 1) return protocol();
    if (type === 5) {
      if ((channel !== 0xffff && channel >= CHANNELS) || length > 4096) return protocol();
      return at + 16 + length > stream.length ? protocol() : { items, failure: 'ERR_CHANNEL_CLOSED' };
    }
    if (type < 1 || type > 3 || channel >= CHANNELS || ended[channel] || seq !== sequence[channel]) return protocol();
    sequence[channel]!++;
    if (type === 1 && (length > PAGE || credit[channel] === 0)) return protocol();
    if (type === 2 && length > 65536) return protocol();
    if (type === 3 && length !== 0) return protocol();
    if (at + 16 + length > stream.length) return protocol();
    const payload = [...stream.subarray(at + 16, at + 16 + length)];
    void backlog;
    if (type === 1) {
      credit[channel]!--;
      items.push({ kind: 'buffer', channel, bytes: payload });
    } else if (type === 2) items.push({ kind: 'event', channel, bytes: payload });
    else {
      ended[channel] = true;
      items.push({ kind: 'end', channel });
      // After every channel's end the gate reads no further.
      if (ended.every(Boolean)) return { items, failure: null };
    }
    at += 16 + length;
  }
  return { items, failure: ended.every(Boolean) ? null : 'ERR_CHANNEL_CLOSED' };
}

/** A valid stream from a list of operations (those the framing would refuse are left out), optionally ending every channel. */
function validStream(ops: { channel: number; kind: number; length: number; backlog: number }[], endAll: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  const seq = new Array<number>(CHANNELS).fill(0);
  const data = new Array<number>(CHANNELS).fill(0);
  const ended = new Array<boolean>(CHANNELS).fill(false);
  const frame = (type: number, channel: number, payload: Uint8Array, backlog: number) => {
    parts.push(rawHeader(type, channel, seq[channel]!++, payload.length, backlog), payload);
  };
  for (const op of ops) {
    if (ended[op.channel]) continue;
    const payload = Uint8Array.from({ length: op.length }, (_, i) => (i * 7 + op.channel + op.length) & 0xff);
    if (op.kind === 1) {
      if (data[op.channel]! >= CREDIT) continue;
      data[op.channel]!++;
      frame(1, op.channel, payload.subarray(0, Math.min(op.length, PAGE)), 0);
    } else if (op.kind === 2) frame(2, op.channel, payload.subarray(0, 100), op.backlog);
    else {
      ended[op.channel] = true;
      frame(3, op.channel, new Uint8Array(0), 0);
    }
  }
  if (endAll) for (let c = 0; c < CHANNELS; c++) if (!ended[c]) frame(3, c, new Uint8Array(0), 0);
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

type Mutation = { kind: 'none' } | { kind: 'set'; at: number; value: number } | { kind: 'cut'; at: number } | { kind: 'insert'; at: number; bytes: number[] } | { kind: 'drop'; at: number; length: number };

function mutate(stream: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = [...stream];
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : ('at' in m ? m.at : 0) % (bytes.length + 1);
    if (m.kind === 'set' && at < bytes.length) bytes[at] = m.value;
    else if (m.kind === 'cut') bytes = bytes.slice(0, at);
    else if (m.kind === 'insert') bytes.splice(at, 0, ...m.bytes);
    else if (m.kind === 'drop') bytes.splice(at, m.length);
  }
  return Uint8Array.from(bytes);
}

const op = fc.record({ channel: fc.integer({ min: 0, max: CHANNELS - 1 }), kind: fc.constantFrom(1, 1, 2, 3), length: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: PAGE + 8 })), backlog: fc.integer({ min: 0, max: 9 }) });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 20 }) }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
);

describe.each(builds)('$name build', ({ init, lib }) => {
  /** Feeds `stream` in chunks of at most `maxChunk` bytes to a gate; returns what it yielded and how it ended, checking nothing leaked. */
  async function feed(stream: Uint8Array, maxChunk: number, closeAfter: boolean) {
    const rt = await init({ managedMemory: 4 * PAGE, networkMemory: 16 * PAGE, offHeapMemory: '64kb', pageSize: PAGE });
    const nbp = rt.networkBufferPool;
    const [raw, end] = lib.memoryTransportPair({ maxChunk });
    raw.open({ onData() {}, onDrain() {}, onClose() {} });
    const gate = new lib.InputGate(nbp, { transport: end, numChannels: CHANNELS, exclusiveBuffersPerChannel: CREDIT, floatingBuffers: 0 });
    raw.write(stream, null);
    if (closeAfter) raw.close();
    const items: ModelItem[] = [];
    const held: GateItem[] = [];
    let failure: (Error & { code?: string }) | null = null;
    const deadline = setTimeout(() => gate.release(), 2000);
    try {
      for (;;) {
        const item = await gate.next();
        if (item === null) break;
        held.push(item);
        items.push(item.kind === 'end' ? item : { kind: item.kind, channel: item.channel, bytes: [...(item.kind === 'buffer' ? item.buffer.bytes() : item.payload)] });
      }
    } catch (err) {
      failure = err as Error;
    } finally {
      clearTimeout(deadline);
    }
    for (const item of held) if (item.kind === 'buffer') item.buffer.recycleBuffer();
    gate.release();
    raw.close();
    const left = nbp.numberOfAvailableMemorySegments;
    rt.close();
    return { items, failure, left, total: 16 };
  }

  it('decodes valid streams cut anywhere into exactly the frames sent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 12 }), fc.integer({ min: 1, max: 64 }), async (ops, maxChunk) => {
        const stream = validStream(ops, true);
        const expected = model(stream);
        const got = await feed(stream, maxChunk, true);
        expect(got.failure, got.failure?.message).toBeNull();
        expect(expected.failure).toBeNull();
        expect(byChannel(got.items)).toEqual(byChannel(expected.items));
        expect(got.left).toBe(got.total);
      }),
      { numRuns: 60 },
    );
  });

  it('on random and mutated streams: the model’s items and outcome, a typed error, every buffer back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.tuple(fc.array(op, { maxLength: 10 }), fc.boolean()).map(([ops, endAll]) => validStream(ops, endAll)),
          fc.uint8Array({ maxLength: 200 }),
        ),
        fc.array(mutation, { maxLength: 3 }),
        fc.integer({ min: 1, max: 64 }),
        async (base, mutations, maxChunk) => {
          const stream = mutate(base, mutations);
          const expected = model(stream);
          const got = await feed(stream, maxChunk, true);
          expect(got.left).toBe(got.total);
          if (expected.failure === null) {
            expect(got.failure, got.failure?.message).toBeNull();
            expect(byChannel(got.items)).toEqual(byChannel(expected.items));
          } else {
            expect(got.failure?.code, got.failure?.message).toBe(expected.failure);
            expect(got.failure).toBeInstanceOf(lib.SegmemError);
            // What the gate yielded before failing is a prefix of what the model read.
            const want = byChannel(expected.items);
            byChannel(got.items).forEach((items, c) => expect(want[c]!.slice(0, items.length)).toEqual(items));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
