// serveInspector(): loopback only, refuses other hosts and origins, streams
// snapshots as server-sent events, runs actions, and closes with the
// runtime and on close(). Node only (an HTTP server); the page itself is
// driven in Chromium by inspect-page.node.test.ts.
import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { builds } from './builds.js';
import { serveInspector } from '../src/inspect-node.js';
import type { Runtime, RuntimeMetrics } from '../src/index.js';
import { netRuntime } from './network-support.js';
import { readEvents, serverStarter } from './inspect-servers.js';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request with exactly these headers (fetch would not send a foreign Host, or none). */
function send(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // host '' sends no Host header at all.
    const all: Record<string, string> = { host: `127.0.0.1:${port}`, ...headers };
    if (all.host === '') delete all.host;
    const req = request({ host: '127.0.0.1', port, path, method, headers: all, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Whether something accepts TCP connections at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe.each(builds)('$name build', ({ init, lib }) => {
  const start = serverStarter(init);

  it('listens on 127.0.0.1 only', async () => {
    const { server, port } = await start();
    expect(server.url).toBe(`http://127.0.0.1:${port}/`);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    // Another loopback address and IPv6 loopback: nothing is bound there.
    expect(await accepts('127.0.0.2', port)).toBe(false);
    expect(await accepts('::1', port)).toBe(false);
  });

  it('serves the page with a CSP nonce, and the same origin may read /metrics.json', async () => {
    const { rt, port } = await start({ title: 'demo <b>' });
    const page = await send(port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const nonce = /'nonce-([^']+)'/.exec(String(page.headers['content-security-policy']))?.[1];
    expect(nonce).toBeDefined();
    expect(page.body).toContain(`<script type="importmap" nonce="${nonce}">`);
    expect(page.body).toContain('<title>demo &#60;b&#62;</title>');
    expect(page.headers['x-frame-options']).toBe('DENY');
    const json = await send(port, '/metrics.json', { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' });
    expect(json.status).toBe(200);
    const m = JSON.parse(json.body) as RuntimeMetrics;
    expect(m.network.totalBuffers).toBe(rt.networkBufferPool.totalNumberOfMemorySegments);
    expect(m.build).toBe(rt.build);
    expect((await send(port, '/', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding), a foreign Origin and cross-site requests', async () => {
    const { port } = await start({ actions: { poke: () => undefined } });
    const cases: Record<string, string>[] = [
      { host: `evil.example:${port}` },
      { host: `127.0.0.1:${port + 1}` },
      { host: '' },
      { origin: 'http://evil.example' },
      { origin: `http://127.0.0.1:${port + 1}` },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of cases) {
      for (const [path, method] of [['/', 'GET'], ['/events', 'GET'], ['/metrics.json', 'GET'], ['/actions/poke', 'POST']] as const) {
        const reply = await send(port, path, headers, method);
        // No Host at all: Node's HTTP/1.1 parser answers 400 before the handler runs.
        if (headers.host === '') {
          expect(reply.status).toBe(400);
          continue;
        }
        expect(reply.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(reply.body).toMatch(/^refused: /);
      }
    }
  });

  it('streams a hello, then a snapshot per interval that follows the runtime', async () => {
    const { rt, port } = await start({ title: 'stream', actions: { a: () => undefined, 'b c': () => undefined } });
    const pool = rt.networkBufferPool.createBufferPool({ minSize: 2, maxSize: 2, name: 'p' });
    const events = await readEvents(port, (e) => e.filter((x) => x.event === 'message').length >= 3);
    expect(events[0]).toEqual({ event: 'hello', data: JSON.stringify({ title: 'stream', actions: ['a', 'b c'] }) });
    const snapshots = events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as RuntimeMetrics);
    expect(snapshots[0]!.network.pools.map((p) => p.name)).toEqual(['p']);
    expect(snapshots[2]!.timestamp).toBeGreaterThanOrEqual(snapshots[0]!.timestamp);
    const buffer = pool.requestBuffer()!;
    const later = await readEvents(port, (e) => e.filter((x) => x.event === 'message').length >= 2);
    expect(JSON.parse(later[later.length - 1]!.data).network.pools[0]).toMatchObject({ inUse: 1, available: 1 });
    buffer.recycleBuffer();
  });

  it('sends one snapshot per interval, the same one to every page: 10 a second at 10 Hz', async () => {
    const { rt, port } = await start({ intervalMs: 100 });
    const taken = vi.spyOn(rt, 'metrics');
    const windowMs = 1500;
    // Three pages read for the same window; each gets its own snapshot on connecting, then the shared ones.
    const pages = [0, 1, 2].map(() => readEvents(port, () => false, windowMs));
    const got = await Promise.all(pages);
    for (const events of got) {
      const snapshots = events.filter((e) => e.event === 'message');
      expect(snapshots.length).toBeGreaterThanOrEqual(12);
      expect(snapshots.length).toBeLessThanOrEqual(18);
    }
    // The interval's snapshots (after each page's first) are one text shared by all pages, not one per page.
    const ticks = got.map((events) => events.filter((e) => e.event === 'message').slice(1).map((e) => e.data));
    const shared = ticks[0]!.filter((data) => ticks[1]!.includes(data) && ticks[2]!.includes(data));
    expect(shared.length).toBeGreaterThanOrEqual(Math.min(...ticks.map((t) => t.length)) - 2);
    // Snapshots taken: one per interval and one per page connecting, never one per page per interval.
    expect(taken.mock.calls.length).toBeLessThanOrEqual(ticks[0]!.length + 2 + 3);
  });

  it('streams again to a page opened after none was open: no event older than its first', async () => {
    // The server thread stops reading the mailbox while no page is open and starts again with the next page.
    const { port } = await start({ intervalMs: 50 });
    const first = await readEvents(port, () => false, 300);
    expect(first.filter((e) => e.event === 'message').length).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const events = await readEvents(port, () => false, 600);
    const stamps = events.filter((e) => e.event === 'message').map((e) => (JSON.parse(e.data) as RuntimeMetrics).timestamp);
    expect(stamps.length).toBeGreaterThanOrEqual(6);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]).toBeGreaterThanOrEqual(stamps[0]!);
  });

  it('streams on at its rate after the watched thread was blocked for many intervals', async () => {
    // While no snapshot comes, the server thread looks again less and less often, but at least once an interval.
    const { port } = await start({ intervalMs: 50 });
    let resumed = 0;
    setTimeout(() => {
      const end = Date.now() + 1200;
      while (Date.now() < end);
      resumed = Date.now();
    }, 300);
    const events = await readEvents(port, () => false, 2000);
    const stamps = events.filter((e) => e.event === 'message').map((e) => (JSON.parse(e.data) as RuntimeMetrics).timestamp);
    // About 10 in the 500 ms after the block at 20 a second (a server thread that had backed off to
    // 800 ms between looks would send its first one about 400 ms late: 2 or 3).
    expect(resumed).toBeGreaterThan(0);
    expect(stamps.filter((t) => t >= resumed).length).toBeGreaterThanOrEqual(6);
  });

  it('runs actions on POST; a failing action answers 500 with its message; unknown ones 404', async () => {
    let pressed = 0;
    const { port } = await start({
      actions: {
        'fast consumer': () => void pressed++,
        broken: () => {
          throw new Error('consumer is gone');
        },
        later: async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          pressed += 10;
        },
      },
    });
    expect((await send(port, '/actions/fast%20consumer', { origin: `http://127.0.0.1:${port}` }, 'POST')).status).toBe(204);
    expect((await send(port, '/actions/later', {}, 'POST')).status).toBe(204);
    expect(pressed).toBe(11);
    const broken = await send(port, '/actions/broken', {}, 'POST');
    expect(broken).toMatchObject({ status: 500, body: 'consumer is gone' });
    expect((await send(port, '/actions/nothing', {}, 'POST')).status).toBe(404);
    expect((await send(port, '/actions/%E0%A4%A', {}, 'POST')).status).toBe(400);
    expect((await send(port, '/actions/fast%20consumer', {}, 'GET')).status).toBe(404);
    expect((await send(port, '/', {}, 'PUT')).status).toBe(405);
    expect((await send(port, '/events', {}, 'HEAD')).status).toBe(405);
  });

  it('serves compiled modules from dist/ only: no way out of it', async () => {
    const { port } = await start();
    for (const path of ['/dist/../package.json', '/dist/%2e%2e/package.json', '/dist/..%2f..%2fpackage.json.js', '/dist/%00.js', '/dist/%E0%A4%A.js', '/etc/passwd', '/dist/inspect/server.ts']) {
      expect((await send(port, path)).status, path).toBe(404);
    }
    expect((await send(port, '/uplot.js')).body).toMatch(/export default uPlot|export \{ uPlot as default \}/);
  });

  it('closes with the runtime: the stream says closed, `closed` resolves, the port is free again', async () => {
    const { rt, server, port } = await start();
    const events = readEvents(port, () => false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    rt.close();
    const got = await events;
    expect(got[got.length - 1]!.event).toBe('closed');
    await server.closed;
    expect(await accepts('127.0.0.1', port)).toBe(false);
    await server.close();
  });

  it('close() ends open streams and stops listening; it is idempotent', async () => {
    const { server, port } = await start();
    const events = readEvents(port, () => false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
    const got = await events;
    expect(got[got.length - 1]!.event).toBe('closed');
    expect(await accepts('127.0.0.1', port)).toBe(false);
  });

  it('serves a runtime closed before it started, saying so', async () => {
    const rt = await netRuntime(init, 4);
    rt.close();
    // An interval long enough that the page is in before the first tick finds the runtime closed: at 20 ms, on a
    // loaded machine, the page's request reached the server thread after that tick had closed the server.
    const server = await serveInspector(rt, { intervalMs: 500 });
    const events = await readEvents(server.port, (e) => e.some((x) => x.event === 'closed'));
    expect(events.map((e) => e.event)).toEqual(['hello', 'closed']);
    await server.closed;
  });

  it('refuses bad arguments with ERR_INVALID_ARGUMENT before listening', async () => {
    const rt = await netRuntime(init, 4);
    try {
      const bad: unknown[] = [
        [{}, undefined],
        [rt, { port: -1 }],
        [rt, { port: 65536 }],
        [rt, { port: '80' }],
        [rt, { port: 80n }],
        [rt, { intervalMs: 5 }],
        [rt, { intervalMs: Symbol('x') }],
        [rt, { host: '0.0.0.0' }],
        [rt, { title: 42 }],
        [rt, { actions: { go: 'not a function' } }],
        [rt, { actions: { '../x': () => undefined } }],
        [rt, { actions: Object.freeze([() => undefined]) }],
        [rt, 'options'],
      ];
      for (const [target, options] of bad as [Runtime, never][]) {
        const err = await serveInspector(target, options).then(
          () => null,
          (e: unknown) => e as Error & { code?: string },
        );
        expect(err?.code, JSON.stringify(options, (_k, v) => (typeof v === 'bigint' || typeof v === 'symbol' ? String(v) : v))).toBe('ERR_INVALID_ARGUMENT');
        expect(err).toBeInstanceOf(lib.SegmemError);
      }
    } finally {
      rt.close();
    }
  });

  it('rejects with EADDRINUSE when the port is taken', async () => {
    const { port } = await start();
    const rt = await netRuntime(init, 4);
    try {
      await expect(serveInspector(rt, { port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      rt.close();
    }
  });
});
