import { InvalidArgumentError, KernelAbortError } from '../errors.js';
import { render } from '../util/render.js';
import type { Kernels, LongKernels } from '../kernels/kernels.js';
import { THREADS_WASM_BASE64 } from './segmem-threads-wasm.js';
import { WASM_BASE64 } from './segmem-wasm.js';

/**
 * A compiled kernels module (a `WebAssembly.Module`), or its bytes, for users
 * who load the .wasm themselves. The module is typed as `object` so that the
 * typings need no WebAssembly declarations (Node-only projects have none);
 * init() rejects anything else with ERR_INVALID_ARGUMENT.
 */
export type WasmSource = ArrayBuffer | ArrayBufferView | object;

/** Exports the facade calls; checked so that a wrong module fails at init, not mid-operation. */
const REQUIRED_EXPORTS: readonly (keyof Kernels | keyof LongKernels)[] = [
  'getLong', 'putLong', 'getLongBigEndian', 'putLongBigEndian',
  'heapBase', 'copy', 'fill', 'compare', 'equal', 'swap', 'byteSwap16', 'byteSwap32', 'byteSwap64',
  'pageTableBytes', 'pagesInit', 'pagesAllocate', 'pagesRelease', 'pagesReleaseAll', 'budgetReserve', 'budgetRelease',
  'slotAcquire', 'slotRelease', 'offHeapInit', 'offHeapAllocate', 'offHeapFree', 'offHeapLargestFree',
  'bufferTableBytes', 'buffersInit', 'buffersTake', 'buffersGive',
  'sortCount', 'sortPlace', 'sortScatter', 'sortLeaf', 'sortRestore', 'sortInPlace', 'sortInPlaceRange', 'sortPartition', 'sortNextTie', 'sortRunEnd',
];

/** The module bundled with the package (inlined base64, so no file has to be located or served); `threads`: the one over a shared memory. @internal */
export function bundledWasmBytes(threads = false): Uint8Array {
  const text = atob(threads ? THREADS_WASM_BASE64 : WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The bundled module, compiled on first use and then shared by every runtime
 * of the process (a compiled module is immutable; each runtime instantiates it
 * over its own memory).
 */
let bundledModule: Promise<WebAssembly.Module> | undefined;
/** The same for the threads module (compiled only by processes that start or attach a shared runtime). */
let bundledThreadsModule: Promise<WebAssembly.Module> | undefined;

/** The compiled module for `source` (the bundled one when undefined; with `threads`, the one importing a shared memory). @internal */
export async function compiledModule(source: WasmSource | undefined, threads = false): Promise<WebAssembly.Module> {
  try {
    return await compile(source, threads);
  } catch (err) {
    if (err instanceof WebAssembly.CompileError) throw new InvalidArgumentError(`init: wasm is not segmem's kernels module (${err.message})`);
    throw err;
  }
}

function compile(source: WasmSource | undefined, threads: boolean): Promise<WebAssembly.Module> {
  if (source === undefined && threads) return (bundledThreadsModule ??= WebAssembly.compile(bundledWasmBytes(true) as Uint8Array<ArrayBuffer>));
  if (source === undefined) return (bundledModule ??= WebAssembly.compile(bundledWasmBytes() as Uint8Array<ArrayBuffer>));
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (source instanceof ArrayBuffer) return WebAssembly.compile(source);
  // compile() takes typed arrays but not a DataView: hand it the same bytes as a Uint8Array.
  if (ArrayBuffer.isView(source)) return WebAssembly.compile(new Uint8Array(source.buffer, source.byteOffset, source.byteLength) as Uint8Array<ArrayBuffer>);
  throw new InvalidArgumentError(`init: wasm must be a WebAssembly.Module or its bytes, got ${render(source)}`);
}

/**
 * Instantiates the kernels over `memory`. The exports object itself is the
 * Kernels implementation: no wrapper sits between the facade and wasm.
 * @internal
 */
export async function instantiateKernels(memory: WebAssembly.Memory, source?: WasmSource): Promise<Kernels & LongKernels & WebAssembly.Exports> {
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(await compiledModule(source), {
      env: {
        memory,
        // AssemblyScript's abort(message, file, line, column); strings are not decoded (the stub runtime keeps none).
        abort: (_message: number, _file: number, line: number, column: number) => {
          throw new KernelAbortError(`segmem kernels aborted at line ${line}, column ${column}`);
        },
      },
    });
  } catch (err) {
    // A CompileError or LinkError: the bytes are not a module, or not one that fits segmem's imports.
    if (err instanceof WebAssembly.CompileError || err instanceof WebAssembly.LinkError) {
      throw new InvalidArgumentError(`init: wasm is not segmem's kernels module (${err.message})`);
    }
    throw err;
  }
  const exports = instance.exports;
  const missing = REQUIRED_EXPORTS.filter((name) => typeof exports[name] !== 'function');
  if (missing.length > 0) {
    throw new InvalidArgumentError(`init: the wasm module is not segmem's kernels (missing exports: ${missing.join(', ')})`);
  }
  return exports as unknown as Kernels & LongKernels & WebAssembly.Exports;
}
