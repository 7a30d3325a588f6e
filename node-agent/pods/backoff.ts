// Kubernetes' restart and image-pull backoff: 10 s, doubling up to 5 min; forgotten once a container has run
// for 10 minutes (restarts) or an image pulls (pulls).
export const BACKOFF_START_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
export const BACKOFF_RESET_MS = 600_000;

export class Backoff {
  private readonly entries = new Map<string, { delay: number; until: number }>();

  constructor(private readonly startMs = BACKOFF_START_MS, private readonly maxMs = BACKOFF_MAX_MS) {}

  /** Records a failure at `now` and returns the delay before the next try. */
  next(key: string, now = Date.now()): number {
    const e = this.entries.get(key);
    const delay = e ? Math.min(e.delay * 2, this.maxMs) : this.startMs;
    this.entries.set(key, { delay, until: now + delay });
    return delay;
  }

  /** Milliseconds left before key may be tried again (0 = go ahead). */
  remaining(key: string, now = Date.now()): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.until - now) : 0;
  }

  /** The current delay for key, for messages ("back-off 20s"). */
  delay(key: string): number {
    return this.entries.get(key)?.delay ?? 0;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key with this prefix (a pod that went away). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
