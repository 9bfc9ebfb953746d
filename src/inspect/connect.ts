/**
 * The page serveInspector() serves: the view fed by the server's event
 * stream. The server first sends a `hello` event (title and action labels),
 * then a snapshot per `message` event, and a `closed` event when the runtime
 * closes. Actions are POSTed back to the same origin.
 *
 *   GET  /events           hello, message × n, closed
 *   POST /actions/<label>  204, or 500 with the failure as text
 */
import type { RuntimeMetrics } from '../runtime/metrics.js';
import { InspectorView } from './view.js';

/** What the server says first. @internal */
export interface InspectorHello {
  readonly title: string;
  readonly actions: readonly string[];
}

/** Runs an action on the server; rejects with the server's text when it failed. */
async function postAction(origin: string, name: string): Promise<void> {
  const response = await fetch(`${origin}/actions/${encodeURIComponent(name)}`, { method: 'POST' });
  if (!response.ok) throw new Error(await response.text());
}

/** Connects a view in `host` to the server at `origin`. @internal (the served page's script) */
export function connectInspector(host: HTMLElement, origin: string): void {
  const events = new EventSource(`${origin}/events`);
  let view: InspectorView | null = null;
  events.addEventListener('hello', (event) => {
    const hello = JSON.parse((event as MessageEvent<string>).data) as InspectorHello;
    // A reconnection says hello again: the view (and its minute of history) stays.
    if (view !== null) return view.setStatus('live');
    view = new InspectorView(host, { title: hello.title, actions: hello.actions, onAction: (name) => postAction(origin, name) });
    host.ownerDocument.title = hello.title;
  });
  events.addEventListener('message', (event) => {
    view?.show(JSON.parse((event as MessageEvent<string>).data) as RuntimeMetrics);
  });
  events.addEventListener('closed', () => {
    events.close();
    view?.setStatus('closed');
  });
  events.addEventListener('error', () => {
    if (events.readyState !== EventSource.OPEN) view?.setStatus('disconnected');
  });
}
