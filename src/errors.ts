/**
 * The error family. Every error segmem throws is a SegmemError with a stable
 * `code`; match on the code, not on the message, which may be reworded.
 */

/** Stable codes, one per failure kind. */
export type SegmemErrorCode =
  | 'ERR_SEGMENT_OUT_OF_BOUNDS'
  | 'ERR_SEGMENT_FREED'
  | 'ERR_VALUE_OUT_OF_RANGE'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_MEMORY_ALLOCATION'
  | 'ERR_MEMORY_RESERVATION'
  | 'ERR_INSUFFICIENT_BUFFERS'
  | 'ERR_POOL_DESTROYED'
  | 'ERR_REFERENCE_COUNT'
  | 'ERR_ILLEGAL_CONFIGURATION'
  | 'ERR_SHUTDOWN'
  | 'ERR_KERNEL_ABORT'
  | 'ERR_EOF'
  | 'ERR_ABORTED'
  | 'ERR_TIMEOUT'
  | 'ERR_ILLEGAL_STATE'
  | 'ERR_PROTOCOL'
  | 'ERR_CHANNEL_CLOSED'
  | 'ERR_SHARED_MEMORY_UNAVAILABLE'
  | 'ERR_SPILL_FILE'
  | 'ERR_SPILL_STORE';

/** Common interface of every segmem error: an `Error` with a stable `code`. */
export interface SegmemError extends Error {
  /** The stable code of the failure; match on it rather than on the message. */
  readonly code: SegmemErrorCode;
}

/**
 * `err instanceof SegmemError` is true for every error of the family, although
 * some members extend `RangeError` or `TypeError` so that generic handlers
 * keep working. The brand below makes that `instanceof` work across both.
 */
const BRAND: unique symbol = Symbol.for('segmem.error');

function brand<T extends Error>(err: T, code: SegmemErrorCode, name: string): void {
  Object.defineProperty(err, 'code', { value: code, enumerable: true });
  Object.defineProperty(err, 'name', { value: name, enumerable: false, configurable: true });
  (err as unknown as Record<symbol, boolean>)[BRAND] = true;
}

/** Base of the family; `instanceof SegmemError` matches every subclass. */
export class SegmemError extends Error {
  /** An error with `code` and `message`; segmem throws the subclasses, one per code. */
  constructor(code: SegmemErrorCode, message: string) {
    super(message);
    brand(this, code, new.target.name);
  }

  /** True for every segmem error, including the RangeError and TypeError members of the family. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** An index, offset or length outside a segment or array. */
export class SegmentOutOfBoundsError extends RangeError {
  /** Always 'ERR_SEGMENT_OUT_OF_BOUNDS'. */
  declare readonly code: 'ERR_SEGMENT_OUT_OF_BOUNDS';
  /** An error with code ERR_SEGMENT_OUT_OF_BOUNDS and `message`. */
  constructor(message: string) {
    super(message);
    brand(this, 'ERR_SEGMENT_OUT_OF_BOUNDS', 'SegmentOutOfBoundsError');
  }
}

/** Any access to a segment after `free()` (or after its page was released). */
export class SegmentFreedError extends SegmemError {
  /** Always 'ERR_SEGMENT_FREED'. */
  declare readonly code: 'ERR_SEGMENT_FREED';
  /** An error with code ERR_SEGMENT_FREED and `message`. */
  constructor(message: string) {
    super('ERR_SEGMENT_FREED', message);
  }
}

/** A value that does not fit the requested representation (e.g. a long beyond 2^53 as a number). */
export class ValueOutOfRangeError extends RangeError {
  /** Always 'ERR_VALUE_OUT_OF_RANGE'. */
  declare readonly code: 'ERR_VALUE_OUT_OF_RANGE';
  /** An error with code ERR_VALUE_OUT_OF_RANGE and `message`. */
  constructor(message: string) {
    super(message);
    brand(this, 'ERR_VALUE_OUT_OF_RANGE', 'ValueOutOfRangeError');
  }
}

/** An argument of the wrong type or shape (not a segment, not an array, not an owner). */
export class InvalidArgumentError extends TypeError {
  /** Always 'ERR_INVALID_ARGUMENT'. */
  declare readonly code: 'ERR_INVALID_ARGUMENT';
  /** An error with code ERR_INVALID_ARGUMENT and `message`. */
  constructor(message: string) {
    super(message);
    brand(this, 'ERR_INVALID_ARGUMENT', 'InvalidArgumentError');
  }
}

/** Pages requested beyond the managed memory budget. */
export class MemoryAllocationError extends SegmemError {
  /** Always 'ERR_MEMORY_ALLOCATION'. */
  declare readonly code: 'ERR_MEMORY_ALLOCATION';
  /** An error with code ERR_MEMORY_ALLOCATION and `message`. */
  constructor(message: string) {
    super('ERR_MEMORY_ALLOCATION', message);
  }
}

/** Bytes reserved beyond the managed memory budget. */
export class MemoryReservationError extends SegmemError {
  /** Always 'ERR_MEMORY_RESERVATION'. */
  declare readonly code: 'ERR_MEMORY_RESERVATION';
  /** An error with code ERR_MEMORY_RESERVATION and `message`. */
  constructor(message: string) {
    super('ERR_MEMORY_RESERVATION', message);
  }
}

/** A buffer pool cannot get the buffers it requires. */
export class InsufficientBuffersError extends SegmemError {
  /** Always 'ERR_INSUFFICIENT_BUFFERS'. */
  declare readonly code: 'ERR_INSUFFICIENT_BUFFERS';
  /** An error with code ERR_INSUFFICIENT_BUFFERS and `message`. */
  constructor(message: string) {
    super('ERR_INSUFFICIENT_BUFFERS', message);
  }
}

/** Use of a destroyed buffer pool, or destroy while a request waits. */
export class BufferPoolDestroyedError extends SegmemError {
  /** Always 'ERR_POOL_DESTROYED'. */
  declare readonly code: 'ERR_POOL_DESTROYED';
  /** An error with code ERR_POOL_DESTROYED and `message`. */
  constructor(message: string) {
    super('ERR_POOL_DESTROYED', message);
  }
}

/** Retain or recycle of a buffer that was already recycled. */
export class IllegalReferenceCountError extends SegmemError {
  /** Always 'ERR_REFERENCE_COUNT'. */
  declare readonly code: 'ERR_REFERENCE_COUNT';
  /** An error with code ERR_REFERENCE_COUNT and `message`. */
  constructor(message: string) {
    super('ERR_REFERENCE_COUNT', message);
  }
}

/** Memory model options that are malformed or conflict with each other. */
export class IllegalConfigurationError extends SegmemError {
  /** Always 'ERR_ILLEGAL_CONFIGURATION'. */
  declare readonly code: 'ERR_ILLEGAL_CONFIGURATION';
  /** An error with code ERR_ILLEGAL_CONFIGURATION and `message`. */
  constructor(message: string) {
    super('ERR_ILLEGAL_CONFIGURATION', message);
  }
}

/** Use of a shut-down manager or a closed runtime. */
export class ShutdownError extends SegmemError {
  /** Always 'ERR_SHUTDOWN'. */
  declare readonly code: 'ERR_SHUTDOWN';
  /** An error with code ERR_SHUTDOWN and `message`. */
  constructor(message: string) {
    super('ERR_SHUTDOWN', message);
  }
}

/** A kernel stopped on an internal check: a defect in segmem, never the caller's input (which is checked before any kernel runs). */
export class KernelAbortError extends SegmemError {
  declare readonly code: 'ERR_KERNEL_ABORT';
  /** An error with code ERR_KERNEL_ABORT and `message`. */
  constructor(message: string) {
    super('ERR_KERNEL_ABORT', message);
  }
}

/** A read past the end of what a paged input view holds; the view's position is left where it was. */
export class EndOfInputError extends SegmemError {
  declare readonly code: 'ERR_EOF';
  /** An error with code ERR_EOF and `message`. */
  constructor(message: string) {
    super('ERR_EOF', message);
  }
}

/** A long operation (a sort) stopped because its AbortSignal was aborted; `cause` is the signal's reason. */
export class OperationAbortedError extends SegmemError {
  declare readonly code: 'ERR_ABORTED';
  /** An error with code ERR_ABORTED and `message`; `cause` is what the signal was aborted with. */
  constructor(message: string, cause?: unknown) {
    super('ERR_ABORTED', message);
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, configurable: true, writable: true });
  }
}

/** A wait (for buffers, for segments) that ran past its `timeoutMs`; nothing was handed out. */
export class TimeoutError extends SegmemError {
  declare readonly code: 'ERR_TIMEOUT';
  /** An error with code ERR_TIMEOUT and `message`. */
  constructor(message: string) {
    super('ERR_TIMEOUT', message);
  }
}

/** A call that the object's current state does not allow (a second consumer, an append after finish). */
export class IllegalStateError extends SegmemError {
  declare readonly code: 'ERR_ILLEGAL_STATE';
  /** An error with code ERR_ILLEGAL_STATE and `message`. */
  constructor(message: string) {
    super('ERR_ILLEGAL_STATE', message);
  }
}

/** What was wrong with a stream of channel frames (ProtocolError's `reason`). */
export type ProtocolErrorReason = 'malformed' | 'truncated' | 'sequence-gap' | 'too-large' | 'no-credit';

/** Channel frames that break the protocol: malformed, truncated, out of sequence, too large for a buffer, or data sent without credit. The connection fails. */
export class ProtocolError extends SegmemError {
  declare readonly code: 'ERR_PROTOCOL';
  /** Which rule the frames broke. */
  readonly reason: ProtocolErrorReason;
  /** An error with code ERR_PROTOCOL, `reason` and `message`. */
  constructor(reason: ProtocolErrorReason, message: string) {
    super('ERR_PROTOCOL', message);
    this.reason = reason;
  }
}

/** A channel that can no longer carry data: cancelled by either side, released, or its connection lost. `cause` is the failure behind it, when there is one. */
export class ChannelClosedError extends SegmemError {
  declare readonly code: 'ERR_CHANNEL_CLOSED';
  /** The code the other side reported, when it was told of a failure there. */
  readonly remoteCode: string | null;
  /** An error with code ERR_CHANNEL_CLOSED and `message`. */
  constructor(message: string, options: { cause?: unknown; remoteCode?: string | null } = {}) {
    super('ERR_CHANNEL_CLOSED', message);
    this.remoteCode = options.remoteCode ?? null;
    if (options.cause !== undefined) Object.defineProperty(this, 'cause', { value: options.cause, configurable: true, writable: true });
  }
}

/** A shared runtime where the engine has no SharedArrayBuffer: in browsers, a page that is not cross-origin isolated (COOP/COEP headers). */
export class SharedMemoryUnavailableError extends SegmemError {
  declare readonly code: 'ERR_SHARED_MEMORY_UNAVAILABLE';
  /** An error with code ERR_SHARED_MEMORY_UNAVAILABLE and `message`. */
  constructor(message: string) {
    super('ERR_SHARED_MEMORY_UNAVAILABLE', message);
  }
}

/** A spill file that is not what its reader expects: another format version or record type, cut short, or a block whose checksum does not match. */
export class SpillFileError extends SegmemError {
  declare readonly code: 'ERR_SPILL_FILE';
  /** An error with code ERR_SPILL_FILE and `message`. */
  constructor(message: string) {
    super('ERR_SPILL_FILE', message);
  }
}

/** A spill store that is missing or failed (cannot create, write, read or delete a file); `cause` is the store's own error (an ENOSPC, say). */
export class SpillStoreError extends SegmemError {
  declare readonly code: 'ERR_SPILL_STORE';
  /** An error with code ERR_SPILL_STORE and `message`; `cause` is the underlying error. */
  constructor(message: string, cause?: unknown) {
    super('ERR_SPILL_STORE', message);
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, configurable: true, writable: true });
  }
}
