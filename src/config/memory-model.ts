/**
 * The memory model: how one budget is split into managed memory (sort, hash,
 * join pages), network buffers, an unpooled off-heap area, and what is left
 * to the JavaScript heap. Explicit sizes win, fractions fill in, derived
 * parts are clamped and rounded to pages, and explicit parts that cannot all
 * hold at once are rejected rather than shrunk behind the user's back.
 */

import { IllegalConfigurationError } from '../errors.js';
import { computeLayout } from '../runtime/layout.js';
import { bytesText, fractionText, listText, roundForText, standaloneBytesText, suggestedSize } from './config-text.js';
import {
  DEFAULT_NETWORK_MAX,
  DEFAULT_NETWORK_MIN,
  DEFAULT_OFF_HEAP_MEMORY,
  DEFAULT_TOTAL_MEMORY,
  LINEAR_MEMORY_LIMIT,
  OFF_HEAP_ALIGNMENT,
  RUNTIME_METADATA_RESERVE,
  type MemoryConfig,
  type MemoryOptions,
} from './memory-options.js';
import { checkAlignment, checkNetworkMinMax, parseOptions, type ParsedOptions } from './parsed-options.js';
import { alignDown } from './size.js';

/** One resolved part, with the words and the option that explain where it came from. */
interface Part {
  readonly option: string;
  readonly bytes: number;
  /** Empty for an explicit value, else how it was derived. */
  readonly origin: string;
  /** The option to change to make this part smaller. */
  readonly knob: string;
}

interface Parts {
  readonly managed: Part;
  readonly network: Part;
  readonly offHeap: Part;
  readonly total: number;
  readonly networkMin: number;
  readonly networkMax: number;
}

/** Resolves memory options into a frozen byte-level split; throws ERR_ILLEGAL_CONFIGURATION (naming the options to change) for malformed options or parts that do not fit together. */
export function resolveMemoryConfig(options: MemoryOptions = {}): MemoryConfig {
  const parsed = parseOptions(options);
  checkNetworkMinMax(parsed);
  checkAlignment(parsed);
  const parts = usesTotal(parsed) ? deriveFromTotal(parsed) : addUpExplicitParts(parsed);
  checkLinearMemoryLimit(parsed, parts);
  const used = parts.managed.bytes + parts.network.bytes + parts.offHeap.bytes;
  return Object.freeze({
    pageSize: parsed.pageSize,
    totalMemory: parts.total,
    managedMemory: parts.managed.bytes,
    networkMemory: parts.network.bytes,
    offHeapMemory: parts.offHeap.bytes,
    userMemory: parts.total - used,
    managedFraction: parsed.managedFraction,
    networkFraction: parsed.networkFraction,
    networkMin: parts.networkMin,
    networkMax: parts.networkMax,
  });
}

/** totalMemory drives the split when given, and also when no part is given at all (then it defaults). */
function usesTotal(p: ParsedOptions): boolean {
  return p.totalMemory !== undefined || (p.managedMemory === undefined && p.networkMemory === undefined);
}

/** Splits a known total: explicit parts first, then fractions clamped and rounded to pages. */
function deriveFromTotal(p: ParsedOptions): Parts {
  const total = p.totalMemory ?? DEFAULT_TOTAL_MEMORY;
  const networkMax = p.networkMax ?? DEFAULT_NETWORK_MAX;
  const networkMin = effectiveNetworkMin(p, total, networkMax);
  checkFractionSum(p);
  const managed = resolveManaged(p, total);
  const network = resolveNetwork(p, total, networkMin, networkMax);
  const offHeap = resolveOffHeap(p, total);
  checkPartsFitTotal(p, [managed, network, offHeap], total);
  return { managed, network, offHeap, total, networkMin, networkMax };
}

/**
 * The default minimum of 64 MiB suits large totals but would swallow a small
 * one, so it shrinks to a quarter of totalMemory below 256 MiB. Both pieces
 * meet at 256 MiB (a quarter of it is 64 MiB), so the derived network size
 * grows continuously with totalMemory instead of jumping at a threshold. It
 * also yields to an explicit networkMax, which states the user's intent.
 */
function effectiveNetworkMin(p: ParsedOptions, total: number, networkMax: number): number {
  if (p.networkMin !== undefined) return p.networkMin;
  return Math.min(DEFAULT_NETWORK_MIN, Math.floor(total / 4), networkMax);
}

/** Two fractions of the same total cannot claim more than all of it. */
function checkFractionSum(p: ParsedOptions): void {
  if (p.managedMemory !== undefined || p.networkMemory !== undefined) return;
  if (p.managedFraction + p.networkFraction <= 1) return;
  const managed = fractionText(p.managedFraction, p.managedFractionGiven);
  const network = fractionText(p.networkFraction, p.networkFractionGiven);
  throw new IllegalConfigurationError(
    `managedFraction (${managed}) + networkFraction (${network}) = ` +
      `${roundForText(p.managedFraction + p.networkFraction)} exceed 1; lower one of them`,
  );
}

/** Managed memory: the explicit size, else its fraction of the total rounded down to pages. */
function resolveManaged(p: ParsedOptions, total: number): Part {
  if (p.managedMemory !== undefined) {
    return explicitPart('managedMemory', p.managedMemory);
  }
  return {
    option: 'managedMemory',
    bytes: alignDown(fractionOf(total, p.managedFraction), p.pageSize),
    origin: `managedFraction ${p.managedFraction} of totalMemory`,
    knob: 'managedFraction',
  };
}

/**
 * Network memory: the explicit size (checked against explicit bounds only),
 * else its fraction clamped into [min, max] and rounded down to pages. The
 * rounding comes last so that the part is whole pages; it can therefore sit
 * up to one page below a networkMin that is not itself a page multiple.
 */
function resolveNetwork(p: ParsedOptions, total: number, min: number, max: number): Part {
  if (p.networkMemory !== undefined) {
    checkNetworkWithinExplicitBounds(p, p.networkMemory, true);
    return explicitPart('networkMemory', p.networkMemory);
  }
  const wanted = fractionOf(total, p.networkFraction);
  const bytes = alignDown(Math.min(Math.max(wanted, min), max), p.pageSize);
  if (wanted < min) {
    const bound = p.networkMin === undefined ? 'the default networkMin, min(64 MiB, totalMemory / 4)' : 'networkMin';
    return { option: 'networkMemory', bytes, origin: `raised to ${bound}`, knob: 'networkMin' };
  }
  if (wanted > max) {
    return { option: 'networkMemory', bytes, origin: 'capped at networkMax', knob: 'networkMax' };
  }
  const origin = `networkFraction ${p.networkFraction} of totalMemory`;
  return { option: 'networkMemory', bytes, origin, knob: 'networkFraction' };
}

/** Off-heap area: explicit, else 4 MiB but never more than an eighth of a given total. */
function resolveOffHeap(p: ParsedOptions, total: number | undefined): Part {
  if (p.offHeapMemory !== undefined) {
    return explicitPart('offHeapMemory', p.offHeapMemory);
  }
  const bytes =
    total === undefined
      ? DEFAULT_OFF_HEAP_MEMORY
      : alignDown(Math.min(DEFAULT_OFF_HEAP_MEMORY, Math.floor(total / 8)), OFF_HEAP_ALIGNMENT);
  return { option: 'offHeapMemory', bytes, origin: 'default', knob: 'offHeapMemory' };
}

/** Rejects parts that add up to more than the total, naming every part and where it came from. */
function checkPartsFitTotal(p: ParsedOptions, parts: readonly Part[], total: number): void {
  const sum = parts.reduce((acc, part) => acc + part.bytes, 0);
  if (sum <= total) return;
  const totalText = p.totalMemory === undefined ? `${bytesText(total)}, the default` : bytesText(total);
  const knobs = [...new Set(parts.filter((part) => part.bytes > 0).map((part) => part.knob))];
  throw new IllegalConfigurationError(
    `${parts.map(partText).join(' + ')} = ${standaloneBytesText(sum)} exceed totalMemory (${totalText}); ` +
      `lower ${listText(knobs)}, or raise totalMemory`,
  );
}

/** Without a total, the total is just the parts: the missing one of managed/network is 0 and fractions play no role. */
function addUpExplicitParts(p: ParsedOptions): Parts {
  const managed = explicitPart('managedMemory', p.managedMemory ?? 0);
  const network = explicitPart('networkMemory', p.networkMemory ?? 0);
  checkNetworkWithinExplicitBounds(p, network.bytes, p.networkMemory !== undefined);
  const offHeap = resolveOffHeap(p, undefined);
  const networkMax = p.networkMax ?? DEFAULT_NETWORK_MAX;
  const networkMin = p.networkMin ?? Math.min(DEFAULT_NETWORK_MIN, networkMax);
  const total = managed.bytes + network.bytes + offHeap.bytes;
  return { managed, network, offHeap, total, networkMin, networkMax };
}

/** Explicit bounds bind any network size, because the user asked for them; default bounds bind only derived sizes. */
function checkNetworkWithinExplicitBounds(p: ParsedOptions, network: number, given: boolean): void {
  const belowMin = p.networkMin !== undefined && network < p.networkMin;
  const aboveMax = p.networkMax !== undefined && network > p.networkMax;
  if (!belowMin && !aboveMax) return;
  const min = p.networkMin === undefined ? 'not set' : bytesText(p.networkMin);
  const max = p.networkMax === undefined ? 'not set' : bytesText(p.networkMax);
  const shown = given ? bytesText(network) : `${bytesText(network)}, not given`;
  const hint = given ? 'change networkMemory or the bounds' : 'set networkMemory or totalMemory, or drop the bounds';
  throw new IllegalConfigurationError(
    `networkMemory (${shown}) lies outside networkMin (${min}) and networkMax (${max}); ${hint}`,
  );
}

/**
 * Managed, network and off-heap parts plus the runtime's metadata share one
 * linear memory, which wasm32 caps. When the parts come from totalMemory, the
 * error says the largest totalMemory that fits with the same other options.
 */
function checkLinearMemoryLimit(p: ParsedOptions, parts: Parts): void {
  const inLinearMemory = [parts.managed, parts.network, parts.offHeap];
  const sum = inLinearMemory.reduce((acc, part) => acc + part.bytes, 0) + RUNTIME_METADATA_RESERVE;
  if (sum <= LINEAR_MEMORY_LIMIT) return;
  const largest = p.totalMemory === undefined ? undefined : largestFittingTotal(p);
  const knobs = [...new Set(inLinearMemory.filter((part) => part.bytes > 0).map((part) => part.knob))];
  const fix =
    largest === undefined
      ? `lower ${listText(knobs)}`
      : `the largest totalMemory that fits with these options is ${largest} bytes (for example '${suggestedSize(largest)}'); ` +
        `lower totalMemory or ${listText(knobs)}`;
  throw new IllegalConfigurationError(
    `${inLinearMemory.map(partText).join(' + ')} + runtime metadata (${bytesText(RUNTIME_METADATA_RESERVE)}) = ` +
      `${standaloneBytesText(sum)} exceed the WebAssembly linear memory limit of ${LINEAR_MEMORY_LIMIT} bytes ` +
      `(4 GiB); ${fix} (the JavaScript heap share, userMemory, is not limited by this)`,
  );
}

/** The parts' bytes for `total`, with every other option as given, and whether a runtime can lay them out. */
function partsForTotal(p: ParsedOptions, total: number): { readonly bytes: number; readonly fits: boolean } {
  const networkMax = p.networkMax ?? DEFAULT_NETWORK_MAX;
  const networkMin = effectiveNetworkMin(p, total, networkMax);
  const managedMemory = resolveManaged(p, total).bytes;
  const networkMemory = resolveNetwork(p, total, networkMin, networkMax).bytes;
  const offHeapMemory = resolveOffHeap(p, total).bytes;
  const bytes = managedMemory + networkMemory + offHeapMemory;
  if (bytes + RUNTIME_METADATA_RESERVE > LINEAR_MEMORY_LIMIT) return { bytes, fits: false };
  // The runtime layout adds the kernels data, the page table, the off-heap headers and alignment.
  const config: MemoryConfig = {
    pageSize: p.pageSize, totalMemory: total, managedMemory, networkMemory, offHeapMemory, userMemory: total - bytes,
    managedFraction: p.managedFraction, networkFraction: p.networkFraction, networkMin, networkMax,
  };
  try {
    computeLayout(config);
    return { bytes, fits: true };
  } catch {
    return { bytes, fits: false };
  }
}

/**
 * The largest totalMemory that init() accepts with the other options as
 * given, or undefined when there is none (explicit parts alone are too
 * large). Every derived part grows with the total, so a binary search finds it.
 */
function largestFittingTotal(p: ParsedOptions): number | undefined {
  let low = 0;
  let high = p.totalMemory ?? DEFAULT_TOTAL_MEMORY;
  if (!partsForTotal(p, low).fits) return undefined;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (partsForTotal(p, mid).fits) low = mid;
    else high = mid;
  }
  return partsForTotal(p, low).bytes <= low ? low : undefined;
}

/** total × fraction in whole bytes; a product a hair below an integer (0.1 is inexact) counts as that integer. */
function fractionOf(total: number, fraction: number): number {
  const product = total * fraction;
  const nearest = Math.round(product);
  return Math.abs(product - nearest) <= product * 1e-12 ? nearest : Math.floor(product);
}

/** A part set directly by its own option. */
function explicitPart(option: string, bytes: number): Part {
  return { option, bytes, origin: '', knob: option };
}

/** A part as 'option (bytes[, origin])'. */
function partText(part: Part): string {
  const origin = part.origin === '' ? '' : `, ${part.origin}`;
  return `${part.option} (${bytesText(part.bytes)}${origin})`;
}

