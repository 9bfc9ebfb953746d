// The radix leaf kernel (sortLeaf) of both builds against a model: every
// remaining key byte's histogram counted in one pass, into tables in the
// control page past the spare list (as many as fit; one table at
// SORT_COUNTS when none fits), bytes equal in the whole range skipped.
// The model is a stable sort of the range by its key bytes from `digit` on:
// radix sort is stable, so the order is fully determined.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builds } from './builds.js';
import type { Runtime } from '../src/index.js';
import { SORT_CAPACITY, SORT_ENTRY_SHIFT, SORT_FLAGS, SORT_KEY_BYTES, SORT_LIST, SORT_LISTS, SORT_N, SORT_PAGE_SHIFT, SORT_SPARE, sortListCapacity } from '../src/kernels/sort-layout.js';

/** An index of `keys` (pointer = position) laid out in pages of `rt`, with the scratch pages of a radix sort. */
function makeIndex(rt: Runtime, keys: Uint8Array[], keyBytes: number) {
  const mm = rt.memoryManager;
  const pageSize = mm.pageSize;
  const es = keyBytes <= 4 ? 3 : keyBytes <= 12 ? 4 : 5;
  const ps = Math.log2(pageSize) - es;
  const pagesNeeded = Math.ceil(keys.length / (1 << ps));
  const owner = {};
  const [ctlPage] = mm.allocatePages(owner, 1);
  const list = mm.allocatePages(owner, pagesNeeded);
  const spare = mm.allocatePages(owner, pagesNeeded);
  const ctl = ctlPage!.address;
  const view = ctlPage!.view;
  const bytes = ctlPage!.bytes;
  const capacity = sortListCapacity(pageSize);
  const listA = ctl + SORT_LISTS;
  const listB = listA + 4 * capacity;
  for (const [offset, value] of [[SORT_N, keys.length], [SORT_ENTRY_SHIFT, es], [SORT_PAGE_SHIFT, ps], [SORT_KEY_BYTES, keyBytes], [SORT_FLAGS, 0], [SORT_CAPACITY, capacity], [SORT_LIST, listA], [SORT_SPARE, listB]] as const) {
    view.setUint32(ctl + offset, value, true);
  }
  list.forEach((p, i) => view.setUint32(listA + 4 * i, p.address, true));
  spare.forEach((p, i) => view.setUint32(listB + 4 * i, p.address, true));
  const entryAt = (i: number) => list[i >>> ps]!.address + ((i & ((1 << ps) - 1)) << es);
  keys.forEach((key, i) => {
    const at = entryAt(i);
    bytes.fill(0, at, at + (1 << es));
    bytes.set(key, at);
    view.setUint32(at + (1 << es) - 4, i, true);
  });
  return {
    kernels: ctlPage!.region.kernels!,
    ctl,
    /** The lists' page addresses as they are now. */
    lists: () => Array.from({ length: pagesNeeded }, (_, i) => [view.getUint32(listA + 4 * i, true), view.getUint32(listB + 4 * i, true)]),
    /** Pointers of entries [lo, hi) of the list. */
    pointers: (lo: number, hi: number) => Array.from({ length: hi - lo }, (_, k) => view.getUint32(entryAt(lo + k) + (1 << es) - 4, true)),
    close: () => mm.release([ctlPage!, ...list, ...spare]),
  };
}

/** Stable order of positions [lo, hi) by key bytes digit to keyBytes - 1. */
function model(keys: Uint8Array[], lo: number, hi: number, digit: number, keyBytes: number): number[] {
  const ids = Array.from({ length: hi - lo }, (_, k) => lo + k);
  return ids.sort((a, b) => {
    for (let d = digit; d < keyBytes; d++) if (keys[a]![d] !== keys[b]![d]) return keys[a]![d]! - keys[b]![d]!;
    return 0;
  });
}

/** Key bytes from `digit` on that are not the same in every key of [lo, hi): the passes the leaf must make. */
function varyingBytes(keys: Uint8Array[], lo: number, hi: number, digit: number, keyBytes: number): number {
  let count = 0;
  for (let d = digit; d < keyBytes; d++) if (keys.slice(lo, hi).some((k) => k[d] !== keys[lo]![d])) count++;
  return count;
}

/** Sorts [lo, hi) with sortLeaf in a fresh index and checks order, passes, the untouched rest and the lists. */
function checkLeaf(rt: Runtime, keys: Uint8Array[], keyBytes: number, lo: number, hi: number, digit: number): void {
  const index = makeIndex(rt, keys, keyBytes);
  try {
    const lists = index.lists();
    const before = index.pointers(0, keys.length);
    const passes = index.kernels.sortLeaf(index.ctl, lo, hi, digit, 0);
    expect(index.pointers(lo, hi)).toEqual(model(keys, lo, hi, digit, keyBytes));
    if (hi - lo > 16) expect(passes).toBe(varyingBytes(keys, lo, hi, digit, keyBytes));
    expect(index.pointers(0, lo)).toEqual(before.slice(0, lo));
    expect(index.pointers(hi, keys.length)).toEqual(before.slice(hi));
    // The histogram tables lie past the lists: not one page address was overwritten.
    expect(index.lists()).toEqual(lists);
  } finally {
    index.close();
  }
}

/** `n` keys of `keyBytes` bytes: byte d is `fixed[d]` where given, else a value from 0 to spread[d] - 1. */
const keysOf = (n: number, keyBytes: number, at: (i: number, d: number) => number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => Uint8Array.from({ length: keyBytes }, (_, d) => at(i, d) & 255));

describe.each(builds)('$name build: radix leaf', ({ init }) => {
  const withRuntime = async (pageSize: number, pages: number, body: (rt: Runtime) => void) => {
    const rt = await init({ managedMemory: pages * pageSize, networkMemory: 0, offHeapMemory: '64kb', pageSize });
    try {
      body(rt);
      expect(rt.memoryManager.verifyEmpty()).toBe(true);
    } finally {
      rt.close();
    }
  };

  it('sorts ranges like a stable sort on the remaining key bytes, one pass per byte that varies (property)', async () => {
    for (const pageSize of [4096, 8192, 32768]) {
      await withRuntime(pageSize, 64, (rt) => {
        fc.assert(
          fc.property(
            fc.integer({ min: 1, max: 28 }),
            fc.integer({ min: 1, max: 400 }),
            fc.array(fc.constantFrom(1, 1, 2, 3, 256), { minLength: 28, maxLength: 28 }),
            fc.integer(),
            fc.nat(),
            fc.nat(),
            fc.nat(),
            (keyBytes, n, spread, seed, a, b, c) => {
              let s = seed >>> 0 || 1;
              const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
              const keys = keysOf(n, keyBytes, (_, d) => next() % spread[d]!);
              const lo = a % n;
              const hi = lo + 1 + (b % (n - lo));
              const digit = c % (keyBytes + 1);
              // The leaf's contract: its range is equal in the key bytes before `digit` (the MSD passes decided them).
              for (let i = lo; i < hi; i++) for (let d = 0; d < digit; d++) keys[i]![d] = keys[lo]![d]!;
              checkLeaf(rt, keys, keyBytes, lo, hi, digit);
            },
          ),
          { numRuns: 40 },
        );
      });
    }
  });

  it('makes no pass over keys that are all equal, and one over keys differing only in their last byte', async () => {
    await withRuntime(32768, 16, (rt) => {
      for (const keyBytes of [4, 9, 12, 28]) {
        const same = keysOf(300, keyBytes, (_, d) => 7 * d + 1);
        checkLeaf(rt, same, keyBytes, 0, 300, 0);
        const last = keysOf(300, keyBytes, (i, d) => (d === keyBytes - 1 ? 299 - i : 0x41));
        const index = makeIndex(rt, last, keyBytes);
        try {
          expect(index.kernels.sortLeaf(index.ctl, 0, 300, 0, 0)).toBe(1);
          expect(index.pointers(0, 300)).toEqual(model(last, 0, 300, 0, keyBytes));
        } finally {
          index.close();
        }
      }
    });
  });

  it('sorts 16- and 32-byte entries whose counted bytes lie in one word of the entry or straddle two', async () => {
    // Groups of up to four bytes counted from the top: keyBytes 12 groups [8,12) [4,8) [0,4), each in one word;
    // keyBytes 10 groups [6,10), which straddles the 8-byte (and the 4-byte) word boundary; 20 and 28 reach the second half of a 32-byte entry.
    await withRuntime(32768, 16, (rt) => {
      for (const keyBytes of [5, 10, 12, 14, 20, 28]) {
        for (const digit of [0, 1, 2, 3, 5]) {
          let s = 0x2545f491 ^ (keyBytes * 977 + digit);
          const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
          const keys = keysOf(700, keyBytes, (_, d) => (d < digit ? 0x33 : next() % (d % 3 === 0 ? 256 : 7)));
          checkLeaf(rt, keys, keyBytes, 0, 700, digit);
          checkLeaf(rt, keys, keyBytes, 13, 611, digit);
        }
      }
    });
  });

  it('sorts a 1-entry range and a range at the end of the index', async () => {
    await withRuntime(8192, 16, (rt) => {
      const keys = keysOf(200, 28, (i, d) => (i * 31 + d * 17) % 251);
      checkLeaf(rt, keys, 28, 57, 58, 0);
      checkLeaf(rt, keys, 28, 199, 200, 3);
      for (let i = 120; i < 200; i++) keys[i]![0] = 5;
      checkLeaf(rt, keys, 28, 120, 200, 1);
    });
  });

  it('counts with one table at a time when the control page has no room past a long spare list', async () => {
    // 4 KiB pages of 8-byte entries: from 125 index pages on, the spare list ends past 3072 bytes into the control page.
    await withRuntime(4096, 2 * 130 + 4, (rt) => {
      const n = 130 * 512;
      const keys = keysOf(n, 4, (i, d) => (d === 0 ? 9 : Math.imul(i + 1, 2654435761) >>> (8 * d)));
      checkLeaf(rt, keys, 4, 1000, 5000, 0);
      for (let i = n - 700; i < n; i++) keys[i]![1] = 3;
      checkLeaf(rt, keys, 4, n - 700, n, 2);
    });
  });
});
