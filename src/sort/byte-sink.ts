/**
 * Where `ExternalSorter.writeTo` sends the sorted records' bytes: a WHATWG
 * WritableStream, a Node Writable (a file's write stream, a socket, stdout),
 * or any object with a `write(chunk)` that may return a promise. The three
 * become one small sink that waits for each chunk as the target asks
 * (writer.ready, a Node stream's 'drain', the returned promise), so a slow
 * target slows the sort instead of chunks piling up in memory.
 *
 * Only structural types are named, so that the typings need neither the DOM
 * library nor @types/node.
 */
import { InvalidArgumentError } from '../errors.js';
import { render } from '../util/render.js';

/** A WHATWG WritableStream of byte chunks, as far as writeTo uses it. */
export interface WritableStreamLike {
  /** Locks the stream to a writer. */
  getWriter(): {
    /** Resolves when the stream wants more. */
    readonly ready: Promise<unknown>;
    /** Queues a chunk. */
    write(chunk: Uint8Array): Promise<void>;
    /** Closes the stream once the queued chunks are written. */
    close(): Promise<void>;
    /** Ends the stream with an error. */
    abort(reason?: unknown): Promise<void>;
    /** Unlocks the stream. */
    releaseLock(): void;
  };
}

/** A Node Writable in binary mode, as far as writeTo uses it. */
export interface NodeWritableLike {
  /** Writes a chunk; false when the caller should wait for 'drain'. */
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  /** Ends the stream; the callback runs once everything is flushed. */
  end(callback: () => void): unknown;
  /** Listens once to 'drain', 'error' or 'close'. */
  once(event: 'drain' | 'error' | 'close', listener: (error?: unknown) => void): unknown;
  /** Stops listening. */
  removeListener(event: 'drain' | 'error' | 'close', listener: (error?: unknown) => void): unknown;
}

/** Anything with a write(chunk) that may return a promise (awaited before the next chunk). */
export interface ChunkWriterLike {
  /** Takes one chunk; the sink keeps no reference to it afterwards. */
  write(chunk: Uint8Array): unknown;
}

/** The targets writeTo takes. */
export type SortOutput = WritableStreamLike | NodeWritableLike | ChunkWriterLike;

/** One target, whatever its kind. @internal */
export interface ByteSink {
  /** Hands over `chunk` (the sink may keep it); resolves when the target wants more. */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends the target (closing it when `end`); resolves when everything is written. */
  close(end: boolean): Promise<void>;
  /** Gives up after an error: unlocks or errors the target. */
  abort(reason: unknown): Promise<void>;
}

/** The sink for `target`; ERR_INVALID_ARGUMENT for anything else. @internal */
export function toByteSink(target: unknown): ByteSink {
  if (target !== null && typeof target === 'object') {
    const t = target as Record<string, unknown>;
    if (typeof t.getWriter === 'function') return whatwgSink(target as WritableStreamLike);
    if (typeof t.write === 'function' && typeof t.once === 'function' && typeof t.end === 'function') return nodeSink(target as NodeWritableLike);
    if (typeof t.write === 'function') return chunkSink(target as ChunkWriterLike);
  }
  throw new InvalidArgumentError(`writeTo needs a WritableStream, a Node Writable or an object with write(chunk), got ${render(target)}`);
}

function whatwgSink(stream: WritableStreamLike): ByteSink {
  const writer = stream.getWriter();
  return {
    async write(chunk) {
      await writer.ready;
      void writer.write(chunk).catch(() => {}); // its failure also rejects the next ready/close
    },
    async close(end) {
      if (end) await writer.close();
      else await writer.ready;
      writer.releaseLock();
    },
    async abort(reason) {
      await writer.abort(reason).catch(() => {});
      writer.releaseLock();
    },
  };
}

function nodeSink(stream: NodeWritableLike): ByteSink {
  let failure: { error: unknown } | null = null;
  const onError = (error: unknown) => void (failure ??= { error });
  stream.once('error', onError);
  const check = () => {
    if (failure !== null) throw failure.error;
  };
  // Waits for 'drain', or for an error or close that will never drain.
  const waitFor = (event: 'drain' | 'finish') =>
    new Promise<void>((resolve) => {
      const done = () => {
        stream.removeListener('drain', done);
        stream.removeListener('error', done);
        stream.removeListener('close', done);
        resolve();
      };
      if (event === 'drain') stream.once('drain', done);
      else stream.end(done);
      stream.once('error', done);
      stream.once('close', done);
    });
  return {
    async write(chunk) {
      check();
      if (!stream.write(chunk, (error) => error && onError(error))) await waitFor('drain');
      check();
    },
    async close(end) {
      check();
      if (end) await waitFor('finish');
      stream.removeListener('error', onError);
      check();
    },
    async abort() {
      stream.removeListener('error', onError);
    },
  };
}

function chunkSink(target: ChunkWriterLike): ByteSink {
  return {
    async write(chunk) {
      await target.write(chunk);
    },
    async close() {},
    async abort() {},
  };
}
