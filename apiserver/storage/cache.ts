// The watch cache. One etcd watch over /registry/ feeds an in-memory copy of every resource (resource-cache.ts);
// lists, gets and client watches are served from here, never from one etcd watch per client.
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import type { RawEvent, Storage, StorageWatch } from './storage.js';
import { ROOT } from './keys.js';
import { DEFAULT_WINDOW, ResourceCache } from './resource-cache.js';

export { ResourceCache, type CacheEvent, type CacheEventType, type CacheWatcher } from './resource-cache.js';

const log = logger('watch-cache');

/**
 * How long the history replay may take before it is given up (resuming watches then get 410 and re-list). It runs in
 * the background and only watches resuming from before the restart wait for it, so the limit is for a replay that is
 * stuck, not a slow one: tens of MB of history on a loaded machine took over 5 s.
 */
const HISTORY_TIMEOUT_MS = 30_000;
/** How often start() lists again when etcd compacts the revision it was listing at (a list of millions of keys). */
const PRIME_ATTEMPTS = 3;

/** Owns the single etcd watch and routes its events to each resource's cache. */
export class CacheHub {
  private readonly caches = new Map<string, ResourceCache>();
  private watcher?: StorageWatch;
  /** Revision up to which every cache is complete. */
  rev = 0;
  /**
   * The keys already applied at the revision after rev, when etcd split that revision's events over several watch
   * responses (fragments): if the watch is re-opened from that revision, those keys' events are repeats.
   */
  private partial?: { rev: number; keys: Set<string> };
  private waiters: Array<{ rev: number; resolve: (ok: boolean) => void }> = [];
  private inflight?: Promise<number>;
  private queued?: Promise<number>;
  private stopped = false;

  constructor(private readonly storage: Storage, private readonly windowSize = DEFAULT_WINDOW) {}

  register(prefix: string): ResourceCache {
    let c = this.caches.get(prefix);
    if (!c) {
      c = new ResourceCache(prefix, this.windowSize);
      this.caches.set(prefix, c);
    }
    return c;
  }

  /**
   * Primes every cache (page by page, all at one revision), then opens the etcd watch a window's worth of revisions
   * earlier: the events before the list only fill the windows, so a client whose watch broke when this server
   * restarted resumes from its last resourceVersion instead of getting 410 Gone and re-listing. The server serves
   * as soon as the caches are primed; a watch resuming from before the list waits for the replay (historyReplayed).
   */
  async start(): Promise<void> {
    const revision = await this.prime();
    const from = Math.max(1, revision - this.windowSize + 1);
    if (from > revision) {
      await this.openWatch();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    this.replayed = new Promise<void>((resolve) => {
      this.history = {
        from,
        to: revision,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
    // A replay still running after the timeout is cut off: the watch is re-opened from the list's revision, so etcd
    // stops streaming old events nobody will get (the windows then start at the list). It also ends a replay that
    // can't tell it is complete: when the last write before the list was outside /registry/, no event reaches
    // history.to until the next write.
    timer = setTimeout(() => {
      if (this.history) void this.reopenWatch('the history replay timed out');
    }, HISTORY_TIMEOUT_MS);
    timer.unref();
    await this.openWatch(from);
  }

  private replayed: Promise<void> = Promise.resolve();

  /** Resolves once the history replay that start() began has ended (completed, timed out or abandoned). */
  historyReplayed(): Promise<void> {
    return this.replayed;
  }

  /**
   * Lists every registered resource from etcd in pages, all at the same revision (a consistent snapshot however
   * many requests it takes), and only then swaps the caches' contents. Returns that revision.
   */
  private async prime(): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const revision = await this.storage.currentRevision();
      try {
        const lists = new Map<ResourceCache, Array<{ key: string; obj: KubeObject }>>();
        let objects = 0;
        for (const c of this.caches.values()) {
          const items: Array<{ key: string; obj: KubeObject }> = [];
          for await (const page of this.storage.pages(c.prefix, revision)) for (const s of page) items.push({ key: s.key, obj: s.obj });
          lists.set(c, items);
          objects += items.length;
        }
        for (const [c, items] of lists) c.reset(items, revision);
        this.rev = revision;
        this.partial = undefined;
        log.info('watch cache primed', { objects, resources: lists.size, revision });
        return revision;
      } catch (e) {
        if (attempt >= PRIME_ATTEMPTS || !/compacted/i.test((e as Error).message)) throw e;
        log.warn('etcd compacted the revision being listed; listing again', { revision, error: (e as Error).message });
      }
    }
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
    const w = await this.storage.watch(ROOT, from, (evs, r, fragment) => this.onEvents(evs, r, fragment), (e) => void this.onWatchError(e),
      (up) => this.onConnection(up));
    if (this.stopped) {
      await w.cancel().catch(() => undefined);
      return;
    }
    this.watcher = w;
  }

  private reopening = false;
  private reopenAgain = false;

  /**
   * A dropped etcd watch is re-opened from our own revision, never resumed by the etcd3 client: the client resumes
   * after the last response's header revision, which skips the rest of a revision etcd had split into fragments,
   * and the rest of a history batch.
   */
  private onConnection(up: boolean): void {
    if (up || this.stopped) return;
    void this.reopenWatch('the etcd watch disconnected');
  }

  private async reopenWatch(why: string): Promise<void> {
    if (this.stopped) return;
    if (this.reopening) {
      this.reopenAgain = true;
      return;
    }
    this.reopening = true;
    try {
      do {
        this.reopenAgain = false;
        this.abandonHistory(why);
        const old = this.watcher;
        this.watcher = undefined;
        await old?.cancel().catch(() => undefined);
        for (let delay = 250; !this.stopped; delay = Math.min(delay * 2, 2000)) {
          try {
            await this.storage.currentRevision();
            await this.openWatch();
            log.info('etcd watch re-opened', { fromRevision: this.rev + 1, reason: why });
            break;
          } catch (e) {
            log.warn('etcd unreachable; retrying the watch', { error: (e as Error).message });
            await new Promise((r) => setTimeout(r, delay));
          }
        }
      } while (this.reopenAgain && !this.stopped);
    } finally {
      this.reopening = false;
    }
  }

  private cacheFor(key: string): ResourceCache | undefined {
    // /registry/<group>/<resource>/...
    const third = key.indexOf('/', key.indexOf('/', ROOT.length) + 1);
    return this.caches.get(key.slice(0, third + 1));
  }

  private onEvents(events: RawEvent[], revision: number, fragment: boolean): void {
    const history = this.history;
    for (const ev of events) {
      if (history && ev.rev <= history.to) {
        this.cacheFor(ev.key)?.recordHistory(ev);
        continue;
      }
      if (ev.rev <= this.rev) continue; // already seen: a re-opened watch starts again at our revision
      if (this.partial?.rev !== ev.rev) this.partial = { rev: ev.rev, keys: new Set() };
      else if (this.partial.keys.has(ev.key)) continue;
      this.partial.keys.add(ev.key);
      this.cacheFor(ev.key)?.apply(ev);
    }
    // An empty response (progress) brings us to its header revision; a fragment leaves its last revision open.
    const last = events.length ? (events[events.length - 1] as RawEvent).rev : revision;
    const complete = fragment ? last - 1 : last;
    if (history && complete >= history.to) {
      log.info('watch history replayed', { fromRevision: history.from, toRevision: history.to });
      for (const c of this.caches.values()) c.historyComplete(history.from - 1);
      history.done();
      this.history = undefined;
    }
    this.rev = Math.max(this.rev, complete);
    if (this.waiters.length) {
      const still: typeof this.waiters = [];
      for (const w of this.waiters) (w.rev <= this.rev ? w.resolve(true) : still.push(w));
      this.waiters = still;
    }
  }

  private async onWatchError(e: Error): Promise<void> {
    if (this.stopped) return;
    // etcd cancels a watch whose start revision was compacted with no reason in the message ("Watcher canceled: "),
    // so ask etcd whether our revision is still there
    const compacted = !this.history && (/compact/i.test(e.message) || (await this.storage.compactedPast(this.rev + 1).catch(() => false)));
    if (!compacted) {
      // a failed history replay (etcd compacted it) or a broken watch: carry on from our own revision
      log.warn('etcd watch failed; re-opening it', { error: e.message });
      await this.reopenWatch(`the etcd watch failed: ${e.message}`);
      return;
    }
    log.error('etcd compacted past the watch cache; re-listing', { error: e.message, revision: this.rev });
    const old = this.watcher;
    this.watcher = undefined;
    await old?.cancel().catch(() => undefined);
    for (let delay = 500; !this.stopped; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.start();
        return;
      } catch (err) {
        log.warn('re-list failed; retrying', { error: (err as Error).message });
        await new Promise((r) => setTimeout(r, delay));
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
    if (!ok && this.rev === before) void this.reopenWatch('the etcd watch fell silent');
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
    this.abandonHistory('the server is shutting down');
    for (const c of this.caches.values()) for (const w of c.watchers) w.close('the server is shutting down');
    try {
      await this.watcher?.cancel();
    } catch {
      /* closing anyway */
    }
  }
}
