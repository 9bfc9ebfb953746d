/**
 * The two builds side by side in one process: each build in a thread of its
 * own (bench/build-rows.mjs), the rounds of every row alternating between
 * them, so that "wasm ÷ pure JS" compares rounds timed seconds apart on the
 * same machine. Engine-neutral: bench/side-by-side-process.mjs drives it
 * from a Node process over worker threads, bench/page/page.mjs from a
 * Chromium page over Web Workers.
 *
 * Why: `npm run bench` measures each build in processes of its own, one
 * after the other, and this machine's speed moves by up to 2× between
 * processes seconds apart, so a row that runs identical JavaScript in both
 * builds read anywhere from 0.7× to 1.5× across processes. Two threads keep
 * what one process per build keeps (each build's classes and inline caches
 * to itself) and take away the time between them. Each pair of rounds runs
 * in turn wasm first, then pure JS first, so neither build always follows a
 * pause. A row's ratio is the median over the pairs of wasm's round over
 * pure JS's.
 */
import { passesFor, summarize } from './harness.mjs';

export const SIDE_BY_SIDE_BUILDS = ['wasm', 'js'];

/**
 * The driver's end of one build's channel: `send(message)`, `onMessage(handler)`,
 * and `died`, a promise that rejects when the thread holding the build fails
 * or ends. Resolves, once the build is up, with call(request) → Promise<answer>;
 * a thread that dies before then, or while a call waits, fails it instead of
 * leaving it pending.
 */
export function connectBuild(build, { send, onMessage, died }) {
  died.catch(() => {});
  let nextId = 1;
  const pending = new Map();
  const call = (request) =>
    Promise.race([
      new Promise((done, fail) => {
        const id = nextId++;
        pending.set(id, { done, fail });
        send({ id, ...request });
      }),
      died,
    ]);
  const connected = new Promise((resolve, reject) => {
    onMessage((m) => {
      if (m.ready === true) resolve(call);
      else if (m.ready === false) reject(new Error(`the ${build} build did not start: ${m.error}`));
      else {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.ok) p.done(m.value);
        else p.fail(Object.assign(new Error(m.error), { checksum: m.checksum === true }));
      }
    });
  });
  return Promise.race([connected, died]);
}

/** Warm-up for a row: workloads as in `npm run bench` (longer where Maglev tiers first), micro rows shorter. */
const warmupFor = (row, t, maglev) => (row.kind !== 'workload' ? t.microWarmupMs : maglev ? t.maglevWarmupMs : t.warmupMs);

/** Times one row in both builds, rounds alternating; the row with each build's stats and the ratio, or its error. A failed check at close goes to `problems`. */
async function pairRow(calls, row, t, maglev, problems) {
  const opened = [];
  try {
    for (const b of SIDE_BY_SIDE_BUILDS) {
      await calls[b]({ op: 'open', name: row.name });
      opened.push(b);
    }
    const counts = {};
    for (const b of SIDE_BY_SIDE_BUILDS) {
      const { nsPerPass } = await calls[b]({ op: 'warm', name: row.name, ms: warmupFor(row, t, maglev) });
      counts[b] = passesFor(t.roundMs, nsPerPass);
    }
    const rounds = { wasm: [], js: [] };
    const ratios = [];
    for (let r = 0; r < t.rounds; r++) {
      const order = r % 2 === 0 ? SIDE_BY_SIDE_BUILDS : [...SIDE_BY_SIDE_BUILDS].reverse();
      for (const b of order) rounds[b].push((await calls[b]({ op: 'round', name: row.name, count: counts[b] })).ns);
      ratios.push(rounds.wasm[r] / rounds.js[r]);
    }
    const stats = (b) => ({ ...summarize(rounds[b]), rounds: rounds[b], passesPerRound: counts[b] });
    return { ...row, wasm: stats('wasm'), js: stats('js'), ratio: summarize(ratios).median, ratios };
  } catch (err) {
    return { ...row, error: err.message, checksumMismatch: err.checksum === true };
  } finally {
    for (const b of opened) {
      try {
        await calls[b]({ op: 'close', name: row.name });
      } catch (err) {
        // A check at close (W7's verifyEmpty after the timed passes) failed.
        problems.push(`${row.name} (${b} build, side by side): ${err.message}`);
      }
    }
  }
}

/**
 * calls: { wasm, js }, each a call() from connectBuild; t: timings().sideBySide
 * plus `only` (row names, or null for all); log(message). Resolves with
 * { rows, problems }: rows in run order, problems found outside them.
 */
export async function measureSideBySide({ calls, t, log }) {
  const listed = {};
  for (const b of SIDE_BY_SIDE_BUILDS) listed[b] = await calls[b]({ op: 'rows' });
  const names = (b) => listed[b].rows.map((r) => r.name).join('\n');
  if (names('wasm') !== names('js')) throw new Error('the two builds list different rows');
  const maglev = listed.wasm.tiersThroughMaglev;
  const rows = [];
  const problems = [];
  const fmt = (ns) => (ns < 10 ? ns.toFixed(2) : ns.toFixed(1));
  for (const row of listed.wasm.rows.filter((r) => t.only == null || t.only.includes(r.name))) {
    const paired = await pairRow(calls, row, t, maglev, problems);
    log(paired.error !== undefined ? `${row.name}: ERROR: ${paired.error}` : `${row.name}: wasm ${fmt(paired.wasm.median)}, pure JS ${fmt(paired.js.median)} ${row.unit}; ${paired.ratio.toFixed(2)}× round by round`);
    rows.push(paired);
  }
  for (const b of SIDE_BY_SIDE_BUILDS) problems.push(...(await calls[b]({ op: 'end' })).problems);
  return { rows, problems };
}
