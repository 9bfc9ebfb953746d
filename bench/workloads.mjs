/**
 * The reference workloads W1–W8 of bench-workloads.md, exactly as defined
 * there, so their figures can stand beside Flink's JVM figures for the same
 * workloads. Each setup builds the untimed state, runs the first pass and
 * verifies every checksum the document lists (throwing a ChecksumError on a
 * mismatch), and hands back `passes(n)` for the timer.
 *
 * `p` is the pass counter of the document: 1 for the first (checked) pass,
 * plus one per pass after it, warm-up included. Every segment is a page of
 * the runtime's MemoryManager, so all workloads use one kind of segment and
 * "src, dst of the same kind" (W3) holds. Pages are taken for `owner`, and
 * the caller gives back whatever that owner holds once the workload is done,
 * also when a check fails halfway.
 */
import { check, fnv1aSegments, hex, xorshift32 } from './checks.mjs';
/** W8: a NetworkBufferPool of this many buffers of W8_SEGMENT bytes (the worker's runtime holds exactly these). */
export const W8_BUFFERS = 2048;
export const W8_SEGMENT = 32768;

export const SEG = 32768;
export const PAIRS = 1_000_000;
/** W4/W5: 64 segments of 2048 records of 16 bytes. */
export const RECORD_SEGMENTS = 64;
const RECORDS_PER_SEGMENT = 2048;
/** W7: the manager holds exactly this many pages. */
export const W7_PAGES = 1000;

/** Sets byte i of `bytes` to byte(i * mul + add). Setup only: segments are filled through a view (seg.wrap). */
export function fillPattern(bytes, mul, add) {
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * mul + add) & 0xff;
}

/**
 * W4/W5's state: 64 segments of 2048 records of 16 bytes written with
 * putIntBigEndian from the xorshift32 stream, then, from the same stream, one
 * million pairs of (segment, offset) in four Int32Arrays. `putIntBigEndian(s,
 * off, value)` writes into segment s, so the control rows (bench/controls.mjs)
 * build the same records in a plain array.
 */
export function recordsAndPairs(putIntBigEndian) {
  const r = xorshift32();
  for (let s = 0; s < RECORD_SEGMENTS; s++) {
    for (let k = 0; k < RECORDS_PER_SEGMENT; k++) {
      const off = 16 * k;
      putIntBigEndian(s, off, r() & 3);
      putIntBigEndian(s, off + 4, r() & 3);
      putIntBigEndian(s, off + 8, r());
      putIntBigEndian(s, off + 12, r());
    }
  }
  const seg1 = new Int32Array(PAIRS);
  const off1 = new Int32Array(PAIRS);
  const seg2 = new Int32Array(PAIRS);
  const off2 = new Int32Array(PAIRS);
  for (let k = 0; k < PAIRS; k++) {
    const a = r() & 131071;
    const b = r() & 131071;
    seg1[k] = a >>> 11;
    off1[k] = (a & 2047) * 16;
    seg2[k] = b >>> 11;
    off2[k] = (b & 2047) * 16;
  }
  return { seg1, off1, seg2, off2 };
}

/** Checks the first pair the document lists, which pins the PRNG stream. */
export function checkFirstPair(label, { seg1, off1, seg2, off2 }) {
  const first = `(seg ${seg1[0]}, off ${off1[0]}; seg ${seg2[0]}, off ${off2[0]})`;
  return check(label, 'first pair', first, '(seg 49, off 26144; seg 24, off 17552)');
}

// ---------------------------------------------------------------- W1
//
// Every workload keeps its own passes() loop on purpose: one loop shared by
// all of them would make its call to pass() polymorphic and measure that
// dispatch along with the workload.

function setupW1({ mm, owner, label }) {
  const [seg] = mm.allocatePages(owner, 1);
  // p + i is carried as a bigint that steps by 8, one bigint add per put as in `p + i`.
  const pass = (p) => {
    let v = BigInt(p);
    for (let i = 0; i <= 32760; i += 8) {
      seg.putLong(i, v);
      v += 8n;
    }
    let s = 0n;
    for (let i = 0; i <= 32760; i += 8) s += seg.getLong(i);
    return BigInt.asIntN(64, s);
  };
  let p = 1;
  const verified = [
    check(label, 'sum of pass 1', pass(p), 67096576n),
    check(label, 'FNV-1a after pass 1', fnv1aSegments([seg]), 0xda2153c5, hex),
  ];
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += Number(pass(++p));
      return sink;
    },
  };
}

// ---------------------------------------------------------------- W1n

function setupW1n({ mm, owner, label }) {
  const [seg] = mm.allocatePages(owner, 1);
  // Every value stays far below 2^53, so numbers hold the values and the 64-bit sum exactly.
  const pass = (p) => {
    for (let i = 0; i <= 32760; i += 8) seg.putLongNumber(i, p + i);
    let s = 0;
    for (let i = 0; i <= 32760; i += 8) s += seg.getLongNumber(i);
    return s;
  };
  let p = 1;
  const verified = [
    check(label, 'sum of pass 1', pass(p), 67096576),
    check(label, 'FNV-1a after pass 1', fnv1aSegments([seg]), 0xda2153c5, hex),
  ];
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass(++p);
      return sink;
    },
  };
}

// ---------------------------------------------------------------- W2

function setupW2({ mm, owner, label }) {
  const [seg] = mm.allocatePages(owner, 1);
  // The sum of 8192 int32 values stays far below 2^53, so a number holds the 64-bit sum exactly.
  const pass = (p) => {
    for (let i = 0; i <= 32764; i += 4) seg.putIntBigEndian(i, (p + i) | 0);
    let s = 0;
    for (let i = 0; i <= 32764; i += 4) s += seg.getIntBigEndian(i);
    return s;
  };
  let p = 1;
  const verified = [
    check(label, 'sum of pass 1', pass(p), 134209536),
    check(label, 'FNV-1a after pass 1', fnv1aSegments([seg]), 0x4ab9c1c5, hex),
  ];
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass(++p);
      return sink;
    },
  };
}

// ---------------------------------------------------------------- W3

function setupW3({ mm, owner, label }) {
  const segs = mm.allocatePages(owner, 2);
  const [src, dst] = segs;
  fillPattern(src.wrap(0, SEG), 31, 7);
  const pass = (p) => {
    src.copyTo(0, dst, 0, SEG);
    return dst.get(p & 32767);
  };
  let p = 1;
  pass(p);
  const verified = [check(label, 'FNV-1a(dst) after the copy', fnv1aSegments([dst]), 0xfb2a9dc5, hex)];
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass(++p);
      return sink;
    },
  };
}

// ---------------------------------------------------------------- W4

function setupW4({ mm, owner, label }) {
  const segs = mm.allocatePages(owner, RECORD_SEGMENTS);
  const pairs = recordsAndPairs((s, off, v) => segs[s].putIntBigEndian(off, v));
  const { seg1, off1, seg2, off2 } = pairs;
  const pass = () => {
    let s = 0;
    for (let k = 0; k < PAIRS; k++) s += segs[seg1[k]].compare(segs[seg2[k]], off1[k], off2[k], 16);
    return s;
  };
  // The document counts outcomes over the pairs; one untimed loop counts them.
  let negative = 0;
  let zero = 0;
  let positive = 0;
  for (let k = 0; k < PAIRS; k++) {
    const c = segs[seg1[k]].compare(segs[seg2[k]], off1[k], off2[k], 16);
    if (c < 0) negative++;
    else if (c === 0) zero++;
    else positive++;
  }
  const verified = [
    checkFirstPair(label, pairs),
    check(label, 'FNV-1a of the 64 segments', fnv1aSegments(segs), 0x072c579a, hex),
    check(label, 'compare outcomes (negative, zero, positive)', `${negative}, ${zero}, ${positive}`, '498669, 12, 501319'),
    // The timed pass sums the outcomes, so its result must agree with the counts.
    check(label, 'sum of pass 1', pass(), 501319 - 498669),
  ];
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass();
      return sink;
    },
  };
}

// ---------------------------------------------------------------- W5

function setupW5({ mm, owner, label }) {
  // A fresh copy of W4's state: W4's pages went back, and the swaps change these.
  const segs = mm.allocatePages(owner, RECORD_SEGMENTS);
  const pairs = recordsAndPairs((s, off, v) => segs[s].putIntBigEndian(off, v));
  const { seg1, off1, seg2, off2 } = pairs;
  const tmp = new Uint8Array(16);
  const pass = () => {
    for (let k = 0; k < PAIRS; k++) segs[seg1[k]].swapBytes(tmp, segs[seg2[k]], off1[k], off2[k], 16);
    // The swaps' effect on the segments is what stays live; the byte read only feeds the sink.
    return segs[0].get(0);
  };
  const verified = [
    checkFirstPair(label, pairs),
    check(label, 'FNV-1a of the 64 segments before', fnv1aSegments(segs), 0x072c579a, hex),
  ];
  pass();
  verified.push(check(label, 'FNV-1a of the 64 segments after one pass', fnv1aSegments(segs), 0x6f99f3b2, hex));
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass();
      return sink;
    },
  };
}

// ---------------------------------------------------------------- W6

function setupW6put({ mm, owner, label }) {
  const [seg] = mm.allocatePages(owner, 1);
  fillPattern(seg.wrap(0, SEG), 31, 7);
  const src = new Uint8Array(1024);
  for (let i = 0; i < src.length; i++) src[i] = (i * 7 + 1) & 0xff;
  const pass = (p) => {
    for (let k = 0; k < 32; k++) seg.putBytes(k * 1024, src, 0, 1024);
    return seg.get(p & 32767);
  };
  let p = 1;
  pass(p);
  const verified = [
    check(label, 'FNV-1a(seg) after one pass', fnv1aSegments([seg]), 0xb5f99dc5, hex),
    check(label, 'get(0) after one pass', seg.get(0), 1),
  ];
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass(++p);
      return sink;
    },
  };
}

function setupW6get({ mm, owner, label }) {
  const [seg] = mm.allocatePages(owner, 1);
  fillPattern(seg.wrap(0, SEG), 31, 7);
  const dst = new Uint8Array(1024);
  const pass = (p) => {
    let s = 0;
    for (let k = 0; k < 32; k++) {
      seg.getBytes(k * 1024, dst, 0, 1024);
      s += (dst[(p + k) & 1023] << 24) >> 24; // the byte as signed
    }
    return s;
  };
  // The document checks pass p = 0; the passes after it count from 1 as everywhere else.
  let p = 0;
  const verified = [
    check(label, 'pass p=0 returns', pass(p), -16),
    check(label, 'FNV-1a(seg)', fnv1aSegments([seg]), 0xfb2a9dc5, hex),
  ];
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass(++p);
      return sink;
    },
  };
}

// ---------------------------------------------------------------- W7

function setupW7({ mm, owner, label }) {
  // The runtime's manager is W7's manager; every other workload gave its pages back.
  if (mm.memorySize !== W7_PAGES * SEG || mm.availableMemory !== W7_PAGES * SEG) {
    throw new Error(`${label}: the manager must hold ${W7_PAGES} free pages (memorySize ${mm.memorySize}, available ${mm.availableMemory})`);
  }
  const pass = () => {
    const pages = mm.allocatePages(owner, W7_PAGES);
    const count = pages.length;
    mm.release(pages);
    return count;
  };
  const held = mm.allocatePages(owner, W7_PAGES);
  const verified = [
    check(label, 'pages allocated', held.length, W7_PAGES),
    check(label, 'availableMemory while held', mm.availableMemory, 0),
  ];
  mm.release(held);
  verified.push(
    check(label, 'availableMemory after release', mm.availableMemory, W7_PAGES * SEG),
    check(label, 'verifyEmpty() after release', mm.verifyEmpty(), true),
  );
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass();
      return sink;
    },
    // Every timed pass must have given all its pages back.
    finish: () => [check(label, 'verifyEmpty() after the timed passes', mm.verifyEmpty(), true)],
  };
}

// ---------------------------------------------------------------- W8

/** The NetworkBufferPool W8 runs on: the worker runtime's, which holds exactly 2048 × 32 KiB. */
function w8Pool(rt) {
  const own = rt.networkBufferPool;
  if (own.totalNumberOfMemorySegments === W8_BUFFERS && own.memorySegmentSize === W8_SEGMENT) return own;
  throw new Error(`W8 needs a NetworkBufferPool of ${W8_BUFFERS} × ${W8_SEGMENT} bytes; start the worker's runtime with networkMemory: ${W8_BUFFERS * W8_SEGMENT}`);
}

function setupW8({ rt, label }) {
  const nbp = w8Pool(rt);
  const pool = nbp.createBufferPool({ minSize: W8_BUFFERS, maxSize: W8_BUFFERS });
  const pass = () => {
    let s = 0;
    for (let i = 0; i < 1000; i++) {
      const b = pool.requestBuffer();
      s += b.maxCapacity;
      b.recycleBuffer();
    }
    return s;
  };
  const verified = [
    check(label, 'segments in the pool', nbp.totalNumberOfMemorySegments, W8_BUFFERS),
    check(label, 'pool holds all of them', pool.numberOfAvailableMemorySegments, W8_BUFFERS),
    check(label, 'Σ maxCapacity of one pass', pass(), 32768000),
  ];
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass();
      return sink;
    },
    finish: () => {
      const checks = [check(label, 'every buffer back in the pool after the timed passes', pool.numberOfAvailableMemorySegments, W8_BUFFERS)];
      pool.lazyDestroy();
      checks.push(check(label, 'every segment back in the global pool', nbp.numberOfAvailableMemorySegments, W8_BUFFERS));
      return checks;
    },
  };
}

/**
 * W8's control: what the timed loop would cost if the pool's bookkeeping
 * were free, making one plain object of a NetworkBuffer's shape per cycle
 * (its fields, in its order) and marking it released. The object is kept in
 * a small ring, as a buffer handed to a caller is kept: a literal that never
 * leaves the loop is removed by escape analysis, and the row would then
 * measure nothing. The request+recycle cycle also makes one such object; the
 * difference between the two rows is the pool's own work.
 */
function setupW8ctl({ label }) {
  const segment = { size: W8_SEGMENT };
  const recycler = { recycled: 0 };
  const ring = new Array(16).fill(null);
  const pass = () => {
    let s = 0;
    for (let i = 0; i < 1000; i++) {
      const b = { segment, recycler, root: null, refs: 1, offset: 0, reader: 0, writer: 0, capacity: segment.size, dataType: 'data', channel: -1 };
      ring[i & 15] = b;
      s += b.capacity;
      b.refs = 0;
    }
    return s;
  };
  const verified = [check(label, 'Σ capacity of one pass', pass(), 32768000)];
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass();
      return sink;
    },
  };
}

/**
 * The workloads in run order (W7 after every row that borrows pages: it needs
 * the whole manager free; W8 uses network memory only).
 * `opsPerPass` turns pass time into the unit; `bytesPerOp` adds GB/s.
 */
export const WORKLOADS = [
  { id: 'W1', title: 'putLong + getLong, native order', unit: 'ns per put+get pair', opsPerPass: 4096, setup: setupW1 },
  { id: 'W1n', title: 'putLongNumber + getLongNumber, native order', unit: 'ns per put+get pair', opsPerPass: 4096, setup: setupW1n },
  { id: 'W2', title: 'putIntBigEndian + getIntBigEndian', unit: 'ns per pair', opsPerPass: 8192, setup: setupW2 },
  { id: 'W3', title: 'copyTo 32 KiB, segment to segment', unit: 'ns per copy', opsPerPass: 1, bytesPerOp: SEG, setup: setupW3 },
  { id: 'W4', title: 'compare 16-byte records across 64 segments', unit: 'ns per compare', opsPerPass: PAIRS, setup: setupW4 },
  { id: 'W5', title: 'swapBytes 16-byte records across 64 segments', unit: 'ns per swap', opsPerPass: PAIRS, setup: setupW5 },
  { id: 'W6put', title: 'putBytes 1 KiB from an array', unit: 'ns per 1 KiB call', opsPerPass: 32, bytesPerOp: 1024, setup: setupW6put },
  { id: 'W6get', title: 'getBytes 1 KiB into an array', unit: 'ns per 1 KiB call', opsPerPass: 32, bytesPerOp: 1024, setup: setupW6get },
  { id: 'W7', title: 'MemoryManager: allocate 1000 pages, release all', unit: 'ns per page', opsPerPass: W7_PAGES, setup: setupW7 },
  { id: 'W8', title: 'NetworkBufferPool: request + recycle a buffer', unit: 'ns per request+recycle', opsPerPass: 1000, setup: setupW8 },
  { id: 'W8ctl', title: "control for W8: one plain object of a NetworkBuffer's shape", unit: 'ns per object', opsPerPass: 1000, setup: setupW8ctl },
];
