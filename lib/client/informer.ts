// Informers: list, then watch from the list's resourceVersion into a local cache, delivering add/update/delete to
// handlers. A dropped watch resumes from the last resourceVersion seen (bookmarks keep it fresh); a 410 Gone
// re-lists and delivers the difference (deletes for objects that vanished). Resync re-delivers every object.
// As client-go's shared informers: an add handler registered once the cache holds objects first receives each of
// them as an add (so a late handler is never blind to what is already there), and a handler that throws is logged
// and skipped without keeping the event from the other handlers or disturbing the watch.
import type { KindInfo } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { logger } from '../util/log.js';
import { isGone, type Client } from './rest.js';
import { watch } from './watch.js';

const log = logger('informer');

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-deliver every cached object as an update this often (0 = never). */
  resyncMs?: number;
}

type Handler<T> = { add?: (o: T) => void; update?: (old: T, cur: T) => void; delete?: (o: T) => void };
type EventName = 'add' | 'update' | 'delete';

export const keyOf = (o: KubeObject): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name as string));

export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: Handler<T>[] = [];
  private rv = '';
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private abort = new AbortController();
  private resyncTimer?: NodeJS.Timeout;
  private running = false;
  private readonly indexers = new Map<string, { fn: (o: T) => string[]; map: Map<string, Map<string, T>> }>();

  constructor(private readonly client: Client, readonly kind: KindInfo, private readonly opts: InformerOptions = {}) {}

  onAdd(fn: (o: T) => void): this {
    const h: Handler<T> = { add: fn };
    this.handlers.push(h);
    // what the cache already holds reached the handlers registered before this one: replay it to this one
    for (const o of [...this.cache.values()]) this.deliver(h, 'add', o);
    return this;
  }
  onUpdate(fn: (old: T, cur: T) => void): this {
    this.handlers.push({ update: fn });
    return this;
  }
  onDelete(fn: (o: T) => void): this {
    this.handlers.push({ delete: fn });
    return this;
  }

  /** Keeps an index of the cache by the values fn returns (e.g. owner uid, node name); read it with byIndex. */
  addIndex(name: string, fn: (o: T) => string[]): this {
    const map = new Map<string, Map<string, T>>();
    for (const [k, o] of this.cache) for (const v of fn(o)) index(map, v).set(k, o);
    this.indexers.set(name, { fn, map });
    return this;
  }

  /**
   * Keeps the 'namespace' index that most controllers read their children by (byIndex('namespace', ns)); informers
   * are shared, so the first controller to ask adds it and the others find it there.
   */
  indexByNamespace(): this {
    if (!this.hasIndex('namespace')) this.addIndex('namespace', (o) => [o.metadata.namespace as string]);
    return this;
  }

  hasIndex(name: string): boolean {
    return this.indexers.has(name);
  }

  byIndex(name: string, value: string): T[] {
    const m = this.indexers.get(name)?.map.get(value);
    return m ? [...m.values()] : [];
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(filter?: { namespace?: string; labels?: Record<string, string> }): T[] {
    return [...this.cache.values()].filter((o) => (!filter?.namespace || o.metadata.namespace === filter.namespace)
      && (!filter?.labels || Object.entries(filter.labels).every(([k, v]) => o.metadata.labels?.[k] === v)));
  }

  /** Starts listing and watching in the background; resolves once the first list is in the cache. */
  async start(): Promise<void> {
    if (this.running) return this.waitForSync();
    this.running = true;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    void this.run();
    if (this.opts.resyncMs) this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncMs);
    return this.waitForSync();
  }

  stop(): void {
    this.running = false;
    clearInterval(this.resyncTimer);
    this.abort.abort();
  }

  private async run(): Promise<void> {
    let backoff = 100;
    let needList = true;
    while (this.running) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        for await (const ev of watch<T>(this.client, this.kind, { ...this.opts, resourceVersion: this.rv, allowWatchBookmarks: true,
          timeoutSeconds: 300 + Math.floor(Math.random() * 300), signal: this.abort.signal })) {
          backoff = 100;
          this.rv = ev.object.metadata.resourceVersion ?? this.rv;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.upsert(ev.object);
          else if (ev.type === 'DELETED') this.remove(ev.object);
        }
      } catch (e) {
        if (!this.running) return;
        if (isGone(e)) {
          log.info('watch expired; re-listing', { resource: this.kind.resource });
          needList = true;
          continue;
        }
        log.warn('watch failed; retrying', { resource: this.kind.resource, error: (e as Error).message });
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async relist(): Promise<void> {
    const list = await this.client.listAll<T>(this.kind, { namespace: this.opts.namespace, labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector });
    const seen = new Set<string>();
    for (const o of list.items) {
      seen.add(keyOf(o));
      this.upsert(o);
    }
    for (const [k, o] of this.cache) if (!seen.has(k)) this.remove(o);
    this.rv = list.metadata.resourceVersion ?? '';
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private upsert(o: T): void {
    const k = keyOf(o);
    const old = this.cache.get(k);
    this.cache.set(k, o);
    if (old && old.metadata.resourceVersion === o.metadata.resourceVersion) return;
    for (const { fn, map } of this.indexers.values()) {
      if (old) for (const v of fn(old)) unindex(map, v, k);
      for (const v of fn(o)) index(map, v).set(k, o);
    }
    for (const h of [...this.handlers]) (old ? this.deliver(h, 'update', old, o) : this.deliver(h, 'add', o));
  }

  private remove(o: T): void {
    const k = keyOf(o);
    const last = this.cache.get(k) ?? o;
    if (!this.cache.delete(k)) return;
    for (const { fn, map } of this.indexers.values()) for (const v of fn(last)) unindex(map, v, k);
    for (const h of [...this.handlers]) this.deliver(h, 'delete', last);
  }

  private resync(): void {
    for (const o of [...this.cache.values()]) for (const h of [...this.handlers]) this.deliver(h, 'update', o, o);
  }

  /** Calls one handler; what it throws stays with it (logged), so the other handlers and the watch go on. */
  private deliver(h: Handler<T>, event: EventName, a: T, b?: T): void {
    try {
      if (event === 'add') h.add?.(a);
      else if (event === 'update') h.update?.(a, b as T);
      else h.delete?.(a);
    } catch (e) {
      log.error('event handler failed', { resource: this.kind.resource, event, object: keyOf(b ?? a), error: (e as Error)?.message ?? String(e) });
    }
  }
}

function index<T>(map: Map<string, Map<string, T>>, v: string): Map<string, T> {
  let m = map.get(v);
  if (!m) map.set(v, (m = new Map()));
  return m;
}

function unindex<T>(map: Map<string, Map<string, T>>, v: string, k: string): void {
  const m = map.get(v);
  if (m?.delete(k) && m.size === 0) map.delete(v);
}

/** Shares one informer per kind and namespace between every controller of a process. */
export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer>();
  constructor(private readonly client: Client, private readonly resyncMs = 0) {}

  informerFor<T extends KubeObject = KubeObject>(kind: KindInfo, namespace = ''): Informer<T> {
    const key = `${kind.group}/${kind.resource}/${namespace}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer(this.client, kind, { namespace, resyncMs: this.resyncMs });
      this.informers.set(key, inf);
    }
    return inf as unknown as Informer<T>;
  }

  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }
}
