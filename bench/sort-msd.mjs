/**
 * The radix plan over a 1,000,000-entry index, kernel by kernel, in one
 * process: the wasm kernels against their pure-JS twin, and optionally against
 * another build of the wasm kernels (an A/B of a kernel change):
 *
 *   node bench/sort-msd.mjs                          int and string keys, 15 rounds
 *   node bench/sort-msd.mjs --base old.wasm          adds the kernels of old.wasm as a row
 *   node bench/sort-msd.mjs --base-dist /tmp/dist    adds both builds of another dist/ (its wasm and pure-JS kernels)
 *   node bench/sort-msd.mjs --rounds 31 --key int    more rounds, one key shape
 *   node bench/sort-msd.mjs --n 3906 --reps 100      one leaf, 100 sorts a round
 *
 * The index is laid out by hand in one WebAssembly.Memory that every variant
 * shares (control page, index pages, scratch pages, as InMemorySorter has
 * them), refilled with the same entries before each run; the variants
 * alternate in every round so that the load of a shared machine reaches each
 * alike. Figures are medians over the rounds of CPU ns per entry (this
 * process's user + system time), the whole plan and each kernel (the kernel
 * split by wall clock of each call). Keys as in bench/sort.mjs: an int32 key
 * (8-byte entries, 4 key bytes) and a 16-letter string key (16-byte entries,
 * 8 key bytes, letters a-z), whose runs of tied prefixes are then scanned for
 * as InMemorySorter does (sortNextTie, sortRunEnd).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { xorshift32 } from './checks.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const N = Number(option('--n', 1_000_000));
const ROUNDS = Number(option('--rounds', 15));
const REPS = Number(option('--reps', 1));
const BASE = option('--base', undefined);
const BASE_DIST = option('--base-dist', undefined);
const KEYS = option('--key', 'int,string').split(',');
const PAGE = 32768;

const dist = (path) => new URL(`../dist/${path}`, import.meta.url).href;
const { radixPlan } = await import(dist('sort/radix-plan.js'));
const { createJsKernels } = await import(dist('kernels/js-kernels.js'));
const { bundledWasmBytes } = await import(dist('wasm/loader.js'));

const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Pages: control, then index and scratch pages interleaved (as pages come from a manager that others use too) */
const indexPages = (es) => Math.ceil((N << es) / PAGE);
const memoryPages = Math.ceil((PAGE * (2 + 2 * indexPages(5))) / 65536) + 2;
const memory = new WebAssembly.Memory({ initial: memoryPages, maximum: memoryPages });
const abort = () => {
  throw new Error('kernel abort');
};
const instantiate = async (bytes) => (await WebAssembly.instantiate(bytes, { env: { memory, abort } })).instance.exports;
const variants = [{ name: 'wasm', kernels: await instantiate(bundledWasmBytes()) }];
if (BASE !== undefined) variants.push({ name: `wasm ${BASE}`, kernels: await instantiate(readFileSync(BASE)) });
variants.push({ name: 'pure JS', kernels: createJsKernels(memory.buffer) });
if (BASE_DIST !== undefined) {
  const other = (path) => import(new URL(path, `file://${BASE_DIST.replace(/\/?$/, '/')}`).href);
  variants.splice(1, 0, { name: `wasm ${BASE_DIST}`, kernels: await instantiate((await other('wasm/loader.js')).bundledWasmBytes()) });
  variants.push({ name: `pure JS ${BASE_DIST}`, kernels: (await other('kernels/js-kernels.js')).createJsKernels(memory.buffer) });
}

const heap = variants[0].kernels.heapBase();
const ctl = Math.ceil(heap / PAGE) * PAGE;
const dv = new DataView(memory.buffer);
const bytes = new Uint8Array(memory.buffer);

/** The entries of one key shape, kept outside the linear memory so that each run starts from them. */
function makeIndex(kind) {
  const es = kind === 'int' ? 3 : 4;
  const keyBytes = kind === 'int' ? 4 : 8;
  const entry = 1 << es;
  const source = new Uint8Array(N << es);
  const r = xorshift32(0x9e3779b9);
  const sv = new DataView(source.buffer);
  for (let i = 0; i < N; i++) {
    if (kind === 'int') sv.setUint32(i * entry, (r() ^ 0x80000000) >>> 0, false);
    else for (let c = 0; c < keyBytes; c++) source[i * entry + c] = 97 + ((r() >>> 0) % 26);
    sv.setUint32(i * entry + entry - 4, i * 120, true);
  }
  const pages = indexPages(es);
  const perPage = PAGE >> es;
  const list = ctl + 1056;
  const capacity = Math.floor((PAGE - 1056) / 8);
  const spare = list + 4 * capacity;
  const page = (i, scratch) => ctl + PAGE * (1 + 2 * i + (scratch ? 1 : 0));
  return {
    kind,
    es,
    keyBytes,
    fill() {
      const set = (off, v) => dv.setUint32(ctl + off, v, true);
      set(0, N); set(4, es); set(8, Math.log2(perPage)); set(12, keyBytes); set(16, 0); set(20, capacity); set(24, list); set(28, spare);
      for (let i = 0; i < pages; i++) {
        set(1056 + 4 * i, page(i, false));
        set(1056 + 4 * capacity + 4 * i, page(i, true));
        bytes.set(source.subarray(i * PAGE, (i + 1) * PAGE), page(i, false));
      }
    },
    /** The sorted entries, read back through the list. */
    read() {
      const out = new Uint8Array(N << es);
      for (let i = 0; i < pages; i++) out.set(bytes.subarray(dv.getUint32(list + 4 * i, true), dv.getUint32(list + 4 * i, true) + PAGE).subarray(0, Math.min(PAGE, out.length - i * PAGE)), i * PAGE);
      return out;
    },
  };
}

/** Kernels that add each call's wall time to `split`. */
function timedKernels(k, split) {
  const out = {};
  for (const name of ['sortCount', 'sortPlace', 'sortScatter', 'sortLeaf', 'sortRestore', 'sortNextTie', 'sortRunEnd']) {
    const f = k[name];
    split[name] = 0;
    out[name] = (...a) => {
      const t0 = process.hrtime.bigint();
      const r = f(...a);
      split[name] += Number(process.hrtime.bigint() - t0);
      return r;
    };
  }
  return out;
}

const counts = new Uint32Array(memory.buffer, ctl + 32, 256);
console.log(`sort-msd: ${N} entries, ${ROUNDS} rounds, Node ${process.version}, ${os.cpus()[0]?.model}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const kind of KEYS) {
  const index = makeIndex(kind);
  const results = variants.map(() => ({ cpu: [], split: {} }));
  let reference;
  for (let round = 0; round < ROUNDS + 2; round++) {
    for (let v = 0; v < variants.length; v++) {
      const split = {};
      const kernels = timedKernels(variants[v].kernels, split);
      let cpu = 0;
      for (let rep = 0; rep < REPS; rep++) {
        index.fill();
        const c0 = cpuNs();
        for (const _ of radixPlan({ kernels, ctl, counts, n: N, keyBytes: index.keyBytes, entryShift: index.es, usable: () => true }));
        // A string key's prefix does not decide it: the sorter then scans for runs of equal prefixes.
        if (kind === 'string') for (let i = kernels.sortNextTie(ctl, 0); i < N; i = kernels.sortNextTie(ctl, kernels.sortRunEnd(ctl, i)));
        cpu += cpuNs() - c0;
      }
      const sorted = index.read();
      if (reference === undefined) reference = sorted;
      else if (Buffer.compare(reference, sorted) !== 0) throw new Error(`${variants[v].name}: order differs from ${variants[0].name}`);
      if (round < 2) continue; // warm-up: JIT, wasm tier-up, pages touched
      results[v].cpu.push(cpu / N / REPS);
      for (const [name, ns] of Object.entries(split)) (results[v].split[name] ??= []).push(ns / N / REPS);
    }
  }
  const rows = variants.map((v, i) => {
    const row = { variant: v.name, 'cpu ns/entry': median(results[i].cpu).toFixed(2) };
    for (const [name, xs] of Object.entries(results[i].split)) if (median(xs) > 0.005) row[name] = median(xs).toFixed(2);
    return row;
  });
  console.log(`${kind} key (${1 << index.es}-byte entries, ${index.keyBytes} key bytes); wasm / pure JS = ${(median(results[variants.findIndex((v) => v.name === 'pure JS')].cpu) / median(results[0].cpu)).toFixed(2)}x`);
  console.table(rows);
}
console.log(`load after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
