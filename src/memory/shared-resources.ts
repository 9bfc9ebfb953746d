import { InvalidArgumentError } from '../errors.js';
import { render } from '../util/render.js';
import type { LeakDetector } from './leak-detector.js';

/** A lease on a resource shared through managed memory; close it when done. */
export interface SharedResourceLease<T> {
  /** The shared resource, as the first initializer built it. */
  readonly resource: T;
  /** Bytes of managed memory reserved for it. */
  readonly size: number;
  /** Ends this lease; the last one to close releases the memory. Idempotent. */
  close(): void;
  /** True once this lease was closed. */
  isClosed(): boolean;
  /** Closes the lease: `using lease = ...` closes it at the end of the block. */
  [Symbol.dispose](): void;
}

/** The budget the shared resources reserve against (the MemoryManager). */
interface ReservationBudget {
  reserveMemory(owner: unknown, bytes: number): void;
  releaseAllMemory(owner: unknown): number;
  isShutdown(): boolean;
}

interface Entry {
  readonly resource: unknown;
  readonly size: number;
  /** The reservation's owner: unique per resource, so releasing it touches nothing else. */
  readonly owner: object;
  leases: number;
}

/**
 * Resources that several users share under one managed-memory reservation,
 * keyed by type; counted leases decide when the reservation goes back.
 */
export class SharedResources {
  private readonly entries = new Map<string, Entry>();
  /** Types whose initializer is running: asking for one of them again from inside it is refused. */
  private readonly initializing = new Set<string>();

  constructor(
    private readonly budget: ReservationBudget,
    private readonly leaks: LeakDetector | null,
  ) {}

  /** A new lease on the resource of `type`, creating it (and its reservation of `size` bytes) if none is live. */
  acquire<T>(type: string, initializer: (bytes: number) => T, size: number): SharedResourceLease<T> {
    if (typeof type !== 'string' || type === '') {
      throw new InvalidArgumentError(`shared resource type must be a non-empty string, got ${render(type)}`);
    }
    if (this.initializing.has(type)) {
      throw new InvalidArgumentError(`the initializer of shared resource ${render(type)} asked for ${render(type)} itself`);
    }
    // Taken first: capturing a stack can throw, and nothing may have changed then.
    const stack = this.leaks?.allocationStack();
    let entry = this.entries.get(type);
    if (entry === undefined) {
      const owner = { sharedResource: type };
      this.budget.reserveMemory(owner, size);
      let resource: unknown;
      this.initializing.add(type);
      try {
        resource = initializer(size);
      } catch (err) {
        this.budget.releaseAllMemory(owner);
        throw err;
      } finally {
        this.initializing.delete(type);
      }
      entry = { resource, size, owner, leases: 0 };
      this.entries.set(type, entry);
    }
    entry.leases += 1;
    return this.lease<T>(type, entry, stack);
  }

  private lease<T>(type: string, entry: Entry, stack: string | undefined): SharedResourceLease<T> {
    const ending = this.ending(type, entry);
    const lease = new Lease<T>(entry.resource as T, entry.size, ending, this.leaks);
    this.leaks?.track(lease, 'lease', type, entry.size, stack, ending.end);
    return lease;
  }

  /**
   * How a lease ends, built apart from the lease: the leak detector holds
   * `end` strongly, and a closure that could reach the lease would keep it
   * alive, so a dropped lease would never be collected and reported.
   */
  private ending(type: string, entry: Entry): Ending {
    const ending: Ending = {
      closed: false,
      end: () => {
        if (ending.closed) return false;
        ending.closed = true;
        entry.leases -= 1;
        if (entry.leases === 0) this.dispose(type, entry);
        return true;
      },
    };
    return ending;
  }

  /** Releases the reservation and disposes the resource once its last lease closed. */
  private dispose(type: string, entry: Entry): void {
    if (this.entries.get(type) === entry) this.entries.delete(type);
    // After shutdown every reservation is gone already; the resource is still disposed.
    if (!this.budget.isShutdown()) this.budget.releaseAllMemory(entry.owner);
    const resource = entry.resource as { [Symbol.dispose]?: () => void; close?: () => void } | null;
    if (resource === null || typeof resource !== 'object') return;
    if (typeof resource[Symbol.dispose] === 'function') resource[Symbol.dispose]!();
    else if (typeof resource.close === 'function') resource.close();
  }
}

/** The end of one lease: `end()` returns false when it had ended already. */
interface Ending {
  closed: boolean;
  readonly end: () => boolean;
}

/** One lease on a shared resource. */
class Lease<T> implements SharedResourceLease<T> {
  constructor(
    readonly resource: T,
    readonly size: number,
    private readonly ending: Ending,
    private readonly leaks: LeakDetector | null,
  ) {}

  close(): void {
    this.leaks?.untrack(this);
    this.ending.end();
  }

  isClosed(): boolean {
    return this.ending.closed;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
