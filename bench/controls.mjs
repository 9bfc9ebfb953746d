/**
 * Control rows: the reference workloads' passes done with plain typed arrays
 * and no segmem code, so each workload's figure stands beside the floor the
 * engine itself gives for the same bytes ("× control" in the report). Each
 * control reproduces its workload's checksums where the document's checks
 * apply to it, and is timed by the same harness (bench/harness.mjs).
 *
 * Records live in one plain Uint8Array (W4/W5: 64 × 32 KiB laid end to end,
 * record (s, off) at s × 32768 + off), built from the same xorshift32 stream
 * and pairs as the workloads, so the FNV-1a of the array is the document's
 * FNV-1a of the 64 segments concatenated.
 */
import { check, fnv1a, hex } from './checks.mjs';
import { checkFirstPair, fillPattern, PAIRS, RECORD_SEGMENTS, recordsAndPairs, SEG, W7_PAGES } from './workloads.mjs';

const TWO_POW_32 = 4294967296;

/** W4/W5's records and pairs in one plain array. */
function plainRecords() {
  const bytes = new Uint8Array(RECORD_SEGMENTS * SEG);
  const dv = new DataView(bytes.buffer);
  const pairs = recordsAndPairs((s, off, v) => dv.setInt32(s * SEG + off, v, false));
  return { bytes, dv, pairs };
}

// As in bench/workloads.mjs, every control keeps its own passes() loop, so
// the call into its pass stays monomorphic.

/**
 * W1n's control: an int64 as two int32 halves through a DataView, little-endian like the segment,
 * written with setUint32 as the segment writes them: on Node 24 Maglev's setInt32 deoptimizes near
 * the buffer's end (the pass's last long), and this loop then ran 16 ns a pair instead of 3.
 */
function controlW1n({ label }) {
  const dv = new DataView(new ArrayBuffer(SEG));
  const pass = (p) => {
    for (let i = 0; i <= 32760; i += 8) {
      const v = p + i;
      dv.setUint32(i, v >>> 0, true);
      dv.setUint32(i + 4, Math.floor(v / TWO_POW_32) >>> 0, true);
    }
    let s = 0;
    for (let i = 0; i <= 32760; i += 8) s += dv.getInt32(i + 4, true) * TWO_POW_32 + dv.getUint32(i, true);
    return s;
  };
  let p = 1;
  const verified = [
    check(label, 'sum of pass 1', pass(p), 67096576),
    check(label, 'FNV-1a after pass 1', fnv1a(new Uint8Array(dv.buffer)), 0xda2153c5, hex),
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

/** W3's control: copyWithin of 32 KiB from the first half of one array to its second half. */
function controlW3({ label }) {
  const plain = new Uint8Array(2 * SEG);
  fillPattern(plain.subarray(0, SEG), 31, 7);
  const pass = (p) => {
    plain.copyWithin(SEG, 0, SEG);
    return plain[SEG + (p & 32767)];
  };
  let p = 1;
  pass(p);
  const verified = [check(label, 'FNV-1a(dst) after the copy', fnv1a(plain.subarray(SEG)), 0xfb2a9dc5, hex)];
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass(++p);
      return sink;
    },
  };
}

/** W4's control: four big-endian getUint32 compares per pair, first differing word decides. */
function controlW4({ label }) {
  const { bytes, dv, pairs } = plainRecords();
  const { seg1, off1, seg2, off2 } = pairs;
  const compare16 = (a, b) => {
    for (let w = 0; w < 16; w += 4) {
      const x = dv.getUint32(a + w, false);
      const y = dv.getUint32(b + w, false);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
  const pass = () => {
    let s = 0;
    for (let k = 0; k < PAIRS; k++) s += compare16(seg1[k] * SEG + off1[k], seg2[k] * SEG + off2[k]);
    return s;
  };
  let negative = 0;
  let zero = 0;
  let positive = 0;
  for (let k = 0; k < PAIRS; k++) {
    const c = compare16(seg1[k] * SEG + off1[k], seg2[k] * SEG + off2[k]);
    if (c < 0) negative++;
    else if (c === 0) zero++;
    else positive++;
  }
  const verified = [
    checkFirstPair(label, pairs),
    check(label, 'FNV-1a of the 64 segments', fnv1a(bytes), 0x072c579a, hex),
    check(label, 'compare outcomes (negative, zero, positive)', `${negative}, ${zero}, ${positive}`, '498669, 12, 501319'),
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

/** W5's control: a byte loop swapping the 16 bytes of each pair in place. */
function controlW5({ label }) {
  const { bytes, pairs } = plainRecords();
  const { seg1, off1, seg2, off2 } = pairs;
  const pass = () => {
    for (let k = 0; k < PAIRS; k++) {
      const a = seg1[k] * SEG + off1[k];
      const b = seg2[k] * SEG + off2[k];
      for (let j = 0; j < 16; j++) {
        const t = bytes[a + j];
        bytes[a + j] = bytes[b + j];
        bytes[b + j] = t;
      }
    }
    return bytes[0];
  };
  const verified = [checkFirstPair(label, pairs), check(label, 'FNV-1a of the 64 segments before', fnv1a(bytes), 0x072c579a, hex)];
  pass();
  verified.push(check(label, 'FNV-1a of the 64 segments after one pass', fnv1a(bytes), 0x6f99f3b2, hex));
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass();
      return sink;
    },
  };
}

/** W6put's control: Uint8Array.set of 1 KiB, 32 times over a 32 KiB array. */
function controlW6put({ label }) {
  const seg = new Uint8Array(SEG);
  fillPattern(seg, 31, 7);
  const src = new Uint8Array(1024);
  fillPattern(src, 7, 1);
  const pass = (p) => {
    for (let k = 0; k < 32; k++) seg.set(src, k * 1024);
    return seg[p & 32767];
  };
  let p = 1;
  pass(p);
  const verified = [
    check(label, 'FNV-1a(seg) after one pass', fnv1a(seg), 0xb5f99dc5, hex),
    check(label, 'get(0) after one pass', seg[0], 1),
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

/** W6get's control: dst.set(src.subarray(...)) of 1 KiB, 32 times. */
function controlW6get({ label }) {
  const seg = new Uint8Array(SEG);
  fillPattern(seg, 31, 7);
  const dst = new Uint8Array(1024);
  const pass = (p) => {
    let s = 0;
    for (let k = 0; k < 32; k++) {
      dst.set(seg.subarray(k * 1024, k * 1024 + 1024));
      s += (dst[(p + k) & 1023] << 24) >> 24;
    }
    return s;
  };
  let p = 0;
  const verified = [check(label, 'pass p=0 returns', pass(p), -16), check(label, 'FNV-1a(seg)', fnv1a(seg), 0xfb2a9dc5, hex)];
  return {
    verified,
    passes(n) {
      let sink = 0;
      for (let k = 0; k < n; k++) sink += pass(++p);
      return sink;
    },
  };
}

/**
 * A plain object with MemorySegment's fields, assigned in the constructor in
 * the same order (src/memory/segment.ts), so it has the segment's shape.
 */
class Handle {
  constructor(heap, view, address, size, owner, kernels, releaser) {
    this.heap = heap;
    this.view = view;
    this.address = address;
    this.addressLimit = address + size;
    this.size = size;
    this.owner = owner;
    this.kernels = kernels;
    this.releaser = releaser;
  }
}

/** W7's control: 1000 handles made into an array, then each marked released as free() marks a segment. */
function controlW7({ label }) {
  const heap = new Uint8Array(64);
  const view = new DataView(heap.buffer);
  const owner = { name: 'control W7' };
  const releaser = { segmentFreed() {} };
  // The last pass's handles stay reachable, as a caller holds the pages it allocated.
  let held = [];
  const pass = () => {
    const handles = [];
    for (let k = 0; k < W7_PAGES; k++) handles.push(new Handle(heap, view, k * SEG, SEG, owner, null, releaser));
    for (let k = 0; k < handles.length; k++) {
      const h = handles[k];
      h.address = h.addressLimit + 1;
      h.releaser = null;
    }
    held = handles;
    return handles.length;
  };
  const verified = [
    check(label, 'handles made', pass(), W7_PAGES),
    check(label, 'handles marked released', held.filter((h) => h.address > h.addressLimit && h.releaser === null).length, W7_PAGES),
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

/** Control rows, keyed by the workload they stand beside; same units and ops per pass as it. */
export const CONTROLS = [
  { id: 'W1n', title: 'DataView int64 as two int32 (setUint32 ×2, getInt32 + getUint32)', unit: 'ns per put+get pair', opsPerPass: 4096, setup: controlW1n },
  { id: 'W3', title: 'Uint8Array.copyWithin 32 KiB', unit: 'ns per copy', opsPerPass: 1, bytesPerOp: SEG, setup: controlW3 },
  { id: 'W4', title: 'four big-endian DataView.getUint32 compares over one Uint8Array', unit: 'ns per compare', opsPerPass: PAIRS, setup: controlW4 },
  { id: 'W5', title: 'plain-JS byte loop swapping 16 bytes in one Uint8Array', unit: 'ns per swap', opsPerPass: PAIRS, setup: controlW5 },
  { id: 'W6put', title: 'Uint8Array.set of 1 KiB', unit: 'ns per 1 KiB call', opsPerPass: 32, bytesPerOp: 1024, setup: controlW6put },
  { id: 'W6get', title: 'dst.set(src.subarray(...)) of 1 KiB', unit: 'ns per 1 KiB call', opsPerPass: 32, bytesPerOp: 1024, setup: controlW6get },
  { id: 'W7', title: '1000 plain objects of a segment\'s shape, marked released', unit: 'ns per page', opsPerPass: W7_PAGES, setup: controlW7 },
];
