/** Small DOM helpers of the inspector view: elements, keyed rows, bars. */

/** A new element of `tag` with a class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (className !== '') node.className = className;
  if (text !== '') node.textContent = text;
  return node;
}

/** Sets an element's text only when it changed (a write re-lays the page out). */
export function setText(node: Element, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Makes `container`'s children one per item, in the items' order, keyed by
 * `key`: a child is made by `create` the first time its key appears, given
 * each item to `update`, and removed when its key is gone.
 */
export function syncRows<T, R extends HTMLElement>(container: HTMLElement, items: readonly T[], key: (item: T) => string, create: () => R, update: (row: R, item: T) => void): void {
  const existing = new Map<string, R>();
  for (const child of Array.from(container.children) as R[]) existing.set(child.dataset.key ?? '', child);
  let at = 0;
  for (const item of items) {
    const k = key(item);
    let row = existing.get(k);
    if (row === undefined) {
      row = create();
      row.dataset.key = k;
    }
    existing.delete(k);
    if (container.children[at] !== row) container.insertBefore(row, container.children[at] ?? null);
    update(row, item);
    at++;
  }
  for (const row of existing.values()) row.remove();
}

/** One part of a bar: its weight and colour, and the tooltip. */
export interface BarPart {
  readonly weight: number;
  readonly color: string;
  readonly title: string;
}

/** Fills `bar` with one span per part, widths in proportion to `total` (the rest stays the bar's background). */
export function drawBar(bar: HTMLElement, parts: readonly BarPart[], total: number): void {
  const doc = bar.ownerDocument;
  while (bar.children.length < parts.length) bar.appendChild(doc.createElement('span'));
  while (bar.children.length > parts.length) bar.lastElementChild!.remove();
  parts.forEach((part, i) => {
    const span = bar.children[i] as HTMLElement;
    const share = total > 0 ? (Math.max(0, part.weight) / total) * 100 : 0;
    span.style.width = `${share}%`;
    span.style.background = part.color;
    span.title = part.title;
  });
}
