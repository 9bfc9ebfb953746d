// Remote channels over an in-memory transport pair (the same framing and
// decoder as TCP and MessagePort): credit-based flow between two runtimes,
// events and the end in order, every broken rule a typed error that fails
// the channel, tells the other side and returns every buffer (both builds).
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { consume, produce, rawHeader } from './channels-support.js';
import { expectCode, expectRejectCode, flush } from './network-support.js';
import type { InputGate, Transport } from '../src/index.js';

const SEG = 32768;
const MiB = 1024 * 1024;

/** Collects what reaches a raw transport end, and whether it was closed. */
function rawEnd(transport: Transport): { bytes: () => Uint8Array; closed: () => boolean } {
  const chunks: Uint8Array[] = [];
  let closed = false;
  transport.open({ onData: (c) => chunks.push(c.slice()), onDrain() {}, onClose: () => (closed = true) });
  return {
    bytes: () => {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      return all;
    },
    closed: () => closed,
  };
}

/** Frame types in `bytes` (a well-formed stream). */
function frameTypes(bytes: Uint8Array): number[] {
  const types: number[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 16 <= bytes.length; at += 16 + view.getUint32(at + 8, true)) types.push(bytes[at]!);
  return types;
}

const until = async (condition: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};

describe.each(builds)('$name build', ({ init, lib }) => {
  const runtime = (buffers: number, pageSize = SEG) => init({ managedMemory: 4 * pageSize, networkMemory: buffers * pageSize, offHeapMemory: '64kb', pageSize });

  it('moves 16 MiB over 4 channels between two runtimes: in order, within credit and pools, everything back afterwards', { timeout: 30_000 }, async () => {
    const producerRt = await runtime(24);
    const consumerRt = await runtime(24);
    const [a, b] = lib.memoryTransportPair({ maxChunk: 20_000 });
    const partition = new lib.ResultPartition(producerRt.networkBufferPool, { numSubpartitions: 4, maxBuffersPerChannel: 4 });
    lib.connectPartition(partition, a);
    const gate = new lib.InputGate(consumerRt.networkBufferPool, { transport: b, numChannels: 4, exclusiveBuffersPerChannel: 2, floatingBuffers: 4 });
    let maxGate = 0;
    let maxFloating = 0;
    const watch = () => {
      const m = gate.metricsSnapshot();
      maxGate = Math.max(maxGate, consumerRt.networkBufferPool.totalNumberOfMemorySegments - consumerRt.networkBufferPool.numberOfAvailableMemorySegments);
      maxFloating = Math.max(maxFloating, m.floatingInUse);
      for (const c of m.channels) if (c.credit === null || c.buffersInFlight > c.credit) throw new Error(`channel ${c.index}: ${c.buffersInFlight} in flight beyond its credit ${String(c.credit)}`);
    };
    const [written, read] = await Promise.all([produce(new lib.RecordWriter(partition), partition, (16 * MiB) / 4, 5000), consume(lib, gate, 5000, 16, watch)]);
    expect(read).toEqual(written);
    expect(maxGate).toBeLessThanOrEqual(4 * 2 + 4);
    expect(maxFloating).toBeLessThanOrEqual(4);
    expect(partition.metricsSnapshot().backPressuredTimeMs).toBeGreaterThan(0);
    const channel = gate.metricsSnapshot().channels[0]!;
    expect(channel.transport).toBe('memory');
    expect(channel.bytesReceived).toBeGreaterThan(4 * MiB);
    gate.release();
    partition.release();
    await flush();
    expect(producerRt.networkBufferPool.numberOfAvailableMemorySegments).toBe(24);
    expect(consumerRt.networkBufferPool.numberOfAvailableMemorySegments).toBe(24);
    producerRt.close();
    consumerRt.close();
  });

  it('carries events and the end in order, without credit', async () => {
    const producerRt = await runtime(16);
    const consumerRt = await runtime(16);
    const [a, b] = lib.memoryTransportPair({ maxChunk: 7 });
    const partition = new lib.ResultPartition(producerRt.networkBufferPool, { numSubpartitions: 2 });
    lib.connectPartition(partition, a);
    const gate = new lib.InputGate(consumerRt.networkBufferPool, { transport: b, numChannels: 2 });
    const writer = new lib.RecordWriter(partition);
    writer.write(0, new Uint8Array([1, 2, 3]));
    partition.emitEvent(0, new Uint8Array([9]));
    partition.emitEvent(1, new Uint8Array([]));
    writer.write(0, new Uint8Array([4]));
    const finished = partition.finish();
    const seen: string[] = [];
    const reader = new lib.RecordReader(gate, { onEvent: (c, p) => seen.push(`e${c}[${[...p]}]`) });
    for (let r = await reader.next(); r !== null; r = await reader.next()) seen.push(`r${reader.channel}[${[...r]}]`);
    await finished;
    expect(seen).toContain('e1[]');
    expect(seen.filter((s) => s.includes('0['))).toEqual(['r0[1,2,3]', 'e0[9]', 'r0[4]']);
    gate.release();
    partition.release();
    await flush();
    expect(producerRt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    expect(consumerRt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    producerRt.close();
    consumerRt.close();
  });

  /** A gate fed by hand: the test writes frames into `raw`; nothing reads the gate's buffers until asked. */
  async function handFedGate(floatingBuffers = 0) {
    const rt = await runtime(16, 4096);
    const [raw, end] = lib.memoryTransportPair({ maxChunk: 5 });
    const seen = rawEnd(raw);
    const gate = new lib.InputGate(rt.networkBufferPool, { transport: end, numChannels: 2, exclusiveBuffersPerChannel: 2, floatingBuffers });
    return { rt, raw, seen, gate };
  }

  /** Asserts the gate failed with ERR_PROTOCOL `reason`, told the other side (a CANCEL), and gave back every buffer. */
  async function expectProtocolFailure(f: { rt: Awaited<ReturnType<typeof runtime>>; seen: ReturnType<typeof rawEnd>; gate: InputGate }, reason: string) {
    const items: unknown[] = [];
    let err: (Error & { code?: string; reason?: string }) | undefined;
    for (;;) {
      try {
        const item = await f.gate.next();
        if (item === null) break;
        if (item.kind === 'buffer') item.buffer.recycleBuffer();
        items.push(item);
      } catch (e) {
        err = e as Error;
        break;
      }
    }
    expect(err?.code, err?.message).toBe('ERR_PROTOCOL');
    expect(err).toBeInstanceOf(lib.ProtocolError);
    expect(err?.reason).toBe(reason);
    await until(() => f.seen.closed(), 'the connection to close');
    expect(frameTypes(f.seen.bytes()).at(-1)).toBe(5);
    expect(f.rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    f.gate.release();
    f.rt.close();
    return err!;
  }

  it('a buffer recycled while a DATA frame is arriving does not take that frame’s place', async () => {
    const f = await handFedGate();
    const { raw, gate } = f;
    raw.write(rawHeader(1, 0, 0, 3, 0), null);
    raw.write(new Uint8Array([1, 1, 1]), null);
    const first = await gate.next();
    if (first?.kind !== 'buffer') throw new Error('expected a buffer');
    raw.write(rawHeader(1, 0, 1, 3, 0), null);
    raw.write(new Uint8Array([2]), null);
    await new Promise((r) => setTimeout(r, 20));
    // The segment of the first buffer becomes free in the middle of the second frame.
    first.buffer.recycleBuffer();
    raw.write(new Uint8Array([2, 2]), null);
    const second = await gate.next();
    if (second?.kind !== 'buffer') throw new Error('expected a buffer');
    expect([...second.buffer.bytes()]).toEqual([2, 2, 2]);
    second.buffer.recycleBuffer();
    gate.release();
    await flush();
    expect(f.rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    f.rt.close();
  });

  it('a frame of another version is malformed', async () => {
    const f = await handFedGate();
    f.raw.write(rawHeader(1, 0, 0, 0, 0, 7), null);
    expect((await expectProtocolFailure(f, 'malformed')).message).toContain('version 7');
  });

  it('a sequence gap is refused', async () => {
    const f = await handFedGate();
    f.raw.write(rawHeader(2, 1, 0, 0, 0), null);
    f.raw.write(rawHeader(2, 1, 2, 0, 0), null);
    expect((await expectProtocolFailure(f, 'sequence-gap')).message).toContain('number 2 arrived where number 1 was expected');
  });

  it('a DATA frame larger than a buffer is refused before its payload is read', async () => {
    const f = await handFedGate();
    f.raw.write(rawHeader(1, 0, 0, 4097, 0), null);
    expect((await expectProtocolFailure(f, 'too-large')).message).toContain('4097');
  });

  it('data beyond the announced credit is refused', async () => {
    const f = await handFedGate();
    for (let seq = 0; seq < 3; seq++) {
      f.raw.write(rawHeader(1, 0, seq, 3, 0), null);
      f.raw.write(new Uint8Array([seq, seq, seq]), null);
    }
    expect((await expectProtocolFailure(f, 'no-credit')).message).toContain('without credit');
  });

  it('a connection that ends inside a frame is truncated', async () => {
    const f = await handFedGate();
    f.raw.write(rawHeader(1, 0, 0, 100, 0), null);
    f.raw.write(new Uint8Array(40), null);
    await flush();
    f.raw.close();
    const items: unknown[] = [];
    const err = await expectRejectCode(lib, (async () => {
      for (;;) items.push(await f.gate.next());
    })(), 'ERR_PROTOCOL');
    expect((err as { reason?: string }).reason).toBe('truncated');
    expect(f.rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    f.gate.release();
    f.rt.close();
  });

  it('a producer that cancels fails the gate with ERR_CHANNEL_CLOSED and its code', async () => {
    const f = await handFedGate();
    const message = new TextEncoder().encode('ERR_TIMEOUT\nthe producer gave up');
    f.raw.write(rawHeader(5, 0xffff, 0, message.length, 0), null);
    f.raw.write(message, null);
    const err = await expectRejectCode(lib, f.gate.next(), 'ERR_CHANNEL_CLOSED');
    expect((err as { remoteCode?: string }).remoteCode).toBe('ERR_TIMEOUT');
    expect(err.message).toContain('the producer gave up');
    expect(f.rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    f.rt.close();
  });

  it('announces its exclusive credit at once and floating credit while the producer reports a backlog', async () => {
    const f = await handFedGate(4);
    await until(() => frameTypes(f.seen.bytes()).length >= 2, 'the initial credit');
    const creditOf = (channel: number) => {
      const bytes = f.seen.bytes();
      const view = new DataView(bytes.buffer);
      let sum = 0;
      for (let at = 0; at + 16 <= bytes.length; at += 16 + view.getUint32(at + 8, true)) if (bytes[at] === 4 && view.getUint16(at + 2, true) === channel) sum += view.getUint32(at + 12, true);
      return sum;
    };
    expect([creditOf(0), creditOf(1)]).toEqual([2, 2]);
    f.raw.write(rawHeader(1, 0, 0, 1, 5), null);
    f.raw.write(new Uint8Array([42]), null);
    await until(() => creditOf(0) > 2, 'floating credit');
    // Backlog 5 with 1 free: it borrows every floating buffer (4) and announces them.
    expect(creditOf(0)).toBe(6);
    const m = f.gate.metricsSnapshot();
    expect(m.floatingInUse).toBe(4);
    expect(m.channels[0]).toMatchObject({ backlog: 5, buffersQueued: 1, exclusiveBuffers: 2, floatingBuffers: 4, credit: 5, buffersInFlight: 5 });
    f.gate.release();
    await flush();
    expect(f.rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    f.rt.close();
  });

  it('a consumer that cancels fails the waiting producer with ERR_CHANNEL_CLOSED; both sides give every buffer back', async () => {
    const producerRt = await runtime(16);
    const consumerRt = await runtime(16);
    const [a, b] = lib.memoryTransportPair();
    const partition = new lib.ResultPartition(producerRt.networkBufferPool, { numSubpartitions: 1, maxBuffersPerChannel: 2 });
    lib.connectPartition(partition, a);
    const gate = new lib.InputGate(consumerRt.networkBufferPool, { transport: b, numChannels: 1 });
    const writer = new lib.RecordWriter(partition, { framing: 'raw' });
    const wait = writer.write(0, new Uint8Array(20 * SEG));
    expect(wait).toBeInstanceOf(Promise);
    const first = await gate.next();
    gate.release();
    const err = await expectRejectCode(lib, wait!, 'ERR_CHANNEL_CLOSED');
    expect((err as { remoteCode?: string }).remoteCode).toBe('ERR_CHANNEL_CLOSED');
    expect(partition.isReleased()).toBe(true);
    if (first?.kind === 'buffer') first.buffer.recycleBuffer();
    await flush();
    expect(producerRt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    expect(consumerRt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    producerRt.close();
    consumerRt.close();
  });

  it('a consumer that sends a malformed credit fails the producer with ERR_PROTOCOL and is told', async () => {
    const rt = await runtime(16);
    const [a, raw] = lib.memoryTransportPair();
    const seen = rawEnd(raw);
    const partition = new lib.ResultPartition(rt.networkBufferPool, { numSubpartitions: 1, maxBuffersPerChannel: 1 });
    lib.connectPartition(partition, a);
    const wait = new lib.RecordWriter(partition, { framing: 'raw' }).write(0, new Uint8Array(4 * SEG));
    raw.write(rawHeader(4, 0, 0, 0, 0), null);
    const err = await expectRejectCode(lib, wait!, 'ERR_PROTOCOL');
    expect(err.message).toContain('grants 0 buffers');
    await until(() => seen.closed(), 'the connection to close');
    expect(frameTypes(seen.bytes()).at(-1)).toBe(5);
    expect(rt.networkBufferPool.numberOfAvailableMemorySegments).toBe(16);
    rt.close();
  });

  it('refuses what is not a transport, and a partition connected twice', async () => {
    const rt = await runtime(16);
    const nbp = rt.networkBufferPool;
    expectCode(lib, () => new lib.InputGate(nbp, { transport: {} as never, numChannels: 1 }), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => new lib.InputGate(nbp, { transport: lib.memoryTransportPair()[0], numChannels: 0 }), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => new lib.InputGate(nbp, { transport: lib.memoryTransportPair()[0], numChannels: 1, exclusiveBuffersPerChannel: 0 }), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => new lib.InputGate(nbp, { transport: lib.memoryTransportPair()[0], numChannels: 4, floatingBuffers: 100 }), 'ERR_INSUFFICIENT_BUFFERS');
    const partition = new lib.ResultPartition(nbp, { numSubpartitions: 1 });
    expectCode(lib, () => lib.connectPartition(partition, null as never), 'ERR_INVALID_ARGUMENT');
    expectCode(lib, () => lib.connectPartition({} as never, lib.memoryTransportPair()[0]), 'ERR_INVALID_ARGUMENT');
    lib.connectPartition(partition, lib.memoryTransportPair()[0]);
    expectCode(lib, () => lib.connectPartition(partition, lib.memoryTransportPair()[0]), 'ERR_ILLEGAL_STATE');
    partition.release();
    expectCode(lib, () => lib.connectPartition(partition, lib.memoryTransportPair()[0]), 'ERR_CHANNEL_CLOSED');
    expect(nbp.numberOfAvailableMemorySegments).toBe(16);
    rt.close();
  });
});
