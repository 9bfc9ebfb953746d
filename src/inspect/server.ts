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
 * The HTTP server runs in a thread of its own (server-thread.ts): this
 * thread, the runtime's, takes one snapshot per interval, encodes it as
 * JSON once and writes the text to a mailbox in shared memory that the
 * server thread reads once an interval (neither writes nor reads while
 * no page is open), takes the snapshots that /metrics.json and a page
 * connecting ask for, and runs the actions. The server thread exits once
 * the server has closed.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IllegalStateError } from '../errors.js';
import { Runtime } from '../runtime/runtime.js';
import { checkInstance, checkInteger } from '../util/checks.js';
import { render } from '../util/render.js';
import { checkInspectorOptions, type InspectorOptions } from './options.js';
import { inspectorPage } from './page.js';
import { serverThread, type FromServerThread, type ServerThreadData, type ToServerThread } from './server-thread.js';
import { createSnapshotMailbox, MAILBOX_LAYOUT } from './snapshot-mailbox.js';
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
  /** Resolves once the server has closed, by close() or with the runtime, and its thread has exited. */
  readonly closed: Promise<void>;
  /** Ends every stream and stops the server; resolves when it has stopped. Idempotent. */
  close(): Promise<void>;
}

/** Open pages at most; more are refused (503) rather than each costing a stream. */
const MAX_STREAMS = 32;
const DIST = normalize(join(dirname(fileURLToPath(import.meta.url)), '..'));
/** Where the page's nonce goes: escaped in a title, so only the nonce's places hold it as is. */
const NONCE_MARK = '<nonce>';
/** The server thread's program: its body, given render() (both self-contained functions). */
const THREAD_SOURCE = `'use strict';\n(${serverThread.toString()})(${render.toString()});\n`;

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
  const actions = [...checked.actions.keys()];
  const mailbox = createSnapshotMailbox();
  const data: ServerThreadData = {
    port,
    hello: `retry: 2000\nevent: hello\ndata: ${JSON.stringify({ title: checked.title, actions })}\n\n`,
    page: inspectorPage(checked.title, NONCE_MARK),
    nonceMark: NONCE_MARK,
    actions,
    dist: DIST,
    uplotFile: uplotModule(),
    maxStreams: MAX_STREAMS,
    mailbox: mailbox.buffer,
    mailboxLayout: MAILBOX_LAYOUT,
    intervalMs: checked.intervalMs,
  };
  // No flags of this process (execArgv): --input-type=module would make the program a module, without require.
  const thread = new Worker(THREAD_SOURCE, { eval: true, workerData: data, execArgv: [] });
  const post = (message: ToServerThread) => thread.postMessage(message);
  let pages = 0;

  const runAction = async (id: number, label: string) => {
    let failure: string | null = null;
    try {
      const run = checked.actions.get(label);
      if (run === undefined) throw new IllegalStateError(`serveInspector: no action ${render(label)}`);
      await run();
    } catch (err) {
      failure = err instanceof Error ? err.message : render(err);
    }
    post({ type: 'action', id, failure });
  };

  const listening = new Promise<number>((resolve, reject) => {
    thread.once('error', reject);
    thread.once('exit', () => reject(new IllegalStateError('serveInspector: the server thread exited before it listened')));
    thread.on('message', (message: FromServerThread) => {
      switch (message.type) {
        case 'listening':
          return resolve(message.port);
        case 'failed':
          return reject(Object.assign(new Error(message.message), { code: message.code }));
        case 'streams':
          return void (pages = message.count);
        case 'snapshot':
          return post({ type: 'snapshot', id: message.id, json: JSON.stringify(rt.metrics()), closed: rt.isClosed() });
        case 'action':
          return void runAction(message.id, message.label);
      }
    });
  });
  const actual = await listening;

  const closed = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  // A failure of the server thread itself ends it: the server is then closed, as after close().
  thread.on('error', () => undefined);
  let closing = false;
  const close = (): Promise<void> => {
    if (closing) return closed;
    closing = true;
    ticker.stop();
    post({ type: 'close' });
    return closed;
  };
  void closed.then(() => ticker.stop());
  // One snapshot per interval, shared by every page: one JSON text in the mailbox.
  // The server thread keeps the process alive while it serves; the clock need not.
  const ticker = startTicker(
    checked.intervalMs,
    (nextDue) => {
      if (rt.isClosed()) return void close();
      if (pages === 0) return;
      const larger = mailbox.write(`data: ${JSON.stringify(rt.metrics())}\n\n`, performance.timeOrigin + nextDue);
      if (larger !== null) post({ type: 'mailbox', buffer: larger });
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
