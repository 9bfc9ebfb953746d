/** How the memory model's error messages show byte counts, fractions and lists of options. */
import { KiB, MiB } from './memory-options.js';
import { formatSize } from './size.js';

/** Byte count with its human form, for use inside parentheses in messages. */
export function bytesText(bytes: number): string {
  return bytes < KiB ? `${bytes} bytes` : `${bytes} bytes, ${formatSize(bytes)}`;
}

/** Byte count with its human form, for use in running text. */
export function standaloneBytesText(bytes: number): string {
  return bytes < KiB ? `${bytes} bytes` : `${bytes} bytes (${formatSize(bytes)})`;
}

/** A round size at or below `bytes`, as text for the error message: whole MiB where it can. */
export function suggestedSize(bytes: number): string {
  return bytes >= MiB ? `${Math.floor(bytes / MiB)}mb` : `${bytes}`;
}

/** A fraction, marked when it is the default. */
export function fractionText(fraction: number, given: boolean): string {
  return given ? String(fraction) : `${fraction}, the default`;
}

/** Trims float noise such as 1.2000000000000002 from a sum shown to people. */
export function roundForText(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** 'a', 'a or b', 'a, b or c'. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
