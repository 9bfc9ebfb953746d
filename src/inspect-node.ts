/**
 * segmem/inspect in Node: `serveInspector(rt, { port })` serves the
 * inspector page on 127.0.0.1 and streams the runtime's snapshots to it.
 * (In a browser app the same entry gives mountInspector instead; the
 * package's `node` export condition chooses this file.)
 */
export { serveInspector, type InspectorServer, type InspectorServerOptions } from './inspect/server.js';
export type { InspectorOptions } from './inspect/options.js';
