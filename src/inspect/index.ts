/**
 * segmem/inspect in a browser app: `mountInspector(element, rt)` shows a
 * live view of the runtime's memory and back-pressure inside a page. Its
 * charts are drawn by uPlot, an optional peer dependency: install `uplot`
 * beside segmem to use this entry. (From Node, the same entry gives
 * serveInspector instead; the package's `node` export condition chooses.)
 */
export { mountInspector, type Inspector } from './mount.js';
export type { InspectorOptions } from './options.js';
