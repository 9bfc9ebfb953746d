// mountInspector(element, rt): argument checks everywhere; in a page (the
// Chromium project) the pictures show the snapshot's numbers, follow the
// runtime live, run actions, and stop when the runtime closes. The view is
// also fed snapshots directly (the history of the chart, the sections).
import { afterEach, describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import { expectCode, netRuntime, PAGE } from './network-support.js';
import { mountInspector, type Inspector } from '../src/inspect/index.js';
import { BackPressureHistory } from '../src/inspect/history.js';
import type { BufferBuilder, RuntimeMetrics } from '../src/index.js';

const inPage = typeof document !== 'undefined';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check()` is true (at most `ms`). */
async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** A snapshot with the given producers (ms/s of back-pressure) at `t` seconds. */
function snapshotAt(t: number, producers: Record<string, number>): RuntimeMetrics {
  const pools = Object.entries(producers).map(([name, ms]) => ({
    name, size: 1, minSize: 1, maxSize: 1, held: 1, inUse: 0, available: 1, waiters: 0, backPressuredTimeMs: 0, backPressuredTimeMsPerSecond: ms, level: 'OK' as const,
  }));
  return {
    timestamp: t * 1000,
    build: 'js',
    closed: false,
    model: { totalBytes: 0, pageSize: PAGE, linearMemoryBytes: 0, parts: [] },
    managed: { pageSize: PAGE, totalPages: 0, pagesInUse: 0, reservedBytes: 0, availableBytes: 0, owners: [] },
    network: { bufferSize: PAGE, totalBuffers: 0, freeBuffers: 0, unpooledBuffers: 0, unpooledWaiters: 0, pools, partitions: [], gates: [], failedSources: 0 },
    leaks: { detection: false, reported: 0, bytes: 0 },
  };
}

describe('the back-pressure history', () => {
  it('keeps one minute, a column per producer, null where a producer was absent', () => {
    const h = new BackPressureHistory();
    h.add(snapshotAt(100, { a: 900 }));
    h.add(snapshotAt(101, { a: 800, b: 10 }));
    h.add(snapshotAt(102, { b: 20 }));
    expect(h.times).toEqual([100, 101, 102]);
    expect(h.series.get('a')).toEqual([900, 800, null]);
    expect(h.series.get('b')).toEqual([null, 10, 20]);
    h.add(snapshotAt(161.5, { b: 0 }));
    // 100 and 101 are more than a minute before 161.5; 'a' has no sample left and goes.
    expect(h.times).toEqual([102, 161.5]);
    expect([...h.series.keys()]).toEqual(['b']);
    // A clock that goes back starts the minute over.
    h.add(snapshotAt(50, { c: 1 }));
    expect(h.times).toEqual([50]);
    expect([...h.series.keys()]).toEqual(['c']);
  });
});

let mounted: Inspector[] = [];
afterEach(() => {
  for (const inspector of mounted) inspector.close();
  mounted = [];
});

describe.each(builds)('$name build', ({ init, lib }) => {
  it('refuses what is not an element, not a runtime, or bad options', async () => {
    using rt = await netRuntime(init, 4);
    const notElements: unknown[] = [null, undefined, {}, 'div', { nodeType: 1 }, Symbol('el'), 1n];
    for (const element of notElements) {
      const err = expectCode(lib, () => mountInspector(element as HTMLElement, rt), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toMatch(/^mountInspector: element must be a DOM element, got /);
    }
    const host = { nodeType: 1, append: () => undefined } as unknown as HTMLElement;
    for (const notRuntime of [null, {}, rt.memoryManager, Promise.resolve(rt)]) {
      expectCode(lib, () => mountInspector(host, notRuntime as never), 'ERR_INVALID_ARGUMENT');
    }
    const throwingGetter = { get intervalMs(): number {
      throw new Error('getter');
    } };
    const throwingProxy = new Proxy({}, { ownKeys: () => {
      throw new Error('trap');
    } });
    for (const options of [{ intervalMs: 0 }, { intervalMs: 1.5 }, { actions: { x: 1 } }, { actions: { '': () => 1 } }, { bogus: true }, 7, throwingGetter, throwingProxy, { actions: throwingProxy }]) {
      expectCode(lib, () => mountInspector(host, rt, options as never), 'ERR_INVALID_ARGUMENT');
    }
  });

  if (inPage) {
    const hostElement = () => {
      const host = document.createElement('div');
      document.body.append(host);
      return host;
    };
    const poolRow = (inspector: Inspector, name: string) => inspector.element.querySelector<HTMLElement>(`[data-pool="${name}"]`);

    it('shows the memory parts, owners and pools with the numbers of the snapshot it took', async () => {
      using rt = await netRuntime(init, 8);
      rt.memoryManager.allocatePages('sorter', 3);
      rt.memoryManager.reserveMemory('hash table', PAGE);
      const pool = rt.networkBufferPool.createBufferPool({ minSize: 4, maxSize: 4, name: 'producer' });
      const out = [pool.requestBuffer()!, pool.requestBuffer()!, pool.requestBuffer()!];
      const inspector = mountInspector(hostElement(), rt, { title: 'test view' });
      mounted.push(inspector);
      const m = inspector.snapshot!;
      expect(m.network.pools[0]).toMatchObject({ inUse: 3, available: 1, size: 4 });
      const row = poolRow(inspector, 'producer')!;
      expect(row.dataset).toMatchObject({ inUse: '3', available: '1', size: '4', held: '4', waiters: '0', level: 'OK' });
      expect(row.textContent).toContain('in use 3 of 4 · available 1 · waiters 0');
      // The bar: in use and available as shares of the size.
      const [inUse, available] = Array.from(row.querySelectorAll<HTMLElement>('.si-bar > span'));
      expect(inUse!.style.width).toBe('75%');
      expect(available!.style.width).toBe('25%');
      const owners = Array.from(inspector.element.querySelectorAll<HTMLElement>('[data-part="owners"] > .si-row'));
      expect(owners.map((o) => [o.dataset.key, o.dataset.pages, o.dataset.reserved])).toEqual([
        ['sorter', '3', '0'],
        ['hash table', '0', String(PAGE)],
      ]);
      const parts = Array.from(inspector.element.querySelectorAll<HTMLElement>('[data-part="memoryLegend"] > span'));
      expect(parts.map((p) => Number(p.dataset.bytes))).toEqual([rt.config.managedMemory, rt.config.networkMemory, rt.config.offHeapMemory, rt.config.userMemory]);
      expect(inspector.element.querySelector('h1')!.textContent).toBe('test view');
      expect(inspector.element.querySelector('.uplot canvas')).not.toBeNull();
      for (const b of out) b.recycleBuffer();
    });

    it('follows the runtime live: a producer that waits reads HIGH, then OK once buffers come back', async () => {
      using rt = await netRuntime(init, 4);
      const pool = rt.networkBufferPool.createBufferPool({ minSize: 1, maxSize: 1, name: 'producer' });
      const inspector = mountInspector(hostElement(), rt, { intervalMs: 50 });
      mounted.push(inspector);
      const held: BufferBuilder = pool.requestBufferBuilder()!;
      const waiting = pool.requestBufferBuilderBlocking();
      await until(() => poolRow(inspector, 'producer')?.dataset.level === 'HIGH');
      expect(poolRow(inspector, 'producer')!.dataset).toMatchObject({ waiters: '1', inUse: '1' });
      held.close();
      (await waiting).close();
      await until(() => poolRow(inspector, 'producer')?.dataset.level === 'OK');
      expect(inspector.snapshot!.network.pools[0]!.waiters).toBe(0);
      // The chart's legend names the producer.
      expect(inspector.element.querySelector('[data-part="chartLegend"]')!.textContent).toContain('producer');
    });

    it('runs actions from its buttons and shows what failed', async () => {
      using rt = await netRuntime(init, 4);
      let pressed = 0;
      const inspector = mountInspector(hostElement(), rt, {
        actions: {
          press: () => void pressed++,
          broken: () => {
            throw new lib.IllegalStateError('no consumer');
          },
        },
      });
      mounted.push(inspector);
      inspector.element.querySelector<HTMLButtonElement>('button[data-action="press"]')!.click();
      expect(pressed).toBe(1);
      inspector.element.querySelector<HTMLButtonElement>('button[data-action="broken"]')!.click();
      expect(inspector.element.querySelector('header')!.textContent).toContain('broken failed: no consumer');
    });

    it('stops when the runtime closes, and close() removes it', async () => {
      const rt = await netRuntime(init, 4);
      const host = hostElement();
      const inspector = mountInspector(host, rt, { intervalMs: 20 });
      mounted.push(inspector);
      rt.close();
      await until(() => inspector.element.dataset.status === 'closed');
      const at = inspector.snapshot!.timestamp;
      await sleep(80);
      expect(inspector.snapshot!.timestamp).toBe(at);
      inspector.close();
      inspector.close();
      expect(host.children.length).toBe(0);
      host.remove();
    });
  }
});
