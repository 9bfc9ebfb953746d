/**
 * segmem/inspect: a live view of a runtime's memory and back-pressure.
 * In a browser app, `mountInspector(element, rt)`; from Node,
 * `serveInspector(rt, { port })` (the package's `node` export condition adds
 * it to this entry). Charts are drawn by uPlot, an optional peer dependency:
 * install `uplot` beside segmem to use this entry.
 */
export { mountInspector, type Inspector } from './mount.js';
export type { InspectorOptions } from './options.js';
