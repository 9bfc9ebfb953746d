import { InvalidArgumentError, SharedMemoryUnavailableError } from '../errors.js';
import type { KernelsKind } from '../kernels/kernels.js';
import { render } from '../util/render.js';

/**
 * What `rt.share()` returns and `attach()` takes in another worker: plain,
 * structured-cloneable data naming the shared memory and, for the wasm build,
 * the compiled kernels module (so the worker need not compile it again). The
 * layout is read from the memory's runtime header, not from here.
 */
export interface RuntimeDescriptor {
  /** Always 'segmem.runtime': tells a descriptor from other messages. */
  readonly kind: 'segmem.runtime';
  /** The build that made the runtime; attach() of the other build refuses it. */
  readonly build: KernelsKind;
  /** The shared memory: a shared WebAssembly.Memory (wasm build) or a SharedArrayBuffer (pure-JS build). */
  readonly sharedMemory: object;
  /** The compiled threads kernels module (a WebAssembly.Module; wasm build), null for the pure-JS build. */
  readonly module: object | null;
  /** Address of the runtime header in the memory. */
  readonly header: number;
}

/** Throws SharedMemoryUnavailableError where no SharedArrayBuffer can be had (a browser page without cross-origin isolation). @internal */
export function checkSharedMemorySupport(operation: string): void {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (typeof SharedArrayBuffer === 'function' && isolated !== false) return;
  throw new SharedMemoryUnavailableError(
    `${operation}: shared: true needs SharedArrayBuffer, which a page has only when cross-origin isolated ` +
      `(crossOriginIsolated is ${render(isolated)}); serve the page with the headers Cross-Origin-Opener-Policy: same-origin ` +
      'and Cross-Origin-Embedder-Policy: require-corp',
  );
}

/**
 * The fields of a descriptor read once into a plain object (a getter that
 * throws, or answers differently each time, cannot get past the checks);
 * undefined for anything but an object. @internal
 */
export function readFields<T>(value: unknown, names: readonly (keyof T & string)[], operation: string): T | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return Object.fromEntries(names.map((name) => [name, (value as Record<string, unknown>)[name]])) as T;
  } catch {
    throw new InvalidArgumentError(`${operation}: the descriptor's fields cannot be read (${render(value)})`);
  }
}

/** Checks that `value` is a descriptor of `build` (from rt.share()). @internal */
export function checkDescriptor(value: unknown, build: KernelsKind): RuntimeDescriptor {
  const descriptor = readFields<RuntimeDescriptor>(value, ['kind', 'build', 'sharedMemory', 'module', 'header'], 'attach');
  if (descriptor?.kind !== 'segmem.runtime') {
    throw new InvalidArgumentError(`attach: expected the descriptor rt.share() returns, got ${render(value)}`);
  }
  if (descriptor.build !== build) {
    const other = build === 'wasm' ? "attach() from 'segmem/js'" : "attach() from 'segmem'";
    throw new InvalidArgumentError(`attach: the descriptor is of the ${render(descriptor.build)} build; attach it with ${other}`);
  }
  if (typeof descriptor.header !== 'number' || descriptor.header >>> 0 !== descriptor.header) {
    throw new InvalidArgumentError(`attach: the descriptor's header address ${render(descriptor.header)} is not an address`);
  }
  return descriptor;
}
