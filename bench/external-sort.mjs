/**
 * External sort (issue #10): sorting 4× the memory budget, file to file, on
 * the same records in the same run:
 *
 *   node bench/external-sort.mjs           256 MiB of records and the 4,000,000-record set, 3 processes per row
 *   node bench/external-sort.mjs --quick   an eighth of each, 1 process per row (proves every row runs)
 *
 * Only some rows: --variants=segmem-wasm,gnu-sort (names as in VARIANTS), --sets=0 or --sets=1 (the
 * 256 MiB set, the 4,000,000-record set); --processes=N. A partial run writes
 * results/external-sort-partial.{json,md}, leaving the full run's files as they are.
 *
 * Records: an int key (0 to 2^31 - 1) and a 100-character payload. As
 * segmem's binary records they are 104 bytes (int + fixed 100 bytes); as text
 * 112 ("%010d\t<payload>\n", so that byte order is key order). Rows:
 *
 *   segmem wasm / pure-JS   ExternalSorter, 64 MiB budget: binary file → addSerialized → writeTo(file stream)
 *                           (a quick run: an eighth of the data and of every budget)
 *   GNU sort                LC_ALL=C sort -S 64M on the text (its default threads, and --parallel=1)
 *   DuckDB                  memory_limit='64MB', threads=1: COPY (SELECT … FROM read_csv(text) ORDER BY k) TO file
 *
 * MB/s is the records' text size (the same bytes for every row) over the
 * wall-clock time of the whole sort, input read to output written. Every
 * output is checked (count, order) after the clock stops. Each row runs in a
 * fresh process, one at a time, rows alternating per round; a row's figure
 * is the median of its processes.
 *
 * Before every process, of every row alike (GNU sort and DuckDB included),
 * the parent settles the machine outside the clock: `sync` (no dirty pages
 * left by the one before), a write and delete of a scratch file twice the
 * row's input (what a sort writes: its runs and its output), and a read of
 * the row's input (in the page cache). The scratch file is why: on this
 * (virtual) machine, writing pages the kernel has not handed out lately is
 * several times slower than rewriting freed ones (256 MB through 1 MiB
 * writes: 1.03-1.21 s the first time in a process, 0.09-0.19 s after
 * deleting and writing again), so a process ran slower when the one before
 * it had freed few pages: the first row of a round, segmem wasm, came after
 * the data generation or after DuckDB (which, before its CSV reader was
 * given 1 MiB buffers, ran out of memory at once).
 */
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
/** The memory budget in MiB: 64, an eighth of it in a quick run (the data too, so it stays 4× the budget). */
const budgetOf = (quick) => (quick ? 8 : 64);
const BIN = 104;
const TEXT = 112;
const VARIANTS = ['segmem-wasm', 'segmem-js', 'gnu-sort', 'gnu-sort-1', 'duckdb-1'];
const NAMES = {
  'segmem-wasm': 'segmem wasm, ExternalSorter',
  'segmem-js': 'segmem pure-JS, ExternalSorter',
  'gnu-sort': 'GNU sort -S <budget>',
  'gnu-sort-1': 'GNU sort -S <budget> --parallel=1',
  'duckdb-1': "DuckDB memory_limit='<budget>', 1 thread",
};
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------------------------------------------------------------- data

/** Writes `n` records as binary and as text; payload of record i: 100 letters from i. */
function generate(dir, n) {
  const bin = openSync(join(dir, 'in.bin'), 'w');
  const txt = openSync(join(dir, 'in.txt'), 'w');
  const per = 20_000;
  const b = Buffer.alloc(per * BIN);
  const t = Buffer.alloc(per * TEXT);
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < n; ) {
    const m = Math.min(per, n - i);
    for (let r = 0; r < m; r++, i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const key = x & 0x7fffffff;
      b.writeInt32BE(key, r * BIN);
      const at = r * TEXT;
      t.write(String(key).padStart(10, '0'), at, 'latin1');
      t[at + 10] = 9;
      for (let j = 0; j < 100; j++) {
        const c = 97 + ((i + j * 7) % 26);
        b[r * BIN + 4 + j] = c;
        t[at + 11 + j] = c;
      }
      t[at + 111] = 10;
    }
    writeSync(bin, b, 0, m * BIN);
    writeSync(txt, t, 0, m * TEXT);
  }
  closeSync(bin);
  closeSync(txt);
}

/** Streams a binary output: count and order. */
function checkBinary(file, n) {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(BIN * 20_000);
  let prev = -1;
  let count = 0;
  for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
    for (let at = 0; at < got; at += BIN, count++) {
      const k = buf.readInt32BE(at);
      if (k < prev) throw new Error(`binary output out of order at record ${count}`);
      prev = k;
    }
  }
  closeSync(fd);
  if (count !== n) throw new Error(`binary output has ${count} of ${n} records`);
}

/** Streams a text output: count and order of the 10-digit keys. */
function checkText(file, n) {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(TEXT * 20_000);
  let prev = '';
  let count = 0;
  let carry = '';
  for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
    const lines = (carry + buf.toString('latin1', 0, got)).split('\n');
    carry = lines.pop();
    for (const line of lines) {
      const k = line.slice(0, 10);
      if (k < prev) throw new Error(`text output out of order at line ${count}`);
      prev = k;
      count++;
    }
  }
  closeSync(fd);
  if (carry !== '') count++;
  if (count !== n) throw new Error(`text output has ${count} of ${n} lines`);
}

// ---------------------------------------------------------------- variants (one per child process)

async function segmemChild(build, dir, n, budgetMb) {
  const lib = await import(new URL(build === 'wasm' ? '../dist/index.js' : '../dist/js.js', import.meta.url).href);
  const { NodeSpillStore } = await import(new URL('../dist/node.js', import.meta.url).href);
  const rt = await lib.init({ managedMemory: budgetMb * 2 ** 20, networkMemory: 0 });
  const spill = join(dir, `spill-${process.pid}`);
  mkdirSync(spill);
  const out = join(dir, `out-${process.pid}.bin`);
  let progress = null;
  const t0 = performance.now();
  const sorter = new lib.ExternalSorter(rt.memoryManager, {
    type: { key: 'int', payload: { type: 'bytes', length: 100 } },
    key: 'key',
    pages: rt.memoryManager.pageCount,
    store: new NodeSpillStore(spill),
    onProgress: (p) => (progress = p),
  });
  await sorter.addSerialized(createReadStream(join(dir, 'in.bin'), { highWaterMark: 1 << 20 }));
  const tAdded = performance.now();
  await sorter.writeTo(createWriteStream(out));
  const seconds = (performance.now() - t0) / 1000;
  if (!rt.memoryManager.verifyEmpty()) throw new Error('pages held after the sort');
  rt.close();
  checkBinary(out, n);
  rmSync(out);
  rmSync(spill, { recursive: true });
  return { seconds, addSeconds: (tAdded - t0) / 1000, runs: progress.runsSpilled, passes: progress.mergePasses, bytesWritten: progress.bytesWritten };
}

function gnuChild(dir, n, parallel, budgetMb) {
  const out = join(dir, `out-${process.pid}.txt`);
  const tmp = join(dir, `tmp-${process.pid}`);
  mkdirSync(tmp);
  const args = ['-S', `${budgetMb}M`, '-T', tmp, '-o', out, ...(parallel ? ['--parallel=1'] : []), join(dir, 'in.txt')];
  const t0 = performance.now();
  const r = spawnSync('sort', args, { env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error) return { unavailable: `sort: ${r.error.code ?? r.error.message}` };
  if (r.status !== 0) throw new Error(`sort exited with ${r.status}: ${r.stderr}`);
  checkText(out, n);
  rmSync(out);
  rmSync(tmp, { recursive: true });
  return { seconds };
}

async function duckdbChild(dir, n, budgetMb) {
  let duck;
  try {
    duck = await import('@duckdb/node-api');
  } catch {
    return { unavailable: 'not installed' };
  }
  const out = join(dir, `out-${process.pid}.txt`);
  const tmp = join(dir, `duck-${process.pid}`);
  mkdirSync(tmp);
  // preserve_insertion_order off: with it on, DuckDB ran out of its 64 MB instead of spilling. The CSV reader's
  // buffer_size of 1 MiB: its default buffers (30.5 MiB blocks, DuckDB 1.5.6) alone ran out of 64 MB, even for a
  // count(*) of the file, before any sorting.
  const instance = await duck.DuckDBInstance.create(':memory:', { threads: '1', memory_limit: `${budgetMb}MB`, temp_directory: tmp, preserve_insertion_order: 'false' });
  const con = await instance.connect();
  const t0 = performance.now();
  const sql =
    `COPY (SELECT k, p FROM read_csv('${join(dir, 'in.txt')}', delim = '\t', header = false, columns = {'k': 'VARCHAR', 'p': 'VARCHAR'}, buffer_size = 1048576) ORDER BY k) ` +
      `TO '${out}' (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')`;
  try {
    await con.run(sql);
  } catch (err) {
    // A limit DuckDB cannot work in is reported as such (no ratio), not as a failed run.
    if (/Out of Memory/.test(String(err?.message))) return { outOfMemory: String(err.message).split('\n')[0] };
    throw err;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
  const seconds = (performance.now() - t0) / 1000;
  checkText(out, n);
  rmSync(out);
  rmSync(tmp, { recursive: true, force: true });
  return { seconds };
}


function childMain([variant, dir, n, budget]) {
  n = Number(n);
  const mb = Number(budget);
  if (variant === 'segmem-wasm') return segmemChild('wasm', dir, n, mb);
  if (variant === 'segmem-js') return segmemChild('js', dir, n, mb);
  if (variant === 'gnu-sort') return gnuChild(dir, n, false, mb);
  if (variant === 'gnu-sort-1') return gnuChild(dir, n, true, mb);
  // DuckDB's smallest working limit here is about 32 MB (below, it fails to allocate a 30.5 MiB block): a quick run gives it 64.
  if (variant === 'duckdb-1') return duckdbChild(dir, n, Math.max(mb, 64));
  throw new Error(`unknown variant ${variant}`);
}

/** Flushes dirty pages, writes and deletes twice `file`'s size, and reads `file` once: the next process starts from the same state as every other. */
function settle(file) {
  spawnSync('sync', [], { stdio: 'ignore' });
  const buf = Buffer.alloc(1 << 20, 1);
  const scratch = `${file}.scratch`;
  const out = openSync(scratch, 'w');
  for (let left = 2 * statSync(file).size; left > 0; left -= buf.length) writeSync(out, buf, 0, Math.min(left, buf.length));
  closeSync(out);
  rmSync(scratch);
  const fd = openSync(file, 'r');
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

function runChild(args) {
  return new Promise((resolve) => {
    const child = fork(SELF, ['--child', ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let message = null;
    child.on('message', (m) => (message = m));
    child.on('exit', (code, signal) => {
      if (message?.ok) resolve(message.result);
      else resolve({ error: message?.error ?? `exited with ${signal ?? `code ${code}`}` });
    });
  });
}

// ---------------------------------------------------------------- parent

/** The data sets: 256 MiB of binary records, and the 4,000,000-record set (448 MB as text); an eighth of each when quick. */
export function dataSets(quick) {
  const scale = quick ? 8 : 1;
  return [
    { name: '256 MiB of records', records: Math.floor((256 * 2 ** 20) / BIN / scale) },
    { name: '4,000,000 records', records: Math.floor(4_000_000 / scale) },
  ];
}

/** Runs every row `processes` times per data set, alternating; resolves to { rows, targets, meta, markdown }. */
export async function externalSortBenchmark({ quick = false, processes = quick ? 1 : 3, variants = VARIANTS, sets = null, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  const rows = [];
  for (const set of dataSets(quick).filter((_, i) => sets === null || sets.includes(i))) {
    const dir = mkdtempSync(join(os.tmpdir(), 'segmem-extsort-bench-'));
    try {
      log(`external sort: generating ${set.records.toLocaleString('en-US')} records…`);
      generate(dir, set.records);
      const raw = Object.fromEntries(variants.map((v) => [v, []]));
      for (let p = 1; p <= processes; p++) {
        for (const variant of variants) {
          log(`external sort ${set.name}, ${variant}, process ${p} of ${processes}…`);
          settle(join(dir, variant.startsWith('segmem') ? 'in.bin' : 'in.txt'));
          raw[variant].push(await runChild([variant, dir, String(set.records), String(budgetOf(quick))]));
        }
      }
      const textBytes = statSync(join(dir, 'in.txt')).size;
      const binBytes = statSync(join(dir, 'in.bin')).size;
      for (const variant of variants) {
        const results = raw[variant];
        const mb = budgetOf(quick);
        const name = NAMES[variant].replace('<budget>', variant.startsWith('duckdb') ? `${Math.max(mb, 64)}MB` : `${mb}M`);
        const row = { set: set.name, records: set.records, textBytes, binBytes, variant, name, processes: results.length };
        const failed = results.find((r) => r.error);
        const unavailable = results.find((r) => r.unavailable);
        const oom = results.find((r) => r.outOfMemory);
        if (failed) row.error = failed.error;
        else if (unavailable) row.unavailable = unavailable.unavailable;
        else if (oom) row.outOfMemory = oom.outOfMemory;
        else {
          row.seconds = median(results.map((r) => r.seconds));
          row.mbPerSecond = textBytes / 1e6 / row.seconds;
          row.perProcess = results.map((r) => r.seconds);
          if (results[0].runs !== undefined) {
            row.runs = results[0].runs;
            row.passes = results[0].passes;
            row.addSeconds = median(results.map((r) => r.addSeconds));
          }
        }
        rows.push(row);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const targets = [];
  for (const set of dataSets(quick)) {
    const row = (v) => rows.find((r) => r.set === set.name && r.variant === v && r.seconds);
    const w = row('segmem-wasm');
    const add = (what, wanted, other) => {
      const ratio = w && other ? w.mbPerSecond / other.mbPerSecond : null;
      targets.push({ what: `${set.name}: ${what}`, wanted, ratio, met: ratio === null ? null : ratio >= wanted });
    };
    add('segmem wasm MB/s vs GNU sort', 1.5, row('gnu-sort'));
    const duck = rows.find((r) => r.set === set.name && r.variant === 'duckdb-1');
    if (duck?.outOfMemory && w) targets.push({ what: `${set.name}: segmem wasm vs DuckDB, same memory limit, 1 thread (ahead)`, wanted: 1, ratio: null, note: 'DuckDB ran out of memory (no ratio); segmem finished', met: null });
    else add('segmem wasm vs DuckDB, same memory limit, 1 thread (ahead)', 1, row('duckdb-1'));
  }
  const cpus = os.cpus();
  const meta = {
    engine: `node ${process.version}, V8 ${process.versions.v8}`,
    host: `${os.platform()} ${os.arch()}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} CPUs`,
    date: new Date().toISOString(),
    processes,
    quick,
    load: { before: loadBefore, after: os.loadavg()[0] },
    seconds: (Date.now() - started) / 1000,
    gnuSort: gnuVersion(),
    budgetMb: budgetOf(quick),
  };
  const result = { meta, rows, targets };
  return { ...result, markdown: renderMarkdown(result) };
}

function gnuVersion() {
  try {
    return execFileSync('sort', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return 'not installed';
  }
}

const f1 = (x) => (x === null || x === undefined ? '–' : x.toFixed(x < 10 ? 2 : 1));

function renderMarkdown({ meta, rows, targets }) {
  const lines = [];
  lines.push(`## External sort: 4× the memory budget (${meta.budgetMb} MiB), file to file`);
  lines.push('');
  lines.push(`${meta.engine}; ${meta.gnuSort}; ${meta.host}; ${meta.date}; median of ${meta.processes} processes per row; load average ${meta.load.before.toFixed(2)} before, ${meta.load.after.toFixed(2)} after.`);
  lines.push('MB/s: the records as text (112 bytes each) over the wall time, input read to output written; segmem sorts the same records as 104-byte binary records.');
  lines.push('');
  lines.push('| data | variant | seconds | MB/s | runs written | merge passes |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const data = `${r.set} (${(r.textBytes / 1e6).toFixed(0)} MB as text)`;
    if (r.seconds) lines.push(`| ${data} | ${r.name} | ${f1(r.seconds)} | ${f1(r.mbPerSecond)} | ${r.runs ?? ''} | ${r.passes ?? ''} |`);
    else lines.push(`| ${data} | ${r.name} | ${r.unavailable ?? (r.outOfMemory ? `did not finish: ${r.outOfMemory}` : `error: ${String(r.error).split('\n')[0]}`)} | | | |`);
  }
  lines.push('');
  lines.push('| target | wanted | measured | met |');
  lines.push('| --- | --- | ---: | --- |');
  for (const t of targets) lines.push(`| ${t.what} | ≥ ${t.wanted}× | ${t.note ?? (t.ratio === null ? '–' : `${t.ratio.toFixed(2)}×`)} | ${t.met === null ? 'not measured' : t.met ? 'yes' : 'NO'} |`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- entry points

const argv = process.argv.slice(2);
if (process.argv[1] === SELF) {
  if (argv[0] === '--child') {
    Promise.resolve(childMain(argv.slice(1))).then(
      (result) => process.send({ ok: true, result }, () => process.disconnect()),
      (err) => {
        process.stderr.write(`${err.stack ?? err}\n`);
        process.send({ ok: false, error: String(err.message ?? err) }, () => process.disconnect());
      },
    );
  } else {
    const quick = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
    const flag = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    const variants = flag('variants')?.split(',') ?? VARIANTS;
    const unknown = variants.filter((v) => !VARIANTS.includes(v));
    if (unknown.length > 0) throw new Error(`unknown variants ${unknown.join(', ')}; known: ${VARIANTS.join(', ')}`);
    const sets = flag('sets')?.split(',').map(Number) ?? null;
    const processes = flag('processes') === undefined ? undefined : Number(flag('processes'));
    const partial = variants !== VARIANTS || sets !== null || processes !== undefined;
    const report = await externalSortBenchmark({ quick, variants, sets, ...(processes === undefined ? {} : { processes }) });
    const dir = new URL('./results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const base = partial ? 'external-sort-partial' : quick ? 'external-sort-quick' : 'external-sort';
    const { markdown, ...json } = report;
    writeFileSync(new URL(`${base}.json`, dir), JSON.stringify(json, null, 2) + '\n');
    writeFileSync(new URL(`${base}.md`, dir), markdown + '\n');
    process.stdout.write(markdown + '\n');
    if (report.rows.some((r) => r.error)) process.exitCode = 1;
  }
}
