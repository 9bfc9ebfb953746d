// The external sorter over Node's file system (NodeSpillStore from
// 'segmem/node'), on both builds: real spill files in a directory of their
// own, unwritable directories, ENOSPC mid-run, files truncated and corrupted
// on disk, aborts, output to a file's write stream and to a slow stream.
// After each: no page held, the directory empty, no descriptor of the
// process open on a file in it (checked through /proc/self/fd).
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeSpillStore } from '../src/node.js';
import type { Runtime } from '../src/index.js';
import { builds } from './builds.js';
import { FaultyStore } from './spill-stores.js';
import { makeRecords, TYPE, type Rec } from './external-sort-records.js';

const PAGE = 4096;

const byKey = (records: Rec[]) => records.slice().sort((a, b) => a.k - b.k || a.id - b.id).map((r) => r.id);

/** Descriptors of this process open on a file in `dir`. */
function openIn(dir: string): string[] {
  if (!existsSync('/proc/self/fd')) return [];
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) open.push(target);
    } catch {
      // closed while listing
    }
  }
  return open;
}

describe.each(builds)('$name build', ({ init, lib }) => {
  let rt: Runtime;
  let dir: string;
  beforeEach(async () => {
    rt = await init({ managedMemory: 512 * PAGE, networkMemory: 0, offHeapMemory: '64kb', pageSize: PAGE });
    dir = mkdtempSync(join(tmpdir(), 'segmem-extsort-'));
  });
  afterEach(() => {
    rt.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Nothing held: pages, files, descriptors. */
  function expectNothingLeft(store: NodeSpillStore): void {
    expect(rt.memoryManager.verifyEmpty()).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
    expect(store.openFiles).toBe(0);
    expect(openIn(dir)).toEqual([]);
  }

  it('sorts through spill files in the directory, stable, and leaves nothing behind', async () => {
    const records = makeRecords(3000, 1);
    const store = new NodeSpillStore(dir);
    let peakFiles = 0;
    const sorter = new lib.ExternalSorter(rt.memoryManager, {
      type: TYPE,
      key: 'k',
      pages: 8,
      fanIn: 4,
      store,
      stable: true,
      onProgress: () => void (peakFiles = Math.max(peakFiles, readdirSync(dir).length)),
    });
    await sorter.addAll(records);
    expect(readdirSync(dir).every((name) => /^segmem-run-\d+-.+\.spill$/.test(name))).toBe(true);
    const ids: number[] = [];
    for await (const r of sorter) ids.push(r.id);
    expect(ids).toEqual(byKey(records));
    expect(peakFiles).toBeGreaterThan(4);
    expectNothingLeft(store);
  });

  it('a missing directory, or a file where the directory should be, is ERR_SPILL_STORE at the first spill', async () => {
    writeFileSync(join(dir, 'plain-file'), 'x');
    for (const where of [join(dir, 'missing'), join(dir, 'plain-file')]) {
      const store = new NodeSpillStore(where);
      const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      const err = await sorter.addAll(makeRecords(500, 2)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(lib.SpillStoreError);
      expect(err).toMatchObject({ code: 'ERR_SPILL_STORE', cause: { code: expect.stringMatching(/^(ENOENT|ENOTDIR)$/) } });
      expect((err as Error).message).toContain(where);
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
      expect(store.openFiles).toBe(0);
    }
    expect(readdirSync(dir)).toEqual(['plain-file']);
    rmSync(join(dir, 'plain-file'));
  });

  it('an ENOSPC mid-run deletes every spill file and closes every handle', async () => {
    const store = new NodeSpillStore(dir);
    for (const at of [0, 3, 8]) {
      const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, fanIn: 3, store: new FaultyStore(store, { op: 'write', at }) });
      const err = await (async () => {
        await sorter.addAll(makeRecords(2000, 3));
        await sorter.writeTo({ write: () => {} });
      })().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_SPILL_STORE', cause: { code: 'ENOSPC' } });
      expectNothingLeft(store);
    }
  });

  it('a spill file truncated or corrupted on disk is ERR_SPILL_FILE', async () => {
    const store = new NodeSpillStore(dir);
    const damage: [string, (file: string) => void, RegExp][] = [
      ['truncated', (file) => truncateSync(file, statSync(file).size - 1000), /truncated/],
      ['cut to its header', (file) => truncateSync(file, 20), /truncated/],
      [
        'a flipped bit',
        (file) => {
          const bytes = readFileSync(file);
          bytes[32 + 8 + 100]! ^= 0x10;
          writeFileSync(file, bytes);
        },
        /checksum of block 0/,
      ],
    ];
    for (const [what, hurt, message] of damage) {
      const sorter = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
      await sorter.addAll(makeRecords(600, 4));
      const [first] = readdirSync(dir).sort();
      hurt(join(dir, first!));
      const seen: number[] = [];
      const err = await (async () => {
        for await (const r of sorter) seen.push(r.id);
      })().catch((e: unknown) => e);
      expect(err, what).toMatchObject({ code: 'ERR_SPILL_FILE', message: expect.stringMatching(message) });
      expect(seen, what).toEqual([]);
      expectNothingLeft(store);
    }
  });

  it('an abort during the merge passes is ERR_ABORTED and deletes every file', async () => {
    const store = new NodeSpillStore(dir);
    const ctl = new AbortController();
    const sorter = new lib.ExternalSorter(rt.memoryManager, {
      type: TYPE,
      key: 'k',
      pages: 8,
      fanIn: 3,
      store,
      signal: ctl.signal,
      onProgress: (p) => p.phase === 'merge' && ctl.abort(new Error('enough')),
    });
    await sorter.addAll(makeRecords(3000, 5));
    await expect(sorter.writeTo({ write: () => {} })).rejects.toMatchObject({ code: 'ERR_ABORTED', cause: { message: 'enough' } });
    expectNothingLeft(store);
  });

  it('writes the sorted records to a file through its write stream, and to a slow stream with backpressure', async () => {
    const records = makeRecords(4000, 6);
    const store = new NodeSpillStore(dir);
    const out = join(tmpdir(), `segmem-extsort-out-${process.pid}-${Math.random().toString(36).slice(2)}.bin`);
    try {
      const a = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store, stable: true });
      await a.addAll(records);
      expect(await a.writeTo(createWriteStream(out))).toBe(4000);
      // Read back through addSerialized from a read stream, sorted again by id.
      const b = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'id', pages: 8, store });
      await b.addSerialized(createReadStream(out, { highWaterMark: 1000 }));
      const ids: number[] = [];
      for await (const r of b) ids.push(r.id);
      expect(ids).toEqual(records.map((r) => r.id));
      expect(statSync(out).size).toBe(records.reduce((n, r) => n + 4 + 4 + 1 + r.s.length + 1 + r.b.length, 0));
    } finally {
      rmSync(out, { force: true });
    }
    // A stream that takes 1 KiB at a time and calls back later: write() waits for 'drain'.
    let received = 0;
    let writes = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        received += chunk.length;
        writes++;
        setTimeout(done, 1);
      },
    });
    const c = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
    await c.addAll(records);
    const finished = new Promise((resolve) => slow.on('finish', resolve));
    expect(await c.writeTo(slow)).toBe(4000);
    await finished;
    expect(writes).toBeGreaterThan(1);
    expect(received).toBeGreaterThan(4000 * 50);
    // A stream that fails: the error comes back, everything goes.
    const d = new lib.ExternalSorter(rt.memoryManager, { type: TYPE, key: 'k', pages: 8, store });
    await d.addAll(records);
    const failing = new Writable({ write: (_c, _e, done) => done(new Error('EPIPE-like')) });
    failing.on('error', () => {});
    await expect(d.writeTo(failing)).rejects.toMatchObject({ message: 'EPIPE-like' });
    expectNothingLeft(store);
  });
});
