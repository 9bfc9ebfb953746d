// A second runtime attached to a memory another runtime laid out reads the
// layout from the memory and shares its tables: the budget, the free pages
// and the owners' slots are one state, with handles of its own. (The threads
// build stands on this; here both runtimes live in one realm.)
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../src/kernels/js-backend.js';
import { attachRuntime, type Backend, type Runtime } from '../src/runtime/runtime.js';
import { wasmBackend } from '../src/wasm/backend.js';
import { builds } from './builds.js';
import { expectCode } from './oracle.js';

const PAGE = 4096;
const OPTIONS = { managedMemory: 16 * PAGE, networkMemory: 0, offHeapMemory: '64kb', pageSize: PAGE } as const;
const backends: Record<'wasm' | 'js', Backend> = { wasm: wasmBackend, js: jsBackend };

describe.each(builds)('$name build', ({ name, init, lib }) => {
  const attach = (rt: Runtime) => attachRuntime(backends[name], rt.memory);

  it('attaches without laying the tables out again: one budget, disjoint pages', async () => {
    const a = await init(OPTIONS);
    const held = a.memoryManager.allocatePages('a', 5);
    a.memoryManager.reserveMemory('a', 2 * PAGE);
    held.forEach((page, i) => page.putInt(0, 7000 + i));
    const b = await attach(a);
    expect(b.config.managedMemory).toBe(16 * PAGE);
    expect(b.config.pageSize).toBe(PAGE);
    expect(b.memoryManager.availableMemory).toBe(9 * PAGE);
    const mine = b.memoryManager.allocatePages('b', 9);
    expect(a.memoryManager.availableMemory).toBe(0);
    const starts = new Set([...held, ...mine].map((p) => p.address));
    expect(starts.size).toBe(14);
    // a's pages kept their bytes; b's handles see the same memory.
    expect(held.map((p) => p.getInt(0))).toEqual([7000, 7001, 7002, 7003, 7004]);
    expectCode(lib, () => a.memoryManager.allocatePages('a', 1), 'ERR_MEMORY_ALLOCATION');
    b.memoryManager.releaseAll('b');
    expect(a.memoryManager.availableMemory).toBe(9 * PAGE);
    a.memoryManager.release(held);
    a.memoryManager.releaseAllMemory('a');
    expect(b.memoryManager.verifyEmpty()).toBe(true);
    b.close();
    a.close();
  });

  it('closing one attached runtime gives back only what its owners held', async () => {
    const a = await init(OPTIONS);
    const b = await attach(a);
    const kept = a.memoryManager.allocatePages('a', 3);
    b.memoryManager.allocatePages('b', 4);
    b.memoryManager.reserveMemory('b', PAGE);
    b.close();
    expect(a.memoryManager.availableMemory).toBe(13 * PAGE);
    expect(kept.every((p) => !p.isFreed())).toBe(true);
    a.memoryManager.release(kept);
    expect(a.memoryManager.verifyEmpty()).toBe(true);
    a.close();
  });

  it('refuses a memory with no runtime header', async () => {
    const a = await init(OPTIONS);
    const other = { ...a.memory, buffer: new ArrayBuffer(a.memory.buffer.byteLength) };
    await expect(attachRuntime(backends[name], other)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    a.close();
  });
});
