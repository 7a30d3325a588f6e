// A rate-limited work queue with client-go's semantics: an item is queued at most once; an item re-added while it
// is being processed is queued again after done(); a delayed add keeps one pending entry per item (the earliest
// wins, so a controller asking "look again in 40 s" every 5 s holds one timer, not eight); failures back off per
// item (5 ms doubling to 1000 s) under an overall token bucket (10 per second, burst 100). Once shut down it hands
// out nothing more, not even what is still queued: a controller that lost its lease must stop acting at once.

export interface RateLimitOptions {
  /** First per-item failure delay; it doubles with every further failure (default 5 ms). */
  baseDelayMs?: number;
  /** Ceiling of the per-item failure delay (default 1000 s). */
  maxDelayMs?: number;
  /** Overall retry rate across items (default 10 per second) ... */
  qps?: number;
  /** ... after a burst of this many (default 100). */
  burst?: number;
}

export class WorkQueue<T = string> {
  private queue: T[] = [];
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly failures = new Map<T, number>();
  /** Delayed adds not yet due: one per item, with the time it becomes due. */
  private readonly waiting = new Map<T, { at: number; timer: NodeJS.Timeout }>();
  private waiters: Array<(v: T | undefined) => void> = [];
  private shuttingDown = false;
  private tokens: number;
  private lastRefill = Date.now();

  constructor(private readonly opts: RateLimitOptions = {}) {
    this.tokens = opts.burst ?? 100;
  }

  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(item);
      this.processing.add(item);
      w(item);
    } else this.queue.push(item);
  }

  /** Adds item after ms. An earlier pending add of the same item stands; a later one is replaced by this. */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(item);
    const at = Date.now() + ms;
    const pending = this.waiting.get(item);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, ms);
    this.waiting.set(item, { at, timer });
  }

  /** Re-queues after the item's own backoff or the overall rate limit, whichever is longer. */
  addRateLimited(item: T): void {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    const perItem = Math.min((this.opts.baseDelayMs ?? 5) * 2 ** n, this.opts.maxDelayMs ?? 1_000_000);
    this.addAfter(item, Math.max(perItem, this.bucketDelay()));
  }

  private bucketDelay(): number {
    const qps = this.opts.qps ?? 10;
    const burst = this.opts.burst ?? 100;
    const now = Date.now();
    this.tokens = Math.min(burst, this.tokens + ((now - this.lastRefill) / 1000) * qps);
    this.lastRefill = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / qps) * 1000;
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }

  /** The next item, or undefined once the queue is shut down. */
  get(): Promise<T | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const item = this.queue.shift();
    if (item !== undefined) {
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    return new Promise((r) => this.waiters.push(r));
  }

  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.dirty.delete(item);
      this.add(item);
    }
  }

  /** Items queued now (not those being processed nor those waiting for their delay). */
  len(): number {
    return this.queue.length;
  }

  /** Items waiting for a delayed add to come due. */
  waitingLen(): number {
    return this.waiting.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
