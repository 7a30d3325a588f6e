// Kubernetes' restart and image-pull back-off (the kubelet's flowcontrol.Backoff): 10 s, doubling up to 5 min. An
// entry is forgotten once the next failure comes more than twice the maximum (10 min) after the last try - for a
// container, once it has run that long - or when an image pulls.
export const BACKOFF_START_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
export const BACKOFF_RESET_MS = 2 * BACKOFF_MAX_MS;

interface Entry {
  /** The current delay. */
  delay: number;
  /** When the delay last grew: the last try. */
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly startMs = BACKOFF_START_MS, private readonly maxMs = BACKOFF_MAX_MS) {}

  /** Whether an entry last updated at `lastUpdate` is too old to count for a failure at `eventTime`. */
  private expired(e: Entry, eventTime: number): boolean {
    return eventTime - e.lastUpdate > 2 * this.maxMs;
  }

  /**
   * Records a try at `now` after a failure at `eventTime` (default: now) and returns the delay before the one after:
   * the start delay for a new or expired entry, else twice the last one, up to the maximum.
   */
  next(key: string, now = Date.now(), eventTime = now): number {
    const e = this.entries.get(key);
    const delay = e && !this.expired(e, eventTime) ? Math.min(e.delay * 2, this.maxMs) : this.startMs;
    this.entries.set(key, { delay, lastUpdate: now });
    return delay;
  }

  /** Whether, at `now`, less than the current delay has passed since a failure at `eventTime`. */
  inBackOffSince(key: string, eventTime: number, now = Date.now()): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(e, eventTime)) return false;
    return now - eventTime < e.delay;
  }

  /** Milliseconds left before key may be tried again, counted from its last try (0 = go ahead). */
  remaining(key: string, now = Date.now()): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.lastUpdate + e.delay - now) : 0;
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

export type RestartDecision =
  | { restart: true }
  /** Still backing off: `delay` is the current back-off, `retryInMs` how long until the container may restart. */
  | { restart: false; delay: number; retryInMs: number };

/**
 * Whether an exited container may be restarted at `now`, as the kubelet decides it: the back-off runs from when the
 * container exited (`exitedAt`), never from when it started - a container that failed to start (StartError) never
 * did, and counting from "started at 0" made it look as if it had run for decades and reset the back-off at every
 * failure. A restart records a try, so the delay doubles: 0, 10 s, 20 s, 40 s ... 5 min between starts.
 */
export function restartDecision(b: Backoff, key: string, exitedAt: number, now: number): RestartDecision {
  if (b.inBackOffSince(key, exitedAt, now)) {
    const delay = b.delay(key);
    return { restart: false, delay, retryInMs: Math.max(0, exitedAt + delay - now) };
  }
  b.next(key, now, exitedAt);
  return { restart: true };
}

/** When a runtime container exited, in ms: its finish time, or its creation if the runtime recorded no finish. */
export function exitedAtMs(s: { createdAt: number; finishedAt: number }, now: number): number {
  if (s.finishedAt > 0) return s.finishedAt / 1e6;
  return s.createdAt > 0 ? s.createdAt / 1e6 : now;
}

/** A duration as Go prints a time.Duration of whole seconds: 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h${m}m${s}s`;
  return m ? `${m}m${s}s` : `${s}s`;
}
