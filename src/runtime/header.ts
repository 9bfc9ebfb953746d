import { InvalidArgumentError } from '../errors.js';
import { RUNTIME_HEADER_BYTES, type MemoryLayout } from './layout.js';

/**
 * The runtime header: the layout, written into the linear memory when a
 * runtime lays it out, so that another runtime (another worker, later) can
 * attach to the same memory by reading it instead of being told.
 *
 *   header +  0  magic 'SGMM'     + 4  version       + 8  pageSize     + 12 byteLength / 64 KiB
 *          + 16  managedTable     + 20 offHeapBase   + 24 offHeapBytes + 28 managedBase
 *          + 32  managedPages     + 36 networkBase   + 40 networkPages + 44 networkTable
 *          + 48  realmsTable (0: not shared)
 *          + 52..63 reserved
 *
 * Every field is a little-endian u32.
 */
const MAGIC = 0x4d4d4753;
/**
 * 2: the network free list's address joined the header; 3: the realm table's (shared runtimes);
 * 4: the managed page table lost its per-owner lists (16 bytes per page, not 32).
 */
const VERSION = 4;

const FIELDS = [
  'pageSize', 'byteLength', 'managedTable', 'offHeapBase', 'offHeapBytes', 'managedBase', 'managedPages', 'networkBase', 'networkPages', 'networkTable', 'realmsTable',
] as const satisfies readonly (keyof MemoryLayout)[];

/** Writes `layout` into its header. */
export function writeHeader(view: DataView, layout: MemoryLayout): void {
  const at = layout.header;
  view.setUint32(at, MAGIC, true);
  view.setUint32(at + 4, VERSION, true);
  FIELDS.forEach((name, i) => {
    const value = name === 'byteLength' ? layout.byteLength / 65536 : layout[name];
    view.setUint32(at + 8 + 4 * i, value, true);
  });
  for (let offset = 8 + 4 * FIELDS.length; offset < RUNTIME_HEADER_BYTES; offset += 4) view.setUint32(at + offset, 0, true);
}

/** Reads the layout from the header at `at`, or throws when the memory holds no segmem runtime. */
export function readHeader(view: DataView, at: number): MemoryLayout {
  if (view.byteLength < at + RUNTIME_HEADER_BYTES || view.getUint32(at, true) !== MAGIC) {
    throw new InvalidArgumentError(`attach: the memory (${view.byteLength} bytes) holds no segmem runtime (no header at ${at})`);
  }
  const version = view.getUint32(at + 4, true);
  if (version !== VERSION) throw new InvalidArgumentError(`attach: the runtime header has version ${version}; this segmem reads version ${VERSION}`);
  const values = Object.fromEntries(FIELDS.map((name, i) => [name, view.getUint32(at + 8 + 4 * i, true)])) as Record<(typeof FIELDS)[number], number>;
  const layout: MemoryLayout = { ...values, header: at, byteLength: values.byteLength * 65536 };
  if (layout.byteLength !== view.byteLength) {
    throw new InvalidArgumentError(`attach: the runtime header describes ${layout.byteLength} bytes, the memory has ${view.byteLength}`);
  }
  return layout;
}
