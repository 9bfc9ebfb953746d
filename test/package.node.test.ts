// The built package as users get it: `segmem` and `segmem/js` resolve through
// package.json "exports" (a package may import itself by name), both entry
// points export the whole API and work, and the typings are in dist/.
// Node only: it reads files and starts a plain `node` process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What both entry points must export, values and classes alike. */
const API = [
  'init',
  'createMemoryManager',
  'MemorySegment',
  'MemorySegmentFactory',
  'MemoryManager',
  'Runtime',
  'SegmemError',
  'SegmentOutOfBoundsError',
  'SegmentFreedError',
  'ValueOutOfRangeError',
  'InvalidArgumentError',
  'MemoryAllocationError',
  'MemoryReservationError',
  'InsufficientBuffersError',
  'BufferPoolDestroyedError',
  'IllegalReferenceCountError',
  'IllegalConfigurationError',
  'ShutdownError',
  'parseSize',
  'formatSize',
  'resolveMemoryConfig',
  'describeMemoryConfig',
] as const;

const ENTRY_POINTS = [
  { specifier: 'segmem', build: 'wasm', dts: 'dist/index.d.ts', js: 'dist/index.js' },
  { specifier: 'segmem/js', build: 'js', dts: 'dist/js.d.ts', js: 'dist/js.js' },
] as const;

type Entry = Record<(typeof API)[number], unknown> & typeof import('../src/index.js');

async function load(specifier: string): Promise<Entry> {
  // A variable specifier keeps the import dynamic; it resolves like any bare package name.
  return (await import(/* @vite-ignore */ specifier)) as Entry;
}

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    type: string;
    exports: Record<string, { types: string; default: string }>;
    types: string;
    main: string;
  };

  it('is the ESM package segmem with both entry points and their typings in its exports', () => {
    expect(pkg.name).toBe('segmem');
    expect(pkg.type).toBe('module');
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.exports['./js']).toEqual({ types: './dist/js.d.ts', default: './dist/js.js' });
  });

  it('points only at files that exist after the build', () => {
    for (const entry of Object.values(pkg.exports)) {
      if (typeof entry === 'string') continue;
      expect(existsSync(join(root, entry.types)), entry.types).toBe(true);
      expect(existsSync(join(root, entry.default)), entry.default).toBe(true);
    }
    expect(existsSync(join(root, pkg.main))).toBe(true);
    expect(existsSync(join(root, pkg.types))).toBe(true);
  });
});

describe.each(ENTRY_POINTS)('$specifier', (entry) => {
  it('exports the whole API', async () => {
    const lib = await load(entry.specifier);
    for (const name of API) expect(typeof lib[name], name).toBe('function');
  });

  it('starts a working runtime of its build', async () => {
    const lib = await load(entry.specifier);
    const rt = await lib.init({ managedMemory: '128kb', networkMemory: 0, offHeapMemory: '64kb', pageSize: 4096 });
    expect(rt.build).toBe(entry.build);
    expect(rt).toBeInstanceOf(lib.Runtime);
    const a = rt.segments.allocateUnpooledOffHeapMemory(64);
    const b = rt.segments.allocateUnpooledOffHeapMemory(64);
    expect(a).toBeInstanceOf(lib.MemorySegment);
    a.putLongBigEndian(0, 0x0102030405060708n);
    a.copyTo(0, b, 8, 8);
    expect(b.getLong(8)).toBe(0x0807060504030201n);
    expect(a.compare(b, 0, 8, 8)).toBe(0);
    b.byteSwap(8, 8, 8);
    expect(b.getLong(8)).toBe(0x0102030405060708n);
    let caught: unknown;
    try {
      a.getInt(61);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(lib.SegmentOutOfBoundsError);
    expect(caught).toBeInstanceOf(lib.SegmemError);
    expect((caught as { code: string }).code).toBe('ERR_SEGMENT_OUT_OF_BOUNDS');
    rt.close();
    expect(a.isFreed()).toBe(true);
  });

  it('resolves and works in a plain node process, outside the test runner', () => {
    const script = `
      const lib = await import(${JSON.stringify(entry.specifier)});
      const rt = await lib.init({ totalMemory: '16mb' });
      const s = rt.segments.allocateUnpooledOffHeapMemory(8);
      s.putInt(0, -7);
      console.log(JSON.stringify({ build: rt.build, value: s.getInt(0), url: import.meta.resolve(${JSON.stringify(entry.specifier)}) }));
      rt.close();
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    const result = JSON.parse(out.trim()) as { build: string; value: number; url: string };
    expect(result.build).toBe(entry.build);
    expect(result.value).toBe(-7);
    // Resolved to the built file through "exports", not to the sources.
    expect(result.url).toBe(new URL(entry.js, `file://${root}/`).href);
  });

});

it('the typings resolve by package name and type-check a consumer (tsc, NodeNext)', () => {
  // The consumer must sit inside the package for the self-reference to resolve;
  // node_modules/.cache is the conventional place for such scratch files.
  const dir = join(root, 'node_modules', '.cache', `segmem-package-test-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(
      join(dir, 'consumer.ts'),
      `
      import { init, MemorySegment, SegmemError, SegmentOutOfBoundsError, type Runtime, type InitOptions } from 'segmem';
      import * as pureJs from 'segmem/js';
      const options: InitOptions = { totalMemory: '16mb', pageSize: 4096 };
      const rt: Runtime = await init(options);
      const segment: MemorySegment = rt.segments.allocateUnpooledOffHeapMemory(16);
      const asNumber: number = segment.getLongNumberBigEndian(0);
      const asBigint: bigint = segment.getLong(8);
      const error: SegmemError | SegmentOutOfBoundsError | null = null;
      const other: pureJs.Runtime = await pureJs.init();
      const same: typeof MemorySegment = pureJs.MemorySegment;
      // @ts-expect-error a long is a bigint: the typings are precise, not any
      segment.putLong(0, 5);
      // @ts-expect-error no such option
      await pureJs.init({ totalMemory: '1mb', bogus: true });
      export { asNumber, asBigint, error, other, same };
      `,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'lib', 'tsc.js');
    const args = [
      tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
      '--lib', 'es2022,dom,esnext.disposable', '--types', 'node', '--skipLibCheck', join(dir, 'consumer.ts'),
    ];
    let output = '';
    try {
      execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(output).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

it('both entry points share one MemorySegment class, so segments of the two builds work together', async () => {
  const [wasm, js] = [await load('segmem'), await load('segmem/js')];
  expect(wasm.MemorySegment).toBe(js.MemorySegment);
  const [a, b] = [await wasm.init({ totalMemory: '16mb' }), await js.init({ totalMemory: '16mb' })];
  const sa = a.segments.allocateUnpooledOffHeapMemory(16);
  const sb = b.segments.allocateUnpooledOffHeapMemory(16);
  sa.fill(7);
  sa.copyTo(0, sb, 0, 16);
  expect(sb.equalTo(sa, 0, 0, 16)).toBe(true);
  a.close();
  b.close();
});
