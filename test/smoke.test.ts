import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';

describe.each(builds)('$name build', ({ name, init }) => {
  it('starts a runtime whose segments read back what was written', async () => {
    const rt = await init({ totalMemory: '16mb' });
    expect(rt.build).toBe(name);
    const seg = rt.segments.allocateUnpooledOffHeapMemory(32);
    seg.putInt(4, -7);
    expect(seg.getInt(4)).toBe(-7);
    rt.close();
    expect(seg.isFreed()).toBe(true);
  });
});
