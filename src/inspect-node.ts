/**
 * segmem/inspect in Node: everything the browser entry has, and
 * `serveInspector(rt, { port })`, which serves the inspector page on
 * 127.0.0.1 and streams the runtime's snapshots to it.
 */
export * from './inspect/index.js';
export { serveInspector, type InspectorServer, type InspectorServerOptions } from './inspect/server.js';
