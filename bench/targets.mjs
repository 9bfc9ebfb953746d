/**
 * The performance targets set for the wasm build, each evaluated against the
 * measured figure as met / not met. A row that failed or was not measured
 * counts as not met: a target is only met by a figure.
 */

const ratioOf = (row) => (row?.wasm && row?.js ? row.wasm.median / row.js.median : null);
const gbps = (bytes, ns) => bytes / ns;

function entry(target, figure, met) {
  return { target, figure, met };
}

export function evaluateTargets({ workloads, micro }) {
  const targets = [];
  const microRow = (name) => micro.find((r) => r.name === name);

  for (const row of micro.filter((r) => r.group === 'single')) {
    const ratio = ratioOf(row);
    targets.push(
      entry(
        `single values: ${row.name} in the wasm build within 1.1× of pure JS`,
        ratio === null ? 'not measured' : `${ratio.toFixed(2)}× (${row.wasm.median.toFixed(2)} vs ${row.js.median.toFixed(2)} ns)`,
        ratio !== null && ratio <= 1.1,
      ),
    );
  }

  for (const row of micro.filter((r) => r.group === 'copy-small')) {
    const ratio = ratioOf(row);
    targets.push(
      entry(
        `copies up to 1 KiB: ${row.name} at least 2× faster in wasm than pure JS`,
        ratio === null ? 'not measured' : `${(1 / ratio).toFixed(2)}× (${row.wasm.median.toFixed(1)} vs ${row.js.median.toFixed(1)} ns)`,
        ratio !== null && 1 / ratio >= 2,
      ),
    );
  }

  const swap = microRow('byteSwap 32 KiB (width 4)');
  const swapRatio = ratioOf(swap);
  targets.push(
    entry(
      'region byte-swap (32 KiB, width 4) at least 5× faster in wasm than pure JS',
      swapRatio === null
        ? 'not measured'
        : `${(1 / swapRatio).toFixed(2)}× (${gbps(swap.bytesPerOp, swap.wasm.median).toFixed(1)} vs ${gbps(swap.bytesPerOp, swap.js.median).toFixed(1)} GB/s)`,
      swapRatio !== null && 1 / swapRatio >= 5,
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
      w7?.wasm ? `${w7.wasm.median.toFixed(1)} ns per page (pure JS ${w7.js ? w7.js.median.toFixed(1) : '—'} ns)` : 'not measured',
      w7?.wasm !== undefined && w7.wasm.median <= 10,
    ),
  );
  return targets;
}
