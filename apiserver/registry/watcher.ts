// A watch once its first events are known (the state for a list-watch, the backlog when resuming): they are written,
// then the watcher follows the resource's cache live. With a way to wait for the client (drain), the first events
// are written as the client takes them, however many (a watch-list of a large collection); live events wait in
// order behind them.
import type { WatchEvent } from '../../lib/api/types.js';
import type { CacheEvent, CacheWatcher, ResourceCache } from '../storage/cache.js';
import type { ObjectFilter } from './types.js';

/** Live events a watch may hold while its first events are still being written; more ends it (it lists again). */
const MAX_HELD_EVENTS = 10_000;

export interface WatcherIO {
  /** Writes one event; false when the client's buffer is over its bound. */
  send: (ev: WatchEvent) => boolean;
  onClose: (reason: string) => void;
  drain?: () => Promise<void>;
}

/** Registers a watcher of `cache` under `prefix` after writing `first`; returns its stop. */
export function startWatcher(cache: ResourceCache, prefix: string, f: ObjectFilter, first: WatchEvent[], io: WatcherIO): () => void {
  const { send, onClose, drain } = io;
  let open = true;
  /** Live events held while the first ones are written with back-pressure. */
  let held: CacheEvent[] | undefined;
  const watcher: CacheWatcher = {
    prefix,
    deliver: (ev) => {
      if (!open) return true;
      if (held) {
        held.push(ev);
        return held.length <= MAX_HELD_EVENTS;
      }
      const out = translate(ev, f);
      return out ? send(out) : true;
    },
    close: (reason) => {
      if (!open) return;
      open = false;
      onClose(reason);
    },
  };
  const stop = () => {
    open = false;
    cache.watchers.delete(watcher);
  };
  if (!drain) {
    // no way to wait for the client: what does not fit its buffer ends the watch (it lists again)
    for (const ev of first) {
      if (!send(ev)) {
        watcher.close('the watcher fell too far behind');
        return () => undefined;
      }
    }
    cache.watchers.add(watcher);
    return stop;
  }
  held = [];
  cache.watchers.add(watcher);
  void (async () => {
    for (const ev of first) {
      if (!open) return;
      if (!send(ev)) await drain();
    }
    while (open && held?.length) {
      const evs: CacheEvent[] = held;
      held = [];
      for (const ev of evs) {
        const out = translate(ev, f);
        if (open && out && !send(out)) await drain();
      }
    }
    held = undefined;
  })().catch((e: Error) => watcher.close(`writing the watch failed: ${e.message}`));
  return stop;
}

/** Turns a raw cache event into what a filtered watcher should see (objects moving in and out of its selector). */
export function translate(ev: CacheEvent, f: ObjectFilter): WatchEvent | undefined {
  if (ev.type === 'ADDED') return f.matches(ev.obj) ? { type: 'ADDED', object: ev.obj } : undefined;
  if (ev.type === 'DELETED') return f.matches(ev.prev ?? ev.obj) ? { type: 'DELETED', object: ev.obj } : undefined;
  const now = f.matches(ev.obj);
  const before = ev.prev ? f.matches(ev.prev) : false;
  if (now && before) return { type: 'MODIFIED', object: ev.obj };
  if (now) return { type: 'ADDED', object: ev.obj };
  if (before) return { type: 'DELETED', object: ev.obj };
  return undefined;
}
