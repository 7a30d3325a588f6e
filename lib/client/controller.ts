// One controller of a Manager: a primary kind (`for`), the kinds it creates (`owns`: a change to one of them
// requeues the object that controls it), other kinds mapped to keys (`watches`), and a reconcile function run by a
// ReconcileLoop (one key at a time, errors retried with per-key exponential back-off under an overall rate
// limit). Informers come from the manager's factory, so every controller watching a kind shares one watch.
import type { KindInfo } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { logger, type Logger } from '../util/log.js';
import type { EventRecorder } from './events.js';
import { keyOf, type Informer, type SharedInformerFactory } from './informer.js';
import type { ControllerMetrics } from './metrics.js';
import { controllerRef } from './owners.js';
import { ReconcileLoop, splitKey, type ReconcileResult } from './reconciler.js';
import type { Client } from './rest.js';
import type { RateLimitOptions } from './workqueue.js';

/** What to reconcile: the primary object's key ("namespace/name", or "name" when cluster-scoped). */
export interface ReconcileRequest {
  key: string;
  namespace?: string;
  name: string;
}

/** What a reconcile function gets beside the request. */
export interface ReconcileContext<T extends KubeObject> {
  client: Client;
  /** The primary kind's shared informer: read the object from it (it may lag the server; a conflict says so). */
  cache: Informer<T>;
  recorder: EventRecorder;
  log: Logger;
}

export type ControllerReconcile<T extends KubeObject> = (req: ReconcileRequest, ctx: ReconcileContext<T>) => Promise<ReconcileResult | void>;

/** Maps an object of a watched kind to the primary keys to reconcile. */
export type MapFunc = (o: KubeObject) => string[];

/** The manager's parts a controller uses. */
export interface ControllerDeps {
  client: Client;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  metrics: ControllerMetrics;
  /** Watch only this namespace ('' = all). */
  namespace: string;
}

export interface ControllerOptions<T extends KubeObject> {
  name: string;
  for: KindInfo;
  owns?: KindInfo[];
  watches?: Array<{ kind: KindInfo; map: MapFunc }>;
  workers?: number;
  rateLimit?: RateLimitOptions;
  reconcile: ControllerReconcile<T>;
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

export class Controller<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly kind: KindInfo;
  readonly loop: ReconcileLoop;
  readonly cache: Informer<T>;
  private readonly log: Logger;
  private readonly workers: number;

  constructor(private readonly deps: ControllerDeps, o: ControllerOptions<T>) {
    this.name = o.name;
    this.kind = o.for;
    this.workers = o.workers ?? 1;
    this.log = logger(o.name);
    this.cache = this.informer<T>(o.for);
    const ctx: ReconcileContext<T> = { client: deps.client, cache: this.cache, recorder: deps.recorder, log: this.log };
    this.loop = new ReconcileLoop({ baseDelayMs: 5, maxDelayMs: 60_000, ...o.rateLimit, name: o.name, log: this.log,
      reconcile: (key) => this.reconcileOnce(o.reconcile, key, ctx) });

    const enqueue = (obj: KubeObject) => this.enqueue(keyOf(obj));
    this.cache.onAdd(enqueue).onUpdate((_old, cur) => enqueue(cur)).onDelete(enqueue);
    for (const kind of o.owns ?? []) {
      this.informer(kind).onAdd((c) => this.enqueueOwner(c)).onDelete((c) => this.enqueueOwner(c)).onUpdate((old, cur) => {
        // an owner reference that changed: both the old and the new owner look again
        if (controllerRef(old)?.uid !== controllerRef(cur)?.uid) this.enqueueOwner(old);
        this.enqueueOwner(cur);
      });
    }
    for (const w of o.watches ?? []) {
      const map = (obj: KubeObject) => {
        for (const k of w.map(obj)) this.enqueue(k);
      };
      this.informer(w.kind).onAdd(map).onDelete(map).onUpdate((old, cur) => {
        map(old);
        map(cur);
      });
    }
  }

  private informer<K extends KubeObject>(kind: KindInfo): Informer<K> {
    return this.deps.informers.informerFor<K>(kind, kind.namespaced ? this.deps.namespace : '');
  }

  enqueue(key: string): void {
    this.loop.add(key);
  }

  /** Requeues the primary object that controls child, if it is of this controller's kind. */
  private enqueueOwner(child: KubeObject): void {
    const ref = controllerRef(child);
    if (!ref || ref.kind !== this.kind.kind || groupOf(ref.apiVersion) !== this.kind.group) return;
    this.enqueue(this.kind.namespaced && child.metadata.namespace ? `${child.metadata.namespace}/${ref.name}` : ref.name);
  }

  private async reconcileOnce(fn: ControllerReconcile<T>, key: string, ctx: ReconcileContext<T>): Promise<ReconcileResult | void> {
    const [namespace, name] = splitKey(key);
    const m = this.deps.metrics;
    const end = m.reconcileTime.startTimer({ controller: this.name });
    try {
      const r = await fn({ key, namespace, name }, ctx);
      const result = r?.requeueAfter !== undefined ? 'requeue_after' : r?.requeue ? 'requeue' : 'success';
      m.reconcileTotal.inc({ controller: this.name, result });
      if (result === 'requeue') m.retries.inc({ name: this.name });
      return r;
    } catch (e) {
      m.reconcileTotal.inc({ controller: this.name, result: 'error' });
      m.reconcileErrors.inc({ controller: this.name });
      m.retries.inc({ name: this.name });
      throw e;
    } finally {
      end();
    }
  }

  /** Keys waiting in the queue now. */
  depth(): number {
    return this.loop.queue.len();
  }

  /** Reconciles until the signal aborts; resolves once the reconciles in flight have finished. */
  run(signal: AbortSignal): Promise<void> {
    this.log.info('started', { workers: this.workers });
    return this.loop.run(this.workers, signal);
  }
}

/** Builds a controller in a manager: `mgr.controller('x').for(K).owns(D).complete(fn)`. */
export class ControllerBuilder<T extends KubeObject = KubeObject> {
  private kind?: KindInfo;
  private readonly owned: KindInfo[] = [];
  private readonly watched: Array<{ kind: KindInfo; map: MapFunc }> = [];
  private n = 1;
  private limits?: RateLimitOptions;

  constructor(private readonly name: string, private readonly register: (o: ControllerOptions<T>) => Controller<T>) {}

  /** The primary kind: each of its objects is reconciled (by key) when it or anything it owns changes. */
  for<K extends KubeObject>(kind: KindInfo & { readonly __object?: K }): ControllerBuilder<K> {
    this.kind = kind;
    return this as unknown as ControllerBuilder<K>;
  }

  /** A kind this controller creates with itself as controller owner: a change to one requeues its owner. */
  owns(kind: KindInfo): this {
    this.owned.push(kind);
    return this;
  }

  /** Any other kind, mapped to the primary keys to reconcile when one of its objects changes. */
  watches(kind: KindInfo, map: MapFunc): this {
    this.watched.push({ kind, map });
    return this;
  }

  /** Concurrent reconciles (default 1); one key is never reconciled by two at once. */
  workers(n: number): this {
    this.n = n;
    return this;
  }

  /** The back-off of failed (or `{requeue: true}`) keys: base and max delay per key, overall qps and burst. */
  rateLimit(o: RateLimitOptions): this {
    this.limits = o;
    return this;
  }

  complete(reconcile: ControllerReconcile<T>): Controller<T> {
    if (!this.kind) throw new Error(`controller ${this.name}: for(kind) is required`);
    return this.register({ name: this.name, for: this.kind, owns: this.owned, watches: this.watched, workers: this.n, rateLimit: this.limits, reconcile });
  }
}
