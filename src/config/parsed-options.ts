/**
 * The memory options checked one by one, before any derivation, so that the
 * first error is about the input and not about a consequence of it.
 */
import { IllegalConfigurationError } from '../errors.js';
import { render } from '../util/render.js';
import { bytesText, standaloneBytesText } from './config-text.js';
import {
  DEFAULT_MANAGED_FRACTION,
  DEFAULT_NETWORK_FRACTION,
  DEFAULT_NETWORK_MAX,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  MIN_PAGE_SIZE,
  OFF_HEAP_ALIGNMENT,
  type MemoryOptions,
} from './memory-options.js';
import { alignDown, parseSize } from './size.js';

/** Options after validation; undefined means "not given". */
export interface ParsedOptions {
  readonly pageSize: number;
  readonly totalMemory: number | undefined;
  readonly managedMemory: number | undefined;
  readonly networkMemory: number | undefined;
  readonly offHeapMemory: number | undefined;
  readonly managedFraction: number;
  readonly networkFraction: number;
  readonly managedFractionGiven: boolean;
  readonly networkFractionGiven: boolean;
  readonly networkMin: number | undefined;
  readonly networkMax: number | undefined;
}

/** Validates every option before any derivation, so the first error is about input, not about a consequence. */
export function parseOptions(options: MemoryOptions): ParsedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new IllegalConfigurationError(`memory options: expected an object, got ${render(options)}`);
  }
  return {
    totalMemory: optionalSize(options.totalMemory, 'totalMemory'),
    managedMemory: optionalSize(options.managedMemory, 'managedMemory'),
    networkMemory: optionalSize(options.networkMemory, 'networkMemory'),
    offHeapMemory: optionalSize(options.offHeapMemory, 'offHeapMemory'),
    pageSize: parsePageSize(options.pageSize),
    managedFraction: parseFraction(options.managedFraction, 'managedFraction', DEFAULT_MANAGED_FRACTION),
    networkFraction: parseFraction(options.networkFraction, 'networkFraction', DEFAULT_NETWORK_FRACTION),
    managedFractionGiven: options.managedFraction !== undefined,
    networkFractionGiven: options.networkFraction !== undefined,
    networkMin: optionalSize(options.networkMin, 'networkMin'),
    networkMax: optionalSize(options.networkMax, 'networkMax'),
  };
}

/** Parses a size option that may be absent. */
function optionalSize(value: number | string | undefined, option: string): number | undefined {
  return value === undefined ? undefined : parseSize(value, option);
}

/** Parses the page size, which the page table and the buffer pools need to be a power of two. */
function parsePageSize(value: number | string | undefined): number {
  if (value === undefined) return DEFAULT_PAGE_SIZE;
  const bytes = parseSize(value, 'pageSize');
  if (bytes < MIN_PAGE_SIZE || bytes > MAX_PAGE_SIZE || (bytes & (bytes - 1)) !== 0) {
    const shown = typeof value === 'string' ? `${bytes} (${render(value)})` : String(bytes);
    throw new IllegalConfigurationError(
      `pageSize: ${shown} is not a power of two between ${MIN_PAGE_SIZE} and ${MAX_PAGE_SIZE}`,
    );
  }
  return bytes;
}

/** Parses a fraction, which must be a finite number within [0, 1]. */
function parseFraction(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new IllegalConfigurationError(`${option}: ${render(value)} is not a number between 0 and 1`);
  }
  return value;
}

/** Rejects an explicit networkMin above networkMax (explicit or default); a default networkMin never conflicts. */
export function checkNetworkMinMax(p: ParsedOptions): void {
  if (p.networkMin === undefined) return;
  const max = p.networkMax ?? DEFAULT_NETWORK_MAX;
  if (p.networkMin > max) {
    const maxText = p.networkMax === undefined ? `${bytesText(max)}, the default` : bytesText(max);
    throw new IllegalConfigurationError(
      `networkMin (${bytesText(p.networkMin)}) exceeds networkMax (${maxText}); ` +
        'lower networkMin or raise networkMax',
    );
  }
}

/** Explicit sizes are never rounded: a silently smaller part would surprise whoever asked for it. */
export function checkAlignment(p: ParsedOptions): void {
  checkMultiple(p.managedMemory, 'managedMemory', p.pageSize, `pageSize (${bytesText(p.pageSize)})`);
  checkMultiple(p.networkMemory, 'networkMemory', p.pageSize, `pageSize (${bytesText(p.pageSize)})`);
  const alignment = `${OFF_HEAP_ALIGNMENT} bytes (wasm alignment)`;
  checkMultiple(p.offHeapMemory, 'offHeapMemory', OFF_HEAP_ALIGNMENT, alignment);
}

/** Throws when an explicit size is not a multiple of its unit, suggesting the two nearest that are. */
function checkMultiple(bytes: number | undefined, option: string, unit: number, unitText: string): void {
  if (bytes === undefined || bytes % unit === 0) return;
  const below = alignDown(bytes, unit);
  throw new IllegalConfigurationError(
    `${option}: ${standaloneBytesText(bytes)} is not a multiple of ${unitText}; use ${below} or ${below + unit}`,
  );
}
