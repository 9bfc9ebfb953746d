/**
 * The memory model: size parsing, the derivation of managed, network,
 * off-heap and JS heap shares, and a readable rendering of the result.
 */

export { formatSize, parseSize } from './size.js';
export {
  DEFAULT_MANAGED_FRACTION,
  DEFAULT_NETWORK_FRACTION,
  DEFAULT_NETWORK_MAX,
  DEFAULT_NETWORK_MIN,
  DEFAULT_OFF_HEAP_MEMORY,
  DEFAULT_PAGE_SIZE,
  DEFAULT_TOTAL_MEMORY,
  LINEAR_MEMORY_LIMIT,
  MAX_PAGE_SIZE,
  MEMORY_OPTION_NAMES,
  MIN_PAGE_SIZE,
  OFF_HEAP_ALIGNMENT,
  RUNTIME_METADATA_RESERVE,
} from './memory-options.js';
export { resolveMemoryConfig } from './memory-model.js';
export type { MemoryConfig, MemoryOptions } from './memory-options.js';
export { describeMemoryConfig } from './describe.js';
