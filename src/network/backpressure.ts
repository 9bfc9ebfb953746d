import { InvalidArgumentError } from '../errors.js';
import { render } from '../util/render.js';

/** Flink's back-pressure levels: OK up to 10 % of the time, LOW up to 50 %, HIGH above. */
export type BackPressureLevel = 'OK' | 'LOW' | 'HIGH';

/** Share of time back-pressured at or below which the level is OK (10 %). */
export const BACK_PRESSURE_OK = 0.1;
/** Share of time back-pressured at or below which the level is LOW (50 %); above it, HIGH. */
export const BACK_PRESSURE_LOW = 0.5;

const SECOND = 1000;
/** The last second is kept in buckets of this many milliseconds. */
const BUCKET = 100;
/** Buckets in the last second, plus the current one. */
const BUCKETS = SECOND / BUCKET + 1;

/** The level for a share of time spent back-pressured (0 to 1; beyond, the nearer end's level); ERR_INVALID_ARGUMENT for NaN or a non-number. */
export function backPressureLevel(ratio: number): BackPressureLevel {
  if (typeof ratio !== 'number' || ratio !== ratio) throw new InvalidArgumentError(`backPressureLevel: ratio must be a number (a share of time, 0 to 1), got ${render(ratio)}`);
  return ratio <= BACK_PRESSURE_OK ? 'OK' : ratio <= BACK_PRESSURE_LOW ? 'LOW' : 'HIGH';
}

/**
 * Time during which at least one request waited, in total and over the last
 * second. The last second is kept in ten 100 ms buckets (plus the current
 * one) in a ring made once, so reading it allocates nothing and costs the
 * same at any rate of requests; only the oldest bucket, partly outside the
 * window, is weighted by the share of it still inside. Overlapping waits
 * count once: it measures how long the producer was held up, not how many
 * requests were.
 */
export class BackPressureMeter {
  private totalMs = 0;
  /** Start of the waiting period being measured, or -1 when nothing waits. */
  private since = -1;
  /** Number (time / BUCKET) of the current bucket. */
  private bucket = 0;
  private readonly ring = new Float64Array(BUCKETS);

  constructor(private readonly clock: () => number) {}

  /** Something started waiting (no effect while a wait is being measured). */
  start(): void {
    if (this.since < 0) this.since = this.clock();
  }

  /** Nothing waits any more. */
  stop(): void {
    if (this.since < 0) return;
    this.account(this.clock());
    this.since = -1;
  }

  /** Milliseconds spent waiting since the pool was made, the current wait included. */
  get totalTimeMs(): number {
    if (this.since >= 0) this.account(this.clock());
    return this.totalMs;
  }

  /** Milliseconds of the last second spent waiting, from 0 to 1000. */
  get timeMsPerSecond(): number {
    const now = this.clock();
    if (this.since >= 0) this.account(now);
    this.roll(now);
    const ring = this.ring;
    const current = this.bucket;
    let sum = ring[current % BUCKETS]!;
    for (let k = 1; k < BUCKETS - 1; k++) sum += ring[(current + BUCKETS - k) % BUCKETS]!;
    const into = (now - current * BUCKET) / BUCKET;
    sum += ring[(current + 1) % BUCKETS]! * (1 - into);
    return sum < 0 ? 0 : sum > SECOND ? SECOND : sum;
  }

  /** Adds the wait from `since` to `now` and moves `since` up to `now`. */
  private account(now: number): void {
    let from = this.since;
    if (now <= from) return;
    this.totalMs += now - from;
    this.since = now;
    if (now - from > SECOND + BUCKET) {
      // Waited through the whole window: every bucket is full up to now.
      this.roll(now);
      this.ring.fill(BUCKET);
      this.ring[this.bucket % BUCKETS] = now - this.bucket * BUCKET;
      return;
    }
    while (from < now) {
      this.roll(from);
      const edge = (this.bucket + 1) * BUCKET;
      const end = now < edge ? now : edge;
      this.ring[this.bucket % BUCKETS]! += end - from;
      from = end;
    }
    this.roll(now);
  }

  /** Moves the current bucket forward to the one of `time`, emptying the buckets passed over. */
  private roll(time: number): void {
    const target = Math.floor(time / BUCKET);
    const current = this.bucket;
    if (target <= current) return;
    if (target - current >= BUCKETS) this.ring.fill(0);
    else for (let b = current + 1; b <= target; b++) this.ring[b % BUCKETS] = 0;
    this.bucket = target;
  }
}
