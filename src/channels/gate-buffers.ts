import type { BufferListener, LocalBufferPool } from '../network/local-buffer-pool.js';
import type { MemorySegment } from '../memory/segment.js';
import type { NetworkBuffer } from '../network/network-buffer.js';

/** A channel that receives segments from the gate's buffers. @internal */
export interface SegmentTaker {
  /** A segment it asked for (now its own). */
  receiveSegment(segment: MemorySegment): void;
}

/**
 * The receive buffers of a gate's remote channels: one LocalBufferPool of
 * numChannels × exclusive + floating buffers. Each segment a channel
 * receives into is held through the pool buffer it came in (its "token"),
 * kept here until the segment goes back; channels pass bare segments around
 * and wrap each received frame in a NetworkBuffer of their own, whose
 * recycling gives the segment back to the channel (as Flink's exclusive and
 * floating buffers return to their channel's buffer manager).
 *
 * Requests the pool cannot serve now wait in arrival order, served by the
 * pool's buffer listener as buffers come back.
 * @internal
 */
export class GateBuffers implements BufferListener {
  private readonly tokens = new Map<MemorySegment, NetworkBuffer>();
  private readonly waiting: SegmentTaker[] = [];
  private listening = false;
  private released = false;

  constructor(readonly pool: LocalBufferPool) {}

  /** Segments held by channels (free, queued or with the reader). */
  get inUse(): number {
    return this.tokens.size;
  }

  /** Asks for one segment for `taker`: given now or when one comes back. */
  request(taker: SegmentTaker): void {
    if (this.released) return;
    if (this.waiting.length === 0) {
      const token = this.pool.requestBuffer();
      if (token !== null) {
        this.tokens.set(token.memorySegment, token);
        taker.receiveSegment(token.memorySegment);
        return;
      }
    }
    this.waiting.push(taker);
    this.listen();
  }

  /** A channel no longer needs `segment`: it goes to the next waiting channel, else back to the pool. */
  giveBack(segment: MemorySegment): void {
    if (!this.released && this.waiting.length > 0) {
      this.waiting.shift()!.receiveSegment(segment);
      return;
    }
    const token = this.tokens.get(segment);
    if (token === undefined) return;
    this.tokens.delete(segment);
    token.recycleBuffer();
  }

  /** Stops serving requests; segments still held come back through giveBack(). */
  release(): void {
    this.released = true;
    this.waiting.length = 0;
  }

  /** @internal */
  notifyBufferAvailable(token: NetworkBuffer): boolean {
    const taker = this.waiting.shift();
    if (taker === undefined || this.released) {
      this.listening = false;
      token.recycleBuffer();
      return false;
    }
    this.tokens.set(token.memorySegment, token);
    taker.receiveSegment(token.memorySegment);
    this.listening = this.waiting.length > 0;
    return this.listening;
  }

  /** @internal */
  notifyBufferDestroyed(): void {
    this.listening = false;
  }

  private listen(): void {
    while (!this.listening && this.waiting.length > 0) {
      if (this.pool.addBufferListener(this)) {
        this.listening = true;
        return;
      }
      // A buffer came free meanwhile: serve from it directly.
      const token = this.pool.requestBuffer();
      if (token === null) return;
      this.tokens.set(token.memorySegment, token);
      this.waiting.shift()!.receiveSegment(token.memorySegment);
    }
  }
}
