/**
 * Merges what several worker processes measured for ONE build into one
 * result of the shape a single worker sends, so the report needs no second
 * code path.
 *
 * Within one process a row's median carries that process's JIT and GC luck:
 * how V8 happened to compile the loop, where collections fell. Two runs of
 * identical JavaScript can differ by a third that way, although their
 * minimums agree. Per row, the figure is therefore the median of the
 * per-process medians, so a single unlucky process cannot move it past the
 * others; the range is the min of the minimums to the max of the maximums,
 * so the whole spread stays visible. The per-process medians are kept.
 * A workload's ratio to its control is likewise the median of the
 * processes' ratios, each taken round by round in one process.
 *
 * A row counts as measured only when every process measured it: a checksum
 * mismatch or error in any one process makes the merged row an error.
 */
import { summarize } from './harness.mjs';

/** How rows are matched across processes, per section of a worker's result. */
const SECTIONS = {
  workloads: (r) => r.id,
  controls: (r) => r.id,
  micro: (r) => r.name,
  reference: (r) => `${r.op} via ${r.variant}`,
};

/** A row without what one process measured: its descriptive fields (id, title, unit, ops, ...). */
function describe(row) {
  const { median, min, max, rounds, passesPerRound, sampleCount, callsPerSample, verified, error, checksumMismatch, controlRatio, controlRatios, ...descriptor } = row;
  return descriptor;
}

/** One row as measured by each process (`tags` name them in messages). */
function mergeRow(rows, tags) {
  const descriptor = describe(rows[0]);
  if (descriptor.unavailable !== undefined) return rows[0];

  const failed = rows.map((r, i) => (r.error !== undefined ? `${r.error} (${tags[i]})` : null)).filter((e) => e !== null);
  if (failed.length > 0) {
    return { ...descriptor, error: failed.join('; '), checksumMismatch: rows.some((r) => r.checksumMismatch === true) };
  }
  // Every process checks against the same expected values, so passing checks read
  // alike; if they do not, the processes did not run the same workload.
  const { verified } = rows[0];
  if (verified !== undefined && rows.some((r) => JSON.stringify(r.verified) !== JSON.stringify(verified))) {
    return { ...descriptor, error: `the processes verified different checksums: ${rows.map((r, i) => `${tags[i]}: ${r.verified?.join('; ')}`).join(' / ')}` };
  }

  const medians = rows.map((r) => r.median);
  const merged = {
    ...descriptor,
    median: summarize(medians).median,
    min: Math.min(...rows.map((r) => r.min)),
    max: Math.max(...rows.map((r) => r.max)),
    processMedians: medians,
  };
  if (rows[0].rounds !== undefined) merged.roundsPerProcess = rows.map((r) => r.rounds);
  if (rows[0].passesPerRound !== undefined) merged.passesPerRound = rows.map((r) => r.passesPerRound);
  // A workload timed beside its control: the median of the processes' round-by-round ratios.
  if (rows.every((r) => r.controlRatio !== undefined)) {
    merged.controlRatio = summarize(rows.map((r) => r.controlRatio)).median;
    merged.controlRatiosPerProcess = rows.map((r) => r.controlRatios);
  }
  if (rows[0].sampleCount !== undefined) merged.sampleCounts = rows.map((r) => r.sampleCount);
  if (rows[0].callsPerSample !== undefined) merged.callsPerSample = rows.map((r) => r.callsPerSample);
  if (verified !== undefined) merged.verified = verified;
  return merged;
}

/** One section's rows matched across processes, in the order the first process that has them ran them. */
function mergeSection(results, tags, key) {
  const order = [];
  const byKey = new Map();
  results.forEach((result, p) => {
    for (const row of result ?? []) {
      const k = key(row);
      if (!byKey.has(k)) {
        byKey.set(k, { rows: [], tags: [] });
        order.push(k);
      }
      byKey.get(k).rows.push(row);
      byKey.get(k).tags.push(tags[p]);
    }
  });
  return order.map((k) => {
    const { rows, tags: rowTags } = byKey.get(k);
    if (rows.length < results.length) {
      // Every process runs the same rows; one that lacks a row ran something else.
      return { ...describe(rows[0]), error: `measured in ${rows.length} of ${results.length} processes only` };
    }
    return mergeRow(rows, rowTags);
  });
}

/**
 * results: what each process of `build` sent, in run order (processes that
 * died are left out; run.mjs reports them). tags: a name per result for
 * messages, e.g. 'process 2 of 3'. Returns null when no process reported.
 */
export function mergeProcesses(build, results, tags) {
  if (results.length === 0) return null;
  const merged = { build, processes: results.length };
  for (const [section, key] of Object.entries(SECTIONS)) {
    merged[section] = mergeSection(results.map((r) => r[section]), tags, key);
  }
  merged.problems = results.flatMap((r, p) => (r.problems ?? []).map((problem) => `${problem} (${tags[p]})`));
  return merged;
}

/**
 * Merges the side-by-side processes of one engine (bench/side-by-side.mjs):
 * per row, each build's median of the per-process medians, and the median
 * of the processes' round-by-round ratios. Returns null when none reported.
 */
export function mergeSideBySide(results, tags) {
  if (results.length === 0) return null;
  const names = results[0].rows.map((r) => r.name);
  const rows = names.map((name) => {
    const each = results.map((r) => r.rows.find((x) => x.name === name));
    const { wasm, js, ratio, ratios, error, checksumMismatch, ...descriptor } = each.find((r) => r !== undefined);
    const missing = each.map((r, i) => (r === undefined ? `not measured (${tags[i]})` : r.error !== undefined ? `${r.error} (${tags[i]})` : null)).filter((e) => e !== null);
    if (missing.length > 0) return { ...descriptor, error: missing.join('; '), checksumMismatch: each.some((r) => r?.checksumMismatch === true) };
    const build = (b) => ({
      median: summarize(each.map((r) => r[b].median)).median,
      min: Math.min(...each.map((r) => r[b].min)),
      max: Math.max(...each.map((r) => r[b].max)),
      processMedians: each.map((r) => r[b].median),
    });
    return { ...descriptor, wasm: build('wasm'), js: build('js'), ratio: summarize(each.map((r) => r.ratio)).median, ratiosPerProcess: each.map((r) => r.ratios) };
  });
  return { processes: results.length, rows, problems: results.flatMap((r, p) => (r.problems ?? []).map((problem) => `${problem} (${tags[p]})`)) };
}
