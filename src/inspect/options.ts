/** The options mountInspector() and serveInspector() share, checked once for both. */
import { InvalidArgumentError } from '../errors.js';
import { checkInteger, checkOptionsObject } from '../util/checks.js';
import { render } from '../util/render.js';

/** Options of mountInspector() (serveInspector() takes these and a port). */
export interface InspectorOptions {
  /** Milliseconds between snapshots, 20 to 60000 (default 100: ten a second). */
  intervalMs?: number;
  /** The page's heading (default 'segmem inspector'). */
  title?: string;
  /**
   * Buttons shown in the page, by label, each running its function when
   * clicked (for example to speed a consumer up). What a function returns
   * or throws is shown beside the buttons.
   */
  actions?: Readonly<Record<string, () => unknown>>;
}

/** The options checked, with their defaults. @internal */
export interface CheckedInspectorOptions {
  readonly intervalMs: number;
  readonly title: string;
  readonly actions: ReadonlyMap<string, () => unknown>;
}

/** Action labels: short, plain text (they travel in URLs). */
const ACTION_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/;
const MAX_ACTIONS = 20;
const MAX_TITLE = 200;

/** Checks `options` against the names `known`; throws InvalidArgumentError naming the option and the value. @internal */
export function checkInspectorOptions(options: unknown, operation: string, known: readonly string[] = []): CheckedInspectorOptions & Record<string, unknown> {
  const names = ['intervalMs', 'title', 'actions', ...known];
  const values = readOwn(checkOptionsObject(options, `${operation}: options`), operation, 'options');
  for (const key of Object.keys(values)) {
    if (!names.includes(key)) throw new InvalidArgumentError(`${operation}: unknown option ${render(key)}; known options: ${names.join(', ')}`);
  }
  const intervalMs = values.intervalMs === undefined ? 100 : checkInteger(values.intervalMs, `${operation}: intervalMs`, 20, 60_000);
  const title = values.title === undefined ? 'segmem inspector' : values.title;
  if (typeof title !== 'string' || title.length > MAX_TITLE) {
    throw new InvalidArgumentError(`${operation}: title must be a string of at most ${MAX_TITLE} characters, got ${render(title)}`);
  }
  return { ...values, intervalMs, title, actions: checkActions(values.actions, operation) };
}

/** A copy of an object's own enumerable properties, read once (a getter or proxy that throws is refused, not passed on). */
function readOwn(object: object, operation: string, what: string): Record<string, unknown> {
  try {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(object)) copy[key] = (object as Record<string, unknown>)[key];
    return copy;
  } catch {
    throw new InvalidArgumentError(`${operation}: ${what} could not be read (a getter or proxy threw)`);
  }
}

function checkActions(actions: unknown, operation: string): ReadonlyMap<string, () => unknown> {
  const out = new Map<string, () => unknown>();
  if (actions === undefined) return out;
  if (typeof actions !== 'object' || actions === null || Array.isArray(actions)) {
    throw new InvalidArgumentError(`${operation}: actions must be an object of functions by label, got ${render(actions)}`);
  }
  const byLabel = readOwn(actions, operation, 'actions');
  const labels = Object.keys(byLabel);
  if (labels.length > MAX_ACTIONS) throw new InvalidArgumentError(`${operation}: ${labels.length} actions, at most ${MAX_ACTIONS}`);
  for (const label of labels) {
    const run = byLabel[label];
    if (!ACTION_NAME.test(label)) {
      throw new InvalidArgumentError(`${operation}: action label ${render(label)} must be 1 to 64 letters, digits, spaces, '_', '.' or '-'`);
    }
    if (typeof run !== 'function') throw new InvalidArgumentError(`${operation}: action ${render(label)} must be a function, got ${render(run)}`);
    out.set(label, run as () => unknown);
  }
  return out;
}
