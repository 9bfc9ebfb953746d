// Two runtimes over one memory (the attach path the threads build stands on):
// the network free list lives in the linear memory, found through the runtime
// header, so both see and change the same list, and one closing leaves the
// other's segments out.
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../src/kernels/js-backend.js';
import { attachRuntime } from '../src/runtime/runtime.js';
import { wasmBackend } from '../src/wasm/backend.js';
import { builds } from './builds.js';

const backends = { wasm: wasmBackend, js: jsBackend };

describe.each(builds)('$name build', ({ name, init }) => {
  it('an attached runtime runs the same network free list', async () => {
    const first = await init({ managedMemory: '64kb', networkMemory: 8 * 4096, pageSize: 4096 });
    const second = await attachRuntime(backends[name], first.memory);
    const a = first.networkBufferPool;
    const b = second.networkBufferPool;
    expect(b.totalNumberOfMemorySegments).toBe(8);
    const pool = a.createBufferPool({ minSize: 3, maxSize: 3 });
    expect(b.numberOfAvailableMemorySegments).toBe(5);
    const mine = await b.requestUnpooledMemorySegments(2);
    expect(a.numberOfAvailableMemorySegments).toBe(3);
    // Distinct segments: the attached runtime's addresses are none of the pool's.
    const buffers = [pool.requestBuffer()!, pool.requestBuffer()!, pool.requestBuffer()!];
    buffers.forEach((buffer) => buffer.memorySegment.putInt(0, 7));
    mine.forEach((segment) => segment.putInt(0, 9));
    buffers.forEach((buffer) => expect(buffer.memorySegment.getInt(0)).toBe(7));
    // Closing the attached runtime returns its own segments only.
    second.close();
    expect(mine.every((segment) => segment.isFreed())).toBe(true);
    expect(a.numberOfAvailableMemorySegments).toBe(5);
    buffers.forEach((buffer) => buffer.recycleBuffer());
    pool.lazyDestroy();
    expect(a.numberOfAvailableMemorySegments).toBe(8);
    first.close();
  });
});
