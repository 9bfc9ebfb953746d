import { render } from '../util/render.js';

/** What is reported when a segment or lease is garbage-collected without having been released. */
export interface LeakReport {
  /** What leaked: a managed page or a shared-resource lease. */
  readonly kind: 'segment' | 'lease';
  /** Owner the memory was allocated for (for a lease: the resource type). */
  readonly owner: unknown;
  /** Bytes that were held, and are now given back. */
  readonly bytes: number;
  /** Stack of the allocation, when leak detection runs with `'stack'`. */
  readonly stack: string | undefined;
  /** The report as one readable sentence (what leaked, how many bytes, which owner). */
  readonly message: string;
}

/** Leak detection setting: off, on, or on with allocation stacks (slower: one stack capture per allocation). */
export type LeakDetection = boolean | 'stack';

interface Tracked {
  readonly kind: LeakReport['kind'];
  readonly owner: unknown;
  readonly bytes: number;
  readonly stack: string | undefined;
  /** Gives the memory back and returns true, or false when it was released meanwhile; must not reference the tracked object. */
  readonly reclaim: () => boolean;
}

/**
 * Watches handed-out objects with a FinalizationRegistry: one collected while
 * still tracked was never released, so its memory is reclaimed and reported.
 * Only created when leak detection is on; otherwise nothing is registered.
 */
export class LeakDetector {
  private readonly registry: FinalizationRegistry<Tracked>;
  /** Leaks reported so far, and the bytes they held (for runtime snapshots). */
  reported = 0;
  reportedBytes = 0;

  constructor(
    private readonly captureStacks: boolean,
    onLeak: (report: LeakReport) => void,
  ) {
    this.registry = new FinalizationRegistry((tracked) => {
      if (!tracked.reclaim()) return;
      this.reported += 1;
      this.reportedBytes += tracked.bytes;
      const where = tracked.stack === undefined ? ' (run with leakDetection: "stack" to see where it was allocated)' : `\nallocated at:\n${tracked.stack}`;
      onLeak({
        kind: tracked.kind,
        owner: tracked.owner,
        bytes: tracked.bytes,
        stack: tracked.stack,
        message: `a ${tracked.kind} of ${tracked.bytes} bytes held by ${render(tracked.owner)} was garbage-collected without being released; its memory was reclaimed${where}`,
      });
    });
  }

  /**
   * The stack to report for an allocation made now (undefined unless stacks
   * are captured). Taken before an allocation changes anything: capturing can
   * throw (a user's Error.prepareStackTrace), and must not fail half-way.
   */
  allocationStack(): string | undefined {
    return this.captureStacks ? stackHere() : undefined;
  }

  /** Starts watching `target`; `reclaim` runs if it is collected while tracked. Never throws. */
  track(target: object, kind: Tracked['kind'], owner: unknown, bytes: number, stack: string | undefined, reclaim: () => boolean): void {
    this.registry.register(target, { kind, owner, bytes, stack, reclaim }, target);
  }

  /** Stops watching `target`: it was released properly. */
  untrack(target: object): void {
    this.registry.unregister(target);
  }
}

/** The default leak handler: a console warning. */
export function warnLeak(report: LeakReport): void {
  console.warn(`segmem: ${report.message}`);
}

function stackHere(): string {
  const stack = new Error().stack ?? '';
  // Drop the message line and the frames inside segmem's own allocation path.
  return stack.split('\n').slice(3).join('\n');
}
