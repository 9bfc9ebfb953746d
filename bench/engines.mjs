/**
 * The engines the benchmark measures on, each able to run ONE build in a
 * fresh process of its own and return that process's result:
 *
 * - node: the Node running the benchmark (`child_process.fork` of bench/worker.mjs);
 * - node24: the same worker on Node 24, from scripts/node24.mjs (fetched on demand);
 * - chromium: Debian's /usr/bin/chromium through playwright (scripts/chromium.mjs,
 *   installed on demand), a fresh browser per process, loading bench/page/ from
 *   a local server (bench/serve.mjs).
 *
 * `open(id)` resolves with { id, measure(build, k, n), sideBySide(k, n), close() }:
 * measure runs one build, sideBySide both builds in one process
 * (bench/side-by-side.mjs); each resolves with { result, cpuSeconds } or { error }.
 */
import { fork } from 'node:child_process';
import { chromiumPath } from '../scripts/chromium.mjs';
import { node24Path } from '../scripts/node24.mjs';
import { descendantsCpuSeconds } from './interference.mjs';
import { serveBench } from './serve.mjs';
import { ENGINE_IDS } from './settings.mjs';

/**
 * --expose-gc lets a worker collect setup garbage between rows. The
 * semi-space flags pin V8's young generation at its default maximum (16 MB
 * on 64-bit). Left alone it starts small, grows under allocation and shrinks
 * when allocation slows, so how often a row that allocates (bigint values,
 * page arrays) scavenges inside a sample depends on what ran before it in
 * that process: getLong (bigint) runs about a fifth slower in a fresh
 * process than once the young generation has grown. Pinned, every process
 * is in the steady state that any allocation-heavy program grows into.
 * Chromium gets the same flags through --js-flags.
 */
export const V8_FLAGS = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'];

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // A page running one long script must not be deprioritised as a background one.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  `--js-flags=${V8_FLAGS.join(' ')}`,
];

/** A Node engine: bench/worker.mjs (one build) or bench/side-by-side-process.mjs (both) forked on `execPath`. */
function nodeEngine(id, execPath, quick) {
  const run = (script, args, who) =>
    new Promise((resolve) => {
      const child = fork(new URL(script, import.meta.url), args, {
        execPath,
        execArgv: V8_FLAGS,
        env: { ...process.env, BENCH_QUICK: quick ? '1' : '0' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      let message = null;
      child.on('message', (m) => (message = m));
      child.on('error', (err) => resolve({ error: `could not start the ${who}: ${err.message}` }));
      child.on('exit', (code, signal) => {
        if (message?.ok && code === 0) resolve({ result: message.result, cpuSeconds: message.result.cpuSeconds });
        else if (message && !message.ok) resolve({ error: `${who} failed: ${message.error}` });
        else resolve({ error: `${who} exited with ${signal ?? `code ${code}`} before reporting` });
      });
    });
  return {
    id,
    measure: (build, k, n) => run('./worker.mjs', [build, `${id} ${k}/${n}`], `${id} ${build} worker (process ${k} of ${n})`),
    sideBySide: (k, n) => run('./side-by-side-process.mjs', [`${id} ${k}/${n}`], `${id} side-by-side process (${k} of ${n})`),
    close: async () => {},
  };
}

/** Chromium: one server for the engine, one browser per process. */
async function chromiumEngine(timings) {
  const executablePath = chromiumPath();
  const { chromium } = await import('playwright');
  const server = await serveBench();
  let info = null;
  /** Calls `run(page)` in a fresh browser's page; its result, or why there is none. */
  async function inPage(who, run) {
    let browser;
    try {
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
      if (info === null) {
        const cdp = await browser.newBrowserCDPSession();
        const v = await cdp.send('Browser.getVersion');
        info = { name: 'Chromium', version: browser.version(), v8: v.jsVersion };
      }
      const page = await (await browser.newContext()).newPage();
      page.on('console', (m) => process.stderr.write(`${m.text()}\n`));
      page.on('pageerror', (err) => process.stderr.write(`[${who}] page error: ${err.message}\n`));
      await page.goto(`${server.url}/bench/page/index.html`);
      await page.waitForFunction(() => typeof window.runBench === 'function');
      const result = await run(page);
      // Read before closing: the browser's processes are gone afterwards.
      const cpuSeconds = descendantsCpuSeconds();
      return { result: { ...result, engine: info }, cpuSeconds };
    } catch (err) {
      return { error: `${who} failed: ${err.message.split('\n')[0]}` };
    } finally {
      await browser?.close();
    }
  }
  return {
    id: 'chromium',
    measure: (build, k, n) =>
      inPage(`chromium ${build} page (process ${k} of ${n})`, (page) => page.evaluate((args) => window.runBench(args), { build, timings, tag: `${k}/${n}` })),
    sideBySide: (k, n) =>
      inPage(`chromium side-by-side page (${k} of ${n})`, (page) => page.evaluate((args) => window.runSideBySide(args), { timings, tag: `${k}/${n}` })),
    close: () => server.close(),
  };
}

/** Opens engine `id` (one of ENGINE_IDS); rejects with the reason it cannot run here. */
export async function openEngine(id, { quick, timings }) {
  if (id === 'node') return nodeEngine('node', process.execPath, quick);
  if (id === 'node24') return nodeEngine('node24', node24Path(), quick);
  if (id === 'chromium') return chromiumEngine(timings);
  throw new Error(`unknown engine '${id}' (known: ${ENGINE_IDS.join(', ')})`);
}
