/**
 * Sorting records on their binary form, against the alternatives, on the same
 * data in the same run (issue #9):
 *
 *   node bench/sort.mjs            the full run: 1,000,000 records, 3 processes per row
 *   node bench/sort.mjs --quick    100,000 records, 1 process per row (proves every row runs)
 *   node bench/sort.mjs --kernels  radix sort against introsort by index size (sets RADIX_MIN_ENTRIES)
 *   SORT_BENCH_VARIANTS=segmem-wasm,segmem-js node bench/sort.mjs   only those sort rows (and no density rows)
 *
 * Sort rows: an int32 key + 100-byte payload, and a 16-character string key +
 * the payload; segmem wasm, segmem pure-JS, plain JS objects with
 * Array.prototype.sort, and DuckDB (@duckdb/node-api, one thread and its
 * default threads; "not installed" where it is missing). Write, sort and
 * in-order read are timed separately, in ns per record, as wall-clock time
 * and as this process's CPU time (user + system, all threads: DuckDB's
 * default-thread sort uses both cores, the others one).
 *
 * The segmem children also time sortAsync() on the same records after the
 * sort() run (same process, same warm-up): its overhead over sort() in ns per
 * record is a row of its own.
 *
 * Density/GC rows: 1,000,000 small records (int, double, boolean, 8-char
 * string) as JS objects and in segmem pages; bytes per record (heap and
 * linear memory) and the GC pauses (PerformanceObserver 'gc' entries) of a
 * run that builds them and then replaces 10 % of them for 10 rounds.
 *
 * Every measurement runs in a fresh child process (node --expose-gc), one at
 * a time, and the rows alternate in each round, so the load of a shared
 * machine reaches every row alike; a row's figure is the median over its
 * processes. Each child warms up (a tenth-size run, then a full-size run) before
 * the measured one, so JIT and wasm tier-up are done and the memory is touched. Every sorted output is
 * checked (order and count) while it is read; a wrong order fails the row.
 *
 * The module exports `sortBenchmark(options)`, resolving to { rows, density,
 * meta, markdown, svg }, for the report; run directly it writes
 * bench/results/sort.{json,md,svg}.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { xorshift32 } from './checks.mjs';

const SELF = fileURLToPath(import.meta.url);
const V8_FLAGS = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'];
const PAYLOAD = 100;
const STRING_KEY = 16;
const SORT_VARIANTS = ['segmem-wasm', 'segmem-js', 'objects', 'duckdb-1', 'duckdb-default'];
const KEYS = ['int', 'string'];
const DENSITY_VARIANTS = ['objects', 'segmem-wasm'];

const nowNs = () => process.hrtime.bigint();
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Times `fn` (which may be async): wall and CPU ns. */
async function timed(fn) {
  const w0 = nowNs();
  const c0 = cpuNs();
  const value = await fn();
  return { wall: Number(nowNs() - w0), cpu: cpuNs() - c0, value };
}

// ---------------------------------------------------------------- data

/** The keys of `n` records, the same in every process: int32 from xorshift32, or 16 letters a-z. */
function makeKeys(kind, n) {
  const r = xorshift32(0x9e3779b9);
  if (kind === 'int') {
    const keys = new Int32Array(n);
    for (let i = 0; i < n; i++) keys[i] = r();
    return keys;
  }
  const keys = new Array(n);
  const codes = new Array(STRING_KEY);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < STRING_KEY; c++) codes[c] = 97 + ((r() >>> 0) % 26);
    keys[i] = String.fromCharCode(...codes);
  }
  return keys;
}

/** Record i's payload: byte j is (i + j) & 255. Written into `into` (reused by the segmem and DuckDB writers). */
function fillPayload(into, i) {
  for (let j = 0; j < PAYLOAD; j += 4) {
    into[j] = (i + j) & 255;
    into[j + 1] = (i + j + 1) & 255;
    into[j + 2] = (i + j + 2) & 255;
    into[j + 3] = (i + j + 3) & 255;
  }
}

/** Checks one record read back in order: its key not below the previous one, its payload its own. */
class OrderCheck {
  constructor(kind) {
    this.kind = kind;
    this.prev = kind === 'int' ? -Infinity : '';
    this.count = 0;
    this.sum = 0;
  }
  see(key, payload) {
    if (key < this.prev) throw new Error(`${this.kind} keys out of order at record ${this.count}: ${key} after ${this.prev}`);
    this.prev = key;
    this.count++;
    this.sum = (this.sum + payload[0] + payload[PAYLOAD - 1]) | 0;
  }
}

// ---------------------------------------------------------------- sort variants (one per child process)

async function segmemVariant(build, kind, keys) {
  const lib = await import(new URL(build === 'wasm' ? '../dist/index.js' : '../dist/js.js', import.meta.url).href);
  const n = keys.length;
  const rt = await lib.init({ managedMemory: Math.ceil((n * (PAYLOAD + 24 + 3 * 16)) / 32768 + 64) * 32768, networkMemory: 0 });
  const type = { key: kind === 'int' ? 'int' : 'string', payload: { type: 'bytes', length: PAYLOAD } };
  const pages = rt.memoryManager.pageCount;
  return {
    async run(count, mode = 'sync') {
      const sorter = new lib.InMemorySorter(rt.memoryManager, { type, key: 'key', pages });
      const record = { key: kind === 'int' ? 0 : '', payload: new Uint8Array(PAYLOAD) };
      const payload = record.payload;
      const write = await timed(() => {
        for (let i = 0; i < count; i++) {
          record.key = keys[i];
          fillPayload(payload, i);
          if (!sorter.write(record)) throw new Error(`sorter full after ${i} records`);
        }
      });
      const sort = await timed(() => (mode === 'async' ? sorter.sortAsync() : sorter.sort()));
      const check = new OrderCheck(kind);
      const out = new Uint8Array(PAYLOAD);
      const read = await timed(() => {
        if (kind === 'int') {
          for (const view of sorter.views()) {
            const key = view.readInt();
            view.readBytes(out);
            check.see(key, out);
          }
        } else {
          for (const view of sorter.views()) {
            const key = view.readString();
            view.readBytes(out);
            check.see(key, out);
          }
        }
      });
      sorter.close();
      if (check.count !== count) throw new Error(`read ${check.count} of ${count} records`);
      if (!rt.memoryManager.verifyEmpty()) throw new Error('pages still held after close()');
      return { write, sort, read, sum: check.sum };
    },
    close: () => rt.close(),
  };
}

async function objectsVariant(kind, keys) {
  const compare = kind === 'int' ? (a, b) => a.key - b.key : (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return {
    async run(count) {
      let records = null;
      const write = await timed(() => {
        records = new Array(count);
        for (let i = 0; i < count; i++) {
          const payload = new Uint8Array(PAYLOAD);
          fillPayload(payload, i);
          records[i] = { key: keys[i], payload };
        }
      });
      const sort = await timed(() => records.sort(compare));
      const check = new OrderCheck(kind);
      const out = new Uint8Array(PAYLOAD);
      const read = await timed(() => {
        for (let i = 0; i < records.length; i++) {
          const r = records[i];
          out.set(r.payload);
          check.see(r.key, out);
        }
      });
      if (check.count !== count) throw new Error(`read ${check.count} of ${count} records`);
      records = null;
      return { write, sort, read, sum: check.sum };
    },
    close() {},
  };
}

async function duckdbVariant(threads, kind, keys) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', threads === 1 ? { threads: '1' } : {});
  const con = await instance.connect();
  const keyType = kind === 'int' ? 'INTEGER' : 'VARCHAR';
  let table = 0;
  return {
    async run(count) {
      const t = `t${++table}`;
      await con.run(`CREATE TABLE ${t} (k ${keyType}, p BLOB)`);
      const payload = new Uint8Array(PAYLOAD);
      const write = await timed(async () => {
        const app = await con.createAppender(t);
        for (let i = 0; i < count; i++) {
          if (kind === 'int') app.appendInteger(keys[i]);
          else app.appendVarchar(keys[i]);
          fillPayload(payload, i);
          app.appendBlob(payload);
          app.endRow();
        }
        app.closeSync();
      });
      const sort = await timed(() => con.run(`CREATE TABLE ${t}s AS SELECT k, p FROM ${t} ORDER BY k`));
      const check = new OrderCheck(kind);
      const read = await timed(async () => {
        const result = await con.stream(`SELECT k, p FROM ${t}s`);
        for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
          const [ks, ps] = chunk.getColumns();
          for (let i = 0; i < ks.length; i++) check.see(ks[i], ps[i].bytes);
        }
      });
      await con.run(`DROP TABLE ${t}; DROP TABLE ${t}s`);
      if (check.count !== count) throw new Error(`read ${check.count} of ${count} records`);
      return { write, sort, read, sum: check.sum };
    },
    close() {
      con.closeSync();
      instance.closeSync();
    },
  };
}

async function sortChild(variant, kind, n) {
  const keys = makeKeys(kind, n);
  let v;
  if (variant === 'segmem-wasm') v = await segmemVariant('wasm', kind, keys);
  else if (variant === 'segmem-js') v = await segmemVariant('js', kind, keys);
  else if (variant === 'objects') v = await objectsVariant(kind, keys);
  else {
    try {
      await import('@duckdb/node-api');
    } catch {
      return { unavailable: 'not installed' };
    }
    v = await duckdbVariant(variant === 'duckdb-1' ? 1 : 0, kind, keys);
  }
  // Warm-up: the same steps on a tenth of the records (JIT, wasm tier-up), then
  // on all of them, so that the measured run finds its memory already touched
  // (the first touch of fresh linear memory or heap costs a page fault per 4 KiB,
  // which made the first sort of 1e6 records twice as slow as the next).
  await v.run(Math.max(1000, Math.floor(n / 10)));
  await v.run(n);
  globalThis.gc?.();
  const r = await v.run(n);
  const per = (t) => ({ wall: t.wall / n, cpu: t.cpu / n });
  const result = { write: per(r.write), sort: per(r.sort), read: per(r.read), sum: r.sum };
  if (variant.startsWith('segmem')) {
    // sortAsync() on the same records, after its own warm-up run.
    await v.run(Math.max(1000, Math.floor(n / 10)), 'async');
    globalThis.gc?.();
    result.sortAsync = per((await v.run(n, 'async')).sort);
  }
  v.close();
  return result;
}

// ---------------------------------------------------------------- density and GC (one per child process)

/** Small record i: int, double, boolean, 8-character string (its own string, as parsing would make it). */
const smallString = (i) => `r${(i % 10_000_000).toString(36).padStart(7, '0')}`;
const RAW_SMALL_BYTES = 4 + 8 + 1 + 8;

async function densityChild(variant, n) {
  const gc = globalThis.gc;
  const { PerformanceObserver } = await import('node:perf_hooks');
  const pauses = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      pauses.push(e.duration);
      if (process.env.SORT_BENCH_DEBUG) process.stderr.write(`gc kind ${e.detail?.kind} ${e.duration.toFixed(2)} ms\n`);
    }
  });
  const r = xorshift32(0x2545f491);
  const rounds = 10;
  const replace = Math.floor(n / 10);
  let keep;
  let linearBytes = 0;
  let rt = null;
  if (variant === 'objects') {
    gc();
    const h0 = process.memoryUsage().heapUsed;
    observer.observe({ entryTypes: ['gc'] });
    const records = new Array(n);
    for (let i = 0; i < n; i++) records[i] = { i, d: i * 0.5, b: (i & 1) === 1, s: smallString(i) };
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < replace; k++) {
        const i = (r() >>> 0) % n;
        records[i] = { i: -i, d: i * 0.25, b: (i & 1) === 0, s: smallString(i + round) };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    observer.disconnect();
    keep = records;
    gc();
    var heapBytes = process.memoryUsage().heapUsed - h0;
  } else {
    const lib = await import(new URL('../dist/index.js', import.meta.url).href);
    rt = await lib.init({ managedMemory: Math.ceil((n * 24) / 32768 + 8) * 32768, networkMemory: 0 });
    const ser = new lib.RecordSerializer({ i: 'int', d: 'double', b: 'boolean', s: 'string' });
    gc();
    const h0 = process.memoryUsage().heapUsed;
    observer.observe({ entryTypes: ['gc'] });
    const out = new lib.DataOutputView(new lib.ManagerPageSource(rt.memoryManager, 'density'));
    const rec = { i: 0, d: 0, b: false, s: '' };
    for (let i = 0; i < n; i++) {
      rec.i = i;
      rec.d = i * 0.5;
      rec.b = (i & 1) === 1;
      rec.s = smallString(i);
      ser.write(out, rec);
    }
    const size = ser.fixedSize >= 0 ? ser.fixedSize : out.size / n; // every record has the same size here (8 ASCII characters)
    if (out.size !== n * size) throw new Error(`records are not all ${size} bytes`);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < replace; k++) {
        const i = (r() >>> 0) % n;
        rec.i = -i;
        rec.d = i * 0.25;
        rec.b = (i & 1) === 0;
        rec.s = smallString(i + round);
        out.seek(i * size);
        ser.write(out, rec);
      }
    }
    out.seek(out.size);
    await new Promise((resolve) => setTimeout(resolve, 100));
    observer.disconnect();
    keep = out;
    gc();
    var heapBytes = process.memoryUsage().heapUsed - h0;
    linearBytes = out.pageList.length * rt.memoryManager.pageSize;
    // Spot check: the data reads back.
    const input = out.toInputView();
    const first = ser.read(input);
    if (typeof first.s !== 'string' || first.s.length !== 8) throw new Error('records did not read back');
  }
  void keep;
  rt?.close();
  const total = pauses.reduce((a, b) => a + b, 0);
  return {
    heapBytesPerRecord: heapBytes / n,
    linearBytesPerRecord: linearBytes / n,
    bytesPerRecord: (heapBytes + linearBytes) / n,
    rawBytesPerRecord: RAW_SMALL_BYTES,
    gc: { count: pauses.length, totalMs: total, maxMs: pauses.length ? Math.max(...pauses) : 0 },
  };
}

// ---------------------------------------------------------------- kernels: radix against introsort by size

async function kernelsChild() {
  const lib = await import(new URL('../dist/index.js', import.meta.url).href);
  const { radixPlan } = await import(new URL('../dist/sort/radix-plan.js', import.meta.url).href);
  const rows = [];
  for (const build of ['wasm', 'js']) {
    const l = build === 'wasm' ? lib : await import(new URL('../dist/js.js', import.meta.url).href);
    const rt = await l.init({ managedMemory: '96mb', networkMemory: 0 });
    const k = rt.memory.kernels;
    const mm = rt.memoryManager;
    for (const n of [16, 32, 64, 128, 256, 1024, 65536, 1_000_000]) {
      const perPage = mm.pageSize / 8;
      const pagesN = Math.ceil(n / perPage);
      const [ctlPage] = mm.allocatePages('k', 1);
      const index = mm.allocatePages('k', pagesN);
      const scratch = mm.allocatePages('k', pagesN);
      const ctl = ctlPage.address;
      const dv = ctlPage.view;
      const counts = new Uint32Array(ctlPage.bytes.buffer, ctl + 32, 256);
      const reps = Math.max(3, Math.min(2000, Math.floor(2e6 / n)));
      const times = { radix: [], inPlace: [] };
      const fill = (seed) => {
        const r = xorshift32(seed);
        for (let i = 0; i < n; i++) {
          const at = index[Math.floor(i / perPage)].address + (i % perPage) * 8;
          dv.setUint32(at, r() >>> 0, false);
          dv.setUint32(at + 4, i, true);
        }
        const set = (off, v) => dv.setUint32(ctl + off, v, true);
        set(0, n); set(4, 3); set(8, Math.log2(perPage)); set(12, 4); set(16, 0);
        set(24, ctl + 1056); set(28, ctl + 1056 + 4 * 2048);
        index.forEach((p, i) => set(1056 + 4 * i, p.address));
        scratch.forEach((p, i) => set(1056 + 4 * 2048 + 4 * i, p.address));
      };
      for (let round = 0; round < 7; round++) {
        for (const alg of ['radix', 'inPlace']) {
          let ns = 0;
          for (let rep = 0; rep < reps; rep++) {
            fill(rep + 1);
            const t0 = nowNs();
            if (alg === 'radix') for (const _ of radixPlan({ kernels: k, ctl, counts, n, keyBytes: 4, entryShift: 3, usable: () => true }));
            else k.sortInPlace(ctl);
            ns += Number(nowNs() - t0);
          }
          if (round > 1) times[alg].push(ns / reps / n);
        }
      }
      mm.releaseAll('k');
      rows.push({ build, n, radix: median(times.radix), inPlace: median(times.inPlace) });
    }
    rt.close();
  }
  return rows;
}

// ---------------------------------------------------------------- parent: processes, rounds, report

function runChild(args) {
  return new Promise((resolve) => {
    const child = fork(SELF, ['--child', ...args], { execArgv: V8_FLAGS, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let message = null;
    child.on('message', (m) => (message = m));
    child.on('exit', (code, signal) => {
      if (message?.ok) resolve(message.result);
      else resolve({ error: message?.error ?? `exited with ${signal ?? `code ${code}`}` });
    });
  });
}

const fmt = (x) => (x === null || x === undefined ? '–' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const VARIANT_NAMES = {
  'segmem-wasm': 'segmem wasm',
  'segmem-js': 'segmem pure-JS',
  objects: 'JS objects + Array.prototype.sort',
  'duckdb-1': 'DuckDB ORDER BY, 1 thread',
  'duckdb-default': 'DuckDB ORDER BY, default threads',
};

/** Runs every row `processes` times, alternating, and merges each row's processes into medians. */
export async function sortBenchmark({ n = 1_000_000, processes = 3, variants = SORT_VARIANTS, density: withDensity = true, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  const raw = {};
  for (let p = 1; p <= processes; p++) {
    for (const kind of KEYS) {
      for (const variant of variants) {
        log(`sort ${kind} key, ${variant}, process ${p} of ${processes}…`);
        (raw[`${kind}/${variant}`] ??= []).push(await runChild(['sort', variant, kind, String(n)]));
      }
    }
    for (const variant of withDensity ? DENSITY_VARIANTS : []) {
      log(`density ${variant}, process ${p} of ${processes}…`);
      (raw[`density/${variant}`] ??= []).push(await runChild(['density', variant, String(n)]));
    }
  }
  const rows = [];
  for (const kind of KEYS) {
    for (const variant of variants) {
      const results = raw[`${kind}/${variant}`];
      const failed = results.find((r) => r.error);
      const unavailable = results.find((r) => r.unavailable);
      const row = { key: kind, variant, name: VARIANT_NAMES[variant], processes: results.length };
      if (failed) row.error = failed.error;
      else if (unavailable) row.unavailable = unavailable.unavailable;
      else {
        for (const phase of ['write', 'sort', 'read']) {
          row[phase] = { wall: median(results.map((r) => r[phase].wall)), cpu: median(results.map((r) => r[phase].cpu)) };
        }
        row.total = { wall: row.write.wall + row.sort.wall + row.read.wall, cpu: row.write.cpu + row.sort.cpu + row.read.cpu };
        if (results[0].sortAsync) {
          row.sortAsync = { wall: median(results.map((r) => r.sortAsync.wall)), cpu: median(results.map((r) => r.sortAsync.cpu)) };
          // Overhead within each process (the same records, sorted both ways), then the median.
          row.asyncOverhead = { wall: median(results.map((r) => r.sortAsync.wall - r.sort.wall)), cpu: median(results.map((r) => r.sortAsync.cpu - r.sort.cpu)) };
        }
        row.perProcess = results.map((r) => ({ write: r.write, sort: r.sort, read: r.read }));
      }
      rows.push(row);
    }
  }
  const density = (withDensity ? DENSITY_VARIANTS : []).map((variant) => {
    const results = raw[`density/${variant}`];
    const failed = results.find((r) => r.error);
    if (failed) return { variant, error: failed.error };
    return {
      variant,
      name: variant === 'objects' ? 'JS objects' : 'segmem pages (wasm build)',
      bytesPerRecord: median(results.map((r) => r.bytesPerRecord)),
      heapBytesPerRecord: median(results.map((r) => r.heapBytesPerRecord)),
      linearBytesPerRecord: median(results.map((r) => r.linearBytesPerRecord)),
      rawBytesPerRecord: RAW_SMALL_BYTES,
      gc: {
        count: median(results.map((r) => r.gc.count)),
        totalMs: median(results.map((r) => r.gc.totalMs)),
        maxMs: median(results.map((r) => r.gc.maxMs)),
      },
      perProcess: results,
    };
  });
  const cpus = os.cpus();
  const meta = {
    records: n,
    processes,
    engine: `node ${process.version}, V8 ${process.versions.v8}`,
    host: `${os.platform()} ${os.arch()}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} CPUs`,
    date: new Date().toISOString(),
    load: { before: loadBefore, after: os.loadavg()[0] },
    seconds: (Date.now() - started) / 1000,
  };
  const targets = evaluate(rows, density);
  const result = { meta, rows, density, targets };
  return { ...result, markdown: renderMarkdown(result), svg: renderSvg(result) };
}

const find = (rows, key, variant) => rows.find((r) => r.key === key && r.variant === variant && r.sort);

/** The issue's targets, on CPU time (single-threaded rows) and wall time for DuckDB's default threads. */
function evaluate(rows, density) {
  const out = [];
  const add = (what, wanted, a, b, field = 'cpu', phase = 'sort') => {
    const x = a?.[phase]?.[field];
    const y = b?.[phase]?.[field];
    const ratio = x && y ? y / x : null;
    out.push({ what, wanted, ratio, met: ratio === null ? null : ratio >= wanted });
  };
  for (const key of KEYS) {
    const w = find(rows, key, 'segmem-wasm');
    add(`${key} key: sort(), wasm vs objects + Array.prototype.sort`, 10, w, find(rows, key, 'objects'));
    add(`${key} key: sort(), wasm vs DuckDB 1 thread`, 4, w, find(rows, key, 'duckdb-1'));
    add(`${key} key: sort(), wasm vs segmem pure-JS`, 3, w, find(rows, key, 'segmem-js'));
    add(`${key} key: write + sort + read, wasm vs objects`, 3, w, find(rows, key, 'objects'), 'cpu', 'total');
  }
  const w = find(rows, 'int', 'segmem-wasm');
  if (w) out.push({ what: 'int key: sort() below C++ std::sort of (key, index) pairs (112 ns, issue figure)', wanted: '< 112 ns', value: w.sort.cpu, met: w.sort.cpu < 112 });
  const [obj, seg] = density;
  if (seg?.bytesPerRecord) out.push({ what: 'density: segmem bytes per record vs raw record bytes', wanted: '≤ 1.2×', value: seg.bytesPerRecord / seg.rawBytesPerRecord, met: seg.bytesPerRecord / seg.rawBytesPerRecord <= 1.2 });
  if (obj?.gc && seg?.gc) {
    const ratio = seg.gc.maxMs > 0 ? obj.gc.maxMs / seg.gc.maxMs : Infinity;
    out.push({ what: 'GC: longest pause, objects vs segmem', wanted: '≥ 100×', ratio, met: ratio >= 100 });
  }
  return out;
}

function renderMarkdown({ meta, rows, density, targets }) {
  const lines = [];
  lines.push(`## Sorting ${meta.records.toLocaleString('en-US')} records on their binary form`);
  lines.push('');
  lines.push(`${meta.engine}; ${meta.host}; ${meta.date}; median of ${meta.processes} processes per row, rows alternating; load average ${meta.load.before.toFixed(2)} before, ${meta.load.after.toFixed(2)} after.`);
  lines.push('ns per record; CPU time of the process (wall-clock time in brackets). DuckDB with default threads runs on several cores: compare its wall time.');
  lines.push('');
  lines.push('| key | variant | write | sort | in-order read | total |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const cell = (p) => `${fmt(p.cpu)} (${fmt(p.wall)})`;
    if (r.sort) lines.push(`| ${r.key} | ${r.name} | ${cell(r.write)} | ${cell(r.sort)} | ${cell(r.read)} | ${cell(r.total)} |`);
    else lines.push(`| ${r.key} | ${r.name} | ${r.unavailable ?? `error: ${r.error}`} | | | |`);
  }
  const asyncRows = rows.filter((r) => r.asyncOverhead);
  if (asyncRows.length > 0) {
    lines.push('');
    lines.push('| key | variant | sort() | sortAsync() | sortAsync() overhead |');
    lines.push('| --- | --- | ---: | ---: | ---: |');
    const cell = (p) => `${fmt(p.cpu)} (${fmt(p.wall)})`;
    for (const r of asyncRows) lines.push(`| ${r.key} | ${r.name} | ${cell(r.sort)} | ${cell(r.sortAsync)} | ${cell(r.asyncOverhead)} |`);
  }
  if (density.length > 0) {
    lines.push('');
    lines.push('| small records, 1,000,000 | bytes per record (heap + linear) | raw bytes | GC pauses | total ms | longest ms |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  }
  for (const d of density) {
    if (d.error) lines.push(`| ${d.variant} | error: ${d.error} | | | | |`);
    else lines.push(`| ${d.name} | ${fmt(d.bytesPerRecord)} (${fmt(d.heapBytesPerRecord)} + ${fmt(d.linearBytesPerRecord)}) | ${d.rawBytesPerRecord} | ${d.gc.count} | ${fmt(d.gc.totalMs)} | ${d.gc.maxMs.toFixed(3)} |`);
  }
  lines.push('');
  lines.push('| target | wanted | measured | met |');
  lines.push('| --- | --- | ---: | --- |');
  for (const t of targets) {
    const measured = t.ratio !== undefined ? (t.ratio === null ? '–' : `${t.ratio.toFixed(1)}×`) : t.value?.toFixed?.(2);
    lines.push(`| ${t.what} | ${typeof t.wanted === 'number' ? `≥ ${t.wanted}×` : t.wanted} | ${measured} | ${t.met === null ? 'not measured' : t.met ? 'yes' : 'NO'} |`);
  }
  lines.push('');
  lines.push('![sort step and GC pauses](sort.svg)');
  return lines.join('\n');
}

/** Two bar charts: the sort step per variant (CPU ns per record, both keys), and the longest GC pause. */
function renderSvg({ rows, density }) {
  const width = 760;
  const barH = 16;
  const left = 250;
  const measuredRows = rows.filter((r) => r.sort);
  const max = Math.max(1, ...measuredRows.map((r) => r.sort.cpu));
  let y = 40;
  const parts = [];
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  parts.push(`<text x="10" y="22" font-size="15" font-weight="bold">sort() step, CPU ns per record (shorter is faster)</text>`);
  for (const key of KEYS) {
    parts.push(`<text x="10" y="${y + 12}" font-size="12" font-weight="bold">${key} key</text>`);
    y += 18;
    for (const r of rows.filter((r) => r.key === key)) {
      parts.push(`<text x="10" y="${y + 12}" font-size="12">${esc(r.name)}</text>`);
      if (r.sort) {
        const w = Math.max(1, ((width - left - 70) * r.sort.cpu) / max);
        parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH - 3}" fill="${r.variant.startsWith('segmem') ? '#2b6cb0' : '#a0aec0'}"/>`);
        parts.push(`<text x="${left + w + 4}" y="${y + 12}" font-size="12">${fmt(r.sort.cpu)}</text>`);
      } else parts.push(`<text x="${left}" y="${y + 12}" font-size="12" fill="#777">${esc(r.unavailable ?? 'error')}</text>`);
      y += barH;
    }
    y += 8;
  }
  y += 16;
  parts.push(`<text x="10" y="${y}" font-size="15" font-weight="bold">longest GC pause, ms (1,000,000 small records, build + 10 × 10 % replaced)</text>`);
  y += 14;
  const gcMax = Math.max(0.001, ...density.filter((d) => d.gc).map((d) => d.gc.maxMs));
  for (const d of density) {
    parts.push(`<text x="10" y="${y + 12}" font-size="12">${esc(d.name ?? d.variant)}</text>`);
    if (d.gc) {
      const w = Math.max(1, ((width - left - 70) * d.gc.maxMs) / gcMax);
      parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH - 3}" fill="${d.variant.startsWith('segmem') ? '#2b6cb0' : '#a0aec0'}"/>`);
      parts.push(`<text x="${left + w + 4}" y="${y + 12}" font-size="12">${d.gc.maxMs.toFixed(2)}</text>`);
    }
    y += barH;
  }
  y += 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}

// ---------------------------------------------------------------- entry points

async function childMain(args) {
  const [mode, ...rest] = args;
  if (mode === 'sort') return sortChild(rest[0], rest[1], Number(rest[2]));
  if (mode === 'density') return densityChild(rest[0], Number(rest[1]));
  if (mode === 'kernels') return kernelsChild();
  throw new Error(`unknown child mode ${mode}`);
}

const argv = process.argv.slice(2);
if (process.argv[1] === SELF) {
  if (argv[0] === '--child') {
    childMain(argv.slice(1)).then(
      (result) => process.send({ ok: true, result }, () => process.disconnect()),
      (err) => {
        process.stderr.write(`${err.stack ?? err}\n`);
        process.send({ ok: false, error: String(err.message ?? err) }, () => process.disconnect());
      },
    );
  } else if (argv.includes('--kernels')) {
    const rows = await runChild(['kernels']);
    if (rows.error) throw new Error(rows.error);
    process.stdout.write('| build | entries | radix ns/entry | introsort ns/entry |\n| --- | ---: | ---: | ---: |\n');
    for (const r of rows) process.stdout.write(`| ${r.build} | ${r.n} | ${fmt(r.radix)} | ${fmt(r.inPlace)} |\n`);
  } else {
    const quick = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
    const n = Number(process.env.SORT_BENCH_RECORDS ?? (quick ? 100_000 : 1_000_000));
    const processes = Number(process.env.SORT_BENCH_PROCESSES ?? (quick ? 1 : 3));
    const variants = process.env.SORT_BENCH_VARIANTS ? process.env.SORT_BENCH_VARIANTS.split(',') : SORT_VARIANTS;
    const unknown = variants.filter((v) => !SORT_VARIANTS.includes(v));
    if (unknown.length > 0) throw new Error(`unknown SORT_BENCH_VARIANTS ${unknown.join(', ')}; known: ${SORT_VARIANTS.join(', ')}`);
    const report = await sortBenchmark({ n, processes, variants, density: !process.env.SORT_BENCH_VARIANTS });
    const dir = new URL('./results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const base = quick ? 'sort-quick' : process.env.SORT_BENCH_VARIANTS ? 'sort-partial' : 'sort';
    const { markdown, svg, ...json } = report;
    writeFileSync(new URL(`${base}.json`, dir), JSON.stringify(json, null, 2) + '\n');
    writeFileSync(new URL(`${base}.md`, dir), markdown.replace('(sort.svg)', `(${base}.svg)`) + '\n');
    writeFileSync(new URL(`${base}.svg`, dir), svg);
    process.stdout.write(markdown + '\n');
    const failed = report.rows.filter((r) => r.error).concat(report.density.filter((d) => d.error));
    if (failed.length > 0) {
      process.stderr.write(`\n${failed.length} rows failed\n`);
      process.exitCode = 1;
    }
  }
}
