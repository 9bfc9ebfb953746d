/**
 * Row modules that measure a layer on top of the segments (the network
 * buffers: bench/network.mjs) run on their own, each build in a process of
 * its own on every Node engine of the run, and print their result as JSON.
 * This collects those results for the report and renders their section.
 * They need Node (streams, files), so the Chromium engine does not run them.
 */
import { execFile } from 'node:child_process';
import { node24Path } from '../scripts/node24.mjs';
import { V8_FLAGS } from './engines.mjs';
import { renderThreads } from './threads.mjs';

/** The modules, by id; each is run as `node bench/<script> wasm|js [--quick]`. */
export const EXTRA_MODULES = [
  { id: 'network', script: 'network.mjs', title: 'Network buffers: builder → consumer beside Node and WHATWG streams' },
  { id: 'threads', script: 'threads.mjs', title: 'Threads: one shared memory across workers (W7, W8, the lock, producer → consumer)' },
];

const NODE_ENGINES = { node: () => process.execPath, node24: () => node24Path() };

/** Runs one module for one build on one engine; resolves with its JSON or the reason it has none. */
function runModule(execPath, script, build, quick) {
  return new Promise((resolve) => {
    const args = [...V8_FLAGS, new URL(`./${script}`, import.meta.url).pathname, build, ...(quick ? ['--quick'] : [])];
    execFile(execPath, args, { maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60 * 1000 }, (err, stdout, stderr) => {
      if (err) resolve({ error: `${script} ${build}: ${String(stderr || err.message).trim().split('\n').slice(-3).join(' ')}` });
      else resolve({ result: JSON.parse(stdout) });
    });
  });
}

/** Measures every module on every Node engine of `engineIds`, both builds; returns results and failures. */
export async function measureExtraModules(engineIds, { quick, log }) {
  const sections = [];
  const failures = [];
  for (const module of EXTRA_MODULES) {
    const perEngine = [];
    for (const id of engineIds.filter((e) => e in NODE_ENGINES)) {
      const builds = {};
      for (const build of ['wasm', 'js']) {
        log(`measuring ${module.id} rows, ${build} build, on ${id}${quick ? ' (quick)' : ''}…`);
        let execPath;
        try {
          execPath = NODE_ENGINES[id]();
        } catch (err) {
          failures.push(`${module.id} on ${id}: could not start the engine: ${err.message}`);
          continue;
        }
        const { result, error } = await runModule(execPath, module.script, build, quick);
        if (error) failures.push(`${module.id} on ${id}: ${error}`);
        else builds[build] = result;
      }
      perEngine.push({ id, builds });
    }
    sections.push({ ...module, engines: perEngine });
  }
  return { sections, failures };
}

const gb = (x) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** The Markdown of the network section. */
function renderNetwork(section) {
  const out = [`## ${section.title}`, ''];
  out.push(
    'GB/s of records moved (10^9 bytes per second), median of the timed passes. segmem: BufferBuilder append + commit, BufferConsumer build, read, recycle, through a LocalBufferPool of 8 × 32 KiB. Node: `stream.pipeline` Readable → Writable, a fresh Buffer per chunk. WHATWG: `ReadableStream.pipeTo(WritableStream)`, a fresh Uint8Array per chunk. The stream rows run no segmem code (measured in both builds\' processes; the wasm process\'s figure is shown).',
    '',
  );
  for (const engine of section.engines) {
    const { wasm, js } = engine.builds;
    const any = wasm ?? js;
    if (!any) continue;
    out.push(`### ${engine.id}: ${any.engine}${any.quick ? ' (quick run: not a measurement)' : ''}`, '');
    out.push('| record | segmem wasm | segmem pure JS | Node stream.pipeline | WHATWG pipeTo | wasm ÷ Node stream | wasm ÷ WHATWG |', '| --- | --- | --- | --- | --- | --- | --- |');
    const row = (result, kind, bytes) => result?.rows.find((r) => r.kind === kind && r.recordBytes === bytes)?.gbps.median;
    for (const bytes of [64, 1024, 16384]) {
      const w = row(wasm, 'segmem', bytes);
      const j = row(js, 'segmem', bytes);
      const node = row(any, 'node-stream', bytes);
      const whatwg = row(any, 'whatwg', bytes);
      const cell = (x) => (x === undefined ? '—' : gb(x));
      const ratio = (a, b) => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(1)}×`);
      out.push(`| ${bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`} | ${cell(w)} | ${cell(j)} | ${cell(node)} | ${cell(whatwg)} | ${ratio(w, node)} | ${ratio(w, whatwg)} |`);
    }
    out.push('');
    for (const result of [wasm, js].filter(Boolean)) {
      for (const t of result.targets) out.push(`- ${t.what}: ${gb(t.value)}${t.what.includes('×') ? '×' : ' GB/s'}: ${t.ok ? 'met' : '**not met**'}`);
    }
    out.push('');
  }
  return out;
}

const RENDERERS = { network: renderNetwork, threads: renderThreads };

/** The Markdown of every extra section. */
export function renderExtraSections(extra) {
  return (extra?.sections ?? []).flatMap((section) => RENDERERS[section.id](section));
}
