// A model of the off-heap area for the property tests: the segments handed
// out, and what the free space must then be, whatever the placement policy.
import { expect } from 'vitest';
import { OH_BLOCK_HEADER_BYTES, offHeapBlockBytes } from '../src/kernels/off-heap-layout.js';

/**
 * The model: the segments handed out, as [address, size]. It knows nothing
 * of placement; it knows that a segment of n bytes needs a block of
 * 16 + roundUp(n, 16), that blocks must not overlap, and that the free space
 * is what lies between the blocks, each gap one free block with one header.
 */
export class OffHeapModel {
  readonly live: { address: number; size: number }[] = [];

  /** Blocks may lie in [first, end): from the area's first block to the area's end. */
  constructor(
    readonly first: number,
    readonly end: number,
  ) {}

  /** The gaps between blocks handed out, in bytes, in address order. */
  gaps(): number[] {
    const spans = this.live.map((s) => [s.address - OH_BLOCK_HEADER_BYTES, s.address - OH_BLOCK_HEADER_BYTES + offHeapBlockBytes(s.size)] as const);
    spans.sort((x, y) => x[0] - y[0]);
    const gaps: number[] = [];
    let at = this.first;
    for (const [start, end] of spans) {
      if (start > at) gaps.push(start - at);
      at = end;
    }
    if (this.end > at) gaps.push(this.end - at);
    return gaps;
  }

  freeBytes(): number {
    return this.gaps().reduce((sum, gap) => sum + gap - OH_BLOCK_HEADER_BYTES, 0);
  }

  largestFree(): number {
    const gaps = this.gaps();
    return gaps.length === 0 ? 0 : Math.max(...gaps) - OH_BLOCK_HEADER_BYTES;
  }

  /** Checks a kernel's answer to a request for `size` bytes and records a segment it gave. */
  allocated(size: number, address: number): void {
    const need = offHeapBlockBytes(size);
    if (address === 0) {
      expect(Math.max(0, ...this.gaps()), `refused ${size} bytes although a gap fits its ${need}-byte block`).toBeLessThan(need);
      return;
    }
    expect(address % 16, `address ${address} of a ${size}-byte segment`).toBe(0);
    const start = address - OH_BLOCK_HEADER_BYTES;
    const end = start + need;
    expect(start >= this.first && end <= this.end, `block [${start}, ${end}) inside the area [${this.first}, ${this.end})`).toBe(true);
    for (const s of this.live) {
      const otherStart = s.address - OH_BLOCK_HEADER_BYTES;
      const otherEnd = otherStart + offHeapBlockBytes(s.size);
      expect(end <= otherStart || start >= otherEnd, `block [${start}, ${end}) overlaps [${otherStart}, ${otherEnd})`).toBe(true);
    }
    this.live.push({ address, size });
  }
}

