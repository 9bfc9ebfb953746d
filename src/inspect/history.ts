/**
 * The last minute of back-pressure per producer, in the columns a uPlot
 * chart takes: one array of times (seconds since the epoch) and one array of
 * values per producer, null where the producer did not exist yet or any more.
 *
 *   times      t0    t1    t2    …  tn        (oldest first, at most a minute apart)
 *   producer a 812   790   null  …            ms of the last second back-pressured
 *   producer b null  0     40    …
 */
import type { RuntimeMetrics } from '../runtime/metrics.js';

/** Seconds of history kept. */
export const HISTORY_SECONDS = 60;

/** One producer's back-pressure in a snapshot: its name and ms/s. */
export interface ProducerSample {
  readonly name: string;
  readonly msPerSecond: number;
}

/** Every producer in a snapshot: the buffer pools, then the registered partitions. */
export function producersOf(m: RuntimeMetrics): ProducerSample[] {
  const out: ProducerSample[] = [];
  for (const pool of m.network.pools) out.push({ name: pool.name, msPerSecond: pool.backPressuredTimeMsPerSecond });
  for (const part of m.network.partitions) out.push({ name: part.id, msPerSecond: part.backPressuredTimeMsPerSecond });
  return out;
}

/** A minute of samples; producers stay as long as one of their samples is inside the minute. */
export class BackPressureHistory {
  readonly times: number[] = [];
  /** Values by producer name, each as long as `times`. */
  readonly series = new Map<string, (number | null)[]>();

  /** Adds a snapshot's samples at its time and drops what is older than a minute before it. */
  add(m: RuntimeMetrics): void {
    const t = m.timestamp / 1000;
    const last = this.times[this.times.length - 1];
    // A clock that went back (or a replayed snapshot) would make the x axis non-monotonic: start over.
    if (last !== undefined && t < last) this.clear();
    const at = this.times.length;
    this.times.push(t);
    for (const { name, msPerSecond } of producersOf(m)) {
      let values = this.series.get(name);
      if (values === undefined) {
        values = new Array<number | null>(at).fill(null);
        this.series.set(name, values);
      }
      // A name seen twice in one snapshot (two pools named alike) keeps the larger figure.
      values[at] = values.length > at ? Math.max(values[at] ?? 0, msPerSecond) : msPerSecond;
    }
    for (const values of this.series.values()) if (values.length === at) values.push(null);
    this.trim(t - HISTORY_SECONDS);
  }

  /** Forgets everything. */
  clear(): void {
    this.times.length = 0;
    this.series.clear();
  }

  private trim(oldest: number): void {
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! < oldest) drop++;
    if (drop === 0) return;
    this.times.splice(0, drop);
    for (const [name, values] of this.series) {
      values.splice(0, drop);
      if (values.every((v) => v === null)) this.series.delete(name);
    }
  }
}
