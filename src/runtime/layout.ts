import { LINEAR_MEMORY_LIMIT, type MemoryConfig } from '../config/index.js';
import { IllegalConfigurationError } from '../errors.js';
import { offHeapAreaBytes } from '../kernels/off-heap-layout.js';
import { bufferTableBytes } from '../kernels/buffer-pool-layout.js';
import { pageTableBytes } from '../kernels/page-table-layout.js';
import { realmTableBytes } from '../threads/realm-layout.js';

/** Bytes in one WebAssembly memory page. */
export const WASM_PAGE = 65536;
/** Linear memory kept below segmem's layout for the kernels' own static data. */
export const STATIC_DATA_RESERVE = WASM_PAGE;
/** Bytes of the runtime header (src/runtime/header.ts), which sits right after the static data. */
export const RUNTIME_HEADER_BYTES = 64;
/** Every part starts on a multiple of this (a cache line; SIMD loads need 16). */
const PART_ALIGNMENT = 64;

/**
 * Where each part sits in the one linear memory:
 *
 *   0 ─ kernels' static data ─ runtime header ─ page table ─ network free list ─ [realm table] ─ off-heap area ─ managed pages ─ network pages ─ end
 *       (below 64 KiB)         (at 64 KiB)                                       (shared only)
 *
 * Page areas start on a page boundary (capped at 64 KiB), so a page never
 * straddles a wasm page and SIMD loads stay aligned. Every address is below
 * 2^32 and handled as unsigned.
 */
export interface MemoryLayout {
  readonly pageSize: number;
  readonly header: number;
  readonly managedTable: number;
  /** Address of the network pool's free list (layout in assembly/buffers.ts). */
  readonly networkTable: number;
  /** Address of the realm table of a shared runtime (layout in src/threads/realm-layout.ts); 0 when unshared. */
  readonly realmsTable: number;
  readonly offHeapBase: number;
  readonly offHeapBytes: number;
  readonly managedBase: number;
  readonly managedPages: number;
  readonly networkBase: number;
  readonly networkPages: number;
  /** Total bytes, a whole number of wasm pages. */
  readonly byteLength: number;
}

const alignUp = (value: number, alignment: number): number => Math.ceil(value / alignment) * alignment;

/** Lays the parts of `config` out after the kernels' static data; a shared runtime's has a realm table. */
export function computeLayout(config: MemoryConfig, shared = false): MemoryLayout {
  const { pageSize } = config;
  const pageAlign = Math.min(pageSize, WASM_PAGE);
  const managedPages = config.managedMemory / pageSize;
  const networkPages = config.networkMemory / pageSize;
  const header = STATIC_DATA_RESERVE;
  const managedTable = alignUp(header + RUNTIME_HEADER_BYTES, PART_ALIGNMENT);
  const networkTable = alignUp(managedTable + pageTableBytes(managedPages), PART_ALIGNMENT);
  const afterNetwork = alignUp(networkTable + bufferTableBytes(networkPages), PART_ALIGNMENT);
  const realmsTable = shared ? afterNetwork : 0;
  const offHeapBase = shared ? alignUp(afterNetwork + realmTableBytes(managedPages), PART_ALIGNMENT) : afterNetwork;
  // The off-heap area holds offHeapMemory bytes for segments plus its allocator's headers.
  const managedBase = alignUp(offHeapBase + offHeapAreaBytes(config.offHeapMemory), pageAlign);
  const networkBase = alignUp(managedBase + config.managedMemory, pageAlign);
  const byteLength = alignUp(networkBase + config.networkMemory, WASM_PAGE);
  if (byteLength > LINEAR_MEMORY_LIMIT) {
    const parts = config.managedMemory + config.networkMemory + config.offHeapMemory;
    throw new IllegalConfigurationError(
      `the linear memory would need ${byteLength} bytes (managedMemory ${config.managedMemory} + networkMemory ` +
        `${config.networkMemory} + offHeapMemory ${config.offHeapMemory} + ${byteLength - parts} for the kernels' data, ` +
        `the page table, the off-heap area's headers and alignment), beyond the ${LINEAR_MEMORY_LIMIT}-byte wasm32 limit; lower managedMemory or networkMemory, or raise pageSize`,
    );
  }
  return { pageSize, header, managedTable, networkTable, realmsTable, offHeapBase, offHeapBytes: config.offHeapMemory, managedBase, managedPages, networkBase, networkPages, byteLength };
}
