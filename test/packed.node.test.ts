// The package as a user gets it from the registry. A copy of the source tree
// without dist/ (as a fresh checkout has it) is packed with `npm pack`, whose
// prepack builds it; the tarball is installed offline into a new project, and
// everything below runs against that install: the README example and the
// examples/ programs, type-checks of a Node-only and a browser-only project
// with skipLibCheck off, publint and arethetypeswrong on the tarball, the
// contents of the published typings, and the Vite example built and loaded
// in Chromium. Node only: it runs npm, tsc, node and a browser.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Per test: these run npm, tsc, node and a browser, beside the other suites on a 2-core machine. */
const SLOW = 120_000;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  repository: { type: string; url: string };
  homepage: string;
  bugs: { url: string };
  keywords: string[];
};

/** Members that are @internal in the sources and must not reach the published typings. */
const INTERNAL_NAMES = ['heap', 'view', 'address', 'addressLimit', 'kernels', 'releaser', 'markFreed', 'segmentFreed', 'layout', 'memory'];
/** The classes users get instances of but never construct. */
const NOT_CONSTRUCTIBLE = ['MemorySegment', 'MemoryManager', 'MemorySegmentFactory', 'Runtime'];

let work = '';
let tarball = '';
let consumer = '';
let packedFiles: string[] = [];

interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion; output is kept for the assertion messages. */
function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): Result {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000, ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Runs a command that must succeed and returns its standard output. */
function ok(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = run(command, args, options);
  expect(result.status, `${basename(command)} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

/** npm as the test command was started with (npm_execpath), else the one on PATH. */
function npm(args: readonly string[], cwd: string): string {
  const cli = process.env.npm_execpath;
  return cli !== undefined && cli.endsWith('.js') ? ok(process.execPath, [cli, ...args], { cwd }) : ok('npm', args, { cwd });
}

/** Type-checks a project with the repository's TypeScript; returns the diagnostics ('' when clean). */
function tsc(project: string): string {
  const result = run(process.execPath, [join(root, 'node_modules', 'typescript', 'lib', 'tsc.js'), '-p', project, '--pretty', 'false']);
  return (result.stdout + result.stderr).trim();
}

/** The first ```ts block after the README's "## Example" heading. */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Example'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (match === null) throw new Error('README.md: no ```ts block under "## Example"');
  return match[1]!;
}

/** The ```text block the README shows as rt.describe()'s output. */
function readmeDescribeOutput(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = /`rt\.describe\(\)` prints:\n\n```text\n([\s\S]*?)\n```/.exec(readme);
  if (match === null) throw new Error('README.md: no ```text block after "`rt.describe()` prints:"');
  return match[1]!;
}

/** Node examples: every .ts directly in examples/. */
function nodeExamples(): string[] {
  return readdirSync(join(root, 'examples')).filter((name) => name.endsWith('.ts')).sort();
}

/** Transpiles a TypeScript program (lowering `using` for Node 20) and runs it in `cwd`, where 'segmem' is installed. */
function runProgram(file: string, cwd: string, args: readonly string[] = []): string {
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  const runnable = join(cwd, `${basename(file, '.ts')}.run.mjs`);
  writeFileSync(runnable, outputText);
  return ok(process.execPath, [runnable, ...args], { cwd });
}

/** Copies the source tree as a fresh checkout has it: no dependencies, build output or generated files. */
function copyCleanTree(to: string): void {
  const skipTop = new Set(['node_modules', 'dist', 'build', '.git', 'docs']);
  const generated = join('src', 'wasm', 'segmem-wasm.ts');
  cpSync(root, to, {
    recursive: true,
    filter: (source) => {
      const rel = relative(root, source);
      if (rel === '') return true;
      return !skipTop.has(rel.split(sep)[0]!) && rel !== generated && !rel.endsWith('.tgz') && !rel.includes('.run-');
    },
  });
  // The build tools come from the repository's install, as after `npm ci`.
  symlinkSync(join(root, 'node_modules'), join(to, 'node_modules'), 'dir');
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'segmem-packed-'));
  const tree = join(work, 'tree');
  copyCleanTree(tree);
  // prepack builds the clean tree; lifecycle output shares stdout with the JSON.
  const out = npm(['pack', '--json', '--pack-destination', work], tree);
  const json = out.slice(out.search(/^\[/m));
  const [entry] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, entry!.filename);
  packedFiles = entry!.files.map((f) => f.path).sort();

  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // segmem has no dependencies, so installing its tarball needs no network.
  npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], consumer);
  // Type definitions for the Node-only project, from the repository's install.
  mkdirSync(join(consumer, 'node_modules', '@types'), { recursive: true });
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(consumer, 'node_modules', '@types', 'node'), 'dir');
  symlinkSync(join(root, 'node_modules', 'undici-types'), join(consumer, 'node_modules', 'undici-types'), 'dir');
  // segmem/inspect's optional peer dependency, as a user who wants the inspector installs it.
  symlinkSync(join(root, 'node_modules', 'uplot'), join(consumer, 'node_modules', 'uplot'), 'dir');
}, 240_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('npm pack from a clean tree', { timeout: SLOW }, () => {
  it('builds on prepack and ships dist/ with typings, declaration maps and source maps', () => {
    for (const file of ['index.js', 'index.d.ts', 'index.d.ts.map', 'index.js.map', 'js.js', 'js.d.ts', 'js.d.ts.map', 'node.js', 'node.d.ts', 'node.d.ts.map', 'wasm/segmem-wasm.js', 'inspect/index.js', 'inspect/index.d.ts', 'inspect-node.js', 'inspect-node.d.ts']) {
      expect(packedFiles, `dist/${file}`).toContain(`dist/${file}`);
    }
    // Every declaration file has its map, and every map's sources are in the package.
    const declarations = packedFiles.filter((f) => f.endsWith('.d.ts'));
    for (const file of declarations) expect(packedFiles).toContain(`${file}.map`);
    const installed = join(consumer, 'node_modules', 'segmem');
    for (const file of packedFiles.filter((f) => f.endsWith('.map'))) {
      const map = JSON.parse(readFileSync(join(installed, file), 'utf8')) as { sources: string[] };
      for (const source of map.sources) {
        expect(packedFiles, `${file} -> ${source}`).toContain(relative(installed, join(installed, dirname(file), source)).split(sep).join('/'));
      }
    }
  });

  it('ships the license, readme and changelog, and no tests, benchmarks or build scratch', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']));
    const stray = packedFiles.filter((f) => /^(test|bench|build|examples|scripts|\.ci|node_modules)\//.test(f) || f.endsWith('.tgz'));
    expect(stray).toEqual([]);
  });
});

describe('package metadata', { timeout: SLOW }, () => {
  it('has a LICENSE file matching "license", and what a registry page shows', () => {
    expect(pkg.license).toBe('Apache-2.0');
    const license = readFileSync(join(consumer, 'node_modules', 'segmem', 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/.+\.git$/);
    const repo = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    expect(pkg.homepage.startsWith(repo)).toBe(true);
    expect(pkg.bugs.url).toBe(`${repo}/issues`);
    expect(pkg.keywords.length).toBeGreaterThan(3);
  });

  it('keeps a changelog with a section for the current version', () => {
    const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toContain('## [Unreleased]');
    expect(changelog).toContain(`## [${pkg.version}]`);
  });

  it('publint --strict finds nothing to report in the tarball', async () => {
    const { publint } = await import('publint');
    const { formatMessage } = await import('publint/utils');
    const bytes = readFileSync(tarball);
    const result = await publint({ strict: true, pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer } });
    expect(result.messages.map((m) => `${m.type}: ${formatMessage(m, result.pkg) ?? m.code}`)).toEqual([]);
  });

  it('arethetypeswrong (--profile esm-only) finds no problem in the tarball', () => {
    const cli = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    const result = run(process.execPath, [cli, tarball, '--profile', 'esm-only', '--format', 'json']);
    expect(result.status, result.stderr).toBe(0);
    // Problems grouped by kind. The esm-only profile ignores CommonJS and node10 resolution; anything else is real.
    const { problems } = JSON.parse(result.stdout) as { problems: Record<string, { kind: string; entrypoint?: string; resolutionKind?: string }[]> };
    const real = Object.values(problems).flat().filter((p) => p.resolutionKind !== 'node16-cjs' && p.resolutionKind !== 'node10');
    expect(real).toEqual([]);
  });
});

describe('running against the installed package (Node)', { timeout: SLOW }, () => {
  it('runs the README example', () => {
    const file = join(consumer, 'readme-example.ts');
    writeFileSync(file, readmeExample());
    const out = runProgram(file, consumer);
    expect(out).toMatch(/^part\s+bytes\s+size\s+share$/m);
    expect(out).toMatch(/^managed\s+\d+\s+[\d.]+ MiB\s+[\d.]+%$/m);
    expect(out).toMatch(/^42 0$/m);
    // What the README shows as describe()'s output is what it prints.
    const shown = readmeDescribeOutput();
    expect(out.split('\n').slice(0, shown.split('\n').length).join('\n')).toBe(shown);
  });

  const expected: Record<string, RegExp[]> = {
    'pages-under-budget.ts': [/^budget: 8 pages of 32 KiB$/m, /^join refused: ERR_MEMORY_ALLOCATION$/m, /^all returned: true$/m],
    'inspect-backpressure.ts': [/^inspector: http:\/\/127\.0\.0\.1:\d+\/$/m, /^produced \d+ buffers, consumed \d+/m, /^inspector closed$/m],
    'sort-larger-than-memory.ts': [/^sorted 500000 records \(36\.2 MiB\) in a budget of 4 MiB$/m, /^runs spilled: \d+, merge passes: 1, pages held after: 0$/m, /readings in descending order: true$/m],
  };
  /** Examples that run until stopped get a port of the system's choosing and a deadline. */
  const exampleArgs: Record<string, string[]> = { 'inspect-backpressure.ts': ['--port', '0', '--seconds', '2'] };
  it.each(nodeExamples())('runs examples/%s', (name) => {
    mkdirSync(join(consumer, 'examples'), { recursive: true });
    const file = join(consumer, 'examples', name);
    cpSync(join(root, 'examples', name), file);
    const out = runProgram(file, join(consumer, 'examples'), exampleArgs[name]);
    for (const pattern of expected[name] ?? []) expect(out).toMatch(pattern);
  });

  it('loads from CommonJS, with require() on current Node and with import()', () => {
    const viaImport = `import('segmem').then(async ({ init }) => { const rt = await init(); console.log(rt.build); rt.close(); })`;
    expect(ok(process.execPath, ['--input-type=commonjs', '-e', viaImport], { cwd: consumer }).trim()).toBe('wasm');
    // require(esm) is on by default from Node 20.19 and 22.12.
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    if (major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19)) {
      const viaRequire = `const { init } = require('segmem/js'); init().then((rt) => { console.log(rt.build); rt.close(); })`;
      expect(ok(process.execPath, ['--input-type=commonjs', '-e', viaRequire], { cwd: consumer }).trim()).toBe('js');
    }
  });
});

/** Uses the typings the way a user does; compiled in both projects below. */
const CONSUMER = `
import {
  init, createMemoryManager, describeMemoryConfig, formatSize, parseSize, resolveMemoryConfig,
  MemorySegment, MemoryManager, MemorySegmentFactory, Runtime, SegmemError, SegmentOutOfBoundsError, MemoryAllocationError,
  type AllocatedPages, type InitOptions, type KernelsKind, type LeakReport, type MemoryConfig, type WasmSource,
} from 'segmem';
import * as pureJs from 'segmem/js';

const options: InitOptions = { totalMemory: '16mb', pageSize: 4096, leakDetection: 'stack', onLeak: (r: LeakReport) => r.message };
const rt: Runtime = await init(options);
const build: KernelsKind = rt.build;
const config: MemoryConfig = rt.config;
const factory: MemorySegmentFactory = rt.segments;
const manager: MemoryManager = rt.memoryManager;
const [first, second] = manager.allocatePages('owner', 2);
const three: AllocatedPages<3> = manager.allocatePages('owner', 3);
const some: MemorySegment[] = manager.allocatePages('owner', Number('4'));
const maybe: MemorySegment | undefined = some[0];
first.putLongBigEndian(0, 1n);
const asNumber: number = second.getLongNumber(0);
first.copyTo(0, three[2], 0, 8);
first[Symbol.dispose]();
rt[Symbol.dispose]();
const wasmBytes: WasmSource = new Uint8Array(8);
const sizes: number = parseSize('64mb', 'totalMemory') + resolveMemoryConfig({ totalMemory: '1gb' }).managedMemory;
const text: string = describeMemoryConfig(config) + formatSize(sizes);
const standalone: Promise<MemoryManager> = createMemoryManager({ memorySize: '1mb' });
const other: pureJs.Runtime = await pureJs.init();
const same: typeof MemorySegment = pureJs.MemorySegment;
const err: unknown = new SegmentOutOfBoundsError('x');
if (err instanceof SegmemError) { const code: string = err.code; void code; }
if (err instanceof MemoryAllocationError) { const code: 'ERR_MEMORY_ALLOCATION' = err.code; void code; }
if (maybe instanceof MemorySegment) void maybe.size;

// @ts-expect-error segments come from a factory, a manager or a pool
new MemorySegment();
// @ts-expect-error runtimes come from init()
new Runtime();
// @ts-expect-error managers come with a runtime or from createMemoryManager()
new MemoryManager();
// @ts-expect-error internal
first.heap;
// @ts-expect-error internal
first.address;
// @ts-expect-error internal
first.releaser;
// @ts-expect-error internal
first.markFreed();
// @ts-expect-error internal
rt.layout;
// @ts-expect-error a long is a bigint: the typings are precise, not any
first.putLong(0, 5);
// @ts-expect-error no such option
await pureJs.init({ bogus: true });
// @ts-expect-error a string is not a wasm module
await init({ wasm: 'segmem.wasm' });

export { build, factory, asNumber, wasmBytes, text, standalone, other, same };
`;

describe('the published typings', { timeout: SLOW }, () => {
  const strict = { strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false, noEmit: true };

  it('type-check a Node-only project (lib ES2023, @types/node, no DOM) with the README example and examples/', () => {
    writeFileSync(join(consumer, 'consumer.ts'), CONSUMER);
    writeFileSync(join(consumer, 'readme-example.ts'), readmeExample());
    mkdirSync(join(consumer, 'examples'), { recursive: true });
    for (const name of nodeExamples()) cpSync(join(root, 'examples', name), join(consumer, 'examples', name));
    const project = join(consumer, 'tsconfig.node.json');
    writeFileSync(project, JSON.stringify({
      compilerOptions: { ...strict, target: 'ES2023', lib: ['ES2023'], types: ['node'], module: 'NodeNext', moduleResolution: 'NodeNext' },
      files: ['consumer.ts', 'readme-example.ts', ...nodeExamples().map((name) => `examples/${name}`)],
    }));
    expect(tsc(project)).toBe('');
  });

  it('type-check a browser-only project (lib ES2022 + DOM, no @types/node) with the Vite example', () => {
    writeFileSync(join(consumer, 'consumer.ts'), CONSUMER);
    writeFileSync(join(consumer, 'readme-example.ts'), readmeExample());
    cpSync(join(root, 'examples', 'vite'), join(consumer, 'vite-app'), { recursive: true, filter: (s) => !s.includes('node_modules') });
    cpSync(join(root, 'examples', 'vite-inspect'), join(consumer, 'vite-inspect-app'), { recursive: true, filter: (s) => !s.includes('node_modules') });
    const project = join(consumer, 'tsconfig.browser.json');
    writeFileSync(project, JSON.stringify({
      compilerOptions: { ...strict, target: 'ES2022', lib: ['ES2022', 'DOM'], types: [], module: 'ESNext', moduleResolution: 'Bundler' },
      files: ['consumer.ts', 'readme-example.ts', 'vite-app/main.ts', 'vite-inspect-app/main.ts'],
    }));
    expect(tsc(project)).toBe('');
  });

  it('contain nothing @internal: no internal members, no public constructors', () => {
    // Only the declaration files a user's program loads, found by compiling one.
    const entry = join(consumer, 'entry.ts');
    writeFileSync(entry, `export * from 'segmem';\nexport * as js from 'segmem/js';\nexport * as inspect from 'segmem/inspect';\n`);
    const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [], noEmit: true });
    const files = program.getSourceFiles().filter((f) => f.fileName.includes(`${sep}node_modules${sep}segmem${sep}`) || f.fileName.includes('/node_modules/segmem/'));
    expect(files.length).toBeGreaterThan(5);
    const found: string[] = [];
    for (const file of files) {
      // Declarations only: the doc comments may well mention a field by name.
      const code = file.text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const name of INTERNAL_NAMES) {
        if (new RegExp(`^\\s*(readonly\\s+|private\\s+)*${name}\\s*[(:;?]`, 'm').test(code)) found.push(`${basename(file.fileName)}: ${name}`);
      }
      for (const statement of file.statements) {
        if (!ts.isClassDeclaration(statement) || !NOT_CONSTRUCTIBLE.includes(statement.name?.text ?? '')) continue;
        const ctors = statement.members.filter(ts.isConstructorDeclaration);
        const isPrivateNoArgs = ctors.length === 1 && ctors[0]!.parameters.length === 0 &&
          (ts.getCombinedModifierFlags(ctors[0]!) & ts.ModifierFlags.Private) !== 0;
        if (!isPrivateNoArgs) found.push(`${statement.name!.text}: constructor is not private constructor()`);
      }
    }
    expect(found).toEqual([]);
    // Private fields stay names without types, as tsc emits them; but never one of these.
    const text = files.map((f) => f.text).join('\n');
    expect(text).not.toMatch(/\b(markFreed|segmentFreed|SegmentReleaser|LinearMemory|ManagedRegion)\b/);
  });

  it('document every typed accessor with the error codes it throws', () => {
    const file = join(consumer, 'node_modules', 'segmem', 'dist', 'memory', 'segment.d.ts');
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const cls = source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === 'MemorySegment');
    const accessors = cls!.members.filter(ts.isMethodDeclaration).filter((m) => /^(get|put)/.test(m.name.getText()));
    // get/put, Boolean, Bytes, and Char, Short, Int, Float, Double, Long, LongNumber in three byte orders.
    expect(accessors.length).toBeGreaterThanOrEqual(48);
    const missing = accessors
      .filter((m) => {
        const doc = ts.getJSDocCommentsAndTags(m).map((d) => d.getText()).join('\n');
        return !(doc.includes('ERR_SEGMENT_OUT_OF_BOUNDS') && doc.includes('ERR_SEGMENT_FREED'));
      })
      .map((m) => m.name.getText());
    expect(missing).toEqual([]);
  });
});

describe('the API reference', { timeout: SLOW }, () => {
  it('builds with TypeDoc without a warning (every public declaration documented, every referenced type exported)', () => {
    const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
    const result = run(process.execPath, [typedoc, '--emit', 'none'], { cwd: root });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(/warning|error/i);
  });
});

describe('the Vite example', { timeout: SLOW }, () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('builds with no configuration and runs in Chromium', async () => {
    const app = join(consumer, 'vite-app');
    cpSync(join(root, 'examples', 'vite'), app, { recursive: true, filter: (s) => !s.includes('node_modules') });
    const { build } = await import('vite');
    await build({ root: app, configFile: false, logLevel: 'error', build: { outDir: join(app, 'dist'), emptyOutDir: true } });

    const distDir = join(app, 'dist');
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const file = join(distDir, path === '/' ? 'index.html' : path);
      if (!file.startsWith(distDir)) return void res.writeHead(403).end();
      try {
        const body = readFileSync(file);
        res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const { chromium } = await import('playwright');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForSelector('#output[data-status]', { timeout: 30_000 });
      const status = await page.getAttribute('#output', 'data-status');
      const text = await page.textContent('#output');
      expect(errors).toEqual([]);
      expect(status, text ?? '').toBe('done');
      expect(text).toMatch(/^part\s+bytes\s+size\s+share$/m);
      expect(text).toContain('copied: 42 hello, compare: 0');
      expect(text).toContain('after release: ERR_SEGMENT_FREED');
      expect(text).toContain('build: wasm');
    } finally {
      await browser.close();
    }
  });
});
