// The watch cache. One etcd watch over /registry/ feeds an in-memory copy of every resource; lists, gets and client
// watches are served from here, never from one etcd watch per client. Each resource keeps a window of recent events
// so a client can resume a watch from a resourceVersion; older than the window means 410 Gone.
import type { Watcher } from 'etcd3';
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import { EtcdStorage, type RawEvent } from './etcd.js';
import { ROOT } from './keys.js';

const log = logger('watch-cache');

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  key: string;
  rev: number;
  obj: KubeObject;
  /** The object before this change (MODIFIED and DELETED). */
  prev?: KubeObject;
}

export interface CacheWatcher {
  /** Returns false when the watcher can't keep up and must be closed. */
  deliver(ev: CacheEvent): boolean;
  close(reason: string): void;
  /** Set when the watcher only cares about keys under this prefix. */
  prefix: string;
}

const DEFAULT_WINDOW = 20_000;
/** How long start() waits for the history replay before serving without it. */
const HISTORY_TIMEOUT_MS = 5000;

export class ResourceCache {
  private readonly objects = new Map<string, KubeObject>();
  private sortedKeys: string[] | undefined;
  private window: CacheEvent[] = [];
  private head = 0;
  /** Every event of this resource with rev > lowWater is still in the window. */
  lowWater = 0;
  readonly watchers = new Set<CacheWatcher>();

  constructor(readonly prefix: string, private readonly capacity = DEFAULT_WINDOW) {}

  reset(items: Array<{ key: string; obj: KubeObject }>, rev: number): void {
    this.objects.clear();
    for (const { key, obj } of items) this.objects.set(key, obj);
    this.sortedKeys = undefined;
    this.window = [];
    this.head = 0;
    this.wrapped = false;
    this.lowWater = rev;
    for (const w of this.watchers) w.close('the watch cache was re-initialised');
    this.watchers.clear();
  }

  apply(raw: RawEvent): void {
    const prev = this.objects.get(raw.key);
    const ev = toEvent(raw, prev);
    if (!ev) return;
    if (ev.type === 'DELETED') {
      this.objects.delete(raw.key);
      this.sortedKeys = undefined;
    } else {
      if (!prev) this.sortedKeys = undefined;
      this.objects.set(raw.key, ev.obj);
    }
    this.record(ev);
    for (const w of this.watchers) {
      if (!ev.key.startsWith(w.prefix)) continue;
      if (!w.deliver(ev)) {
        this.watchers.delete(w);
        w.close('the watcher fell too far behind');
      }
    }
  }

  /**
   * Records an event from before the list the cache was primed with: it goes into the window, so watchers can
   * resume from before a restart, but the objects are already current.
   */
  recordHistory(raw: RawEvent): void {
    const ev = toEvent(raw, raw.prev);
    if (ev) this.record(ev);
  }

  /** Every event after rev is now in the window (unless the window already overflowed). */
  historyComplete(rev: number): void {
    if (!this.wrapped) this.lowWater = Math.min(this.lowWater, rev);
  }

  private wrapped = false;

  private record(ev: CacheEvent): void {
    if (this.window.length < this.capacity) {
      this.window.push(ev);
      return;
    }
    const evicted = this.window[this.head] as CacheEvent;
    this.lowWater = evicted.rev;
    this.wrapped = true;
    this.window[this.head] = ev;
    this.head = (this.head + 1) % this.capacity;
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** Objects under a key prefix, in key order (as etcd would list them). */
  list(prefix: string = this.prefix, startAfter?: string): KubeObject[] {
    this.sortedKeys ??= [...this.objects.keys()].sort();
    const keys = this.sortedKeys;
    let i = lowerBound(keys, startAfter !== undefined ? startAfter + '\0' : prefix);
    const out: KubeObject[] = [];
    for (; i < keys.length; i++) {
      const k = keys[i] as string;
      if (!k.startsWith(prefix)) break;
      out.push(this.objects.get(k) as KubeObject);
    }
    return out;
  }

  /** Keys of the objects returned by list(), for continue tokens. */
  keysUnder(prefix: string): string[] {
    this.sortedKeys ??= [...this.objects.keys()].sort();
    const i = lowerBound(this.sortedKeys, prefix);
    const out: string[] = [];
    for (let j = i; j < this.sortedKeys.length && (this.sortedKeys[j] as string).startsWith(prefix); j++) out.push(this.sortedKeys[j] as string);
    return out;
  }

  get size(): number {
    return this.objects.size;
  }

  /** Events after rev, oldest first; undefined when the window no longer reaches back that far. */
  eventsSince(rev: number): CacheEvent[] | undefined {
    if (rev < this.lowWater) return undefined;
    const n = this.window.length;
    const out: CacheEvent[] = [];
    for (let i = 0; i < n; i++) {
      const ev = this.window[(this.head + i) % n] as CacheEvent;
      if (ev.rev > rev) out.push(ev);
    }
    return out;
  }

  oldestAvailable(): number {
    return this.lowWater + 1;
  }
}

function toEvent(raw: RawEvent, prev: KubeObject | undefined): CacheEvent | undefined {
  if (raw.type === 'put') {
    const obj = raw.obj as KubeObject;
    return prev ? { type: 'MODIFIED', key: raw.key, rev: raw.rev, obj, prev } : { type: 'ADDED', key: raw.key, rev: raw.rev, obj };
  }
  const last = prev ?? raw.prev;
  if (!last) return undefined;
  const obj = { ...last, metadata: { ...last.metadata, resourceVersion: String(raw.rev) } };
  return { type: 'DELETED', key: raw.key, rev: raw.rev, obj, prev: last };
}

function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Owns the single etcd watch and routes its events to each resource's cache. */
export class CacheHub {
  private readonly caches = new Map<string, ResourceCache>();
  private watcher?: Watcher;
  /** Revision up to which every cache is complete. */
  rev = 0;
  private waiters: Array<{ rev: number; resolve: (ok: boolean) => void }> = [];
  private inflight?: Promise<number>;
  private queued?: Promise<number>;
  private stopped = false;

  constructor(private readonly storage: EtcdStorage, private readonly windowSize = DEFAULT_WINDOW) {}

  register(prefix: string): ResourceCache {
    let c = this.caches.get(prefix);
    if (!c) {
      c = new ResourceCache(prefix, this.windowSize);
      this.caches.set(prefix, c);
    }
    return c;
  }

  /**
   * Primes every cache from one list, then opens the etcd watch a window's worth of revisions earlier: the events
   * before the list only fill the windows, so a client whose watch broke when this server restarted resumes from
   * its last resourceVersion instead of getting 410 Gone and re-listing.
   */
  async start(): Promise<void> {
    const { items, revision } = await this.storage.list(ROOT);
    const byCache = new Map<ResourceCache, Array<{ key: string; obj: KubeObject }>>();
    for (const c of this.caches.values()) byCache.set(c, []);
    for (const s of items) {
      const c = this.cacheFor(s.key);
      if (c) byCache.get(c)?.push({ key: s.key, obj: s.obj });
    }
    for (const [c, list] of byCache) c.reset(list, revision);
    this.rev = revision;
    log.info('watch cache primed', { objects: items.length, revision });
    const from = Math.max(1, revision - this.windowSize + 1);
    if (from > revision) {
      await this.openWatch();
      return;
    }
    const replayed = new Promise<void>((resolve) => (this.history = { from, to: revision, done: resolve }));
    await this.openWatch(from);
    const timer = setTimeout(() => this.abandonHistory('timed out'), HISTORY_TIMEOUT_MS);
    await replayed;
    clearTimeout(timer);
  }

  /** Events at or before history.to only fill the windows (see start). */
  private history?: { from: number; to: number; done: () => void };

  private abandonHistory(why: string): void {
    if (!this.history) return;
    log.info('watch cache starts without history', { reason: why });
    this.history.done();
    this.history = undefined;
  }

  /** Opens the etcd watch from the revision after the last one the caches have seen. */
  private async openWatch(from = this.rev + 1): Promise<void> {
    const w = await this.storage.watch(ROOT, from, (evs, r) => this.onEvents(evs, r), (e) => void this.onWatchError(e), (up) => this.onConnection(up));
    if (this.stopped) {
      await w.cancel().catch(() => undefined);
      return;
    }
    this.watcher = w;
  }

  private reconnectTimer?: NodeJS.Timeout;
  private reopening = false;

  /**
   * The etcd3 client resumes a dropped watch on its own, but not always after etcd itself restarted. If the
   * watch stays down, open a fresh one from our own revision: nothing is missed, repeats are ignored.
   */
  private onConnection(up: boolean): void {
    clearTimeout(this.reconnectTimer);
    if (up || this.stopped) return;
    this.reconnectTimer = setTimeout(() => void this.reopenWatch(), 1000);
    this.reconnectTimer.unref();
  }

  private async reopenWatch(): Promise<void> {
    if (this.reopening || this.stopped) return;
    this.reopening = true;
    try {
      this.abandonHistory('the etcd watch was re-opened');
      const old = this.watcher;
      this.watcher = undefined;
      await old?.cancel().catch(() => undefined);
      for (let delay = 250; !this.stopped; delay = Math.min(delay * 2, 5000)) {
        try {
          await this.storage.currentRevision();
          await this.openWatch();
          log.info('etcd watch re-opened', { fromRevision: this.rev + 1 });
          return;
        } catch (e) {
          log.warn('etcd unreachable; retrying the watch', { error: (e as Error).message });
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    } finally {
      this.reopening = false;
    }
  }

  private cacheFor(key: string): ResourceCache | undefined {
    // /registry/<group>/<resource>/...
    const third = key.indexOf('/', key.indexOf('/', ROOT.length) + 1);
    return this.caches.get(key.slice(0, third + 1));
  }

  private onEvents(events: RawEvent[], revision: number): void {
    const history = this.history;
    for (const ev of events) {
      if (history && ev.rev <= history.to) this.cacheFor(ev.key)?.recordHistory(ev);
      else if (ev.rev > this.rev) this.cacheFor(ev.key)?.apply(ev); // else already seen (a resumed etcd watch may repeat)
    }
    const last = events.length ? (events[events.length - 1] as RawEvent).rev : revision;
    if (history && last >= history.to) {
      for (const c of this.caches.values()) c.historyComplete(history.from - 1);
      history.done();
      this.history = undefined;
    }
    this.rev = Math.max(this.rev, last);
    if (this.waiters.length) {
      const still: typeof this.waiters = [];
      for (const w of this.waiters) (w.rev <= this.rev ? w.resolve(true) : still.push(w));
      this.waiters = still;
    }
  }

  private async onWatchError(e: Error): Promise<void> {
    if (this.stopped) return;
    if (this.history || !/compact/i.test(e.message)) {
      // a failed history replay (etcd compacted it) or a broken watch: carry on from our own revision
      log.warn('etcd watch failed; re-opening it', { error: e.message });
      await this.reopenWatch();
      return;
    }
    log.error('etcd compacted past the watch cache; re-listing', { error: e.message });
    try {
      await this.watcher?.cancel();
    } catch {
      /* already gone */
    }
    for (;;) {
      try {
        await this.start();
        return;
      } catch (err) {
        log.warn('re-list failed; retrying', { error: (err as Error).message });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Resolves true once every cache has seen revision rev, false after timeoutMs. */
  waitFor(rev: number, timeoutMs = 3000): Promise<boolean> {
    if (rev <= this.rev) return Promise.resolve(true);
    return new Promise((resolve) => {
      const entry = { rev, resolve };
      this.waiters.push(entry);
      setTimeout(() => {
        const i = this.waiters.indexOf(entry);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          resolve(false);
        }
      }, timeoutMs).unref();
    });
  }

  /**
   * Makes the cache at least as fresh as etcd is now (a consistent read). Concurrent callers share revision probes:
   * a caller joins the next probe that starts after it arrived, so the read still sees every write acknowledged
   * before it.
   */
  async fresh(): Promise<boolean> {
    const rev = await this.probe();
    const before = this.rev;
    const ok = await this.waitFor(rev);
    // no event at all while we waited: the etcd watch is stuck (e.g. etcd restarted), not merely behind
    if (!ok && this.rev === before) void this.reopenWatch();
    return ok;
  }

  private probe(): Promise<number> {
    if (!this.inflight) return this.startProbe();
    this.queued ??= this.inflight.catch(() => 0).then(() => {
      this.queued = undefined;
      return this.startProbe();
    });
    return this.queued;
  }

  private startProbe(): Promise<number> {
    const p: Promise<number> = this.storage.currentRevision().finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    return p;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    for (const c of this.caches.values()) for (const w of c.watchers) w.close('the server is shutting down');
    try {
      await this.watcher?.cancel();
    } catch {
      /* closing anyway */
    }
  }
}

