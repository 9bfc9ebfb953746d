import type { Socket } from 'node:net';
import { ChannelClosedError, InvalidArgumentError } from '../errors.js';
import { checkInteger, checkOptionsObject } from '../util/checks.js';
import { render } from '../util/render.js';
import { NO_HANDLERS, type Transport, type TransportHandlers } from './transport.js';

/** Options of socketTransport(). */
export interface SocketTransportOptions {
  /** Bytes the socket may queue before write() asks the channel to wait for 'drain' (default 1 MiB: a few buffers in the kernel's way keep the link busy). */
  highWaterMark?: number;
}

const DEFAULT_HIGH_WATER = 1024 * 1024;

/**
 * A transport over a connected Node `net.Socket` (TCP or a local socket).
 * Buffers are written as views of the runtime's memory, held by the socket
 * until written (their `sent` call then recycles them); what arrives comes
 * in the socket's own chunks and is decoded straight into pool buffers.
 */
class SocketTransport implements Transport {
  readonly name = 'tcp';
  private handlers: TransportHandlers = NO_HANDLERS;
  private error: Error | null = null;
  private closed = false;
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(
    private readonly socket: Socket,
    private readonly highWaterMark: number,
  ) {}

  open(handlers: TransportHandlers): void {
    this.handlers = handlers;
    const socket = this.socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Uint8Array) => this.handlers.onData(chunk));
    socket.on('drain', () => this.handlers.onDrain());
    socket.on('error', (error: Error) => {
      this.error ??= error;
    });
    socket.on('close', () => this.ended());
    if (socket.destroyed) queueMicrotask(() => this.ended());
  }

  write(bytes: Uint8Array, sent: (() => void) | null): boolean {
    const socket = this.socket;
    if (this.closed || socket.destroyed || socket.writableEnded) {
      if (sent !== null) sent();
      return true;
    }
    // Frames written in one task go out in one writev: corked here, uncorked when the task's microtasks are done.
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      queueMicrotask(this.uncork);
    }
    // The callback runs once the bytes are written, or with an error when the socket is destroyed first.
    socket.write(bytes, sent === null ? undefined : () => sent());
    return socket.writableLength < this.highWaterMark;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private ended(): void {
    const handlers = this.handlers;
    this.handlers = NO_HANDLERS;
    this.closed = true;
    const error = this.error === null ? null : new ChannelClosedError(`the connection failed: ${this.error.message}`, { cause: this.error });
    handlers.onClose(error);
  }
}

/** A transport over a connected socket (both ends make one over their side of the connection). */
export function socketTransport(socket: Socket, options: SocketTransportOptions = {}): Transport {
  const s = socket as Partial<Socket> | null;
  if (typeof s !== 'object' || s === null || typeof s.write !== 'function' || typeof s.on !== 'function' || typeof s.end !== 'function') {
    throw new InvalidArgumentError(`socketTransport: expected a net.Socket, got ${render(socket)}`);
  }
  const { highWaterMark: given } = checkOptionsObject<SocketTransportOptions>(options, 'socketTransport: options');
  const highWaterMark = given === undefined ? DEFAULT_HIGH_WATER : checkInteger(given, 'socketTransport: highWaterMark', 1);
  return new SocketTransport(socket, highWaterMark);
}
