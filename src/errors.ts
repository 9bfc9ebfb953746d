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
  | 'ERR_ILLEGAL_STATE';

/** Common interface of every segmem error: an `Error` with a stable `code`. */
export interface SegmemError extends Error {
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
  constructor(code: SegmemErrorCode, message: string) {
    super(message);
    brand(this, code, new.target.name);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** An index, offset or length outside a segment or array. */
export class SegmentOutOfBoundsError extends RangeError {
  declare readonly code: 'ERR_SEGMENT_OUT_OF_BOUNDS';
  constructor(message: string) {
    super(message);
    brand(this, 'ERR_SEGMENT_OUT_OF_BOUNDS', 'SegmentOutOfBoundsError');
  }
}

/** Any access to a segment after `free()` (or after its page was released). */
export class SegmentFreedError extends SegmemError {
  declare readonly code: 'ERR_SEGMENT_FREED';
  constructor(message: string) {
    super('ERR_SEGMENT_FREED', message);
  }
}

/** A value that does not fit the requested representation (e.g. a long beyond 2^53 as a number). */
export class ValueOutOfRangeError extends RangeError {
  declare readonly code: 'ERR_VALUE_OUT_OF_RANGE';
  constructor(message: string) {
    super(message);
    brand(this, 'ERR_VALUE_OUT_OF_RANGE', 'ValueOutOfRangeError');
  }
}

/** An argument of the wrong type or shape (not a segment, not an array, not an owner). */
export class InvalidArgumentError extends TypeError {
  declare readonly code: 'ERR_INVALID_ARGUMENT';
  constructor(message: string) {
    super(message);
    brand(this, 'ERR_INVALID_ARGUMENT', 'InvalidArgumentError');
  }
}

/** Pages requested beyond the managed memory budget. */
export class MemoryAllocationError extends SegmemError {
  declare readonly code: 'ERR_MEMORY_ALLOCATION';
  constructor(message: string) {
    super('ERR_MEMORY_ALLOCATION', message);
  }
}

/** Bytes reserved beyond the managed memory budget. */
export class MemoryReservationError extends SegmemError {
  declare readonly code: 'ERR_MEMORY_RESERVATION';
  constructor(message: string) {
    super('ERR_MEMORY_RESERVATION', message);
  }
}

/** A buffer pool cannot get the buffers it requires. */
export class InsufficientBuffersError extends SegmemError {
  declare readonly code: 'ERR_INSUFFICIENT_BUFFERS';
  constructor(message: string) {
    super('ERR_INSUFFICIENT_BUFFERS', message);
  }
}

/** Use of a destroyed buffer pool, or destroy while a request waits. */
export class BufferPoolDestroyedError extends SegmemError {
  declare readonly code: 'ERR_POOL_DESTROYED';
  constructor(message: string) {
    super('ERR_POOL_DESTROYED', message);
  }
}

/** Retain or recycle of a buffer that was already recycled. */
export class IllegalReferenceCountError extends SegmemError {
  declare readonly code: 'ERR_REFERENCE_COUNT';
  constructor(message: string) {
    super('ERR_REFERENCE_COUNT', message);
  }
}

/** Memory model options that are malformed or conflict with each other. */
export class IllegalConfigurationError extends SegmemError {
  declare readonly code: 'ERR_ILLEGAL_CONFIGURATION';
  constructor(message: string) {
    super('ERR_ILLEGAL_CONFIGURATION', message);
  }
}

/** Use of a shut-down manager or a closed runtime. */
export class ShutdownError extends SegmemError {
  declare readonly code: 'ERR_SHUTDOWN';
  constructor(message: string) {
    super('ERR_SHUTDOWN', message);
  }
}

/** A kernel stopped on an internal check: a defect in segmem, never the caller's input (which is checked before any kernel runs). */
export class KernelAbortError extends SegmemError {
  declare readonly code: 'ERR_KERNEL_ABORT';
  constructor(message: string) {
    super('ERR_KERNEL_ABORT', message);
  }
}

/** A read past the end of what a paged input view holds; the view's position is left where it was. */
export class EndOfInputError extends SegmemError {
  declare readonly code: 'ERR_EOF';
  constructor(message: string) {
    super('ERR_EOF', message);
  }
}

/** A long operation (a sort) stopped because its AbortSignal was aborted; `cause` is the signal's reason. */
export class OperationAbortedError extends SegmemError {
  declare readonly code: 'ERR_ABORTED';
  constructor(message: string, cause?: unknown) {
    super('ERR_ABORTED', message);
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, configurable: true, writable: true });
  }
}

/** A call that the object's state does not allow: a closed sorter or view, or a sorter called back into while it sorts. */
export class IllegalStateError extends SegmemError {
  declare readonly code: 'ERR_ILLEGAL_STATE';
  constructor(message: string) {
    super('ERR_ILLEGAL_STATE', message);
  }
}
