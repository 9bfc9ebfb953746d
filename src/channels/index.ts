// Credit-based channels: result partitions, input gates, the framing and its transports.
export { ResultPartition, DEFAULT_MAX_BUFFERS_PER_CHANNEL, type ResultPartitionOptions } from './result-partition.js';
export { RecordWriter, type RecordWriterOptions } from './record-writer.js';
export { InputGate, DEFAULT_EXCLUSIVE_BUFFERS, DEFAULT_FLOATING_BUFFERS, type LocalGateOptions, type RemoteGateOptions } from './input-gate.js';
export { InputChannel, LocalInputChannel, type GateItem, type GateBuffer, type GateEvent, type GateEnd } from './input-channel.js';
export { RemoteInputChannel } from './remote-input-channel.js';
export { PartitionSender, connectPartition } from './partition-sender.js';
export type { Transport, TransportHandlers } from './transport.js';
export { memoryTransportPair, type MemoryTransportOptions } from './memory-transport.js';
export { FRAME_HEADER_BYTES, FRAME_VERSION, FRAME_DATA, FRAME_EVENT, FRAME_END, FRAME_CREDIT, FRAME_CANCEL, ALL_CHANNELS, MAX_EVENT_BYTES } from './frame.js';
export { RecordReader, RecordSpan, type RecordReaderOptions, type ChannelRecord } from './record-reader.js';
export { messagePortTransport, type MessagePortLike, type MessagePortTransportOptions } from './message-port-transport.js';
export { partitionWritableStream, gateReadableStream, type PartitionStreamOptions } from './web-streams.js';
