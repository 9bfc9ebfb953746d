/**
 * The inspector inside a browser app: the view fed by the runtime's own
 * snapshots on a timer (ticker.ts: one per interval, on a fixed grid). It
 * stops by itself when the runtime closes (the last snapshot says so), and
 * on close().
 */
import { InvalidArgumentError } from '../errors.js';
import type { RuntimeMetrics } from '../runtime/metrics.js';
import { Runtime } from '../runtime/runtime.js';
import { render } from '../util/render.js';
import { checkInspectorOptions, type InspectorOptions } from './options.js';
import { startTicker, type Ticker } from './ticker.js';
import { InspectorView } from './view.js';
import { checkInstance } from '../util/checks.js';

/** A live inspector in the page. */
export interface Inspector {
  /** The inspector's own element, inside the one it was mounted in. */
  readonly element: HTMLElement;
  /** The snapshot shown last (null before the first). */
  readonly snapshot: RuntimeMetrics | null;
  /** Takes and shows a snapshot now, besides the timer's. */
  refresh(): void;
  /** Stops the timer and removes the inspector from the page. Idempotent. */
  close(): void;
}

/** True for a DOM element (of any realm: an iframe's elements are not instances of this window's HTMLElement). */
function isElement(value: unknown): value is HTMLElement {
  return typeof value === 'object' && value !== null && (value as Node).nodeType === 1 && typeof (value as HTMLElement).append === 'function';
}

/**
 * Shows the inspector for `rt` inside `element`, refreshed every
 * `intervalMs` (default ten times a second). Throws ERR_INVALID_ARGUMENT for
 * an element that is not one, a value that is not a runtime, or bad options.
 */
export function mountInspector(element: HTMLElement, rt: Runtime, options?: InspectorOptions): Inspector {
  if (!isElement(element)) throw new InvalidArgumentError(`mountInspector: element must be a DOM element, got ${render(element)}`);
  checkInstance(rt, Runtime, 'Runtime (from init())', 'mountInspector');
  const { intervalMs, title, actions } = checkInspectorOptions(options, 'mountInspector');
  const view = new InspectorView(element, { title, actions: [...actions.keys()], onAction: (name) => actions.get(name)!() });
  let ticker: Ticker | null = null;
  const stop = () => {
    ticker?.stop();
    ticker = null;
  };
  const refresh = () => {
    const m = rt.metrics();
    view.show(m);
    if (m.closed) stop();
  };
  refresh();
  if (!rt.isClosed()) ticker = startTicker(intervalMs, refresh);
  let closed = false;
  return {
    element: view.root,
    get snapshot() {
      return view.snapshot;
    },
    refresh() {
      if (!closed) refresh();
    },
    close() {
      if (closed) return;
      closed = true;
      stop();
      view.destroy();
    },
  };
}
