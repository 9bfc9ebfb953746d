/** What whenAvailable() returns while available: one settled promise for everyone. */
const AVAILABLE: Promise<void> = Promise.resolve();

/**
 * Availability as a promise: while available, one resolved promise shared by
 * every caller; while unavailable, one pending promise made when first asked
 * for and resolved when availability comes back. Nothing is allocated per
 * request, only per unavailable period someone waits through.
 */
export class Availability {
  private available: boolean;
  private future: Promise<void> | null = null;
  private resolveFuture: (() => void) | null = null;

  constructor(available: boolean) {
    this.available = available;
  }

  isAvailable(): boolean {
    return this.available;
  }

  /** True while someone awaits a whenAvailable() promise that has not resolved. */
  hasWaiters(): boolean {
    return this.future !== null;
  }

  /** A promise that resolves when the state is (or next becomes) available. */
  whenAvailable(): Promise<void> {
    if (this.available) return AVAILABLE;
    if (this.future === null) this.future = new Promise<void>((resolve) => (this.resolveFuture = resolve));
    return this.future;
  }

  /** Records the current state; becoming available resolves whoever waits. */
  set(available: boolean): void {
    if (available === this.available) return;
    this.available = available;
    if (!available) return;
    const resolve = this.resolveFuture;
    this.future = null;
    this.resolveFuture = null;
    if (resolve !== null) resolve();
  }
}
