// After rt.close() every segment is freed, and the handles and views a
// program keeps no longer keep the linear memory alive (close() detaches it):
// a long-lived process that opens and closes runtimes holds no memory of the
// closed ones.
import { describe, expect, it } from 'vitest';
import { builds, type Build } from './builds.js';

const OPTIONS = { managedMemory: '256kb', networkMemory: 0, offHeapMemory: '64kb', pageSize: 4096 } as const;

/** Opens a runtime, takes handles of every kind, closes it; returns the handles and a probe of the memory. */
async function closedRuntime(init: Build['init']) {
  const rt = await init(OPTIONS);
  const pages = rt.memoryManager.allocatePages('kept', 3);
  const released = rt.memoryManager.allocatePages('released', 1);
  rt.memoryManager.release(released[0]!);
  const offHeap = rt.segments.allocateUnpooledOffHeapMemory(100);
  const freedEarly = rt.segments.allocateUnpooledOffHeapMemory(16);
  freedEarly.free();
  const view = pages[0]!.wrap(0, 64);
  const buffer = rt.memory.buffer;
  const mm = rt.memoryManager;
  rt.close();
  return { handles: [...pages, released[0]!, offHeap, freedEarly], buffer, view, mm };
}

describe.each(builds)('$name build', ({ init, lib, name }) => {
  it('leaves every handle freed and the memory detached, so no handle or view keeps it alive', async () => {
    const { handles, buffer, view, mm } = await closedRuntime(init);
    for (const handle of handles) {
      expect(handle.isFreed()).toBe(true);
      expect(() => handle.getInt(0)).toThrow(lib.SegmentFreedError);
    }
    // A detached buffer has no bytes left to hold; views of it read as empty.
    expect(buffer.byteLength).toBe(0);
    expect(view.length).toBe(0);
    // The handles still say what they were, and the manager what it had.
    expect(handles.map((h) => h.size)).toEqual([4096, 4096, 4096, 4096, 100, 16]);
    expect(handles[0]!.isOffHeap()).toBe(true);
    expect(mm.verifyEmpty()).toBe(true);
    expect(mm.availableMemory).toBe(mm.memorySize);
  });

  it('a runtime attached to the same memory keeps it until it closes too', async () => {
    const { attachRuntime } = await import('../src/runtime/runtime.js');
    const backend = name === 'wasm' ? (await import('../src/wasm/backend.js')).wasmBackend : (await import('../src/kernels/js-backend.js')).jsBackend;
    const a = await init(OPTIONS);
    const b = await attachRuntime(backend, a.memory);
    const page = b.memoryManager.allocatePages('b', 1)[0]!;
    a.close();
    page.putInt(0, 42);
    expect(page.getInt(0)).toBe(42);
    expect(a.memory.buffer.byteLength).toBeGreaterThan(0);
    b.close();
    expect(a.memory.buffer.byteLength).toBe(0);
  });
});
