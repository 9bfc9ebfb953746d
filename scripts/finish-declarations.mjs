// Runs after `tsc -p tsconfig.build.json`, whose stripInternal drops every
// @internal declaration from dist/*.d.ts. Two of its results would mislead or
// break the users' type-check, and are fixed here:
//
// - A class whose constructor is @internal comes out with no constructor at
//   all, which TypeScript reads as a public `new X()` taking no arguments.
//   It gets `private constructor();` instead: not constructible, nothing shown.
// - `class X implements I` stays although a member of I that X implements was
//   @internal and is gone, so the typings no longer compile (skipLibCheck:
//   false). An implements clause tells a user of the typings nothing, so it
//   is dropped; so are the imports nothing refers to any more (they may name
//   an @internal declaration, which is gone too).
//
// Lines are only ever added, each with an empty mapping, so the declaration
// maps stay valid.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

/** Every .ts (not .d.ts) file under `dir`. */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

function parse(file, text) {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
}

/** Classes of `file` whose constructor is @internal, with the sentence that says where instances come from. */
function internalConstructors(file) {
  const found = [];
  const sourceFile = parse(file, readFileSync(file, 'utf8'));
  for (const statement of sourceFile.statements) {
    if (!ts.isClassDeclaration(statement) || statement.name === undefined) continue;
    const ctor = statement.members.find(ts.isConstructorDeclaration);
    if (ctor === undefined) continue;
    const tag = ts.getJSDocTags(ctor).find((t) => t.tagName.text === 'internal');
    if (tag === undefined) continue;
    const note = ts.getTextOfJSDocComment(tag.comment)?.trim();
    found.push({ name: statement.name.text, note: note || `${statement.name.text} is not constructed directly.` });
  }
  return found;
}

/** Inserts each insertion's lines before its line index. */
function insertLines(text, insertions) {
  const lines = text.split('\n');
  for (const { line, content } of [...insertions].sort((a, b) => b.line - a.line)) lines.splice(line, 0, ...content);
  return lines.join('\n');
}

/** Adds an empty mapping group for every inserted line, so later lines keep their mappings. */
function shiftMap(mapFile, insertions) {
  let map;
  try {
    map = JSON.parse(readFileSync(mapFile, 'utf8'));
  } catch {
    return;
  }
  const groups = map.mappings.split(';');
  for (const { line, content } of [...insertions].sort((a, b) => b.line - a.line)) {
    groups.splice(line, 0, ...content.map(() => ''));
  }
  map.mappings = groups.join(';');
  writeFileSync(mapFile, JSON.stringify(map));
}

/** Removes named imports that nothing in the file refers to; an import left empty becomes a blank line. */
function dropUnusedImports(file, text) {
  const sourceFile = parse(file, text);
  const used = new Set();
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isIdentifier(node)) used.add(node.text);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sourceFile, visit);
  const edits = [];
  for (const statement of sourceFile.statements) {
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    if (bindings === undefined || !ts.isNamedImports(bindings)) continue;
    const kept = bindings.elements.filter((element) => used.has(element.name.text));
    if (kept.length === bindings.elements.length) continue;
    if (kept.length === 0 && statement.importClause.name === undefined) {
      edits.push([statement.getStart(), statement.getEnd(), '']);
    } else {
      edits.push([bindings.getStart(), bindings.getEnd(), `{ ${kept.map((element) => element.getText()).join(', ')} }`]);
    }
  }
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0])) {
    text = text.slice(0, start) + replacement + text.slice(end);
  }
  return text;
}

let changed = 0;
for (const file of sourceFiles(src)) {
  const rel = relative(src, file).replace(/\.ts$/, '.d.ts');
  const dtsFile = join(dist, rel);
  let text;
  try {
    text = readFileSync(dtsFile, 'utf8');
  } catch {
    continue;
  }
  const wanted = internalConstructors(file);
  const dts = parse(dtsFile, text);

  // Same-line edits first (no line moves): drop implements clauses.
  const removals = [];
  for (const statement of dts.statements) {
    if (!ts.isClassDeclaration(statement)) continue;
    for (const clause of statement.heritageClauses ?? []) {
      if (clause.token === ts.SyntaxKind.ImplementsKeyword) removals.push([clause.getFullStart(), clause.getEnd()]);
    }
  }
  for (const [start, end] of removals.sort((a, b) => b[0] - a[0])) text = text.slice(0, start) + text.slice(end);
  if (removals.length > 0) text = dropUnusedImports(dtsFile, text);

  // Then the constructors, as whole new lines after each class's opening line.
  const insertions = [];
  const after = parse(dtsFile, text);
  for (const { name, note } of wanted) {
    const decl = after.statements.find((s) => ts.isClassDeclaration(s) && s.name?.text === name);
    if (decl === undefined) throw new Error(`${rel}: class ${name} (internal constructor in ${relative(root, file)}) not found`);
    if (decl.members.some(ts.isConstructorDeclaration)) continue;
    const openLine = after.getLineAndCharacterOfPosition(decl.members.pos).line;
    const safe = (note.charAt(0).toLowerCase() + note.slice(1)).replace(/\*\//g, '* /');
    insertions.push({ line: openLine + 1, content: [`    /** Not public: ${safe} */`, '    private constructor();'] });
  }
  if (removals.length === 0 && insertions.length === 0) continue;
  writeFileSync(dtsFile, insertLines(text, insertions));
  if (insertions.length > 0) shiftMap(`${dtsFile}.map`, insertions);
  changed += 1;
}
console.log(`finished declarations: ${changed} file(s) adjusted after stripInternal`);
