// A rate-limited work queue with client-go's semantics: an item is queued at most once; an item re-added while it
// is being processed is queued again after done(); failures back off per item (5 ms doubling to 1000 s) under an
// overall token bucket (10 per second, burst 100).

export class WorkQueue<T = string> {
  private queue: T[] = [];
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly failures = new Map<T, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: Array<(v: T | undefined) => void> = [];
  private shuttingDown = false;
  private tokens: number;
  private lastRefill = Date.now();

  constructor(private readonly opts: { baseDelayMs?: number; maxDelayMs?: number; qps?: number; burst?: number } = {}) {
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

  addAfter(item: T, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(item);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.add(item);
    }, ms);
    this.timers.add(t);
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
    const item = this.queue.shift();
    if (item !== undefined) {
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((r) => this.waiters.push(r));
  }

  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.dirty.delete(item);
      this.add(item);
    }
  }

  len(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
