/**
 * The inspector's pictures, one function per section, each drawing a
 * snapshot into the elements made for it once:
 *
 *   memory      [ managed ███████ | network ██ | off-heap █ | user ░░░░░░░░ ]
 *   owners      sorter        [████░░░░░░░░]  3 pages (96 KiB), 100 B reserved
 *   pools       producer      [██████ ▒▒ ░░]  HIGH  in use 4 of 4 · available 0 · waiters 1
 *   parts       partition / gate tables: level, backlog, credit, buffers in flight
 *   leaks       detection, leaks reported
 */
import { formatSize } from '../config/size.js';
import type { BufferPoolMetrics, OwnerMetrics, RuntimeMetrics } from '../runtime/metrics.js';
import { drawBar, el, setText, syncRows, type BarPart } from './dom.js';

const PART_COLORS: Record<string, string> = { managed: '#0969da', network: '#8250df', 'off-heap': '#bf8700', user: '#afb8c1' };
const PART_LABELS: Record<string, string> = { managed: 'managed', network: 'network', 'off-heap': 'off-heap', user: 'user (JS heap)' };
const IN_USE = '#cf222e';
const AVAILABLE = '#2da44e';
const RESERVED = '#bf8700';
const PAGES = '#0969da';

const share = (part: number, total: number): string => (total > 0 ? `${((part / total) * 100).toFixed(1)}%` : '-');

/** The memory model as one bar with a legend. */
export function drawMemory(bar: HTMLElement, legend: HTMLElement, m: RuntimeMetrics): void {
  const total = m.model.totalBytes;
  drawBar(
    bar,
    m.model.parts.map((p) => ({ weight: p.bytes, color: PART_COLORS[p.name]!, title: `${PART_LABELS[p.name]}: ${formatSize(p.bytes)}` })),
    total,
  );
  syncRows(
    legend,
    m.model.parts,
    (p) => p.name,
    () => {
      const item = el(legend.ownerDocument, 'span');
      item.append(el(legend.ownerDocument, 'span', 'si-swatch'), el(legend.ownerDocument, 'span'));
      return item;
    },
    (item, p) => {
      (item.firstElementChild as HTMLElement).style.background = PART_COLORS[p.name]!;
      setText(item.lastElementChild!, `${PART_LABELS[p.name]} ${formatSize(p.bytes)} (${share(p.bytes, total)})`);
      item.dataset.bytes = String(p.bytes);
    },
  );
}

/** A row of three cells: name, bar, figures. */
function makeRow(doc: Document): HTMLElement {
  const row = el(doc, 'div', 'si-row');
  row.append(el(doc, 'span', 'si-name'), el(doc, 'div', 'si-bar'), el(doc, 'span', 'si-figures'));
  return row;
}

/** Managed pages per owner: a bar of the owner's share of all pages, and its reservation beside it. */
export function drawOwners(summary: HTMLElement, rows: HTMLElement, m: RuntimeMetrics): void {
  const { managed } = m;
  const totalBytes = managed.totalPages * managed.pageSize;
  setText(
    summary,
    `${managed.pagesInUse} of ${managed.totalPages} pages in use (${formatSize(managed.pageSize)} each), ${formatSize(managed.reservedBytes)} reserved, ${formatSize(managed.availableBytes)} available`,
  );
  const owners: readonly OwnerMetrics[] = managed.owners.length > 0 ? managed.owners : [];
  syncRows(rows, owners, (o) => o.owner, () => makeRow(rows.ownerDocument), (row, o) => {
    const [name, bar, figures] = Array.from(row.children) as HTMLElement[];
    setText(name!, o.owner);
    name!.title = o.owner;
    const parts: BarPart[] = [
      { weight: o.pages * managed.pageSize, color: PAGES, title: `${o.pages} pages` },
      { weight: o.reservedBytes, color: RESERVED, title: `${formatSize(o.reservedBytes)} reserved` },
    ];
    drawBar(bar!, parts, totalBytes);
    const reserved = o.reservedBytes > 0 ? `, ${formatSize(o.reservedBytes)} reserved` : '';
    setText(figures!, `${o.pages} pages (${formatSize(o.pages * managed.pageSize)})${reserved}`);
    row.dataset.pages = String(o.pages);
    row.dataset.reserved = String(o.reservedBytes);
  });
}

/** The figures a pool row shows, as text. */
export function poolFigures(p: BufferPoolMetrics): string {
  return `in use ${p.inUse} of ${p.size} · available ${p.available} · waiters ${p.waiters} · ${Math.round(p.backPressuredTimeMsPerSecond)} ms/s`;
}

/** Pool occupancy: in use, available, and room up to the pool's size, with the back-pressure level. */
export function drawPools(summary: HTMLElement, rows: HTMLElement, m: RuntimeMetrics): void {
  const n = m.network;
  setText(
    summary,
    `${n.freeBuffers} of ${n.totalBuffers} network buffers free (${formatSize(n.bufferSize)} each), ${n.pools.length} ${n.pools.length === 1 ? 'pool' : 'pools'}, ${n.unpooledBuffers} unpooled` +
      (n.unpooledWaiters > 0 ? `, ${n.unpooledWaiters} unpooled requests waiting` : ''),
  );
  syncRows(rows, n.pools, (p) => p.name, () => {
    const row = makeRow(rows.ownerDocument);
    const level = el(rows.ownerDocument, 'span', 'si-level');
    row.lastElementChild!.before(level);
    row.style.gridTemplateColumns = '180px 1fr 52px 360px';
    return row;
  }, (row, p) => {
    const [name, bar, level, figures] = Array.from(row.children) as HTMLElement[];
    setText(name!, p.name);
    name!.title = p.name;
    // Overdraft may take a pool beyond its size: the bar then spans what it holds.
    const span = Math.max(p.size, p.held, 1);
    drawBar(bar!, [
      { weight: p.inUse, color: IN_USE, title: `${p.inUse} in use` },
      { weight: p.available, color: AVAILABLE, title: `${p.available} available` },
    ], span);
    setText(level!, p.level);
    level!.dataset.level = p.level;
    setText(figures!, poolFigures(p));
    Object.assign(row.dataset, {
      pool: p.name,
      level: p.level,
      size: String(p.size),
      held: String(p.held),
      inUse: String(p.inUse),
      available: String(p.available),
      waiters: String(p.waiters),
    });
  });
}

/** The credit of a part's channels in all; '—' when none is credit-based (local channels need none). */
function creditOf(channels: readonly { readonly credit: number | null }[]): string {
  let sum = 0;
  let any = false;
  for (const c of channels) if (c.credit !== null) (sum += c.credit), (any = true);
  return any ? String(sum) : '—';
}

/** Partitions and gates registered with the network pool, as two tables. */
export function drawParts(container: HTMLElement, m: RuntimeMetrics): void {
  const doc = container.ownerDocument;
  const { partitions, gates, failedSources } = m.network;
  const rows: string[][] = [];
  for (const p of partitions) {
    const backlog = p.subpartitions.reduce((s, x) => s + x.backlog, 0);
    const credit = creditOf(p.subpartitions);
    rows.push(['partition', p.id, p.level, `${p.poolInUse} of ${p.poolSize}`, String(backlog), credit, '']);
  }
  for (const g of gates) {
    const credit = creditOf(g.channels);
    const backlog = g.channels.reduce((s, x) => s + x.backlog, 0);
    const inFlight = g.channels.reduce((s, x) => s + x.buffersInFlight, 0);
    rows.push(['gate', g.id, '', `${g.floatingInUse} of ${g.floatingPoolSize}`, String(backlog), credit, String(inFlight)]);
  }
  container.replaceChildren();
  if (rows.length === 0) {
    container.append(el(doc, 'div', 'si-empty', 'no partitions or gates registered'));
  } else {
    const table = el(doc, 'table');
    const head = el(doc, 'tr');
    for (const h of ['kind', 'id', 'level', 'buffers in use', 'backlog', 'credit', 'in flight']) head.append(el(doc, 'th', '', h));
    table.append(head);
    for (const cells of rows) {
      const tr = el(doc, 'tr');
      for (const c of cells) tr.append(el(doc, 'td', '', c));
      table.append(tr);
    }
    container.append(table);
  }
  if (failedSources > 0) container.append(el(doc, 'div', 'si-empty', `${failedSources} registered parts failed to report`));
}

/** Leak detection's setting and findings. */
export function drawLeaks(line: HTMLElement, m: RuntimeMetrics): void {
  const { detection, reported, bytes } = m.leaks;
  const setting = detection === false ? 'off' : detection === 'stack' ? 'on, with stacks' : 'on';
  setText(line, `leak detection ${setting}: ${reported} ${reported === 1 ? 'leak' : 'leaks'} reported (${formatSize(bytes)})`);
  line.dataset.leaks = String(reported);
}
