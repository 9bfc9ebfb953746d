/**
 * How spare network segments are shared among resizable pools: in
 * proportion to their weights (expected sizes), none above its capacity
 * (maxSize − minSize). What a capped pool cannot take goes to the others,
 * again in proportion; whole segments are handed out by largest remainder,
 * ties to the pool made first. A lone resizable pool therefore gets every
 * spare segment it can hold, and the shares always add up to
 * min(spare, Σ capacity).
 */
export function shareSpare(spare: number, weights: readonly number[], capacities: readonly number[]): number[] {
  const n = weights.length;
  const extra = new Array<number>(n).fill(0);
  let remaining = Math.max(0, spare);
  let active = [...Array(n).keys()].filter((i) => capacities[i]! > 0);
  while (remaining > 0 && active.length > 0) {
    let weight = 0;
    for (const i of active) weight += weights[i]!;
    const share = (i: number): number => (weight > 0 ? (remaining * weights[i]!) / weight : remaining / active.length);
    // Pools whose share reaches their capacity take it all; the rest is shared again.
    const capped = active.filter((i) => share(i) >= capacities[i]! - extra[i]!);
    if (capped.length > 0) {
      for (const i of capped) {
        remaining -= capacities[i]! - extra[i]!;
        extra[i] = capacities[i]!;
      }
      active = active.filter((i) => !capped.includes(i));
      continue;
    }
    // Nobody is capped: floor every share, then one more to the largest remainders.
    const exact = active.map(share);
    let given = 0;
    active.forEach((i, k) => {
      const whole = Math.floor(exact[k]!);
      extra[i]! += whole;
      given += whole;
    });
    const byRemainder = active.map((i, k) => ({ i, rest: exact[k]! - Math.floor(exact[k]!) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
    for (let k = 0; k < remaining - given; k++) extra[byRemainder[k]!.i]! += 1;
    remaining = 0;
  }
  return extra;
}

/** What resizeToShare() reads and changes of a pool (a LocalBufferPool). */
export interface ResizablePool {
  readonly minSize: number;
  readonly maxSize: number;
  readonly expectedSize: number;
  /** Its current size. */
  readonly numBuffers: number;
  resize(size: number): void;
}

/**
 * Resizes the resizable `pools` to minSize plus their share of `spare`
 * (shareSpare), shrinking ones first, so the others find segments free.
 */
export function resizeToShare(pools: readonly ResizablePool[], spare: number): void {
  const extra = shareSpare(
    spare,
    pools.map((p) => p.expectedSize),
    pools.map((p) => p.maxSize - p.minSize),
  );
  // Shrinking pools first: what they give back is then free for the growing ones. A listener's
  // exception (a pool serving its waiters) stops no resize; the first is thrown at the end.
  let failure: { error: unknown } | undefined;
  const resize = (p: ResizablePool, size: number) => {
    try {
      p.resize(size);
    } catch (error) {
      failure ??= { error };
    }
  };
  const shrinking = pools.filter((p, i) => p.minSize + extra[i]! < p.numBuffers);
  pools.forEach((p, i) => {
    if (shrinking.includes(p)) resize(p, p.minSize + extra[i]!);
  });
  pools.forEach((p, i) => {
    if (!shrinking.includes(p)) resize(p, p.minSize + extra[i]!);
  });
  if (failure !== undefined) throw failure.error;
}
