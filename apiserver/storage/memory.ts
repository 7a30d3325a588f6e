// Storage in memory, for unit tests of the store and the watch cache: the same contract as etcd.ts (revisions, writes
// conditional on them, pages, watches from a past revision, compaction), without a process. Values are kept as
// JSON text, so a caller never shares an object with what is stored, as with etcd.
import type { KubeObject } from '../../lib/api/types.js';
import type { RawEvent, Storage, StorageWatch, Stored, WatchBatch, WriteResult } from './storage.js';

interface Entry {
  value: string;
  rev: number;
}

interface OpenWatch {
  prefix: string;
  onEvents: WatchBatch;
  /** The first revision not delivered yet. */
  next: number;
  open: boolean;
}

/** What a write is about to do; a test hook may change the store meanwhile (another writer winning a race). */
export interface PendingWrite {
  op: 'create' | 'update' | 'delete';
  key: string;
}

export class MemoryStorage implements Storage {
  private readonly entries = new Map<string, Entry>();
  /** Every event since the last compaction, in revision order. */
  private readonly log: RawEvent[] = [];
  private readonly watches = new Set<OpenWatch>();
  private compacted = 0;
  revision = 1;
  /** Counts of calls, for tests that assert a write never reached storage (dry run). */
  readonly writes = { create: 0, update: 0, delete: 0 };
  /** Runs before each write is applied. */
  beforeWrite?: (w: PendingWrite) => void;

  async get(key: string): Promise<Stored | undefined> {
    const e = this.entries.get(key);
    return e && this.stored(key, e);
  }

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async list(prefix: string,
    opts: { revision?: number; startKey?: string; limit?: number } = {}): Promise<{ items: Stored[]; revision: number; more: boolean }> {
    const at = opts.revision ?? this.revision;
    if (at <= this.compacted) throw new Error('etcdserver: mvcc: required revision has been compacted');
    const start = opts.startKey ?? prefix;
    const keys = [...this.snapshot(at).keys()].filter((k) => k.startsWith(prefix) && k >= start).sort();
    const limit = opts.limit || keys.length;
    const snap = this.snapshot(at);
    const items = keys.slice(0, limit).map((k) => this.stored(k, snap.get(k) as Entry));
    return { items, revision: this.revision, more: keys.length > limit };
  }

  async *pages(prefix: string, revision: number, pageSize = 500): AsyncGenerator<Stored[]> {
    let startKey: string | undefined;
    for (;;) {
      const page = await this.list(prefix, { revision, startKey, limit: pageSize });
      if (page.items.length) yield page.items;
      if (!page.more) return;
      startKey = (page.items[page.items.length - 1] as Stored).key + '\0';
    }
  }

  async compactedPast(rev: number): Promise<boolean> {
    return rev <= this.compacted;
  }

  async create(key: string, obj: KubeObject): Promise<WriteResult> {
    this.writes.create++;
    this.beforeWrite?.({ op: 'create', key });
    const cur = this.entries.get(key);
    if (cur) return { ok: false, current: this.stored(key, cur) };
    return this.put(key, obj, undefined);
  }

  async update(key: string, obj: KubeObject, expectedRev: number): Promise<WriteResult> {
    this.writes.update++;
    this.beforeWrite?.({ op: 'update', key });
    const cur = this.entries.get(key);
    if (!cur || cur.rev !== expectedRev) return { ok: false, current: cur && this.stored(key, cur) };
    return this.put(key, obj, cur);
  }

  async delete(key: string, expectedRev: number): Promise<WriteResult> {
    this.writes.delete++;
    this.beforeWrite?.({ op: 'delete', key });
    const cur = this.entries.get(key);
    if (!cur || cur.rev !== expectedRev) return { ok: false, current: cur && this.stored(key, cur) };
    const rev = ++this.revision;
    this.entries.delete(key);
    this.emit({ type: 'delete', key, rev, prev: this.stored(key, cur).obj });
    return { ok: true, rev, obj: {} as KubeObject };
  }

  /** Changes a stored object at once, as another writer would between a caller's read and write (tests). */
  overwrite(key: string, change: (obj: KubeObject) => KubeObject): void {
    const cur = this.entries.get(key);
    if (cur) this.put(key, change(this.stored(key, cur).obj), cur);
  }

  /** Forgets history up to rev: lists and watches from there on fail as etcd's do. */
  compact(rev = this.revision): void {
    this.compacted = rev;
    while (this.log.length && (this.log[0] as RawEvent).rev <= rev) this.log.shift();
  }

  async watch(prefix: string, fromRev: number, onEvents: WatchBatch, onError: (e: Error) => void): Promise<StorageWatch> {
    const w: OpenWatch = { prefix, onEvents, next: fromRev, open: true };
    if (fromRev <= this.compacted) {
      setImmediate(() => onError(new Error('etcdserver: mvcc: required revision has been compacted')));
      return { cancel: async () => undefined };
    }
    this.watches.add(w);
    setImmediate(() => this.deliver(w));
    return {
      cancel: async () => {
        w.open = false;
        this.watches.delete(w);
      },
    };
  }

  private put(key: string, obj: KubeObject, prev: Entry | undefined): WriteResult {
    const rev = ++this.revision;
    const { resourceVersion: _rv, ...metadata } = obj.metadata;
    const value = JSON.stringify({ ...obj, metadata });
    const entry = { value, rev };
    this.entries.set(key, entry);
    this.emit({ type: 'put', key, rev, obj: this.stored(key, entry).obj, prev: prev && this.stored(key, prev).obj });
    return { ok: true, rev, obj: this.stored(key, entry).obj };
  }

  private emit(ev: RawEvent): void {
    this.log.push(ev);
    // etcd answers a watch after the write is acknowledged, never inside it
    for (const w of this.watches) setImmediate(() => this.deliver(w));
  }

  private deliver(w: OpenWatch): void {
    if (!w.open) return;
    const events = this.log.filter((e) => e.rev >= w.next && e.key.startsWith(w.prefix));
    w.next = this.revision + 1;
    w.onEvents(events.map((e) => structuredClone(e)), this.revision, false);
  }

  private stored(key: string, e: Entry): Stored {
    const obj = JSON.parse(e.value) as KubeObject;
    obj.metadata.resourceVersion = String(e.rev);
    return { key, obj, rev: e.rev };
  }

  /** The entries as they were at revision rev, rebuilt from the current ones and the log. */
  private snapshot(rev: number): Map<string, Entry> {
    if (rev >= this.revision) return this.entries;
    const snap = new Map(this.entries);
    for (let i = this.log.length - 1; i >= 0; i--) {
      const ev = this.log[i] as RawEvent;
      if (ev.rev <= rev) break;
      if (ev.prev) snap.set(ev.key, { value: JSON.stringify(withoutRv(ev.prev)), rev: Number(ev.prev.metadata.resourceVersion) });
      else snap.delete(ev.key);
    }
    return snap;
  }
}

function withoutRv(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}
