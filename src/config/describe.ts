/**
 * A resolved memory split as a small table, for logs and for people deciding
 * which option to change.
 */

import type { MemoryConfig } from './memory-options.js';
import { formatSize } from './size.js';

type Align = 'left' | 'right';

/** Part, bytes, human size, share of the total; numbers right-aligned so magnitudes line up. */
const ALIGNMENTS: readonly Align[] = ['left', 'right', 'left', 'right'];

/**
 * Renders a resolved memory config as an aligned text table: a header, then
 * one line per part (managed, network, off-heap, user (JS heap), total) with
 * its exact bytes, its size in binary units (KiB, MiB, GiB) and its share of
 * the total, then the page size. Never throws.
 */
export function describeMemoryConfig(config: MemoryConfig): string {
  const total = config.totalMemory;
  const rows: readonly (readonly string[])[] = [
    ['part', 'bytes', 'size', 'share'],
    partRow('managed', config.managedMemory, total),
    partRow('network', config.networkMemory, total),
    partRow('off-heap', config.offHeapMemory, total),
    partRow('user (JS heap)', config.userMemory, total),
    partRow('total', total, total),
    ['page size', String(config.pageSize), formatSize(config.pageSize), ''],
  ];
  return renderTable(rows);
}

/** One part's cells. */
function partRow(label: string, bytes: number, total: number): readonly string[] {
  return [label, String(bytes), formatSize(bytes), shareText(bytes, total)];
}

/** Share of the total as a percentage; a dash when the total is zero rather than NaN%. */
function shareText(bytes: number, total: number): string {
  return total > 0 ? `${((bytes / total) * 100).toFixed(1)}%` : '-';
}

/** Pads every column to its widest cell; trailing blanks are trimmed. */
function renderTable(rows: readonly (readonly string[])[]): string {
  const widths = ALIGNMENTS.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const lines = rows.map((row) =>
    ALIGNMENTS.map((align, column) => pad(row[column] ?? '', widths[column] ?? 0, align)).join('  ').trimEnd(),
  );
  return lines.join('\n');
}

/** Pads text to width on the side that keeps the column aligned. */
function pad(text: string, width: number, align: Align): string {
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}
