/// <reference types="node" />
/**
 * The inspector from Node: an HTTP server on 127.0.0.1 that serves the
 * inspector page and streams the runtime's snapshots to it as server-sent
 * events, one snapshot per interval shared by every open page.
 *
 *   GET  /                  the page (its script, the view, comes from /dist/)
 *   GET  /events            hello, then a snapshot per interval, then closed
 *   GET  /metrics.json      one snapshot
 *   GET  /dist/<file>.js    this package's compiled modules; /uplot.js uPlot's
 *   POST /actions/<label>   runs one of the options' actions
 *
 * It listens on the loopback address only, and refuses any request whose
 * Host is not that address (a DNS-rebinding page names its own host), whose
 * Origin is present and not the server's own, or that a browser marks as
 * cross-site (Sec-Fetch-Site): another site's page can neither read the
 * snapshots nor press the buttons. A page that does not read its stream is
 * skipped until it drains, so nothing queues without bound. The server
 * closes with the runtime (seen at the next interval) and on close().
 *
 * Each interval costs one snapshot, one JSON text encoded once, and one
 * write per open page (none at all while no page is open); a page that
 * connects gets the hello and a snapshot of its own in one write.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { IllegalStateError } from '../errors.js';
import { Runtime } from '../runtime/runtime.js';
import { checkInstance, checkInteger } from '../util/checks.js';
import { render } from '../util/render.js';
import { checkInspectorOptions, type InspectorOptions } from './options.js';
import { inspectorPage } from './page.js';
import { startTicker } from './ticker.js';

/** Options of serveInspector(). */
export interface InspectorServerOptions extends InspectorOptions {
  /** TCP port on 127.0.0.1, 0 to 65535 (default 0: one the system picks; see `url`). */
  port?: number;
}

/** A running inspector server. */
export interface InspectorServer {
  /** Where to open the page, e.g. 'http://127.0.0.1:9464/'. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Resolves once the server has closed, by close() or with the runtime. */
  readonly closed: Promise<void>;
  /** Ends every stream and stops the server; resolves when it has stopped. Idempotent. */
  close(): Promise<void>;
}

/** Open pages at most; more are refused (503) rather than each costing a stream. */
const MAX_STREAMS = 32;
const CLOSED_EVENT = 'event: closed\ndata: {}\n\n';
const DIST = normalize(join(dirname(fileURLToPath(import.meta.url)), '..'));
const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** One open page: its response, and whether its last write is still buffered. */
interface Stream {
  readonly res: ServerResponse;
  congested: boolean;
}

/**
 * Serves the inspector for `rt` on 127.0.0.1:`port`. Resolves once it
 * listens; rejects with ERR_INVALID_ARGUMENT for a value that is not a
 * runtime or bad options, ERR_ILLEGAL_STATE when the optional peer
 * dependency uplot is not installed, and with Node's error when the port
 * cannot be had (EADDRINUSE).
 */
export async function serveInspector(rt: Runtime, options?: InspectorServerOptions): Promise<InspectorServer> {
  checkInstance(rt, Runtime, 'Runtime (from init())', 'serveInspector');
  const checked = checkInspectorOptions(options, 'serveInspector', ['port']);
  const port = checked.port === undefined ? 0 : checkInteger(checked.port, 'serveInspector: port', 0, 65535);
  const uplotFile = uplotModule();
  const hello = `retry: 2000\nevent: hello\ndata: ${JSON.stringify({ title: checked.title, actions: [...checked.actions.keys()] })}\n\n`;
  const streams = new Set<Stream>();
  let origins = new Set<string>();
  let hosts = new Set<string>();

  const send = (stream: Stream, event: string | Uint8Array) => {
    if (stream.congested) return;
    if (!stream.res.write(event)) {
      stream.congested = true;
      stream.res.once('drain', () => (stream.congested = false));
    }
  };

  const snapshotEvent = () => `data: ${JSON.stringify(rt.metrics())}\n\n`;

  const refusal = (req: IncomingMessage): string | null => {
    const host = req.headers.host;
    if (host === undefined || !hosts.has(host)) return `Host ${render(host)} is not this server's address`;
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.has(origin)) return `Origin ${render(origin)} is not this server's`;
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return `a ${render(site)} request`;
    return null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refused = refusal(req);
    if (refused !== null) return void res.writeHead(403, { ...COMMON_HEADERS, 'content-type': 'text/plain' }).end(`refused: ${refused}\n`);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'POST' && path.startsWith('/actions/')) return runAction(path.slice('/actions/'.length), req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { ...COMMON_HEADERS, allow: 'GET, HEAD, POST' }).end();
    if (path === '/') {
      const nonce = randomBytes(16).toString('base64');
      return void res
        .writeHead(200, {
          ...COMMON_HEADERS,
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
        })
        .end(inspectorPage(checked.title, nonce));
    }
    if (path === '/events') return req.method === 'GET' ? openStream(res) : void res.writeHead(405, { ...COMMON_HEADERS, allow: 'GET' }).end();
    if (path === '/favicon.ico') return void res.writeHead(204, COMMON_HEADERS).end();
    if (path === '/metrics.json') return void res.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'application/json' }).end(JSON.stringify(rt.metrics()));
    if (path === '/uplot.js') return serveFile(uplotFile, res);
    if (path.startsWith('/dist/') && (path.endsWith('.js') || path.endsWith('.js.map'))) {
      const file = distFile(path.slice('/dist/'.length));
      if (file !== null) return serveFile(file, res);
    }
    res.writeHead(404, { ...COMMON_HEADERS, 'content-type': 'text/plain' }).end('not found\n');
  };

  const openStream = (res: ServerResponse) => {
    if (streams.size >= MAX_STREAMS) return void res.writeHead(503, { ...COMMON_HEADERS, 'content-type': 'text/plain' }).end(`at most ${MAX_STREAMS} pages at once\n`);
    res.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    const stream: Stream = { res, congested: false };
    streams.add(stream);
    res.on('close', () => streams.delete(stream));
    if (!rt.isClosed()) return send(stream, hello + snapshotEvent());
    streams.delete(stream);
    res.end(hello + CLOSED_EVENT);
  };

  const runAction = async (encoded: string, req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    let label: string;
    try {
      label = decodeURIComponent(encoded);
    } catch {
      return void res.writeHead(400, { ...COMMON_HEADERS, 'content-type': 'text/plain' }).end('malformed action label\n');
    }
    const run = checked.actions.get(label);
    if (run === undefined) return void res.writeHead(404, { ...COMMON_HEADERS, 'content-type': 'text/plain' }).end(`no action ${render(label)}\n`);
    try {
      await run();
      res.writeHead(204, COMMON_HEADERS).end();
    } catch (err) {
      res.writeHead(500, { ...COMMON_HEADERS, 'content-type': 'text/plain' }).end(err instanceof Error ? err.message : render(err));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { ...COMMON_HEADERS, 'content-type': 'text/plain' });
      res.end(err instanceof Error ? err.message : render(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  hosts = new Set([`127.0.0.1:${actual}`, `localhost:${actual}`]);
  origins = new Set([`http://127.0.0.1:${actual}`, `http://localhost:${actual}`]);

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing = false;
  const close = (): Promise<void> => {
    if (closing) return closed;
    closing = true;
    ticker.stop();
    for (const stream of streams) stream.res.end(CLOSED_EVENT);
    streams.clear();
    server.close(() => resolveClosed());
    server.closeAllConnections();
    return closed;
  };
  // One snapshot per interval, shared: encoded to bytes once rather than by every page's write.
  // The server's socket keeps the process alive while it serves; the clock need not.
  const ticker = startTicker(
    checked.intervalMs,
    () => {
      if (rt.isClosed()) return void close();
      if (streams.size === 0) return;
      const event = Buffer.from(snapshotEvent());
      for (const stream of streams) send(stream, event);
    },
    { unref: true },
  );
  return { url: `http://127.0.0.1:${actual}/`, port: actual, closed, close };
}

/** uPlot's ES module file, which the page imports; throws ERR_ILLEGAL_STATE when uplot is not installed. */
function uplotModule(): string {
  let main: string;
  try {
    main = createRequire(import.meta.url).resolve('uplot');
  } catch {
    throw new IllegalStateError("serveInspector: the page draws its charts with uPlot, which is not installed; install the optional peer dependency 'uplot' beside segmem (npm install uplot)");
  }
  return join(dirname(main), 'uPlot.esm.js');
}

/** The file of dist/ a request names, or null for a name that is malformed or leads out of it. */
function distFile(encoded: string): string | null {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    return null;
  }
  const file = normalize(join(DIST, name));
  return file.startsWith(DIST + sep) && !name.includes('\0') ? file : null;
}

/** Sends one file as JavaScript (or a source map); 404 when it is not there. */
async function serveFile(file: string, res: ServerResponse): Promise<void> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return void res.writeHead(404, { ...COMMON_HEADERS, 'content-type': 'text/plain' }).end('not found\n');
  }
  const type = file.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8';
  res.writeHead(200, { ...COMMON_HEADERS, 'content-type': type }).end(body);
}
