// serveInspector()'s server thread: the HTTP server and its sockets live in
// a worker thread, while the snapshots are taken and the actions run on the
// runtime's thread; the thread exits when the server closes (with the
// runtime or by close()), leaving nothing that keeps the process alive.
// Node only (worker_threads, child processes); the exit cases run a process
// over dist/ (npm test builds first).
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { builds } from './builds.js';
import type { Runtime, RuntimeMetrics } from '../src/index.js';
import { readEvents, serverStarter } from './inspect-servers.js';
import { createSnapshotMailbox, MAILBOX_LAYOUT } from '../src/inspect/snapshot-mailbox.js';

const EXIT_FIXTURE = fileURLToPath(new URL('./fixtures/inspect-exit.mjs', import.meta.url));

/** Reads the event stream for `ms`, then disconnects; resolves with the snapshots received. */
async function readSnapshots(port: number, ms: number): Promise<RuntimeMetrics[]> {
  const events = await readEvents(port, () => false, ms);
  return events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as RuntimeMetrics);
}

/** POSTs an action; resolves with the status. */
function press(port: number, label: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/actions/${encodeURIComponent(label)}`, method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(builds)('$name build', ({ name, init }) => {
  const start = serverStarter(init);

  it("runs an action on the runtime's thread, where it can change what the next snapshot shows", async () => {
    const ran: number[] = [];
    let pool: ReturnType<Runtime['networkBufferPool']['createBufferPool']> | null = null;
    const { rt, port } = await start({
      actions: {
        'add pool': () => {
          ran.push(threadId);
          pool = rt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 1, name: 'from-action' });
        },
      },
    });
    expect(await press(port, 'add pool')).toBe(204);
    expect(ran).toEqual([threadId]);
    expect(pool).not.toBeNull();
    const snapshots = await readSnapshots(port, 100);
    expect(snapshots.length).toBeGreaterThan(0);
    expect(snapshots[snapshots.length - 1]!.network.pools.map((p) => p.name)).toEqual(['from-action']);
  });

  it('takes no snapshot while no page is open, and one per interval while one is', async () => {
    const { rt, port } = await start({ intervalMs: 25 });
    const taken = vi.spyOn(rt, 'metrics');
    await sleep(150);
    expect(taken).not.toHaveBeenCalled();
    const snapshots = await readSnapshots(port, 300);
    // Its first on connecting, then one per 25 ms (a loaded machine delays some).
    expect(snapshots.length).toBeGreaterThanOrEqual(5);
    expect(snapshots.length).toBeLessThanOrEqual(14);
    await sleep(60); // the server thread has seen the page go
    const whileOpen = taken.mock.calls.length;
    await sleep(150);
    expect(taken.mock.calls.length).toBe(whileOpen);
  });

  it('sends snapshots larger than the shared slot whole, the first and those after it, larger again', async () => {
    const { rt, port } = await start();
    /** A registered partition whose id is `units` UTF-16 units of text that is 3 and 4 bytes a character in UTF-8. */
    const partition = (units: number) => {
      const id = '€🧵'.repeat(units / 3);
      const source = { metricsSnapshot: () => ({ kind: 'partition', id, backPressuredTimeMs: 0, backPressuredTimeMsPerSecond: 0, level: 'OK', poolSize: 1, poolInUse: 0, subpartitions: [] }) };
      rt.networkBufferPool.metrics.add(source as never, 'partition');
      return id;
    };
    const ids = (events: { event: string; data: string }[]) =>
      events.filter((e) => e.event === 'message').map((e) => (JSON.parse(e.data) as RuntimeMetrics).network.partitions.map((p) => p.id));
    const small = partition(30_000); // 70 KB in UTF-8: past the first slot (64 KiB)
    const first = ids(await readEvents(port, (events) => ids(events).length >= 4));
    expect(first).toEqual(Array(first.length).fill([small]));
    const large = partition(300_000); // 700 KB: past the second slot too
    const after = ids(await readEvents(port, (events) => ids(events).length >= 4));
    expect(after).toEqual(Array(after.length).fill([small, large]));
  });

  it('answers a page connecting and /metrics.json with a snapshot taken then, not an old one', async () => {
    const { rt, port } = await start({ intervalMs: 60_000 });
    rt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 1, name: 'late' });
    const [first] = await readSnapshots(port, 80);
    expect(first!.network.pools.map((p) => p.name)).toEqual(['late']);
  });

  /** Runs `args` in a process of its own; resolves with its exit code and output. */
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, args, { timeout: 20_000 }, (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? null), stdout, stderr }),
      );
      child.stdin?.end();
    });
  const ENDED = ['server closed', 'snapshot received', 'stream ended with closed'];

  for (const how of ['runtime', 'server'] as const) {
    it(`a process that closes the ${how} exits by itself: the server thread and its sockets are gone`, async () => {
      const { code, stdout } = await run([EXIT_FIXTURE, name, how]);
      expect(stdout.split('\n').filter(Boolean).sort()).toEqual(ENDED);
      expect(code).toBe(0);
    }, 30_000);
  }

  it("serves from a process whose flags make evaluated code a module (the server thread takes none of them)", async () => {
    const { code, stdout, stderr } = await run(['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(EXIT_FIXTURE).href)})`, name, 'runtime']);
    expect(stderr).toBe('');
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(ENDED);
    expect(code).toBe(0);
  }, 30_000);
});

describe('the snapshot mailbox', () => {
  /** The slot's sequence, its event as text and when the next is due. */
  const read = (buffer: SharedArrayBuffer) => {
    const header = new Int32Array(buffer, 0, 2);
    const length = header[MAILBOX_LAYOUT.length]!;
    const due = new Float64Array(buffer, 0, 2)[MAILBOX_LAYOUT.due]!;
    return { sequence: header[MAILBOX_LAYOUT.sequence]!, event: Buffer.from(new Uint8Array(buffer, MAILBOX_LAYOUT.dataOffset, length)).toString('utf8'), due };
  };
  const NOW = 1_780_000_000_123.25;

  it('holds the last event written whole, its sequence even and 2 on per write, and when the next is due', () => {
    const mailbox = createSnapshotMailbox();
    expect(read(mailbox.buffer)).toEqual({ sequence: 0, event: '', due: 0 });
    expect(mailbox.write('data: {"a":1}\n\n', NOW)).toBeNull();
    expect(read(mailbox.buffer)).toEqual({ sequence: 2, event: 'data: {"a":1}\n\n', due: NOW });
    expect(mailbox.write('data: "ü€🧵"\n\n', NOW + 100)).toBeNull();
    expect(read(mailbox.buffer)).toEqual({ sequence: 4, event: 'data: "ü€🧵"\n\n', due: NOW + 100 });
  });

  it('moves to a larger slot for an event that does not fit, and returns it once', () => {
    const mailbox = createSnapshotMailbox();
    const first = mailbox.buffer;
    // 40,000 units might take 120,000 bytes, more than the 64 KiB slot; measured, these take 60,000 and fit.
    const fits = 'a'.repeat(30_000) + '€'.repeat(10_000);
    expect(mailbox.write(fits, NOW)).toBeNull();
    expect(mailbox.buffer).toBe(first);
    const big = '€'.repeat(30_000);
    const larger = mailbox.write(big, NOW + 100);
    expect(larger).not.toBeNull();
    expect(mailbox.buffer).toBe(larger);
    expect(larger!.byteLength).toBeGreaterThanOrEqual(MAILBOX_LAYOUT.dataOffset + 90_000);
    expect(read(larger!)).toEqual({ sequence: 2, event: big, due: NOW + 100 });
    expect(mailbox.write(big, NOW + 200)).toBeNull();
    expect(read(larger!)).toEqual({ sequence: 4, event: big, due: NOW + 200 });
    expect(read(first).event).toBe(fits); // the old slot is left as it was last whole
  });
});
