/**
 * The inspector's stylesheet, added once per document. Every rule is scoped
 * to `.segmem-inspector` so the host page's styles and ours do not mix; the
 * few uPlot rules position its canvases (its own stylesheet is not needed:
 * its legend and cursor are off).
 */
const CSS = `
.segmem-inspector { font: 13px/1.45 system-ui, sans-serif; color: #1f2328; max-width: 980px; }
.segmem-inspector * { box-sizing: border-box; }
.segmem-inspector header { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
.segmem-inspector h1 { font-size: 16px; margin: 0; }
.segmem-inspector h2 { font-size: 13px; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: #57606a; }
.segmem-inspector .si-status { padding: 1px 8px; border-radius: 10px; background: #ddf4ff; }
.segmem-inspector .si-status[data-status="closed"], .segmem-inspector .si-status[data-status="disconnected"] { background: #ffebe9; }
.segmem-inspector button { font: inherit; padding: 2px 10px; border: 1px solid #d0d7de; border-radius: 6px; background: #f6f8fa; cursor: pointer; }
.segmem-inspector .si-bar { display: flex; height: 22px; border-radius: 4px; overflow: hidden; background: #eaeef2; }
.segmem-inspector .si-bar > span { display: block; min-width: 0; height: 100%; }
.segmem-inspector .si-legend { display: flex; gap: 14px; flex-wrap: wrap; margin-top: 4px; }
.segmem-inspector .si-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.segmem-inspector .si-row { display: grid; grid-template-columns: 180px 1fr 360px; gap: 10px; align-items: center; margin: 3px 0; }
.segmem-inspector .si-row > .si-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.segmem-inspector .si-row > .si-bar { height: 14px; }
.segmem-inspector .si-level { display: inline-block; min-width: 44px; text-align: center; border-radius: 4px; font-weight: 600; margin-right: 6px; }
.segmem-inspector .si-level[data-level="OK"] { background: #dafbe1; color: #1a7f37; }
.segmem-inspector .si-level[data-level="LOW"] { background: #fff8c5; color: #9a6700; }
.segmem-inspector .si-level[data-level="HIGH"] { background: #ffebe9; color: #cf222e; }
.segmem-inspector table { border-collapse: collapse; }
.segmem-inspector td, .segmem-inspector th { padding: 2px 10px 2px 0; text-align: left; font-variant-numeric: tabular-nums; }
.segmem-inspector .si-empty { color: #57606a; }
.segmem-inspector .u-wrap { position: relative; user-select: none; }
.segmem-inspector .u-over, .segmem-inspector .u-under, .segmem-inspector .u-axis { position: absolute; }
.segmem-inspector .u-under { overflow: hidden; }
.segmem-inspector .uplot canvas { display: block; position: relative; width: 100%; height: 100%; }
`;

const STYLE_ID = 'segmem-inspector-style';

/** Adds the stylesheet to `doc` unless it is there already. */
export function addInspectorStyle(doc: Document): void {
  if (doc.getElementById(STYLE_ID) !== null) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}
