// Views share their watches: the overview and the pod list both read the pods of a namespace through one
// ListWatcher. A watch stays open a little after its last view leaves, so going back and forth doesn't list again.
//
// Browsers open at most 6 HTTP/1.1 connections to one server, and every watch holds one for as long as it runs, so
// a page keeps at most MAX_STREAMS of them open and leaves the rest for ordinary requests: a lingering watch is
// closed as soon as a view needs its connection, and a watch beyond the limit waits for a free one. (Over HTTP/2
// the streams would share one connection; the API server speaks HTTP/1.1 today.)
import type { ApiClient } from '../api/client.js';
import { ListWatcher, type Scheduler, type WatchOptions, browserScheduler } from '../api/watch.js';
import type { KubeObject, TableRow } from '../api/types.js';

const LINGER_MS = 10_000;
export const MAX_STREAMS = 4;

interface Entry {
  key: string;
  watcher: ListWatcher<KubeObject | TableRow>;
  refs: number;
  timer?: ReturnType<typeof setTimeout>;
}

export const watchKey = (o: WatchOptions): string => JSON.stringify([o.path, !!o.table, o.labelSelector ?? '', o.fieldSelector ?? '']);

export class Watches {
  private readonly entries = new Map<string, Entry>();
  private waiting: Entry[] = [];

  constructor(private readonly api: ApiClient, private readonly scheduler: Scheduler = browserScheduler, private readonly lingerMs = LINGER_MS,
    private readonly maxStreams = MAX_STREAMS) {}

  /** The shared watcher for these options, started (or queued for a connection); release() when the view goes. */
  acquire<T extends KubeObject | TableRow>(o: WatchOptions): { watcher: ListWatcher<T>; release: () => void } {
    const key = watchKey(o);
    let e = this.entries.get(key);
    if (!e) {
      e = { key, watcher: new ListWatcher(this.api, o, this.scheduler), refs: 0 };
      this.entries.set(key, e);
    }
    const entry = e;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.refs++;
    this.admit(entry);
    let released = false;
    return {
      watcher: entry.watcher as unknown as ListWatcher<T>,
      release: () => {
        if (released) return;
        released = true;
        if (--entry.refs > 0) return;
        this.waiting = this.waiting.filter((w) => w !== entry);
        // another view waits for a connection: it gets this one now rather than after the linger
        if (this.waiting.length && entry.watcher.running) this.evict(entry);
        else entry.timer = setTimeout(() => this.evict(entry), this.lingerMs);
      },
    };
  }

  /** How many watches hold a connection now. */
  get streams(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.watcher.running) n++;
    return n;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Stops every watch (signing out, or another token). */
  reset(): void {
    for (const e of this.entries.values()) {
      if (e.timer) clearTimeout(e.timer);
      e.watcher.stop();
    }
    this.entries.clear();
    this.waiting = [];
  }

  private admit(e: Entry): void {
    if (e.watcher.running || this.waiting.includes(e)) return;
    while (this.streams >= this.maxStreams) {
      const idle = [...this.entries.values()].find((x) => x.refs === 0 && x.watcher.running);
      if (!idle) break;
      this.evict(idle);
    }
    if (this.streams < this.maxStreams) e.watcher.start();
    else this.waiting.push(e);
  }

  private evict(e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    e.watcher.stop();
    this.entries.delete(e.key);
    const next = this.waiting.shift();
    if (next) this.admit(next);
  }
}
