// Restart back-off for a process that should always run (containerd under the runtime component, every component
// under the supervisor): the first restart after a failure waits initialMs, each further one twice as long up to
// maxMs, and a run that lasted resetAfterMs counts as healthy again, so the next failure starts over at initialMs.
// Pure (the caller supplies how long the run lasted), so it is unit-tested without clocks.

export interface BackoffOptions {
  /** First delay. Default 1 s. */
  initialMs?: number;
  /** Largest delay. Default 30 s. */
  maxMs?: number;
  /** A run at least this long resets the back-off. Default 60 s. */
  resetAfterMs?: number;
}

export class RestartBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly resetAfterMs: number;
  /** Failures since the last healthy run. */
  private failures = 0;

  constructor(o: BackoffOptions = {}) {
    this.initialMs = o.initialMs ?? 1000;
    this.maxMs = o.maxMs ?? 30_000;
    this.resetAfterMs = o.resetAfterMs ?? 60_000;
  }

  /** The delay before the next start, after a run that lasted ranMs (0 when it failed to start at all). */
  next(ranMs: number): number {
    if (ranMs >= this.resetAfterMs) this.failures = 0;
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return delay;
  }

  /** Consecutive failures counted so far. */
  get consecutiveFailures(): number {
    return this.failures;
  }
}
