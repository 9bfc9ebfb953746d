// Runs a TypeScript example on any supported Node, including Node 20 and 22,
// which do not know `using` (and Node 20 strips no types): TypeScript
// transpiles the file to ES2022 (lowering `using`) beside the original, so
// that `import 'segmem'` resolves exactly as it would from the example, and
// the copy is removed after the run. Node 24 can also run an example
// directly (it strips types and knows `using`):
// `node examples/pages-under-budget.ts`.
//
//   node scripts/run-example.mjs examples/pages-under-budget.ts [arguments for the example]
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node scripts/run-example.mjs <example.ts>');
  process.exit(2);
}
const source = resolve(file);
const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
  fileName: source,
  compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: false },
});
const runnable = join(dirname(source), `.${basename(source, '.ts')}.run-${process.pid}.mjs`);
writeFileSync(runnable, outputText);
try {
  const { status, signal } = spawnSync(process.execPath, [runnable, ...process.argv.slice(3)], { stdio: 'inherit' });
  process.exitCode = status ?? (signal ? 1 : 0);
} finally {
  rmSync(runnable, { force: true });
}
