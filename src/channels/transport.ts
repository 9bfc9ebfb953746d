import { InvalidArgumentError } from '../errors.js';
import { render } from '../util/render.js';

/**
 * What a remote channel needs of a connection: ordered, reliable bytes both
 * ways. The channel layer frames its own messages (frame.ts) and decodes
 * what arrives incrementally, so a transport only moves bytes: TCP sockets,
 * MessagePorts, or an in-memory pair (tests).
 */
export interface Transport {
  /** Names the transport in metrics: 'tcp', 'message-port', 'memory', or a transport's own. */
  readonly name: string;
  /** Starts the connection with the channel layer's handlers; called once. */
  open(handlers: TransportHandlers): void;
  /**
   * Sends `bytes` after everything written before. The transport may read
   * them until it calls `sent` (then the caller may reuse or recycle them);
   * it returns false when its own queue is full: the caller waits for onDrain.
   */
  write(bytes: Uint8Array, sent: (() => void) | null): boolean;
  /** Closes the connection (idempotent); the other side sees it closed; bytes already written are still sent when the transport can. */
  close(): void;
  /** Ends the connection at once, dropping what is unsent (idempotent); pending `sent` calls are still made. */
  destroy(): void;
}

/** The channel layer's side of a transport. */
export interface TransportHandlers {
  /** Bytes arrived, in order; `chunk` is only valid during the call. */
  onData(chunk: Uint8Array): void;
  /** The transport takes writes again after write() returned false. */
  onDrain(): void;
  /** The connection is gone: `error` is null when the other side closed it in order. */
  onClose(error: Error | null): void;
}

/** A transport's handlers before open(): nothing can arrive yet. */
export const NO_HANDLERS: TransportHandlers = { onData() {}, onDrain() {}, onClose() {} };

/** Throws InvalidArgumentError unless `transport` has the Transport methods. @internal */
export function checkTransport(transport: unknown, operation: string): asserts transport is Transport {
  const t = transport as Partial<Transport> | null;
  if (typeof t === 'object' && t !== null && typeof t.open === 'function' && typeof t.write === 'function' && typeof t.close === 'function' && typeof t.destroy === 'function') return;
  throw new InvalidArgumentError(`${operation}: transport must be a Transport (open, write, close, destroy), got ${render(transport)}`);
}
