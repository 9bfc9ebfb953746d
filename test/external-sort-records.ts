// The records both external-sort suites sort: an id, a key with many ties, a
// short string and 40 payload bytes, drawn from a seeded generator.

export const TYPE = { id: 'int', k: 'int', s: 'string', b: 'bytes' } as const;
export type Rec = { id: number; k: number; s: string; b: Uint8Array };

/** `n` records from `seed` (a linear congruential generator, so runs reproduce). */
export function makeRecords(n: number, seed: number): Rec[] {
  const out: Rec[] = [];
  let x = seed;
  for (let id = 0; id < n; id++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    out.push({ id, k: (x >>> 8) % 1000, s: `s${(x >>> 4) % 97}`, b: new Uint8Array(40).fill(id & 255) });
  }
  return out;
}
