/** What MemoryManager.releaseAllOf() gave back of an ended worker's managed memory. */
export interface ReleasedMemory {
  /** Pages given back (those its owners held and those it handed over that nobody adopted). */
  readonly pages: number;
  /** Reserved bytes given back. */
  readonly bytes: number;
}

/** What Runtime.releaseAllOf() gave back of an ended worker's memory. */
export interface ReleasedResources extends ReleasedMemory {
  /** Network segments given back. */
  readonly buffers: number;
}
