/**
 * The memory model's options, the split it resolves them into, and its
 * defaults and limits.
 */
import { OH_ALIGN } from '../kernels/off-heap-layout.js';

/** Binary units, in bytes. */
export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** Options accepted by the memory model; sizes are bytes or text such as '64mb'. */
export interface MemoryOptions {
  /** Everything: managed + network + off-heap + what stays with the JS heap. */
  totalMemory?: number | string;
  /** Pages for sorting, hashing, joining and caching. */
  managedMemory?: number | string;
  /** Pages for network buffers. */
  networkMemory?: number | string;
  /** Unpooled off-heap area in the linear memory (allocateUnpooledOffHeapMemory). */
  offHeapMemory?: number | string;
  /** Page (segment) size: a power of two between 4096 and 16 MiB; default 32768. */
  pageSize?: number | string;
  /** Share of totalMemory for managed memory when managedMemory is not given; default 0.4. */
  managedFraction?: number;
  /** Share of totalMemory for network memory when networkMemory is not given; default 0.1. */
  networkFraction?: number;
  /** Lower bound of derived network memory; default 64 MiB, scaled down for small totals. */
  networkMin?: number | string;
  /** Upper bound of derived network memory; default 1 GiB. */
  networkMax?: number | string;
}

/** The resolved split; every field is a byte count except the two fractions. */
export interface MemoryConfig {
  /** Bytes per page (segment). */
  readonly pageSize: number;
  /** managedMemory + networkMemory + offHeapMemory + userMemory. */
  readonly totalMemory: number;
  /** A multiple of pageSize. */
  readonly managedMemory: number;
  /** A multiple of pageSize. */
  readonly networkMemory: number;
  /** A multiple of 16. */
  readonly offHeapMemory: number;
  /** The remainder, left to the JavaScript heap; not part of the linear memory. */
  readonly userMemory: number;
  /** The managed fraction in effect (used only when managedMemory was derived from totalMemory). */
  readonly managedFraction: number;
  /** The network fraction in effect (used only when networkMemory was derived from totalMemory). */
  readonly networkFraction: number;
  /** The network lower bound in effect (explicit, or the default scaled to totalMemory). */
  readonly networkMin: number;
  /** The network upper bound in effect. */
  readonly networkMax: number;
}

export const DEFAULT_TOTAL_MEMORY = 128 * MiB;
export const DEFAULT_PAGE_SIZE = 32 * KiB;
export const DEFAULT_OFF_HEAP_MEMORY = 4 * MiB;
export const DEFAULT_MANAGED_FRACTION = 0.4;
export const DEFAULT_NETWORK_FRACTION = 0.1;
export const DEFAULT_NETWORK_MIN = 64 * MiB;
export const DEFAULT_NETWORK_MAX = GiB;
export const MIN_PAGE_SIZE = 4 * KiB;
export const MAX_PAGE_SIZE = 16 * MiB;
/** The most a wasm32 linear memory can hold: 65536 pages of 64 KiB, every address a u32. The one limit the model and the layout check. */
export const LINEAR_MEMORY_LIMIT = 4 * GiB;
/** Linear memory kept for the runtime's own bookkeeping (page table, free list). */
export const RUNTIME_METADATA_RESERVE = MiB;
/** wasm loads and stores of up to 16 bytes (v128) stay aligned on this boundary: the off-heap allocator's block alignment. */
export const OFF_HEAP_ALIGNMENT = OH_ALIGN;

/** Written as a complete record so that adding an option without listing it fails to compile. */
const OPTION_KEYS: { readonly [K in keyof Required<MemoryOptions>]: true } = {
  totalMemory: true,
  managedMemory: true,
  networkMemory: true,
  offHeapMemory: true,
  pageSize: true,
  managedFraction: true,
  networkFraction: true,
  networkMin: true,
  networkMax: true,
};

/** The option names resolveMemoryConfig understands, for callers that reject unknown keys. */
export const MEMORY_OPTION_NAMES: readonly string[] = Object.freeze(Object.keys(OPTION_KEYS));
