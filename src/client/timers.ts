// Every timer the client sets, tracked in one place so teardown clears them all; the clock and timer functions are injectable for tests.

/** setTimeout/clearTimeout, replaceable in tests. */
export interface TimerApi {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: TimerApi = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A set of pending timers: each one forgets itself when it fires; `clearAll()` cancels the rest. */
export class Timers {
  private readonly pending = new Set<unknown>();

  constructor(private readonly api: TimerApi = realTimers) {}

  /** Run `fn` once after `ms`; returns a handle for `cancel`. */
  later(fn: () => void, ms: number): unknown {
    const handle: unknown = this.api.setTimeout(
      () => {
        this.pending.delete(handle);
        fn();
      },
      Math.max(0, ms),
    );
    this.pending.add(handle);
    return handle;
  }

  /** Cancel one timer (a handle that already fired, or null, is ignored). */
  cancel(handle: unknown): void {
    if (handle === null || !this.pending.has(handle)) return;
    this.api.clearTimeout(handle);
    this.pending.delete(handle);
  }

  clearAll(): void {
    for (const h of this.pending) this.api.clearTimeout(h);
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
