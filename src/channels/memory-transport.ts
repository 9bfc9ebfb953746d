import { checkInteger, checkOptionsObject } from '../util/checks.js';
import { NO_HANDLERS, type Transport, type TransportHandlers } from './transport.js';

/** Options of memoryTransportPair(). */
export interface MemoryTransportOptions {
  /** Largest chunk a receiver is handed: writes are cut into pieces of at most this size (default: whole writes). */
  maxChunk?: number;
}

/**
 * One end of an in-memory connection: what is written is copied and
 * delivered to the other end in a later task, in order, cut into chunks of
 * at most `maxChunk` bytes (so frames arrive split as over a network).
 */
class MemoryTransport implements Transport {
  readonly name = 'memory';
  /** @internal */ peer: MemoryTransport | null = null;
  private handlers: TransportHandlers = NO_HANDLERS;
  private readonly inbox: Uint8Array[] = [];
  private scheduled = false;
  private closed = false;
  private peerClosed = false;

  constructor(private readonly maxChunk: number) {}

  open(handlers: TransportHandlers): void {
    this.handlers = handlers;
    if (this.inbox.length > 0 || this.peerClosed) this.schedule();
  }

  write(bytes: Uint8Array, sent: (() => void) | null): boolean {
    const peer = this.peer;
    if (!this.closed && peer !== null && !peer.closed) {
      for (let at = 0; at < bytes.length; at += this.maxChunk) peer.inbox.push(bytes.slice(at, Math.min(bytes.length, at + this.maxChunk)));
      peer.schedule();
    }
    if (sent !== null) sent();
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer;
    if (peer !== null) {
      peer.peerClosed = true;
      peer.schedule();
    }
    this.schedule();
  }

  destroy(): void {
    this.close();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => this.deliver(), 0);
  }

  private deliver(): void {
    this.scheduled = false;
    const handlers = this.handlers;
    if (handlers === NO_HANDLERS) return;
    while (this.inbox.length > 0 && !this.closed) handlers.onData(this.inbox.shift()!);
    if (this.closed || this.peerClosed) {
      this.inbox.length = 0;
      this.handlers = NO_HANDLERS;
      handlers.onClose(null);
    }
  }
}

/** Two connected in-memory transports, for tests and for channels inside one runtime that want the remote protocol. */
export function memoryTransportPair(options: MemoryTransportOptions = {}): [Transport, Transport] {
  const { maxChunk: given } = checkOptionsObject<MemoryTransportOptions>(options, 'memoryTransportPair: options');
  const maxChunk = given === undefined ? Number.MAX_SAFE_INTEGER : checkInteger(given, 'memoryTransportPair: maxChunk', 1);
  const a = new MemoryTransport(maxChunk);
  const b = new MemoryTransport(maxChunk);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
