import { InvalidArgumentError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { WASM_BASE64 } from './segmem-wasm.js';

/**
 * A compiled kernels module (a `WebAssembly.Module`), or its bytes, for users
 * who load the .wasm themselves. The module is typed as `object` so that the
 * typings need no WebAssembly declarations (Node-only projects have none);
 * init() rejects anything else with ERR_INVALID_ARGUMENT.
 */
export type WasmSource = ArrayBuffer | ArrayBufferView | object;

/** Exports the facade calls; checked so that a wrong module fails at init, not mid-operation. */
const REQUIRED_EXPORTS: readonly (keyof Kernels)[] = [
  'heapBase', 'copy', 'fill', 'compare', 'equal', 'swap', 'byteSwap16', 'byteSwap32', 'byteSwap64',
  'pageTableBytes', 'pagesInit', 'pagesAllocate', 'pagesRelease', 'pagesReleaseAll',
];

/** The module bundled with the package (inlined base64, so no file has to be located or served). @internal */
export function bundledWasmBytes(): Uint8Array {
  const text = atob(WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Instantiates the kernels over `memory`. The exports object itself is the
 * Kernels implementation: no wrapper sits between the facade and wasm.
 * @internal
 */
export async function instantiateKernels(memory: WebAssembly.Memory, source?: WasmSource): Promise<Kernels & WebAssembly.Exports> {
  let module: WebAssembly.Module;
  if (source === undefined) module = await WebAssembly.compile(bundledWasmBytes() as Uint8Array<ArrayBuffer>);
  else if (source instanceof WebAssembly.Module) module = source;
  else if (source instanceof ArrayBuffer) module = await WebAssembly.compile(source);
  // compile() takes typed arrays but not a DataView: hand it the same bytes as a Uint8Array.
  else if (ArrayBuffer.isView(source)) module = await WebAssembly.compile(new Uint8Array(source.buffer, source.byteOffset, source.byteLength) as Uint8Array<ArrayBuffer>);
  else throw new InvalidArgumentError(`init: wasm must be a WebAssembly.Module or its bytes, got ${Object.prototype.toString.call(source)}`);
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort: () => {
        throw new Error('segmem kernels aborted');
      },
    },
  });
  const exports = instance.exports;
  const missing = REQUIRED_EXPORTS.filter((name) => typeof exports[name] !== 'function');
  if (missing.length > 0) {
    throw new InvalidArgumentError(`init: the wasm module is not segmem's kernels (missing exports: ${missing.join(', ')})`);
  }
  return exports as unknown as Kernels & WebAssembly.Exports;
}
