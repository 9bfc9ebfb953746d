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
  { id: 'channels', script: 'channels.mjs', title: 'Channels: records end to end in process, across worker threads and over loopback TCP' },
  { id: 'threads', script: 'threads.mjs', title: 'Threads: one shared memory across workers (W7, W8, the lock, producer → consumer)' },
  { id: 'inspect', script: 'inspect.mjs', title: 'Inspector: the cost of a snapshot, and of watching at 10 Hz' },
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

/**
 * A section as every module's renderer draws it: its title and `intro`, then
 * for each engine that measured a build a heading naming the engine, and
 * what `renderEngine(out, { wasm, js, any })` adds (`any`: wasm's result, or
 * js's when wasm has none).
 */
function renderPerEngine(section, intro, renderEngine) {
  const out = [`## ${section.title}`, '', intro, ''];
  for (const engine of section.engines) {
    const { wasm, js } = engine.builds;
    const any = wasm ?? js;
    if (!any) continue;
    out.push(`### ${engine.id}: ${any.engine}${any.quick ? ' (quick run: not a measurement)' : ''}`, '');
    renderEngine(out, { wasm, js, any });
  }
  return out;
}

/** The median GB/s of the row of `kind` at `bytes` in a module's result (undefined when it has none). */
const medianGbps = (result, kind, bytes) => result?.rows.find((r) => r.kind === kind && r.recordBytes === bytes)?.gbps.median;

/** The Markdown of the network section. */
function renderNetwork(section) {
  const intro =
    'GB/s of records moved (10^9 bytes per second), median of the timed passes. segmem: BufferBuilder append + commit, BufferConsumer build, read, recycle, through a LocalBufferPool of 8 × 32 KiB. Node: `stream.pipeline` Readable → Writable, a fresh Buffer per chunk. WHATWG: `ReadableStream.pipeTo(WritableStream)`, a fresh Uint8Array per chunk. The stream rows run no segmem code (measured in both builds\' processes; the wasm process\'s figure is shown).';
  return renderPerEngine(section, intro, (out, { wasm, js, any }) => {
    out.push('| record | segmem wasm | segmem pure JS | Node stream.pipeline | WHATWG pipeTo | wasm ÷ Node stream | wasm ÷ WHATWG |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const bytes of [64, 1024, 16384]) {
      const w = medianGbps(wasm, 'segmem', bytes);
      const j = medianGbps(js, 'segmem', bytes);
      const node = medianGbps(any, 'node-stream', bytes);
      const whatwg = medianGbps(any, 'whatwg', bytes);
      const cell = (x) => (x === undefined ? '—' : gb(x));
      const ratio = (a, b) => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(1)}×`);
      out.push(`| ${bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`} | ${cell(w)} | ${cell(j)} | ${cell(node)} | ${cell(whatwg)} | ${ratio(w, node)} | ${ratio(w, whatwg)} |`);
    }
    out.push('');
    for (const result of [wasm, js].filter(Boolean)) {
      for (const t of result.targets) out.push(`- ${t.what}: ${gb(t.value)}${t.what.includes('×') ? '×' : ' GB/s'}: ${t.ok ? 'met' : '**not met**'}`);
    }
    out.push('');
  });
}

/** The Markdown of the channels section: each segmem transport beside the plain transport it is measured against. */
function renderChannels(section) {
  const intro =
    'GB/s of records moved end to end (10^9 bytes per second), median of the timed passes, both ends in one run. Local: RecordWriter → ResultPartition → InputGate → RecordReader in one thread, the reader taking each record as a span (`pollSpan`/`nextSpan`: nothing allocated per record) and, in the second row, as a Uint8Array view (`poll`/`next`), beside Node `stream.pipeline` with a fresh Buffer per record. Worker: the producer in a worker thread over a MessagePort transport, beside a MessageChannel carrying one record per message. TCP: a partition and a gate in one process over a loopback socket, beside a raw loopback socket carrying the same bytes in 64 KiB writes. The plain rows run no segmem code (the wasm process\'s figure is shown).';
  const pairs = [
    ['local', 'node-stream', 'local ÷ stream.pipeline'],
    ['local-views', 'node-stream', 'local, records as views ÷ stream.pipeline'],
    ['worker', 'message-channel', 'worker ÷ MessageChannel'],
    ['tcp', 'raw-socket', 'TCP ÷ raw socket'],
  ];
  return renderPerEngine(section, intro, (out, { wasm, js, any }) => {
    out.push('| record | transport | segmem wasm | segmem pure JS | plain | wasm ÷ plain |', '| --- | --- | --- | --- | --- | --- |');
    const cell = (x) => (x === undefined ? '—' : gb(x));
    for (const bytes of [1024, 16384]) {
      for (const [mine, plain, label] of pairs) {
        const w = medianGbps(wasm, mine, bytes);
        const base = medianGbps(any, plain, bytes);
        const ratio = w === undefined || base === undefined ? '—' : `${(w / base).toFixed(2)}×`;
        out.push(`| ${bytes / 1024} KiB | ${label} | ${cell(w)} | ${cell(medianGbps(js, mine, bytes))} | ${cell(base)} | ${ratio} |`);
      }
    }
    out.push('');
    for (const result of [wasm, js].filter(Boolean)) {
      for (const t of result.targets) out.push(`- ${t.what}: ${t.value.toFixed(2)}×: ${t.ok ? 'met' : '**not met**'}`);
    }
    out.push('');
  });
}

const us = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** The loop turn that sent a snapshot, from bench/inspect.mjs's throughput rows. */
const snapshotTurn = (t) => {
  if (t.snapshotTurnUs == null) return '—';
  const one = (key) => `${us(t.snapshotTurnUs[key])} (${us(t.plainTurnUs[key])}; ${(t.shareAt10Hz[key] * 100).toFixed(2)} %)`;
  return `${one('wall')}; CPU ${one('cpu')}`;
};

/** A snapshot's whole cost (bench/inspect-cost.mjs): CPU µs and share at 10 Hz, the control's in brackets; the server thread's CPU share. */
const snapshotCost = (t) => {
  const cost = t.snapshotCost?.cpu;
  const control = t.control?.snapshotCost?.cpu;
  if (cost == null) return '—';
  const share = (c) => `${(c.share * 100).toFixed(2)} %`;
  const thread = t.threadCpuShare == null ? '' : `; server thread ${(t.threadCpuShare.inspectorThreads * 100).toFixed(2)} %`;
  return `${us(cost.us.trimmedMean)} (${share(cost)}; control ${control == null ? '—' : share(control)}${thread})`;
};

/** The Markdown of the inspector section (bench/inspect.mjs). */
function renderInspect(section) {
  const intro =
    'µs per `rt.metrics()` with N LocalBufferPools and N registered partitions (median and fastest round), and with `JSON.stringify` of it, what the inspector server sends each interval. Throughput: the builder → consumer row (1 KiB records, 8 × 32 KiB buffers) in 1 MiB slices with a macrotask turn between them, without and with `serveInspector()` at 10 Hz and one page reading its stream, passes of about 100 ms in groups A B B A (A without, B with the inspector, attached once a group and kept for its two passes, 300 ms of the row unmeasured after attaching and after closing); GB/s medians by the wall clock and per second of the process\'s CPU time; with ÷ without is the median of the ratios of the k-th pass with to the k-th without, with their interquartile range (the noise of the machine) and the 95 % confidence interval of that median in brackets; snapshots/s is what the page received over 5 s of the row with the inspector, and in those 5 s a snapshot turn is the median loop turn that took and sent a snapshot (µs by the wall clock, then of CPU time; against the other turns\' median) and what it is of a second at 10 Hz; a snapshot\'s cost is what the loop took in the 5 ms after each snapshot beyond as long later in the same interval (CPU µs of the process, trimmed mean, and its share at 10 Hz; the control: the same estimate without the inspector), and the server thread\'s CPU time a second; attaching is the CPU time of the threads but the watched one in the 300 ms after serveInspector() and the page connecting (the server thread\'s start), against the 300 ms after closing.';
  return renderPerEngine(section, intro, (out, { wasm, js, any }) => {
    out.push('| pools + partitions | wasm: snapshot µs (min) | wasm: + JSON µs | js: snapshot µs (min) | js: + JSON µs | JSON bytes |', '| --- | --- | --- | --- | --- | --- |');
    for (const row of any.snapshot) {
      const cells = [wasm, js].map((r) => {
        const x = r?.snapshot.find((s) => s.count === row.count);
        return x === undefined ? ['—', '—'] : [`${us(x.snapshotUs.median)} (${us(x.snapshotUs.min)})`, us(x.jsonUs.median)];
      });
      out.push(`| ${row.count} + ${row.count} | ${cells[0].join(' | ')} | ${cells[1].join(' | ')} | ${row.jsonBytes} |`);
    }
    out.push(
      '',
      '| build | pairs | without GB/s | with inspector GB/s | with ÷ without (IQR; 95 % CI) | per CPU s: without | with | with ÷ without (IQR; 95 % CI) | snapshots/s received | snapshot turn µs (other turns; share at 10 Hz) | snapshot cost CPU µs (share; control; server thread) | attaching: CPU ms (after closing) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const [name, r] of [['wasm', wasm], ['js', js]]) {
      if (!r) continue;
      const t = r.throughput;
      const pct = (x) => `${(x * 100).toFixed(1)} %`;
      const spread = (q) => `${pct(q.median)} (IQR ${(q.q1 * 100).toFixed(1)}–${pct(q.q3)}; CI ${(q.ci95[0] * 100).toFixed(1)}–${pct(q.ci95[1])})`;
      out.push(`| ${name} | ${t.pairs} | ${gb(t.without.median)} | ${gb(t.with.median)} | ${spread(t.ratio)} | ${gb(t.cpu.without.median)} | ${gb(t.cpu.with.median)} | ${spread(t.cpu.ratio)} | ${t.snapshotsPerSecond.toFixed(1)} | ${snapshotTurn(t)} | ${snapshotCost(t)} | ${t.settleCpuMs == null ? '—' : `${t.settleCpuMs.attach.toFixed(1)} (${t.settleCpuMs.detach.toFixed(1)})`} |`);
    }
    out.push('');
    for (const [name, r] of [['wasm', wasm], ['js', js]]) {
      for (const t of r?.targets ?? []) out.push(`- ${name}: ${t.what}: ${t.what.includes('ratio') ? `${(t.value * 100).toFixed(1)} %` : `${us(t.value)} µs`}: ${t.ok ? 'met' : '**not met**'}`);
    }
    out.push('');
  });
}

const RENDERERS = { network: renderNetwork, channels: renderChannels, threads: renderThreads, inspect: renderInspect };

/** The Markdown of every extra section. */
export function renderExtraSections(extra) {
  return (extra?.sections ?? []).flatMap((section) => RENDERERS[section.id](section));
}
