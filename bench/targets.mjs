/**
 * The performance targets set for the wasm build, each evaluated per engine
 * against the figure measured in that engine's run, as met / not met. A row
 * that failed or was not measured counts as not met: a target is only met by
 * a figure. Targets are reported, never asserted: a target not met does not
 * fail the run. A target tied to one engine is "not applicable" elsewhere.
 */
const measured = (s) => s !== null && s !== undefined && s.error === undefined;
const ratioOf = (row) => row?.ratio ?? null;
const gbps = (bytes, ns) => bytes / ns;
const x = (r) => `${r.toFixed(2)}×`;
const nsText = (n) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));

function entry(target, figure, met) {
  return { target, figure, met };
}

/** Workloads and micro groups that move or compare many bytes per call, where wasm is meant to pay off. */
const BULK_WORKLOADS = ['W3', 'W4', 'W5', 'W6put', 'W6get'];
const BULK_GROUPS = ['copy-small', 'copy-large', 'compare', 'swap', 'byteswap', 'array'];

/** "W4: wasm build ≤ N× its control" (the control row beside it in the report), with the pure-JS figure for comparison. */
function controlTarget(workloads, id, limit) {
  const row = workloads.find((r) => r.id === id);
  const c = row?.control;
  const target = `${id}: wasm build ≤ ${limit.toFixed(1)}× its control`;
  if (!c || c.wasmX === null) return entry(target, 'not measured', false);
  const js = c.jsX === null ? '' : `; pure JS ${x(c.jsX)}`;
  return entry(target, `${x(c.wasmX)} round by round (${nsText(row.wasm.median)} vs ${nsText(c.median)} ns${js})`, c.wasmX <= limit);
}

/** Micro rows that run the same JavaScript in both builds (numbers through a DataView): their spread side by side is the rig's noise. */
const SAME_CODE_ROWS = ['getInt', 'putInt', 'getIntBigEndian', 'putIntBigEndian', 'getLongNumber', 'putLongNumber', 'getDouble', 'putDouble'];

/**
 * Every bulk row: the wasm build no slower than pure JS. Read side by side
 * (bench/side-by-side.mjs) when the engine ran it, with the size rows either
 * side of each cut-off; a row counts as slower when its ratio is above 1.00
 * by more than the widest departure from 1.00 among the rows that run the
 * same code in both builds. Without side-by-side figures, the ratio of the
 * builds' own processes, strictly.
 */
function bulkTarget(part) {
  const target = `bulk rows (${BULK_WORKLOADS.join(', ')}, the micro copy, compare, swap, byteSwap, getBytes/putBytes rows and the sizes either side of each cut-off): wasm build never slower than pure JS`;
  const side = part.sideBySide?.rows ?? null;
  if (side !== null) {
    const rows = side.filter((r) => (r.kind === 'workload' ? BULK_WORKLOADS.includes(r.name) : BULK_GROUPS.includes(r.group) || r.group === 'sizes'));
    const same = side.filter((r) => SAME_CODE_ROWS.includes(r.name));
    if (rows.some((r) => r.error !== undefined) || same.length !== SAME_CODE_ROWS.length || same.some((r) => r.error !== undefined)) {
      return entry(target, 'not measured (a row failed side by side)', false);
    }
    const noise = Math.max(...same.map((r) => Math.abs(r.ratio - 1)));
    const above = rows.filter((r) => r.ratio > 1).sort((a, b) => b.ratio - a.ratio);
    const slower = above.filter((r) => r.ratio > 1 + noise);
    const list = (rs) => rs.map((r) => `${r.name} ${x(r.ratio)}`).join(', ');
    const spread = `same-code rows within ±${(noise * 100).toFixed(1)} %`;
    const figure =
      above.length === 0
        ? `side by side, all ${rows.length} rows ≤ 1.00× (slowest ${x(Math.max(...rows.map((r) => r.ratio)))})`
        : slower.length === 0
          ? `side by side, ${above.length} of ${rows.length} rows above 1.00×, none beyond the noise (${spread}): ${list(above)}`
          : `side by side, slower on ${slower.length} of ${rows.length} beyond the noise (${spread}): ${list(slower)}` +
            (above.length > slower.length ? `; within it: ${list(above.filter((r) => !slower.includes(r)))}` : '');
    return entry(target, figure, slower.length === 0);
  }
  const rows = [
    ...part.workloads.filter((r) => BULK_WORKLOADS.includes(r.id)).map((r) => ({ name: r.id, ratio: r.ratio })),
    ...part.micro.filter((r) => BULK_GROUPS.includes(r.group)).map((r) => ({ name: r.name, ratio: r.ratio })),
  ];
  if (rows.length === 0 || rows.some((r) => r.ratio === null)) return entry(target, 'not measured (a bulk row is missing)', false);
  const slower = rows.filter((r) => r.ratio > 1).sort((a, b) => b.ratio - a.ratio);
  const figure =
    slower.length === 0
      ? `all ${rows.length} rows ≤ 1.00× (slowest ${x(Math.max(...rows.map((r) => r.ratio)))})`
      : `slower on ${slower.length} of ${rows.length}: ${slower.map((r) => `${r.name} ${x(r.ratio)}`).join(', ')}`;
  return entry(target, figure, slower.length === 0);
}

/**
 * wasm ÷ pure JS for a row: side by side when the engine ran it (ratio, and
 * the builds' medians there), else the quotient of the builds' own medians.
 */
function buildsRatio(part, name, row) {
  const side = part.sideBySide?.rows.find((r) => r.name === name);
  if (side !== undefined && side.error === undefined) return { ratio: side.ratio, wasm: side.wasm.median, js: side.js.median, how: ' side by side' };
  const ratio = ratioOf(row);
  return ratio === null ? null : { ratio, wasm: row.wasm.median, js: row.js.median, how: '' };
}

/** engineReport: one engine's part of the report (bench/report.mjs). */
export function evaluateTargets(part) {
  const { engine, workloads, micro } = part;
  const targets = [];
  const microRow = (name) => micro.find((r) => r.name === name);

  for (const row of micro.filter((r) => r.group === 'single')) {
    const r = buildsRatio(part, row.name, row);
    targets.push(
      entry(
        `single values: ${row.name} in the wasm build within 1.1× of pure JS`,
        r === null ? 'not measured' : `${r.ratio.toFixed(2)}×${r.how} (${r.wasm.toFixed(2)} vs ${r.js.toFixed(2)} ns)`,
        r !== null && r.ratio <= 1.1,
      ),
    );
  }

  for (const row of micro.filter((r) => r.group === 'copy-small')) {
    const r = buildsRatio(part, row.name, row);
    targets.push(
      entry(
        `copies up to 1 KiB: ${row.name} at least 2× faster in wasm than pure JS`,
        r === null ? 'not measured' : `${(1 / r.ratio).toFixed(2)}×${r.how} (${r.wasm.toFixed(1)} vs ${r.js.toFixed(1)} ns)`,
        r !== null && 1 / r.ratio >= 2,
      ),
    );
  }

  const swapName = 'byteSwap 32 KiB (width 4)';
  const swap = microRow(swapName);
  const s = swap === undefined ? null : buildsRatio(part, swapName, swap);
  targets.push(
    entry(
      'region byte-swap (32 KiB, width 4) at least 5× faster in wasm than pure JS',
      s === null ? 'not measured' : `${(1 / s.ratio).toFixed(2)}×${s.how} (${gbps(swap.bytesPerOp, s.wasm).toFixed(1)} vs ${gbps(swap.bytesPerOp, s.js).toFixed(1)} GB/s)`,
      s !== null && 1 / s.ratio >= 5,
    ),
  );

  // The reference workload W3 is the 32 KiB copy; the micro row is shown beside it, and
  // the plain memmove of the same size, which bounds what any copy can reach here.
  const w3 = workloads.find((r) => r.id === 'W3');
  const wasmGbps = (row) => (row?.wasm?.median ? `${gbps(row.bytesPerOp, row.wasm.median).toFixed(1)} GB/s` : 'not measured');
  const w3Gbps = w3?.wasm?.median ? gbps(w3.bytesPerOp, w3.wasm.median) : null;
  targets.push(
    entry(
      '32 KiB copy at least 150 GB/s (wasm build, W3)',
      w3Gbps === null
        ? 'not measured'
        : `${w3Gbps.toFixed(1)} GB/s (micro copyTo 32 KiB: ${wasmGbps(microRow('copyTo 32 KiB'))}; ` +
            `plain Uint8Array.copyWithin on this machine: ${wasmGbps(microRow('baseline: Uint8Array.copyWithin 32 KiB, no segmem'))})`,
      w3Gbps !== null && w3Gbps >= 150,
    ),
  );

  const w7 = workloads.find((r) => r.id === 'W7');
  targets.push(
    entry(
      'MemoryManager ≤ 10 ns per page batched (W7, wasm build; Flink: 129 ns)',
      measured(w7?.wasm) ? `${w7.wasm.median.toFixed(1)} ns per page (pure JS ${measured(w7.js) ? w7.js.median.toFixed(1) : '—'} ns)` : 'not measured',
      measured(w7?.wasm) && w7.wasm.median <= 10,
    ),
  );

  targets.push(bulkTarget(part));
  targets.push(controlTarget(workloads, 'W4', 1.0));
  targets.push(controlTarget(workloads, 'W5', 1.0));
  targets.push(controlTarget(workloads, 'W6put', 1.3));
  targets.push(controlTarget(workloads, 'W6get', 1.1));
  targets.push(controlTarget(workloads, 'W1n', 1.3));
  targets.push(controlTarget(workloads, 'W7', 1.3));

  // Node 20 reads BigInt through a DataView 4–8× slower than Node 24 or Chromium
  // (toolchain.md), which is where the wasm build's bigint path is meant to win.
  const w1 = workloads.find((r) => r.id === 'W1');
  const w1Target = 'W1 (bigint longs): wasm ÷ pure JS ≤ 0.6 on Node 20';
  if (engine?.name !== 'Node' || !String(engine.version).startsWith('v20.')) {
    targets.push({ target: w1Target, figure: 'not applicable (Node 20 only)', met: null });
  } else {
    const r = w1 === undefined ? null : buildsRatio(part, 'W1', w1);
    targets.push(entry(w1Target, r === null ? 'not measured' : `${r.ratio.toFixed(2)}${r.how} (${nsText(r.wasm)} vs ${nsText(r.js)} ns)`, r !== null && r.ratio <= 0.6));
  }
  return targets;
}
