// The inspector as a person sees it, in Debian's Chromium driven by
// playwright: examples/inspect-backpressure.ts served by serveInspector(),
// and examples/vite-inspect built by Vite with mountInspector(), each with
// the wasm build and with the pure-JS one ('segmem' resolved to segmem/js,
// and the page must say which build it watches). In both the
// producer first reads HIGH (slow consumer), the pool occupancy shown equals
// the snapshot's, the "fast consumer" button brings the level to OK, and a
// screenshot of each state goes to test-results/. Node only: it starts a
// process, a browser and a bundler; it runs against dist/ (npm test builds).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BufferPoolMetrics, RuntimeMetrics } from '../src/index.js';
import { builds } from './builds.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(root, 'test-results');
const SLOW = 120_000;
/** Each build's entry in dist/, what 'segmem' resolves to in the examples run with it. */
const ENTRY = { wasm: 'index.js', js: 'js.js' } as const;

let browser: Browser;
beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  const { chromium } = await import('playwright');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/** The figures a pool row shows, from its data attributes. */
async function shownPool(page: Page, name: string): Promise<Record<string, string>> {
  return page.locator(`[data-pool="${name}"]`).evaluate((row) => ({ ...(row as HTMLElement).dataset, text: row.textContent ?? '' }));
}

/** Whether a pool row shows exactly the snapshot's numbers. */
function sameNumbers(shown: Record<string, string>, pool: BufferPoolMetrics): boolean {
  return (
    shown.size === String(pool.size) &&
    shown.held === String(pool.held) &&
    shown.inUse === String(pool.inUse) &&
    shown.available === String(pool.available) &&
    shown.waiters === String(pool.waiters) &&
    shown.text!.includes(`in use ${pool.inUse} of ${pool.size} · available ${pool.available} · waiters ${pool.waiters}`)
  );
}

/**
 * Reads the page and a snapshot until they agree (they are taken apart in
 * time while buffers move: at most a few tries); returns both.
 */
async function matchingReading(page: Page, snapshot: () => Promise<RuntimeMetrics>): Promise<{ shown: Record<string, string>; pool: BufferPoolMetrics }> {
  let last: { shown: Record<string, string>; pool: BufferPoolMetrics } | undefined;
  for (let attempt = 0; attempt < 40; attempt++) {
    const pool = (await snapshot()).network.pools.find((p) => p.name === 'producer')!;
    const shown = await shownPool(page, 'producer');
    last = { shown, pool };
    if (sameNumbers(shown, pool)) return last;
    await page.waitForTimeout(50);
  }
  throw new Error(`the page never showed the snapshot's numbers: ${JSON.stringify(last)}`);
}

/** Drives one page from HIGH to OK and checks what it shows on the way, and that it watches the runtime of `build`. */
async function highThenOk(page: Page, snapshot: () => Promise<RuntimeMetrics>, shot: string, build: 'wasm' | 'js'): Promise<void> {
  await page.waitForSelector('[data-pool="producer"][data-level="HIGH"]', { timeout: 30_000 });
  expect(await page.locator('.segmem-inspector').getAttribute('data-build')).toBe(build);
  expect((await snapshot()).build).toBe(build);
  const { shown, pool } = await matchingReading(page, snapshot);
  // A slow consumer holds every buffer of the pool.
  expect(pool.size).toBe(Number(shown.size));
  expect(pool.inUse).toBe(pool.size);
  expect(pool.available).toBe(0);
  expect(await page.locator('[data-pool="producer"] .si-level').textContent()).toBe('HIGH');
  // The chart is drawn (uPlot's canvas), with the producer in its legend.
  expect(await page.locator('.uplot canvas').count()).toBeGreaterThan(0);
  expect(await page.locator('[data-part="chartLegend"]').textContent()).toContain('producer');
  await page.screenshot({ path: join(OUT, `${shot}-high.png`), fullPage: true });

  await page.click('button[data-action="fast consumer"]');
  await page.waitForSelector('[data-pool="producer"][data-level="OK"]', { timeout: 30_000 });
  await matchingReading(page, snapshot);
  await page.screenshot({ path: join(OUT, `${shot}-ok.png`), fullPage: true });
}

describe.each(builds)('$name build', ({ name }) => {
  describe('the inspector page served from Node (examples/inspect-backpressure.ts)', { timeout: SLOW }, () => {
    let child: ChildProcess | undefined;
    let runnable = '';
    afterAll(() => {
      child?.kill('SIGKILL');
      if (runnable !== '') rmSync(runnable, { force: true });
    });

    it('shows the producer HIGH behind a slow consumer, the snapshot\'s occupancy, then OK once the consumer is fast; closes with the runtime', async () => {
      // Transpiled beside the original (as scripts/run-example.mjs does) so that 'segmem' resolves to this package.
      const source = join(root, 'examples', 'inspect-backpressure.ts');
      const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
      const forBuild = name === 'js' ? outputText.replace(/ from 'segmem';/g, " from 'segmem/js';") : outputText;
      if (name === 'js') expect(forBuild).toContain(" from 'segmem/js';");
      runnable = join(root, 'examples', `.inspect-backpressure.run-${process.pid}-${name}.mjs`);
      writeFileSync(runnable, forBuild);
      const proc = spawn(process.execPath, [runnable, '--port', '0', '--seconds', '110'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      let stdout = '';
      let stderr = '';
      proc.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      const end = Date.now() + 30_000;
      while (!/inspector: (\S+)/.test(stdout)) {
        if (Date.now() > end || proc.exitCode !== null) throw new Error(`the example printed no address\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const url = /inspector: (\S+)/.exec(stdout)![1]!;

      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await highThenOk(page, async () => (await fetch(`${url}metrics.json`)).json() as Promise<RuntimeMetrics>, `inspector-served-${name}`, name);
      // The sorter's pages show under its owner.
      expect(await page.locator('[data-part="owners"] [data-key="sorter"]').count()).toBe(1);
      expect(errors).toEqual([]);

      // Ctrl-C: the example closes its runtime, and the server (and the page's stream) close with it.
      proc.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/^inspector closed$/m);
      await page.waitForSelector('.segmem-inspector[data-status="closed"]', { timeout: 10_000 });
      await page.close();
    });
  });

  describe('mountInspector in a Vite-built page (examples/vite-inspect)', { timeout: SLOW }, () => {
    let server: Server | undefined;
    let outDir = '';
    afterAll(() => {
      server?.close();
      if (outDir !== '') rmSync(outDir, { recursive: true, force: true });
    });

    it('shows the producer HIGH, the snapshot\'s occupancy, then OK once the consumer is fast', async () => {
      outDir = mkdtempSync(join(tmpdir(), 'segmem-vite-inspect-'));
      const { build } = await import('vite');
      await build({
        root: join(root, 'examples', 'vite-inspect'),
        configFile: false,
        logLevel: 'error',
        // The example's 'segmem' is this package's build, as an install of it would give.
        resolve: {
          alias: [
            { find: /^segmem\/inspect$/, replacement: join(root, 'dist', 'inspect', 'index.js') },
            { find: /^segmem$/, replacement: join(root, 'dist', ENTRY[name]) },
          ],
        },
        build: { outDir, emptyOutDir: true },
      });
      const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
      server = createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        const file = join(outDir, path === '/' ? 'index.html' : path);
        if (!file.startsWith(outDir)) return void res.writeHead(403).end();
        let body: Buffer;
        try {
          body = readFileSync(file);
        } catch {
          return void res.writeHead(404).end();
        }
        res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;

      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`http://127.0.0.1:${port}/`);
      // The page's own inspector keeps its last snapshot: the numbers shown must be that snapshot's.
      const snapshot = () => page.evaluate(() => (globalThis as unknown as { segmemInspector: { snapshot: RuntimeMetrics } }).segmemInspector.snapshot);
      await highThenOk(page, snapshot, `inspector-vite-${name}`, name);
      expect(errors).toEqual([]);
      await page.close();
    });
  });
});
