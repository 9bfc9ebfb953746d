/**
 * The reference rows behind the decision "single values go through a
 * DataView": the kernels module still exports one-value accessors
 * (assembly/scalar.ts), and these rows call them once per value, beside a
 * bare DataView over the same linear memory. Together with the wasm build's
 * MemorySegment rows they keep that choice measured on the engine at hand.
 *
 * Only the wasm build has these exports. The runtime's `memory.kernels` (the
 * exports object) and a segment's `address` are internal fields, used here
 * and nowhere else. Loops match the single-value micro rows exactly.
 */
import { live } from './micro-rows.mjs';

const SEG = 32768;
const SWEEPS = 4;

/**
 * Rows as { op, variant, ops, fn }; `op` matches the micro row the variant
 * stands beside. Pages are taken for `owner`; the caller gives them back.
 */
export function referenceRows(rt, owner) {
  const K = rt.memory.kernels;
  if (typeof K.getInt !== 'function') return [];
  const [ints, longs, doubles, out] = rt.memoryManager.allocatePages(owner, 4);
  for (let i = 0; i < SEG; i += 4) ints.putInt(i, Math.imul(i, 0x9e3779b1));
  for (let i = 0; i < SEG; i += 8) longs.putLongNumber(i, i * 1000003 - 7e9);
  for (let i = 0; i < SEG; i += 8) doubles.putDouble(i, i * 0.5 + 0.25);
  const LONG_VALUES = Array.from({ length: SEG / 8 }, (_, k) => BigInt(k) * 0x1234567n - 99n);

  const dv = new DataView(rt.memory.buffer);
  const ib = ints.address;
  const lb = longs.address;
  const db = doubles.address;
  const ob = out.address;
  const { getInt, putInt, getIntBigEndian, putIntBigEndian, getLong, putLong, getDouble } = K;
  // The three paths must read the same values, or the rows compare different things.
  for (let i = 0; i < SEG; i += 1024) {
    const agree =
      getInt(ib + i) === ints.getInt(i) && getIntBigEndian(ib + i) === ints.getIntBigEndian(i) &&
      getLong(lb + i) === longs.getLong(i) && getDouble(db + i) === doubles.getDouble(i);
    if (!agree) throw new Error(`reference: the wasm exports and MemorySegment disagree at index ${i}`);
  }
  let salt = 0;

  const INT_OPS = SWEEPS * 8192;
  const LONG_OPS = SWEEPS * 4096;
  // Each row's loop is written out with its own accessor call on purpose: a
  // shared loop taking the accessor as a function would measure that
  // indirect (and soon polymorphic) call instead of the access.
  const rows = [
    { op: 'getInt', variant: 'export', ops: INT_OPS, fn: () => {
      let s = 0;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) s = (s + getInt(ib + i)) | 0;
      live.sink += s;
    } },
    { op: 'getInt', variant: 'dataview', ops: INT_OPS, fn: () => {
      let s = 0;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) s = (s + dv.getInt32(ib + i, true)) | 0;
      live.sink += s;
    } },
    { op: 'putInt', variant: 'export', ops: INT_OPS, fn: () => {
      const v = salt++;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) putInt(ob + i, i + v);
    } },
    { op: 'putInt', variant: 'dataview', ops: INT_OPS, fn: () => {
      const v = salt++;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) dv.setUint32(ob + i, i + v, true);
    } },
    { op: 'getIntBigEndian', variant: 'export', ops: INT_OPS, fn: () => {
      let s = 0;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) s = (s + getIntBigEndian(ib + i)) | 0;
      live.sink += s;
    } },
    { op: 'getIntBigEndian', variant: 'dataview', ops: INT_OPS, fn: () => {
      let s = 0;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) s = (s + dv.getInt32(ib + i, false)) | 0;
      live.sink += s;
    } },
    { op: 'putIntBigEndian', variant: 'export', ops: INT_OPS, fn: () => {
      const v = salt++;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) putIntBigEndian(ob + i, i + v);
    } },
    { op: 'putIntBigEndian', variant: 'dataview', ops: INT_OPS, fn: () => {
      const v = salt++;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 4) dv.setUint32(ob + i, i + v, false);
    } },
    { op: 'getLong (bigint)', variant: 'export', ops: LONG_OPS, fn: () => {
      let s = 0n;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) s += getLong(lb + i);
      live.sink += Number(BigInt.asIntN(52, s));
    } },
    { op: 'getLong (bigint)', variant: 'dataview', ops: LONG_OPS, fn: () => {
      let s = 0n;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) s += dv.getBigInt64(lb + i, true);
      live.sink += Number(BigInt.asIntN(52, s));
    } },
    { op: 'putLong (bigint)', variant: 'export', ops: LONG_OPS, fn: () => {
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) putLong(ob + i, LONG_VALUES[i >>> 3]);
    } },
    { op: 'putLong (bigint)', variant: 'dataview', ops: LONG_OPS, fn: () => {
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) dv.setBigInt64(ob + i, LONG_VALUES[i >>> 3], true);
    } },
    { op: 'getDouble', variant: 'export', ops: LONG_OPS, fn: () => {
      let s = 0;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) s += getDouble(db + i);
      live.sink += s;
    } },
    { op: 'getDouble', variant: 'dataview', ops: LONG_OPS, fn: () => {
      let s = 0;
      for (let r = 0; r < SWEEPS; r++) for (let i = 0; i < SEG; i += 8) s += dv.getFloat64(db + i, true);
      live.sink += s;
    } },
  ];
  return rows;
}
