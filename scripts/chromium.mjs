#!/usr/bin/env node
/**
 * Prints the path of the Chromium the browser tests and the benchmark drive
 * through playwright, installing Debian's `chromium` package first when it is
 * missing: `node scripts/chromium.mjs`. The CI script (.ci/run) and the
 * benchmark (bench/engines.mjs) both get their Chromium from here, so that
 * `npm run bench` on a fresh machine measures in Chromium too.
 *
 * CHROMIUM_PATH names another binary (used as it is, never installed);
 * otherwise /usr/bin/chromium, installed with apt-get, which needs root and
 * Debian's package lists. Only playwright's library is used, never its own
 * browser downloads.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Path of the Chromium binary; installs Debian's package when it is missing. Throws with the reason when it cannot. */
export function chromiumPath({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const wanted = process.env.CHROMIUM_PATH;
  if (wanted) {
    if (!existsSync(wanted)) throw new Error(`CHROMIUM_PATH is ${wanted}, which does not exist`);
    return wanted;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(`no Chromium at ${DEBIAN_CHROMIUM}: install Debian's chromium package (it needs root), or set CHROMIUM_PATH`);
  }
  log(`installing Debian's chromium for the browser tests and the benchmark (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    throw new Error(`apt-get could not install chromium: ${err.message.split('\n')[0]}`);
  }
  if (!existsSync(DEBIAN_CHROMIUM)) throw new Error(`apt-get installed chromium, but ${DEBIAN_CHROMIUM} is still missing`);
  return DEBIAN_CHROMIUM;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${chromiumPath()}\n`);
  } catch (err) {
    process.stderr.write(`could not get Chromium: ${err.message}\n`);
    process.exit(1);
  }
}
