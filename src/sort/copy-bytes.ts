/**
 * The one byte copy of the external sort's hot loops (spilling, merging,
 * writing out): within the linear memory through the region's copy kernel,
 * one call per record; across arrays (a scratch copy, an output chunk)
 * through copyBetween. A record copied with copyWithin or set() through a new
 * view cost 70-200 ns for 100 bytes on Node 20; the wasm copy kernel 10 ns.
 */
import type { Kernels } from '../kernels/kernels.js';
import { COPY_IN_JS_MAX } from '../kernels/kernels.js';
import { copyBetween } from '../memory/array-ops.js';
import { copyRange } from '../kernels/small-ops.js';

/** Copies `n` bytes from `src` at `srcAt` to `dst` at `dstAt`; `kernels` and `view` belong to the linear memory `memory`. @internal */
export function copyBytes(kernels: Kernels | null, memory: Uint8Array, view: DataView, src: Uint8Array, srcAt: number, dst: Uint8Array, dstAt: number, n: number): void {
  if (src === memory && dst === memory && kernels !== null) {
    if (n <= COPY_IN_JS_MAX) copyRange(view, memory, dstAt, srcAt, n);
    else kernels.copy(dstAt, srcAt, n);
  } else copyBetween(src, srcAt, dst, dstAt, n);
}
