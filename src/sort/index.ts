// Normalized keys and the in-memory sorter.
export { NormalizedKeys, MAX_KEY_BYTES, DEFAULT_STRING_PREFIX, type KeyField, type KeyFieldSpec, type KeySpec, type SortOrder } from './normalized-key.js';
export { InMemorySorter, type SorterOptions, type SortOptions, type SortProgress } from './sorter.js';
export { ExternalSorter, type ExternalSorterOptions, type ExternalSortProgress } from './external-sorter.js';
export { defaultSpillStore, type SpillFile, type SpillStore } from './spill-store.js';
export { OpfsSpillStore } from './opfs-store.js';
export type { ChunkWriterLike, NodeWritableLike, SortOutput, WritableStreamLike } from './byte-sink.js';
