import type { Backend } from '../runtime/runtime.js';
import { createJsKernels } from './js-kernels.js';

/** The pure-JS build: one ArrayBuffer reserved at full size, the TypeScript kernels over it. @internal */
export const jsBackend: Backend = {
  build: 'js',
  async create(byteLength) {
    const buffer = new ArrayBuffer(byteLength);
    return { buffer, users: { count: 1 }, memory: null, kernels: createJsKernels(buffer), longs: null };
  },
  async attach(existing) {
    return { buffer: existing.buffer, users: existing.users, memory: existing.memory, kernels: createJsKernels(existing.buffer), longs: null };
  },
  detach(linear) {
    // Transferring the buffer detaches it; the buffer it moves to is dropped at once.
    structuredClone(linear.buffer, { transfer: [linear.buffer] });
  },
};
