// Random sequences of segment operations, valid and invalid, run on real
// segments and on a plain model (test/oracle.ts): every result, every error
// code, the freed state and every byte must agree after every step.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemorySegment, Runtime } from '../src/index.js';
import { builds, type Build } from './builds.js';
import {
  ACCESSORS,
  call,
  expectBytes,
  ModelSegment,
  outcome,
  randomBytes,
  SMALL_RUNTIME,
  snapshot,
  type Outcome,
  type TypeName,
} from './oracle.js';

/** Segments per run: two off-heap in one runtime, one plain heap, one off-heap in a second runtime. */
const SEGMENT_COUNT = 4;
const MAX_SIZE = 48;

/** An argument that stands for something made per target: a segment of the run, or a fresh array. */
type Ref = { readonly segment: number } | { readonly bytes: readonly number[] } | { readonly zeros: number };
/** An argument of a recorded operation: a plain value or a Ref. */
type Arg = unknown;

/** One recorded operation: a typed access through an accessor, or a method call with recorded arguments. */
type Op =
  | { readonly on: number; readonly accessor: number; readonly index: unknown }
  | { readonly on: number; readonly accessor: number; readonly index: unknown; readonly value: unknown }
  | { readonly on: number; readonly method: string; readonly args: readonly Arg[] };

// ------------------------------------------------------------------ arbitraries

/** Mostly in or near the segment, sometimes one of the values that must always fail. */
const position = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 12 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: MAX_SIZE + 4 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, -0, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, NaN, 1.5, Infinity, -Infinity, '3', undefined) },
);
const segment = fc.nat({ max: SEGMENT_COUNT - 1 });
const segmentArg = segment.map((i) => ({ segment: i }));

const integerish = fc.oneof(
  fc.integer({ min: -(2 ** 33), max: 2 ** 33 }),
  fc.integer({ min: -300, max: 70000 }),
  fc.double(),
  fc.constantFrom(0x7fffffff, -0x80000000, 0xffffffff, 2 ** 53, -0),
);

const VALUES: { readonly [K in TypeName]: fc.Arbitrary<unknown> } = {
  Byte: fc.oneof(fc.integer({ min: -300, max: 600 }), fc.double()),
  Boolean: fc.boolean(),
  Char: integerish,
  Short: integerish,
  Int: integerish,
  Float: fc.oneof(fc.double(), fc.float().map(Number)),
  Double: fc.double(),
  // Sometimes a number, which a long setter must refuse.
  Long: fc.oneof(
    { weight: 8, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }) },
    // The edges of what getLongNumber can read.
    { weight: 4, arbitrary: fc.constantFrom<unknown>(2n ** 53n, -(2n ** 53n), 2n ** 53n - 1n, 1n - 2n ** 53n) },
    { weight: 1, arbitrary: fc.constant<unknown>(5) },
  ),
  LongNumber: fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.double(), fc.constantFrom(2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER)),
};

const accessorIndex = fc.nat({ max: ACCESSORS.length - 1 });

const get = fc.record({ on: segment, accessor: accessorIndex, index: position });
const put = accessorIndex.chain((accessor) =>
  fc.record({ on: segment, accessor: fc.constant(accessor), index: position, value: VALUES[ACCESSORS[accessor]!.type] }),
);

/** Accessors of the same width and byte order as `accessor` (itself included): they read the same bytes another way. */
function sameShape(accessor: number): number[] {
  const a = ACCESSORS[accessor]!;
  return ACCESSORS.flatMap((b, i) => (b.width === a.width && b.littleEndian === a.littleEndian ? [i] : []));
}

/** A put followed by a read of the same bytes, often as another type of the same width and order. */
const reinterpret: fc.Arbitrary<Op[]> = put.chain((p) =>
  fc.oneof(accessorIndex, fc.constantFrom(...sameShape((p as { accessor: number }).accessor))).map((reader) => [p, { on: p.on, accessor: reader, index: p.index }]),
);

/** A method call whose trailing optional arguments may be left out (`required` of them always stay). */
function method(name: string, required: number, ...args: fc.Arbitrary<Arg>[]): fc.Arbitrary<Op> {
  return fc.record({ on: segment, all: fc.tuple(...args), count: fc.integer({ min: required, max: args.length }) }).map(({ on, all, count }) => ({
    on,
    method: name,
    args: all.slice(0, count),
  }));
}

const bytes = fc.array(fc.nat({ max: 255 }), { maxLength: MAX_SIZE }).map((b) => ({ bytes: b }));
const zeros = fc.nat({ max: MAX_SIZE + 4 }).map((n) => ({ zeros: n }));
const fillValue = fc.oneof(fc.integer({ min: -300, max: 600 }), fc.double());
const width = fc.constantFrom<unknown>(2, 4, 8, 2, 4, 8, 1, 3, 0, 16, '4', undefined);

const single: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: get },
  { weight: 16, arbitrary: put },
  { weight: 4, arbitrary: method('getBytes', 2, position, zeros, position, position) },
  { weight: 6, arbitrary: method('putBytes', 2, position, bytes, position, position) },
  { weight: 2, arbitrary: method('wrap', 2, position, position) },
  { weight: 4, arbitrary: method('fill', 1, fillValue, position, position) },
  { weight: 6, arbitrary: method('copyTo', 4, position, segmentArg, position, position) },
  { weight: 6, arbitrary: method('compare', 4, segmentArg, position, position, position, position) },
  { weight: 4, arbitrary: method('equalTo', 4, segmentArg, position, position, position) },
  { weight: 6, arbitrary: method('swapBytes', 5, zeros, segmentArg, position, position, position) },
  { weight: 4, arbitrary: method('byteSwap', 3, position, position, width) },
  // Rare, so that most of a sequence runs on live segments.
  { weight: 1, arbitrary: method('free', 0) },
);

/** One step of a sequence: a single operation, or a write and a read of the same bytes. */
const step: fc.Arbitrary<Op[]> = fc.oneof({ weight: 9, arbitrary: single.map((op) => [op]) }, { weight: 1, arbitrary: reinterpret });

const scenario = fc.record({
  sizes: fc.array(fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 24, max: MAX_SIZE }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 24 }) }), {
    minLength: SEGMENT_COUNT,
    maxLength: SEGMENT_COUNT,
  }),
  seed: fc.integer(),
  ops: fc.array(step, { minLength: 1, maxLength: 40, size: 'max' }).map((steps) => steps.flat()),
});

// ------------------------------------------------------------------ running

type SegmentLike = MemorySegment | ModelSegment;

/** Runs one recorded operation on one target's segments. */
function execute(op: Op, segments: readonly SegmentLike[]): Outcome {
  return outcome(() => {
    const self = segments[op.on]!;
    if ('accessor' in op) {
      const a = ACCESSORS[op.accessor]!;
      if (self instanceof ModelSegment) return 'value' in op ? self.put(a, op.index, op.value) : self.get(a, op.index);
      return 'value' in op ? a.put(self, op.index, op.value) : a.get(self, op.index);
    }
    const args = op.args.map((arg) => {
      if (typeof arg !== 'object' || arg === null) return arg;
      const ref = arg as Ref;
      if ('segment' in ref) return segments[ref.segment];
      if ('bytes' in ref) return Uint8Array.from(ref.bytes);
      return new Uint8Array(ref.zeros);
    });
    const result = call(self, op.method, ...args);
    // getBytes answers through its destination array.
    return op.method === 'getBytes' ? args[1] : result;
  });
}

/** A label for failure messages. */
function describeOp(op: Op): string {
  if ('accessor' in op) {
    const a = ACCESSORS[op.accessor]!;
    return 'value' in op ? `#${op.on}.${a.putName}(${String(op.index)}, ${String(op.value)})` : `#${op.on}.${a.getName}(${String(op.index)})`;
  }
  return `#${op.on}.${op.method}(${op.args.map((a) => (typeof a === 'object' && a !== null ? JSON.stringify(a) : String(a))).join(', ')})`;
}

/** The runtimes one build needs for a run. */
interface Target {
  readonly name: string;
  rt: Runtime;
  rt2: Runtime;
}

/** The four segments of a run, loaded with the same initial bytes on every target. */
function allocate(target: Target, sizes: readonly number[], initial: readonly Uint8Array[]): MemorySegment[] {
  const segments = [
    target.rt.segments.allocateUnpooledOffHeapMemory(sizes[0]!),
    target.rt.segments.allocateUnpooledOffHeapMemory(sizes[1]!),
    target.rt.segments.allocateUnpooledSegment(sizes[2]!),
    target.rt2.segments.allocateUnpooledOffHeapMemory(sizes[3]!),
  ];
  segments.forEach((s, i) => s.putBytes(0, initial[i]!));
  return segments;
}

/** Runs a scenario on the targets and the model, comparing after every step. */
function agree(targets: readonly Target[], scenario: { sizes: number[]; seed: number; ops: Op[] }): void {
  const fresh = randomBytes(scenario.seed);
  const initial = scenario.sizes.map((n) => fresh(n));
  const model = scenario.sizes.map((n, i) => {
    const m = new ModelSegment(n);
    m.bytes.set(initial[i]!);
    return m;
  });
  const worlds = targets.map((t) => allocate(t, scenario.sizes, initial));
  try {
    scenario.ops.forEach((op, step) => {
      const expected = execute(op, model);
      worlds.forEach((segments, w) => {
        const label = `step ${step}, ${targets[w]!.name}: ${describeOp(op)}`;
        expect(execute(op, segments), label).toEqual(expected);
        segments.forEach((s, i) => {
          expect(s.isFreed(), `${label}: freed state of #${i}`).toBe(model[i]!.freed);
          if (!s.isFreed()) expectBytes(snapshot(s), model[i]!.bytes, `${label}: bytes of #${i}`);
        });
      });
    });
  } finally {
    for (const segments of worlds) for (const s of segments) s.free();
  }
}

async function target(build: Build['init'], name: string): Promise<Target> {
  return { name, rt: await build(SMALL_RUNTIME), rt2: await build(SMALL_RUNTIME) };
}

function close(t: Target): void {
  t.rt.close();
  t.rt2.close();
}

describe.each(builds)('$name build', ({ name, init }) => {
  let t: Target;
  beforeAll(async () => {
    t = await target(init, name);
  });
  afterAll(() => close(t));

  it('agrees with the model on random operation sequences', () => {
    fc.assert(
      fc.property(scenario, (s) => agree([t], s)),
      { numRuns: 150 },
    );
  });
});

describe('both builds together', () => {
  const targets: Target[] = [];
  beforeAll(async () => {
    for (const b of builds) targets.push(await target(b.init, b.name));
  });
  afterAll(() => targets.forEach(close));

  it('wasm, js and the model give the same results, errors and bytes for the same sequences', () => {
    fc.assert(
      fc.property(scenario, (s) => agree(targets, s)),
      { numRuns: 150 },
    );
  });

  it('the generated sequences are not vacuous: every operation succeeds often, every error code occurs, bytes change', () => {
    // Guards the properties above against generators that only ever produce failures or no-ops.
    const sample = fc.sample(scenario, { numRuns: 150, seed: 42 });
    const succeeded = new Map<string, number>();
    const codes = new Set<string>();
    let total = 0;
    let ok = 0;
    let changedRuns = 0;
    for (const s of sample) {
      const fresh = randomBytes(s.seed);
      const model = s.sizes.map((n) => {
        const m = new ModelSegment(n);
        m.bytes.set(fresh(n));
        return m;
      });
      const before = model.map((m) => m.bytes.slice());
      for (const op of s.ops) {
        const result = execute(op, model);
        const kind = 'accessor' in op ? ('value' in op ? 'put' : 'get') : op.method;
        total++;
        if ('error' in result) codes.add(result.error);
        else {
          ok++;
          succeeded.set(kind, (succeeded.get(kind) ?? 0) + 1);
        }
      }
      if (model.some((m, i) => m.bytes.some((b, j) => b !== before[i]![j]))) changedRuns++;
    }
    expect(total / sample.length, "average operations per sequence").toBeGreaterThan(15);
    expect(ok / total).toBeGreaterThan(0.4);
    for (const kind of ['get', 'put', 'getBytes', 'putBytes', 'wrap', 'fill', 'copyTo', 'compare', 'equalTo', 'swapBytes', 'byteSwap', 'free']) {
      expect(succeeded.get(kind) ?? 0, `successful ${kind} operations`).toBeGreaterThan(10);
    }
    expect(codes).toEqual(new Set(['ERR_SEGMENT_OUT_OF_BOUNDS', 'ERR_SEGMENT_FREED', 'ERR_INVALID_ARGUMENT', 'ERR_VALUE_OUT_OF_RANGE']));
    expect(changedRuns / sample.length).toBeGreaterThan(0.8);
  });
});
