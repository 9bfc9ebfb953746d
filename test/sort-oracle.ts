// The value order normalized keys and the sorter promise, written independently of the library.
/** Unsigned lexicographic order of two byte arrays. */
export function byteOrder(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return Math.sign(a.length - b.length);
}

/** The value order the keys promise, written independently of the library. */
export function oracle(type: string, a: unknown, b: unknown): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  switch (type) {
    case 'double': {
      const rank = (x: number) => (Number.isNaN(x) ? 3 : Object.is(x, -0) ? 1 : x === 0 ? 2 : 0);
      const [x, y] = [a as number, b as number];
      if (rank(x) === 3 || rank(y) === 3) return Math.sign(rank(x) === 3 ? (rank(y) === 3 ? 0 : 1) : -1);
      if (x !== y) return x < y ? -1 : 1;
      return Math.sign(rank(x) - rank(y));
    }
    case 'string': {
      const x = Array.from(a as string, (c) => c.codePointAt(0)!);
      const y = Array.from(b as string, (c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
      return Math.sign(x.length - y.length);
    }
    case 'bytes':
    case 'fixed':
      return byteOrder(a as Uint8Array, b as Uint8Array);
    case 'boolean':
      return Number(a) - Number(b);
    default:
      return a === b ? 0 : (a as number) < (b as number) ? -1 : 1;
  }
}

