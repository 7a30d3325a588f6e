// The shape of every controller here: informer handlers only enqueue keys; workers take a key off the queue and
// reconcile it from the informers' current state (level-based, never from an event's content). A failed
// reconcile is retried with backoff; the same key is never reconciled by two workers at once.
import { WorkQueue } from '../lib/client/index.js';
import { ApiError } from '../lib/client/rest.js';
import { logger } from '../lib/util/log.js';

export abstract class Reconciler {
  protected readonly queue = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 60_000 });
  protected readonly log;

  constructor(readonly name: string) {
    this.log = logger(name);
  }

  /** Brings the object named by key to its desired state. Throw to retry with backoff. */
  protected abstract reconcile(key: string): Promise<void>;

  /** Starts the informers this controller needs and waits for their first lists. */
  protected abstract sync(): Promise<void>;

  enqueue(key: string): void {
    this.queue.add(key);
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    await this.sync();
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.log.info('started', { workers });
    await Promise.all(Array.from({ length: workers }, () => this.worker()));
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.reconcile(key);
        this.queue.forget(key);
      } catch (e) {
        const level = e instanceof ApiError && e.code === 409 ? 'debug' : 'warn';
        this.log[level]('reconcile failed; will retry', { key, error: (e as Error).message, retries: this.queue.numRequeues(key) });
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }
}

/** "namespace/name" → [namespace, name]; cluster-scoped keys have no slash. */
export function splitKey(key: string): [string | undefined, string] {
  const i = key.indexOf('/');
  return i < 0 ? [undefined, key] : [key.slice(0, i), key.slice(i + 1)];
}
