/// <reference types="node" />
/**
 * segmem/node: the pieces that need Node's own modules (sockets, Node
 * streams). The main entries stay browser-safe; import these beside them.
 */
export { socketTransport, type SocketTransportOptions } from './channels/socket-transport.js';
export { partitionWritable, gateReadable } from './channels/node-streams.js';
