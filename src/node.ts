/**
 * segmem/node: the pieces that need Node's own modules (sockets, Node
 * streams, files). The main entries stay browser-safe; import these beside
 * 'segmem' or 'segmem/js'.
 */
export { socketTransport, type SocketTransportOptions } from './channels/socket-transport.js';
export { partitionWritable, gateReadable } from './channels/node-streams.js';
export { NodeSpillStore } from './node/spill-store.js';
