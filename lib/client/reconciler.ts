// The one controller loop every Flotilla controller runs (the controller-manager's controllers, the node agent's
// pod workers, third-party controllers such as examples/checksum-controller.ts), in controller-runtime's shape:
// event handlers only enqueue keys; workers take a key off the queue and reconcile it from the informers' current
// state (level-based, never from an event's content). reconcile(key) resolves with {requeueAfter} to be looked at
// again after a while (a deadline, a back-off, a grace period), or throws to be retried with per-key exponential
// backoff. The queue guarantees one key is never reconciled by two workers at once.
import { logger, type Logger } from '../util/log.js';
import { ApiError } from './rest.js';
import { WorkQueue, type RateLimitOptions } from './workqueue.js';

export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (0: as soon as this reconcile is done). */
  requeueAfter?: number;
  /** Look at this key again after its rate-limited back-off (as after a failure, without logging one). */
  requeue?: boolean;
}

export type ReconcileFunc = (key: string) => Promise<ReconcileResult | void>;

export interface ReconcileLoopOptions extends RateLimitOptions {
  /** Names the loop in logs. */
  name: string;
  reconcile: ReconcileFunc;
  /** Failures that are routine (a lost optimistic-concurrency race): retried like any other, logged at debug. */
  routine?: (e: unknown) => boolean;
  log?: Logger;
}

/** 409 Conflict: the object changed under us; the retry reads the new state. */
const isRoutine = (e: unknown): boolean => e instanceof ApiError && e.code === 409;

export class ReconcileLoop {
  readonly queue: WorkQueue<string>;
  private readonly log: Logger;

  constructor(private readonly o: ReconcileLoopOptions) {
    this.queue = new WorkQueue<string>(o);
    this.log = o.log ?? logger(o.name);
  }

  add(key: string): void {
    this.queue.add(key);
  }

  addAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  /**
   * Reconciles with `workers` concurrent workers until shutDown() or the signal aborts; resolves once every
   * reconcile in flight has finished (none starts after the shutdown).
   */
  async run(workers: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return this.shutDown();
    signal?.addEventListener('abort', () => this.shutDown(), { once: true });
    await Promise.all(Array.from({ length: Math.max(1, workers) }, () => this.worker()));
  }

  shutDown(): void {
    this.queue.shutDown();
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        const result = await this.o.reconcile(key);
        if (result?.requeueAfter !== undefined && result.requeueAfter >= 0) {
          this.queue.forget(key);
          this.queue.addAfter(key, result.requeueAfter);
        } else if (result?.requeue) this.queue.addRateLimited(key);
        else this.queue.forget(key);
      } catch (e) {
        const level = (this.o.routine ?? isRoutine)(e) ? 'debug' : 'warn';
        this.log[level]('reconcile failed; will retry', { key, error: (e as Error)?.message ?? String(e), retries: this.queue.numRequeues(key) });
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }
}

/**
 * The base of a controller that owns informers: sync() starts them and waits for their first lists, then the
 * loop runs. Subclasses implement reconcile(key) and enqueue keys from their informers' handlers.
 */
export abstract class Reconciler {
  protected readonly log: Logger;
  protected readonly loop: ReconcileLoop;

  constructor(
    readonly name: string,
    rateLimit: RateLimitOptions = { baseDelayMs: 5, maxDelayMs: 60_000 },
  ) {
    this.log = logger(name);
    this.loop = new ReconcileLoop({ ...rateLimit, name, log: this.log, reconcile: (key) => this.reconcile(key) });
  }

  /** Brings the object named by key to its desired state. Throw to retry with backoff. */
  abstract reconcile(key: string): Promise<ReconcileResult | void>;

  /** Starts the informers this controller needs and waits for their first lists. */
  protected abstract sync(): Promise<void>;

  enqueue(key: string): void {
    this.loop.add(key);
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    await this.sync();
    if (signal.aborted) return;
    this.log.info('started', { workers });
    await this.loop.run(workers, signal);
  }
}

/** "namespace/name" → [namespace, name]; cluster-scoped keys have no slash. */
export function splitKey(key: string): [string | undefined, string] {
  const i = key.indexOf('/');
  return i < 0 ? [undefined, key] : [key.slice(0, i), key.slice(i + 1)];
}

/** The minimum of the delays given (undefined ones ignored), or undefined when there is none. */
export function soonest(...delays: Array<number | undefined>): number | undefined {
  const set = delays.filter((d): d is number => d !== undefined);
  return set.length ? Math.min(...set) : undefined;
}
