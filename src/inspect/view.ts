/**
 * The inspector page inside one element: a header (title, status, action
 * buttons) and the sections of sections.ts, with the back-pressure chart.
 * It only draws snapshots it is given; where they come from (the runtime
 * itself, or a server's event stream) is mount.ts's and connect.ts's.
 */
import type { RuntimeMetrics } from '../runtime/metrics.js';
import { BackPressureChart } from './chart.js';
import { el, setText, syncRows } from './dom.js';
import { BackPressureHistory } from './history.js';
import { drawLeaks, drawMemory, drawOwners, drawParts, drawPools } from './sections.js';
import { addInspectorStyle } from './style.js';
import { render } from '../util/render.js';

/** What went wrong, as text that never throws to make. */
const describeFailure = (err: unknown): string => (err instanceof Error ? err.message : render(err));

/** What the view shows in its status badge. */
export type InspectorStatus = 'connecting' | 'live' | 'closed' | 'disconnected';

/** How to build a view. @internal */
export interface ViewOptions {
  readonly title: string;
  /** Names of the action buttons. */
  readonly actions: readonly string[];
  /** Runs an action; its failure is shown beside the buttons. */
  readonly onAction: (name: string) => unknown;
}

/** @internal */
export class InspectorView {
  readonly root: HTMLElement;
  private readonly status: HTMLElement;
  private readonly actionNote: HTMLElement;
  private readonly parts: Record<'memoryBar' | 'memoryLegend' | 'ownersSummary' | 'owners' | 'poolsSummary' | 'pools' | 'chart' | 'chartLegend' | 'network' | 'leaks', HTMLElement>;
  private readonly history = new BackPressureHistory();
  private readonly chart: BackPressureChart;
  private last: RuntimeMetrics | null = null;

  constructor(host: HTMLElement, options: ViewOptions) {
    const doc = host.ownerDocument;
    addInspectorStyle(doc);
    const root = el(doc, 'div', 'segmem-inspector');
    const header = el(doc, 'header');
    this.status = el(doc, 'span', 'si-status');
    this.actionNote = el(doc, 'span', 'si-empty');
    header.append(el(doc, 'h1', '', options.title), this.status);
    for (const name of options.actions) {
      const button = el(doc, 'button', '', name);
      button.type = 'button';
      button.dataset.action = name;
      button.addEventListener('click', () => this.runAction(options, name));
      header.append(button);
    }
    header.append(this.actionNote);
    root.append(header);
    const section = (title: string, ...children: HTMLElement[]) => {
      const s = el(doc, 'section');
      s.append(el(doc, 'h2', '', title), ...children);
      root.append(s);
    };
    this.parts = {
      memoryBar: el(doc, 'div', 'si-bar'),
      memoryLegend: el(doc, 'div', 'si-legend'),
      ownersSummary: el(doc, 'div'),
      owners: el(doc, 'div'),
      poolsSummary: el(doc, 'div'),
      pools: el(doc, 'div'),
      chart: el(doc, 'div'),
      chartLegend: el(doc, 'div', 'si-legend'),
      network: el(doc, 'div'),
      leaks: el(doc, 'div'),
    };
    const p = this.parts;
    for (const [name, node] of Object.entries(p)) node.dataset.part = name;
    section('Memory', p.memoryBar, p.memoryLegend);
    section('Managed pages per owner', p.ownersSummary, p.owners);
    section('Buffer pools', p.poolsSummary, p.pools);
    section('Back-pressure, last minute (OK ≤ 100 ms/s, LOW ≤ 500, HIGH above)', p.chart, p.chartLegend);
    section('Partitions and gates', p.network);
    section('Leaks', p.leaks);
    host.append(root);
    this.root = root;
    this.chart = new BackPressureChart(p.chart);
    this.setStatus('connecting');
  }

  /** The snapshot shown last, or null before the first. */
  get snapshot(): RuntimeMetrics | null {
    return this.last;
  }

  /** Draws a snapshot and adds it to the chart's minute. */
  show(m: RuntimeMetrics): void {
    const p = this.parts;
    this.last = m;
    this.root.dataset.timestamp = String(m.timestamp);
    this.root.dataset.build = m.build;
    drawMemory(p.memoryBar, p.memoryLegend, m);
    drawOwners(p.ownersSummary, p.owners, m);
    drawPools(p.poolsSummary, p.pools, m);
    drawParts(p.network, m);
    drawLeaks(p.leaks, m);
    this.history.add(m);
    this.chart.update(this.history);
    syncRows(
      p.chartLegend,
      this.chart.legend,
      (item) => item.name,
      () => {
        const item = el(p.chartLegend.ownerDocument, 'span');
        item.append(el(p.chartLegend.ownerDocument, 'span', 'si-swatch'), el(p.chartLegend.ownerDocument, 'span'));
        return item;
      },
      (item, { name, color }) => {
        (item.firstElementChild as HTMLElement).style.background = color;
        setText(item.lastElementChild!, name);
      },
    );
    this.setStatus(m.closed ? 'closed' : 'live');
  }

  /** Sets the status badge. */
  setStatus(status: InspectorStatus): void {
    setText(this.status, status === 'closed' ? 'runtime closed' : status);
    this.status.dataset.status = status;
    this.root.dataset.status = status;
  }

  /** Removes the view from the page. */
  destroy(): void {
    this.chart.destroy();
    this.root.remove();
  }

  private runAction(options: ViewOptions, name: string): void {
    setText(this.actionNote, '');
    let outcome: unknown;
    try {
      outcome = options.onAction(name);
    } catch (err) {
      setText(this.actionNote, `${name} failed: ${describeFailure(err)}`);
      return;
    }
    Promise.resolve(outcome).then(
      () => setText(this.actionNote, `${name}: done`),
      (err: unknown) => setText(this.actionNote, `${name} failed: ${describeFailure(err)}`),
    );
  }
}
