// Normalized keys and the in-memory sorter.
export { NormalizedKeys, MAX_KEY_BYTES, DEFAULT_STRING_PREFIX, type KeyField, type KeyFieldSpec, type KeySpec, type SortOrder } from './normalized-key.js';
export { InMemorySorter, type SorterOptions, type SortOptions, type SortProgress } from './sorter.js';
