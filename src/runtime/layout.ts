import type { MemoryConfig } from '../config/index.js';
import { IllegalConfigurationError } from '../errors.js';
import { pageTableBytes } from '../kernels/page-table-layout.js';

/** Bytes in one WebAssembly memory page. */
export const WASM_PAGE = 65536;
/** Most wasm pages a wasm32 memory may have. */
export const MAX_WASM_PAGES = 65536;

/**
 * Where each part sits in the one linear memory:
 *
 *   0 ─ kernels' static data ─ page table ─ off-heap area ─ managed pages ─ network pages ─ end
 *
 * Page areas start on a page boundary (capped at 64 KiB), so a page never
 * straddles a wasm page and SIMD loads stay aligned.
 */
export interface MemoryLayout {
  readonly managedTable: number;
  readonly offHeapBase: number;
  readonly managedBase: number;
  readonly managedPages: number;
  readonly networkBase: number;
  readonly networkPages: number;
  /** Total bytes, a whole number of wasm pages. */
  readonly byteLength: number;
}

const alignUp = (value: number, alignment: number): number => Math.ceil(value / alignment) * alignment;

/** Lays the parts of `config` out after the kernels' static data. */
export function computeLayout(config: MemoryConfig, heapBase: number): MemoryLayout {
  const pageAlign = Math.min(config.pageSize, WASM_PAGE);
  const managedPages = config.managedMemory / config.pageSize;
  const networkPages = config.networkMemory / config.pageSize;
  const managedTable = alignUp(Math.max(heapBase, 64), 64);
  const offHeapBase = alignUp(managedTable + pageTableBytes(managedPages), 64);
  const managedBase = alignUp(offHeapBase + config.offHeapMemory, pageAlign);
  const networkBase = alignUp(managedBase + config.managedMemory, pageAlign);
  const byteLength = alignUp(networkBase + config.networkMemory, WASM_PAGE);
  if (byteLength > MAX_WASM_PAGES * WASM_PAGE) {
    throw new IllegalConfigurationError(
      `the linear memory would need ${byteLength} bytes (managedMemory ${config.managedMemory} + networkMemory ` +
        `${config.networkMemory} + offHeapMemory ${config.offHeapMemory} + ${byteLength - config.managedMemory - config.networkMemory - config.offHeapMemory} ` +
        `for the page table), beyond the ${MAX_WASM_PAGES * WASM_PAGE}-byte wasm32 limit; lower managedMemory or networkMemory, or raise pageSize`,
    );
  }
  return { managedTable, offHeapBase, managedBase, managedPages, networkBase, networkPages, byteLength };
}
