/**
 * The back-pressure time series: one line per producer over the last
 * minute, y in milliseconds of each second spent back-pressured (0 to 1000),
 * drawn over three bands: OK (up to 100 ms/s), LOW (up to 500) and HIGH.
 * uPlot draws the chart; the bands are three rectangles filled under the
 * grid in its drawClear hook, at the thresholds of src/network/backpressure.ts.
 */
import uPlot from 'uplot';
import { BACK_PRESSURE_LOW, BACK_PRESSURE_OK } from '../network/backpressure.js';
import { HISTORY_SECONDS, type BackPressureHistory } from './history.js';

const HEIGHT = 220;
/** Band fills, bottom to top: OK, LOW, HIGH. */
const BANDS = [
  { from: 0, to: BACK_PRESSURE_OK * 1000, fill: 'rgba(46, 160, 67, 0.12)' },
  { from: BACK_PRESSURE_OK * 1000, to: BACK_PRESSURE_LOW * 1000, fill: 'rgba(212, 167, 44, 0.16)' },
  { from: BACK_PRESSURE_LOW * 1000, to: 1000, fill: 'rgba(207, 34, 46, 0.14)' },
];
/** Line colours for the producers, in order of appearance. */
const PALETTE = ['#0969da', '#8250df', '#bf3989', '#1a7f37', '#9a6700', '#cf222e', '#57606a', '#0550ae'];

/** Fills the three bands across the plot area. */
function drawBands(u: uPlot): void {
  const { ctx } = u;
  const { left, width } = u.bbox;
  ctx.save();
  for (const band of BANDS) {
    const top = u.valToPos(band.to, 'y', true);
    const bottom = u.valToPos(band.from, 'y', true);
    ctx.fillStyle = band.fill;
    ctx.fillRect(left, top, width, bottom - top);
  }
  ctx.restore();
}

/** A chart in `parent` that redraws from a history; remade when the set of producers changes. */
export class BackPressureChart {
  private plot: uPlot | null = null;
  private names: string[] = [];
  private width: number;

  constructor(private readonly parent: HTMLElement) {
    this.width = Math.max(320, parent.clientWidth);
  }

  /** Draws the history (at most ten times a second, as snapshots come). */
  update(history: BackPressureHistory): void {
    const names = [...history.series.keys()];
    if (this.plot === null || names.length !== this.names.length || names.some((n, i) => n !== this.names[i])) this.rebuild(names);
    const data: uPlot.AlignedData = [history.times, ...names.map((n) => history.series.get(n)!)];
    this.plot!.setData(data);
    const width = Math.max(320, this.parent.clientWidth);
    if (width !== this.width) {
      this.width = width;
      this.plot!.setSize({ width, height: HEIGHT });
    }
  }

  /** The producers drawn, with their line colours, in the chart's order. */
  get legend(): readonly { readonly name: string; readonly color: string }[] {
    return this.names.map((name, i) => ({ name, color: PALETTE[i % PALETTE.length]! }));
  }

  /** Removes the chart. */
  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }

  private rebuild(names: string[]): void {
    this.plot?.destroy();
    this.names = names;
    const options: uPlot.Options = {
      width: this.width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      // The x axis always spans the minute up to the newest sample, so the picture does not stretch while it fills.
      scales: { x: { time: true, range: (_u, _min, max) => [max - HISTORY_SECONDS, max] }, y: { range: [0, 1000] } },
      axes: [{}, { label: 'ms/s back-pressured', values: (_u, ticks) => ticks.map(String), splits: () => [0, 100, 250, 500, 750, 1000] }],
      series: [{}, ...names.map((label, i) => ({ label, stroke: PALETTE[i % PALETTE.length]!, width: 2, spanGaps: false, points: { show: false } }))],
      hooks: { drawClear: [drawBands] },
    };
    this.plot = new uPlot(options, [[], ...names.map(() => [])], this.parent);
  }
}
