// After rt.close() every segment is freed, and the handles a program keeps no
// longer keep the linear memory alive: a long-lived process that opens and
// closes runtimes holds no memory of the closed ones.
import { describe, expect, it } from 'vitest';
import { builds, type Build } from './builds.js';

const gc = (globalThis as { gc?: () => void }).gc;
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
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
  const memory = new WeakRef(rt.memory.buffer);
  rt.close();
  return { handles: [...pages, released[0]!, offHeap, freedEarly], memory };
}

describe.each(builds)('$name build', ({ init, lib }) => {
  it('leaves every handle freed, and none of them keeps the memory alive', async () => {
    const { handles, memory } = await closedRuntime(init);
    for (const handle of handles) {
      expect(handle.isFreed()).toBe(true);
      expect(() => handle.getInt(0)).toThrow(lib.SegmentFreedError);
    }
    if (gc === undefined) return;
    for (let i = 0; i < 20 && memory.deref() !== undefined; i++) {
      await nextTask();
      gc();
    }
    expect(memory.deref(), 'a kept handle still holds the closed runtime memory').toBeUndefined();
    // The handles are still there and still say what they were.
    expect(handles.map((h) => h.size)).toEqual([4096, 4096, 4096, 4096, 100, 16]);
    expect(handles[0]!.isOffHeap()).toBe(true);
  });
});
