/// <reference types="node" />
/**
 * The inspector server's own thread: the HTTP server, its security checks
 * and every socket write run here, so that the thread whose runtime is
 * watched only takes a snapshot per interval, encodes it as JSON and writes
 * the text to shared memory (server.ts, snapshot-mailbox.ts), which this
 * thread reads once an interval, a little after each event is due, and not
 * at all while no page is open: the watched thread never waits for, nor
 * wakes, this one. Measured beside the hot builder loop on Node 20 (cold
 * caches; node --expose-gc bench/inspect.mjs wasm|js --cost-only, load 7),
 * the loop's turn that takes a snapshot runs 190-200 µs, against 390-730 µs
 * (1.6 ms in a full bench run) when the text was posted to this thread
 * (postMessage), whose wake-up the kernel often ran in the poster's place.
 * The HTTP stack, the loopback sends and the after-write callbacks run
 * here, on another core when one is free.
 *
 *   watched thread                         this thread
 *   ticker: metrics() → JSON → mailbox ····→ polled: copied once, written to every page
 *   runs actions, takes snapshots  ←──────── POST /actions/<label>, /metrics.json,
 *     for /metrics.json and a page            a page connecting (its first snapshot)
 *     connecting, replies ─────────────────→ answers the request
 *   close() → 'close' ─────────────────────→ ends the streams, stops listening,
 *                                             closes its port: the thread exits
 *
 * The thread starts from this function's source (Worker with eval), so
 * that the same code runs from the compiled package and from its sources:
 * it must not refer to anything outside its own body, and reaches Node's
 * modules through require.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the watched thread gives the server thread at its start. @internal */
export interface ServerThreadData {
  /** The port to listen on, 0 for any. */
  readonly port: number;
  /** The first event of every stream. */
  readonly hello: string;
  /** The page, with `nonceMark` where each response's nonce goes. */
  readonly page: string;
  readonly nonceMark: string;
  /** The labels of the actions (anything else answers 404 without asking). */
  readonly actions: readonly string[];
  /** The package's compiled modules (dist/) and uPlot's module file. */
  readonly dist: string;
  readonly uplotFile: string;
  /** Open pages at most. */
  readonly maxStreams: number;
  /** The snapshot mailbox's first slot, where its fields are, and the interval of its events. */
  readonly mailbox: SharedArrayBuffer;
  readonly mailboxLayout: { readonly sequence: number; readonly length: number; readonly due: number; readonly dataOffset: number };
  readonly intervalMs: number;
}

/**
 * Messages from the server thread. A request's `id` comes back in the
 * reply (ToServerThread). @internal
 */
export type FromServerThread =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'failed'; readonly message: string; readonly code?: string }
  | { readonly type: 'streams'; readonly count: number }
  | { readonly type: 'snapshot'; readonly id: number }
  | { readonly type: 'action'; readonly id: number; readonly label: string };

/** Messages to the server thread ('mailbox': the mailbox's new, larger slot). @internal */
export type ToServerThread =
  | { readonly type: 'mailbox'; readonly buffer: SharedArrayBuffer }
  | { readonly type: 'snapshot'; readonly id: number; readonly json: string; readonly closed: boolean }
  | { readonly type: 'action'; readonly id: number; readonly failure: string | null }
  | { readonly type: 'close' };

/**
 * The server thread's body (runs with eval in a Worker: self-contained, see
 * above), given the package's render() for the values its answers name. @internal
 */
export function serverThread(render: (value: unknown) => string): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { createServer } = require('node:http') as typeof import('node:http');
  const { readFile } = require('node:fs/promises') as typeof import('node:fs/promises');
  const { join, normalize, sep } = require('node:path') as typeof import('node:path');
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  const data = workerData as ServerThreadData;
  const port = parentPort!;
  const post = (message: FromServerThread) => port.postMessage(message);
  const CLOSED_EVENT = 'event: closed\ndata: {}\n\n';
  const COMMON_HEADERS = {
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  };
  const CSP = (nonce: string) =>
    `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
  const text = (res: ServerResponse, status: number, body: string) => void res.writeHead(status, { ...COMMON_HEADERS, 'content-type': 'text/plain' }).end(body);

  /** One open page: its response, the socket its events go to, and whether its last write is still buffered. */
  interface Stream {
    readonly res: ServerResponse;
    readonly socket: import('node:net').Socket;
    congested: boolean;
  }
  const streams = new Set<Stream>();
  const countStreams = () => post({ type: 'streams', count: streams.size });
  const send = (stream: Stream, event: string | Uint8Array) => {
    if (stream.congested) return;
    if (!stream.socket.write(event)) {
      stream.congested = true;
      stream.socket.once('drain', () => (stream.congested = false));
    }
  };

  // Requests waiting for the watched thread, by id; each resolves with its reply.
  const waiting = new Map<number, (reply: ToServerThread) => void>();
  let nextId = 1;
  const ask = (message: (id: number) => FromServerThread) =>
    new Promise<ToServerThread>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      post(message(id));
    });
  const snapshot = async () => (await ask((id) => ({ type: 'snapshot', id }))) as { json: string; closed: boolean };

  let hosts = new Set<string>();
  let origins = new Set<string>();
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
    if (refused !== null) return text(res, 403, `refused: ${refused}\n`);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'POST' && path.startsWith('/actions/')) return runAction(path.slice('/actions/'.length), req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { ...COMMON_HEADERS, allow: 'GET, HEAD, POST' }).end();
    if (path === '/') {
      const nonce = randomBytes(16).toString('base64');
      return void res
        .writeHead(200, { ...COMMON_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP(nonce) })
        .end(data.page.split(data.nonceMark).join(nonce));
    }
    if (path === '/events') return req.method === 'GET' ? openStream(res) : void res.writeHead(405, { ...COMMON_HEADERS, allow: 'GET' }).end();
    if (path === '/favicon.ico') return void res.writeHead(204, COMMON_HEADERS).end();
    if (path === '/metrics.json') {
      const { json } = await snapshot();
      return void res.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'application/json' }).end(json);
    }
    if (path === '/uplot.js') return serveFile(data.uplotFile, res);
    if (path.startsWith('/dist/') && (path.endsWith('.js') || path.endsWith('.js.map'))) {
      const file = distFile(path.slice('/dist/'.length));
      if (file !== null) return serveFile(file, res);
    }
    text(res, 404, 'not found\n');
  };

  const openStream = async (res: ServerResponse) => {
    if (streams.size >= data.maxStreams) return text(res, 503, `at most ${data.maxStreams} pages at once\n`);
    // The stream's body is not chunked (it ends with the connection), so that each event goes to the
    // socket as it is, past the HTTP layer's framing and its callbacks.
    res.useChunkedEncodingByDefault = false;
    res.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' }).flushHeaders();
    const stream: Stream = { res, socket: res.socket!, congested: false };
    streams.add(stream);
    if (streams.size === 1) startPolling();
    countStreams();
    res.on('close', () => streams.delete(stream) && countStreams());
    const { json, closed } = await snapshot();
    if (!streams.has(stream)) return; // gone, or the server closed, while the snapshot was taken
    if (!closed) return send(stream, `${data.hello}data: ${json}\n\n`);
    streams.delete(stream);
    countStreams();
    res.end(data.hello + CLOSED_EVENT);
  };

  const runAction = async (encoded: string, req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    let label: string;
    try {
      label = decodeURIComponent(encoded);
    } catch {
      return text(res, 400, 'malformed action label\n');
    }
    if (!data.actions.includes(label)) return text(res, 404, `no action ${render(label)}\n`);
    const { failure } = (await ask((id) => ({ type: 'action', id, label }))) as { failure: string | null };
    if (failure === null) res.writeHead(204, COMMON_HEADERS).end();
    else text(res, 500, failure);
  };

  const distFile = (encoded: string): string | null => {
    let name: string;
    try {
      name = decodeURIComponent(encoded);
    } catch {
      return null;
    }
    const file = normalize(join(data.dist, name));
    return file.startsWith(data.dist + sep) && !name.includes('\0') ? file : null;
  };

  const serveFile = async (file: string, res: ServerResponse): Promise<void> => {
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return text(res, 404, 'not found\n');
    }
    const type = file.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8';
    res.writeHead(200, { ...COMMON_HEADERS, 'content-type': type }).end(body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { ...COMMON_HEADERS, 'content-type': 'text/plain' });
      res.end(err instanceof Error ? err.message : render(err));
    });
  });

  // The interval's snapshot event, from the mailbox (snapshot-mailbox.ts): sent when it is whole and new.
  // Read once an interval, LATE_MS after the event is due (the watched thread's timer runs late by the
  // turn it waits behind), again after RETRY_MS while it is not there yet (then twice as long each time,
  // up to an interval: a blocked watched thread writes nothing), and not at all without a page:
  // each wake-up of this thread, idle between them, cost it 70-140 µs of CPU beside the hot builder loop
  // (Node 20; an empty setInterval at 50 ms: 0.29 % of a core, at 10 ms: 0.74 %).
  const LATE_MS = Math.max(1, data.intervalMs / 10);
  const RETRY_MS = Math.max(1, data.intervalMs / 4);
  const layout = data.mailboxLayout;
  /** The slot's three views (snapshot-mailbox.ts draws them): the Int32 header, the Float64 due time, the event bytes. */
  const slotViews = (buffer: SharedArrayBuffer) => ({ header: new Int32Array(buffer, 0, 2), due: new Float64Array(buffer, 0, 2), slot: new Uint8Array(buffer, layout.dataOffset) });
  let { header, due, slot } = slotViews(data.mailbox);
  let seen = 0;
  let poller: ReturnType<typeof setTimeout> | undefined;
  let retryMs = RETRY_MS;
  const lookIn = (ms: number) => {
    clearTimeout(poller);
    poller = setTimeout(poll, ms);
    poller.unref();
  };
  const poll = () => {
    poller = undefined;
    if (streams.size === 0) return; // looked at again once a page opens
    const sequence = Atomics.load(header, layout.sequence);
    if ((sequence & 1) !== 0) return lookIn(1); // being written
    if (sequence === seen) {
      // Not yet written: the watched thread is late, or busy.
      lookIn(retryMs);
      retryMs = Math.min(2 * retryMs, data.intervalMs);
      return;
    }
    const event = Buffer.from(slot.subarray(0, Atomics.load(header, layout.length)));
    const nextDue = due[layout.due]!;
    if (Atomics.load(header, layout.sequence) !== sequence) return lookIn(1); // rewritten meanwhile: take the newer
    seen = sequence;
    retryMs = RETRY_MS;
    for (const stream of streams) send(stream, event);
    lookIn(Math.min(data.intervalMs, Math.max(1, nextDue + LATE_MS - (performance.timeOrigin + performance.now()))));
  };
  /** A page opened while none was: what the mailbox holds was written before, so only the next event is sent. */
  const startPolling = () => {
    seen = Atomics.load(header, layout.sequence) & ~1;
    retryMs = RETRY_MS;
    lookIn(RETRY_MS);
  };

  const close = () => {
    clearTimeout(poller);
    for (const stream of streams) stream.res.end(CLOSED_EVENT);
    streams.clear();
    // Requests still waiting for the watched thread will get no reply: their connections close below.
    waiting.clear();
    server.close(() => port.close());
    server.closeAllConnections();
  };

  port.on('message', (message: ToServerThread) => {
    if (message.type === 'mailbox') {
      poll(); // the last event of the old slot, if not yet sent
      ({ header, due, slot } = slotViews(message.buffer));
      seen = 0;
      return poll();
    }
    if (message.type === 'close') return close();
    const resolve = waiting.get(message.id);
    waiting.delete(message.id);
    resolve?.(message);
  });

  server.once('error', (err: NodeJS.ErrnoException) => {
    clearTimeout(poller);
    post({ type: 'failed', message: err.message, code: err.code });
    port.close();
  });
  server.listen(data.port, '127.0.0.1', () => {
    const actual = (server.address() as AddressInfo).port;
    hosts = new Set([`127.0.0.1:${actual}`, `localhost:${actual}`]);
    origins = new Set([`http://127.0.0.1:${actual}`, `http://localhost:${actual}`]);
    post({ type: 'listening', port: actual });
  });
}
