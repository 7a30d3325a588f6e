// A live collection: list, then watch from the list's resourceVersion over a chunked `?watch=1` stream read with
// fetch + ReadableStream. When the stream ends (the server's timeout) the watch resumes from the last
// resourceVersion seen (events or bookmarks); when the server says that version is gone (410, "too old") the
// collection is listed again. Subscribers are told at most once per animation frame however fast events arrive,
// so a burst of thousands of changes costs one render.
import { type ApiClient, ApiError, TABLE_ACCEPT } from './client.js';
import { LineSplitter } from './lines.js';
import { type KubeObject, type Status, type Table, type TableColumn, type TableRow, type WatchEvent, keyOf } from './types.js';

export interface WatchOptions {
  /** The collection path, e.g. /api/v1/namespaces/default/pods. */
  path: string;
  /** Ask for the server's Table form (rows with the server's columns) instead of whole objects. */
  table?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  pageSize?: number;
}

export interface Scheduler {
  /** Runs cb soon, once per batch (requestAnimationFrame in the page). */
  schedule(cb: () => void): void;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const browserScheduler: Scheduler = {
  schedule: (cb) => {
    // a hidden tab gets no animation frames: a timer keeps the collection moving (at the browser's slow pace)
    if (typeof document !== 'undefined' && document.visibilityState === 'visible' && typeof requestAnimationFrame === 'function') requestAnimationFrame(() => cb());
    else setTimeout(cb, 16);
  },
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    }),
};

/** Watch items are whole objects, or Table rows when the Table form was asked for. */
export type Item<Tbl extends boolean> = Tbl extends true ? TableRow : KubeObject;

export interface Snapshot<T> {
  items: ReadonlyMap<string, T>;
  columns?: TableColumn[];
  /** The first list has arrived. */
  synced: boolean;
  /** The last failure, cleared by the next successful list or event. */
  error?: ApiError;
  /** Bumped on every notification: a cheap "did anything change" for memoized views. */
  version: number;
  /** Events applied since the start (lists count once per item). */
  updates: number;
  /** Times the collection was listed (1 = never re-listed). */
  lists: number;
}

type Listener<T> = (s: Snapshot<T>) => void;

/**
 * Objects per list page. Larger than kubectl's 500: the API server lists from its watch cache, and each page costs
 * the page a round trip plus a parse in sequence before anything can be shown (1,000 pods in one page paint sooner).
 */
const PAGE_SIZE = 5000;

const backoff = (attempt: number): number => Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));

export class ListWatcher<T extends KubeObject | TableRow = KubeObject> {
  private readonly items = new Map<string, T>();
  private columns?: TableColumn[];
  private rv?: string;
  private synced = false;
  private error?: ApiError;
  private version = 0;
  private updates = 0;
  private lists = 0;
  private pending = false;
  private readonly listeners = new Set<Listener<T>>();
  private abort?: AbortController;

  constructor(private readonly api: ApiClient, readonly opts: WatchOptions, private readonly scheduler: Scheduler = browserScheduler) {}

  get snapshot(): Snapshot<T> {
    return { items: this.items, columns: this.columns, synced: this.synced, error: this.error, version: this.version, updates: this.updates,
      lists: this.lists };
  }

  get running(): boolean {
    return !!this.abort && !this.abort.signal.aborted;
  }

  subscribe(l: Listener<T>): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  start(): void {
    if (this.running) return;
    const abort = (this.abort = new AbortController());
    void this.run(abort.signal);
  }

  stop(): void {
    this.abort?.abort();
  }

  private notify(): void {
    if (this.pending) return;
    this.pending = true;
    this.scheduler.schedule(() => {
      this.pending = false;
      this.version++;
      const s = this.snapshot;
      for (const l of this.listeners) l(s);
    });
  }

  private async run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      try {
        if (this.rv === undefined) await this.list(signal);
        attempt = 0;
        const started = Date.now();
        await this.watch(signal);
        // the server ended the stream (its timeout): resume from the last version seen, but never in a tight loop
        if (Date.now() - started < 1000) await this.scheduler.sleep(1000, signal);
      } catch (e) {
        if (signal.aborted) return;
        const err = e instanceof ApiError ? e : new ApiError(0, (e as Error).message || String(e));
        if (err.code === 410) {
          this.rv = undefined; // "too old": list again, right away
          continue;
        }
        this.error = err;
        this.notify();
        await this.scheduler.sleep(backoff(attempt++), signal);
      }
    }
  }

  private query(extra: Record<string, string | number | boolean | undefined>) {
    const o = this.opts;
    return { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, ...(o.table ? { includeObject: 'Metadata' } : {}), ...extra };
  }

  /** Lists every page, then replaces the items at once (objects deleted while disconnected disappear). */
  private async list(signal: AbortSignal): Promise<void> {
    const fresh = new Map<string, T>();
    let cont: string | undefined;
    let rv: string | undefined;
    let columns: TableColumn[] | undefined;
    do {
      const page = await this.api.get<{ metadata: { resourceVersion?: string; continue?: string }; items?: KubeObject[] } & Partial<Table>>(this.opts.path, {
        query: this.query({ limit: this.opts.pageSize ?? PAGE_SIZE, continue: cont }),
        accept: this.opts.table ? TABLE_ACCEPT : undefined,
        signal,
      });
      if (this.opts.table && page.kind === 'Table') {
        columns ??= page.columnDefinitions;
        for (const row of page.rows ?? []) if (row.object?.metadata) fresh.set(keyOf(row.object.metadata), row as T);
      } else {
        for (const o of page.items ?? []) fresh.set(keyOf(o.metadata), o as T);
      }
      rv = page.metadata?.resourceVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont && !signal.aborted);
    this.items.clear();
    for (const [k, v] of fresh) this.items.set(k, v);
    if (columns) this.columns = columns;
    this.rv = rv ?? '0';
    this.synced = true;
    this.error = undefined;
    this.lists++;
    this.updates += fresh.size;
    this.notify();
  }

  private async watch(signal: AbortSignal): Promise<void> {
    const res = await this.api.fetch('GET', this.opts.path, {
      query: this.query({ watch: 1, resourceVersion: this.rv, allowWatchBookmarks: true }),
      accept: this.opts.table ? TABLE_ACCEPT : undefined,
      signal,
    });
    if (!res.body) throw new ApiError(0, 'the watch answered without a body');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const lines = new LineSplitter();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        for (const line of done ? lines.flush() : lines.push(value)) this.apply(JSON.parse(line) as WatchEvent<KubeObject | Table | Status>);
        if (done) return;
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
  }

  private apply(ev: WatchEvent<KubeObject | Table | Status>): void {
    if (ev.type === 'ERROR') {
      const s = ev.object as Status;
      throw new ApiError(s.code ?? 500, s.message ?? 'watch error', s.reason ?? '', s);
    }
    const obj = ev.object as KubeObject | Table;
    if (ev.type === 'BOOKMARK') {
      this.rv = obj.metadata?.resourceVersion ?? this.rv;
      return;
    }
    if (this.error) this.error = undefined;
    if (obj.kind === 'Table' && this.opts.table) {
      const table = obj as Table;
      if (table.columnDefinitions?.length) this.columns = table.columnDefinitions;
      for (const row of table.rows ?? []) {
        const meta = row.object?.metadata;
        if (!meta) continue;
        if (ev.type === 'DELETED') this.items.delete(keyOf(meta));
        else this.items.set(keyOf(meta), row as T);
        this.rv = meta.resourceVersion ?? this.rv;
      }
      this.rv = table.metadata?.resourceVersion ?? this.rv;
    } else {
      const o = obj as KubeObject;
      if (ev.type === 'DELETED') this.items.delete(keyOf(o.metadata));
      else this.items.set(keyOf(o.metadata), o as T);
      this.rv = o.metadata.resourceVersion ?? this.rv;
    }
    this.updates++;
    this.notify();
  }
}
