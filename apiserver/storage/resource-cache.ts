// One resource's part of the watch cache: its objects in memory, and a window of recent events so a client can
// resume a watch from a resourceVersion; older than the window means 410 Gone. CacheHub (cache.ts) feeds it.
import type { KubeObject } from '../../lib/api/types.js';
import type { RawEvent } from './storage.js';

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

export const DEFAULT_WINDOW = 20_000;

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

