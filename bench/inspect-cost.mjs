/**
 * The inspector's own cost on the thread it watches, measured inside one
 * long stretch of the builder → consumer row rather than as a ratio of
 * passes (whose noise on a shared machine is ±10 % pass to pass).
 *
 * The stretch runs the row in 1 MiB slices, a loop turn after each, and
 * records every iteration (a turn and the slice after it: its start, the
 * turn's wall and CPU time). Around each snapshot (`marks`, the times rt.metrics() was called)
 * the iterations of the next NEAR_MS are "near", those from FAR_FROM_MS to
 * the next snapshot "far"; what the near ones took beyond as many far ones
 * (their mean) is that snapshot's cost: its loop turn and whatever it made
 * the slices after it lose (caches, the timer, a collection). Drift of the
 * machine slower than an interval hits near and far alike. The same
 * estimate over a stretch without the inspector, marks on the same 100 ms
 * grid, is its control: it reads about 0 when the estimate is unbiased.
 *
 *   snapshot ┆← near (5 ms) →┆ … ┆←────── far (the baseline) ──────→┆ next
 *   ─────────┼────────────────────┼───┼────────────────────────────────┼──
 *            0               5    40                                ~98 ms
 */
import { summarize } from './harness.mjs';

const NEAR_MS = 5;
const FAR_FROM_MS = 40;

/**
 * Growing columns of the stretch's iterations: start (ms, performance.now(),
 * when its turn began), the process's CPU time then (µs, cpuUsage), the
 * turn's wall ms and its CPU µs (of the whole process: the server thread's
 * work during the turn counts too).
 */
export function iterationLog() {
  let size = 0;
  let columns = [0, 1, 2, 3].map(() => new Float64Array(1 << 16));
  return {
    push(start, cpuUs, turnMs, turnCpuUs) {
      if (size === columns[0].length) columns = columns.map((c) => Float64Array.from({ length: c.length * 2 }, (_, i) => c[i] ?? 0));
      columns[0][size] = start;
      columns[1][size] = cpuUs;
      columns[2][size] = turnMs;
      columns[3][size] = turnCpuUs;
      size++;
    },
    get size() {
      return size;
    },
    start: (i) => columns[0][i],
    cpu: (i) => columns[1][i],
    turnMs: (i) => columns[2][i],
    turnCpuUs: (i) => columns[3][i],
  };
}

/** Median and quartiles, mean and the mean without the top and bottom tenth. */
function describe(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const trim = Math.floor(sorted.length / 10);
  const kept = sorted.slice(trim, sorted.length - trim);
  const mean = (list) => list.reduce((sum, x) => sum + x, 0) / list.length;
  const at = (q) => sorted[Math.round(q * (sorted.length - 1))];
  return { n: sorted.length, median: at(0.5), q1: at(0.25), q3: at(0.75), mean: mean(sorted), trimmedMean: mean(kept) };
}

/**
 * Each snapshot's cost in µs, by the watched thread's wall clock and by the
 * process's CPU time (which a core lent to another process does not count,
 * and the server thread's work does), near iterations beyond far ones (see
 * above), summarized; `share` is the trimmed mean's part of a second at
 * `perSecond` snapshots a second. `profile`: the mean excess CPU µs per
 * millisecond after a snapshot, its first 10 ms.
 */
export function snapshotCosts(log, marks, perSecond) {
  const wall = [];
  const cpu = [];
  const profile = new Float64Array(10);
  let k = 0;
  for (let m = 0; m + 1 < marks.length; m++) {
    const mark = marks[m];
    const next = marks[m + 1];
    // The iteration in which the snapshot was taken: the last one starting before it.
    while (k + 1 < log.size && log.start(k + 1) <= mark) k++;
    const near = { ms: 0, cpuUs: 0, count: 0 };
    const far = { ms: 0, cpuUs: 0, count: 0 };
    const cpuByMs = new Float64Array(profile.length);
    const countByMs = new Float64Array(profile.length);
    for (let i = k; i + 1 < log.size && log.start(i) < next - 2; i++) {
      const since = log.start(i) - mark;
      const into = since < NEAR_MS ? near : since >= FAR_FROM_MS ? far : null;
      if (into === null) continue;
      into.ms += log.start(i + 1) - log.start(i);
      into.cpuUs += log.cpu(i + 1) - log.cpu(i);
      into.count++;
      const bucket = Math.max(0, Math.floor(since));
      if (bucket < profile.length) (cpuByMs[bucket] += log.cpu(i + 1) - log.cpu(i)), countByMs[bucket]++;
    }
    if (near.count === 0 || far.count === 0) continue;
    const beyond = (key) => near[key] - (near.count * far[key]) / far.count;
    wall.push(beyond('ms') * 1000);
    cpu.push(beyond('cpuUs'));
    for (let b = 0; b < profile.length; b++) profile[b] += cpuByMs[b] - (countByMs[b] * far.cpuUs) / far.count;
  }
  if (wall.length === 0) return null;
  const summary = (us) => ({ us: describe(us), share: (describe(us).trimmedMean * perSecond) / 1e6 });
  return { snapshots: wall.length, wall: summary(wall), cpu: summary(cpu), profile: [...profile].map((us) => Math.round(us / wall.length)) };
}

/**
 * The turns that took a snapshot against the others, µs (median) by the wall
 * clock and the process's CPU time, and the difference's part of a second
 * at `perSecond`: the direct part of a snapshot's cost only.
 */
export function turnCosts(log, marks, perSecond) {
  const withSnapshot = { wall: [], cpu: [] };
  const plain = { wall: [], cpu: [] };
  let k = 0;
  for (let i = 0; i < log.size; i++) {
    const start = log.start(i);
    while (k < marks.length && marks[k] < start) k++;
    const into = k < marks.length && marks[k] <= start + log.turnMs(i) ? withSnapshot : plain;
    into.wall.push(log.turnMs(i) * 1000);
    into.cpu.push(log.turnCpuUs(i));
  }
  if (withSnapshot.wall.length === 0) return { snapshotTurns: 0, snapshotTurnUs: null, plainTurnUs: null, shareAt10Hz: null };
  const median = (list) => summarize(list).median;
  const snapshotTurnUs = { wall: median(withSnapshot.wall), cpu: median(withSnapshot.cpu) };
  const plainTurnUs = { wall: median(plain.wall), cpu: median(plain.cpu) };
  const share = (key) => ((snapshotTurnUs[key] - plainTurnUs[key]) * perSecond) / 1e6;
  return { snapshotTurns: withSnapshot.wall.length, snapshotTurnUs, plainTurnUs, shareAt10Hz: { wall: share('wall'), cpu: share('cpu') } };
}

/**
 * CPU seconds per second of the stretch, by thread (thread-cpu.mjs): the
 * watched one, the threads that came with the inspector (in `end` but not
 * in `existing`: its server thread), and the others (V8's helpers, libuv's
 * pool). Null without per-thread figures.
 */
export function threadShares(existing, start, end, seconds) {
  if (existing.size === 0) return null;
  const share = { watched: 0, inspectorThreads: 0, others: 0 };
  for (const [tid, ns] of end) {
    const used = (ns - (start.get(tid) ?? ns)) / 1e9 / seconds;
    share[tid === process.pid ? 'watched' : existing.has(tid) ? 'others' : 'inspectorThreads'] += used;
  }
  return share;
}
