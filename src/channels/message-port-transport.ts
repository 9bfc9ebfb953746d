import { ChannelClosedError, InvalidArgumentError } from '../errors.js';
import { checkInteger, checkOptionsObject } from '../util/checks.js';
import { render } from '../util/render.js';
import { NO_HANDLERS, type Transport, type TransportHandlers } from './transport.js';

/** What the transport needs of a port: a MessagePort, a Worker, a worker's global scope, a worker_threads MessagePort. */
export interface MessagePortLike {
  /** Posts a message, transferring the listed buffers. */
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  /** Listens for messages (MessageEvents). */
  addEventListener(type: 'message', listener: (event: Event) => void): void;
  /** Stops listening. */
  removeEventListener(type: 'message', listener: (event: Event) => void): void;
  /** Starts delivery (a MessagePort with listeners added by addEventListener needs it). */
  start?(): void;
}

/** Options of messagePortTransport(). */
export interface MessagePortTransportOptions {
  /** Bytes gathered into one message before it is posted (default 256 KiB): frames written in one task travel together. */
  chunkBytes?: number;
}

/** The messages of the transport; anything else on the port is left alone. */
const CHUNK = 'segmem:chunk';
const RETURN = 'segmem:return';
const CLOSE = 'segmem:close';

interface ChunkMessage {
  readonly type: typeof CHUNK;
  readonly buffer: ArrayBuffer;
  readonly length: number;
}

const DEFAULT_CHUNK = 256 * 1024;
/** Empty chunks kept for reuse (the others are left to the collector). */
const SPARE_CHUNKS = 8;

/**
 * A transport over a MessagePort (worker_threads, a page and its Web
 * Worker). What is written is copied into an ArrayBuffer gathered per task
 * and transferred, not cloned; the receiver hands it to the decoder (which
 * copies into its own pool buffers) and transfers it back for reuse, so
 * that a steady stream allocates nothing. A DATA buffer is thus released
 * by the producer as soon as it is copied; how much is in flight is bounded
 * by the consumer's credit.
 */
class MessagePortTransport implements Transport {
  readonly name = 'message-port';
  private handlers: TransportHandlers = NO_HANDLERS;
  private chunk: Uint8Array | null = null;
  private filled = 0;
  private readonly spare: ArrayBuffer[] = [];
  private scheduled = false;
  private closed = false;
  private readonly onMessage = (event: Event) => this.receive((event as MessageEvent).data as unknown);
  private readonly onPortClose = () => this.ended(new ChannelClosedError('the message port was closed by the other side'));

  constructor(
    private readonly port: MessagePortLike,
    private readonly chunkBytes: number,
  ) {}

  open(handlers: TransportHandlers): void {
    this.handlers = handlers;
    this.port.addEventListener('message', this.onMessage);
    // worker_threads ports tell when the other side is gone (its thread ended); browsers' ports do not.
    (this.port as unknown as EventTarget).addEventListener?.('close', this.onPortClose);
    this.port.start?.();
  }

  write(bytes: Uint8Array, sent: (() => void) | null): boolean {
    if (!this.closed) {
      let at = 0;
      while (at < bytes.length) {
        if (this.chunk === null || this.filled === this.chunk.length) this.nextChunk();
        const chunk = this.chunk!;
        const n = Math.min(bytes.length - at, chunk.length - this.filled);
        chunk.set(n === bytes.length ? bytes : bytes.subarray(at, at + n), this.filled);
        this.filled += n;
        at += n;
      }
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.post());
      }
    }
    if (sent !== null) sent();
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.post();
    this.port.postMessage({ type: CLOSE }, []);
    this.ended(null);
  }

  destroy(): void {
    if (this.closed) return;
    this.chunk = null;
    this.port.postMessage({ type: CLOSE }, []);
    this.ended(null);
  }

  /** Posts the gathered bytes, if any. */
  private post(): void {
    this.scheduled = false;
    const chunk = this.chunk;
    if (chunk === null || this.filled === 0 || this.closed) return;
    const message: ChunkMessage = { type: CHUNK, buffer: chunk.buffer as ArrayBuffer, length: this.filled };
    this.chunk = null;
    this.filled = 0;
    this.port.postMessage(message, [message.buffer]);
  }

  /** Starts a new chunk (the full one is posted first). */
  private nextChunk(): void {
    if (this.chunk !== null) this.post();
    const buffer = this.spare.pop() ?? new ArrayBuffer(this.chunkBytes);
    this.chunk = new Uint8Array(buffer);
    this.filled = 0;
  }

  private receive(data: unknown): void {
    if (typeof data !== 'object' || data === null || this.closed) return;
    const message = data as { type?: unknown; buffer?: unknown; length?: unknown };
    if (message.type === CHUNK && message.buffer instanceof ArrayBuffer && typeof message.length === 'number') {
      const buffer = message.buffer;
      const length = Math.min(message.length >>> 0, buffer.byteLength);
      try {
        this.handlers.onData(new Uint8Array(buffer, 0, length));
      } finally {
        if (!this.closed) this.port.postMessage({ type: RETURN, buffer }, [buffer]);
      }
    } else if (message.type === RETURN && message.buffer instanceof ArrayBuffer) {
      if (message.buffer.byteLength === this.chunkBytes && this.spare.length < SPARE_CHUNKS) this.spare.push(message.buffer);
    } else if (message.type === CLOSE) {
      this.ended(null);
    }
  }

  private ended(error: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    this.chunk = null;
    this.port.removeEventListener('message', this.onMessage);
    (this.port as unknown as EventTarget).removeEventListener?.('close', this.onPortClose);
    const handlers = this.handlers;
    this.handlers = NO_HANDLERS;
    handlers.onClose(error);
  }
}

/** A transport over `port` (both ends make one over their side of the same channel). */
export function messagePortTransport(port: MessagePortLike, options: MessagePortTransportOptions = {}): Transport {
  const p = port as Partial<MessagePortLike> | null;
  if (typeof p !== 'object' || p === null || typeof p.postMessage !== 'function' || typeof p.addEventListener !== 'function' || typeof p.removeEventListener !== 'function') {
    throw new InvalidArgumentError(`messagePortTransport: expected a MessagePort (postMessage, addEventListener, removeEventListener), got ${render(port)}`);
  }
  const { chunkBytes: given } = checkOptionsObject<MessagePortTransportOptions>(options, 'messagePortTransport: options');
  const chunkBytes = given === undefined ? DEFAULT_CHUNK : checkInteger(given, 'messagePortTransport: chunkBytes', 64, 1 << 30);
  return new MessagePortTransport(port, chunkBytes);
}
