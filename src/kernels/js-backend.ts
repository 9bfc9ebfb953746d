import { InvalidArgumentError } from '../errors.js';
import { render } from '../util/render.js';
import type { Backend } from '../runtime/runtime.js';
import { createJsKernels } from './js-kernels.js';

/**
 * The pure-JS build: one ArrayBuffer reserved at full size, the TypeScript
 * kernels over it; a shared runtime's is a SharedArrayBuffer. @internal
 */
export const jsBackend: Backend = {
  build: 'js',
  async create(byteLength, { shared }) {
    const buffer = shared === true ? new SharedArrayBuffer(byteLength) : new ArrayBuffer(byteLength);
    return { buffer, users: { count: 1 }, memory: null, module: null, kernels: createJsKernels(buffer), longs: null };
  },
  async attach(existing) {
    return { ...existing, kernels: createJsKernels(existing.buffer) };
  },
  async attachShared(memory) {
    if (!(memory instanceof SharedArrayBuffer)) throw new InvalidArgumentError(`attach: a pure-JS shared runtime needs a SharedArrayBuffer, got ${render(memory)}`);
    return { buffer: memory, users: { count: 1 }, memory: null, module: null, kernels: createJsKernels(memory), longs: null };
  },
  detach(linear) {
    // Transferring the buffer detaches it; the buffer it moves to is dropped at once.
    structuredClone(linear.buffer, { transfer: [linear.buffer as ArrayBuffer] });
  },
};
