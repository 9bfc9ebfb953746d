/// <reference types="node" />
// segmem/node: the parts that need Node's own modules. Import them beside
// 'segmem' or 'segmem/js'; the main entries stay free of node:* imports.
export { NodeSpillStore } from './node/spill-store.js';
