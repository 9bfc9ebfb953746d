// Beyond the heap: a child process with a 128 MiB V8 heap sorts 512 MiB of
// records (int key + 100-byte payload) read from a file and writes them out
// in order, checked by a streaming pass over the output; the same records as
// JS objects in the same settings die with "JavaScript heap out of memory".
// Node only (child processes, files). It runs the built package (dist/),
// as `npm test` builds it first.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./fixtures/sort-beyond-heap.mjs', import.meta.url));
const RECORD = 104;
const RECORDS = Math.floor((512 * 1024 * 1024) / RECORD);
const HEAP = '--max-old-space-size=128';

let work = '';
let input = '';
/** Sum of every payload's first and last byte, and of the keys, as written. */
let inputSum = 0;

/** Runs the child in `mode`; resolves to its exit code, signal and output. */
function child(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [HEAP, CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    p.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'segmem-heap-'));
  input = join(work, 'input.bin');
  // 512 MiB of records in 4 MiB writes: xorshift keys, payload byte j of record i is (i + j) & 255.
  const fd = openSync(input, 'w');
  const chunk = Buffer.alloc(RECORD * 40_000);
  let x = 0x2545f491;
  for (let i = 0; i < RECORDS; ) {
    const n = Math.min(40_000, RECORDS - i);
    for (let r = 0; r < n; r++, i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const at = r * RECORD;
      chunk.writeInt32BE(x | 0, at);
      for (let j = 0; j < 100; j++) chunk[at + 4 + j] = (i + j) & 255;
      inputSum = (inputSum + (x | 0) + chunk[at + 4]! + chunk[at + 103]!) | 0;
    }
    writeSync(fd, chunk, 0, n * RECORD);
  }
  closeSync(fd);
}, 120_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('beyond the JS heap', () => {
  it.each(['wasm', 'js'])(`a child with ${HEAP} sorts 512 MiB of records from a file into a file, in order (%s build)`, async (build) => {
    const output = join(work, `output-${build}.bin`);
    const spill = join(work, `spill-${build}`);
    mkdirSync(spill);
    const result = await child(['segmem', input, output, spill, build]);
    expect(result.code, result.stderr).toBe(0);
    const stats = JSON.parse(result.stdout) as { build: string; written: number; runsSpilled: number; mergePasses: number; empty: boolean; heapPeak: number; seconds: number };
    expect(stats).toMatchObject({ build, written: RECORDS, empty: true, mergePasses: 1 });
    expect(stats.runsSpilled).toBeGreaterThanOrEqual(8);
    expect(stats.heapPeak).toBeLessThan(128 * 1024 * 1024);
    expect(readdirSync(spill)).toEqual([]);
    // The streaming check: every key at least the one before, every record there, same payload sums.
    expect(statSync(output).size).toBe(RECORDS * RECORD);
    const fd = openSync(output, 'r');
    const buf = Buffer.alloc(RECORD * 40_000);
    let previous = -Infinity;
    let count = 0;
    let sum = 0;
    let outOfOrder = 0;
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      expect(n % RECORD).toBe(0);
      for (let at = 0; at < n; at += RECORD) {
        const key = buf.readInt32BE(at);
        if (key < previous) outOfOrder++;
        previous = key;
        sum = (sum + key + buf[at + 4]! + buf[at + 103]!) | 0;
        count++;
      }
    }
    closeSync(fd);
    expect(outOfOrder).toBe(0);
    expect(count).toBe(RECORDS);
    expect(sum).toBe(inputSum);
    console.log(`512 MiB beyond the heap: ${stats.seconds.toFixed(1)} s, ${stats.runsSpilled} runs, heap peak ${(stats.heapPeak / 2 ** 20).toFixed(0)} MiB`);
  }, 240_000);

  it(`the same records as JS objects die with heap out of memory under ${HEAP}`, async () => {
    const result = await child(['objects', input]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/JavaScript heap out of memory/);
  }, 240_000);
});
