// The only code that talks to etcd. Objects are stored as JSON without resourceVersion; on the way out the key's
// mod_revision becomes metadata.resourceVersion. Every write is one transaction guarded by a revision compare, so a
// stale write can never overwrite a newer one and nothing is half-written.
import { Etcd3, type IKeyValue, type IWatchResponse, type Watcher } from 'etcd3';
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';

const log = logger('storage');

export interface Stored {
  key: string;
  obj: KubeObject;
  rev: number;
}

export type WriteResult = { ok: true; rev: number; obj: KubeObject } | { ok: false; current?: Stored };

export function decode(kv: IKeyValue): Stored {
  const obj = JSON.parse(kv.value.toString('utf8')) as KubeObject;
  const rev = Number(kv.mod_revision);
  obj.metadata.resourceVersion = String(rev);
  return { key: kv.key.toString('utf8'), obj, rev };
}

function encode(obj: KubeObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}

export interface RawEvent {
  type: 'put' | 'delete';
  key: string;
  rev: number;
  obj?: KubeObject; // for put
  prev?: KubeObject; // for delete (and put, when known)
}

export class EtcdStorage {
  readonly client: Etcd3;

  constructor(endpoints: string[]) {
    this.client = new Etcd3({ hosts: endpoints, dialTimeout: 3000, grpcOptions: { 'grpc.keepalive_time_ms': 10_000 } });
  }

  async get(key: string): Promise<Stored | undefined> {
    const res = await this.client.get(key).exec();
    const kv = res.kvs[0];
    return kv ? decode(kv) : undefined;
  }

  async currentRevision(): Promise<number> {
    const res = await this.client.get('/flotilla/revision-probe').exec();
    return Number(res.header.revision);
  }

  /** Lists a key prefix, optionally at an old revision and from a start key (for paginated lists). */
  async list(prefix: string, opts: { revision?: number; startKey?: string; limit?: number } = {}): Promise<{ items: Stored[]; revision: number; more: boolean }> {
    const end = prefixEnd(prefix);
    let b = this.client.getAll().inRange({ start: opts.startKey ?? prefix, end });
    if (opts.revision) b = b.revision(opts.revision);
    if (opts.limit) b = b.limit(opts.limit);
    const res = await b.exec();
    return { items: res.kvs.map(decode), revision: Number(res.header.revision), more: res.more };
  }

  async create(key: string, obj: KubeObject): Promise<WriteResult> {
    const res = await this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(encode(obj))).else(this.client.get(key)).commit();
    if (!res.succeeded) return { ok: false, current: currentOf(res) };
    const rev = Number(res.header.revision);
    return { ok: true, rev, obj: withRv(obj, rev) };
  }

  /** Writes obj only if the key's mod_revision is still expectedRev. */
  async update(key: string, obj: KubeObject, expectedRev: number): Promise<WriteResult> {
    const res = await this.client.if(key, 'Mod', '==', expectedRev).then(this.client.put(key).value(encode(obj))).else(this.client.get(key)).commit();
    if (!res.succeeded) return { ok: false, current: currentOf(res) };
    const rev = Number(res.header.revision);
    return { ok: true, rev, obj: withRv(obj, rev) };
  }

  async delete(key: string, expectedRev: number): Promise<WriteResult> {
    const res = await this.client.if(key, 'Mod', '==', expectedRev).then(this.client.delete().key(key)).else(this.client.get(key)).commit();
    if (!res.succeeded) return { ok: false, current: currentOf(res) };
    return { ok: true, rev: Number(res.header.revision), obj: {} as KubeObject };
  }

  /** One watch over a prefix from a revision; events arrive in revision order, batched per etcd response. */
  async watch(prefix: string, fromRev: number, onEvents: (events: RawEvent[], revision: number) => void, onError: (e: Error) => void, onConnection: (up: boolean) => void = () => undefined): Promise<Watcher> {
    const w = await this.client.watch().prefix(prefix).withPreviousKV().startRevision(String(fromRev)).create();
    w.on('data', (res: IWatchResponse) => {
      const events: RawEvent[] = [];
      for (const ev of res.events) {
        const key = ev.kv.key.toString('utf8');
        if (ev.type === 'Delete') {
          const prev = ev.prev_kv ? decode(ev.prev_kv).obj : undefined;
          events.push({ type: 'delete', key, rev: Number(ev.kv.mod_revision), prev });
        } else {
          const cur = decode(ev.kv);
          events.push({ type: 'put', key, rev: cur.rev, obj: cur.obj, prev: ev.prev_kv ? decode(ev.prev_kv).obj : undefined });
        }
      }
      onEvents(events, Number(res.header.revision));
    });
    w.on('error', (e: Error) => onError(e));
    w.on('disconnected', () => {
      log.warn('etcd watch disconnected');
      onConnection(false);
    });
    w.on('connected', () => {
      log.debug('etcd watch connected');
      onConnection(true);
    });
    return w;
  }

  close(): void {
    this.client.close();
  }
}

function withRv(obj: KubeObject, rev: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
}

function currentOf(res: { responses: Array<{ response_range?: { kvs: IKeyValue[] } | null }> }): Stored | undefined {
  const kv = res.responses[0]?.response_range?.kvs[0];
  return kv ? decode(kv) : undefined;
}

/** The first key after every key with this prefix. */
export function prefixEnd(prefix: string): string {
  const b = Buffer.from(prefix, 'utf8');
  let i = b.length - 1;
  while (i >= 0 && b[i] === 0xff) i--;
  const out = Buffer.from(b.subarray(0, i + 1));
  out[i] = (out[i] ?? 0) + 1;
  return out.toString('latin1');
}
