// The only code that talks to etcd. Objects are stored as JSON without resourceVersion; on the way out the key's
// mod_revision becomes metadata.resourceVersion. Every write is one transaction guarded by a revision compare, so a
// stale write can never overwrite a newer one and nothing is half-written.
import { Etcd3, isRecoverableError, type IKeyValue, type IRangeResponse, type IResponseHeader, type IWatchResponse, type Watcher } from 'etcd3';
import { ConsecutiveBreaker, circuitBreaker, handleWhen, retry } from 'cockatiel';
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import { errors } from '../errors.js';
import { fromStorage, toStorage } from './encryption/index.js';
import { isResourceExhausted, storageError } from './errors.js';
import { IDENTITY_KEY } from './identity.js';
import { OwnWrites } from './own-writes.js';
import { GroupCommit, type GroupCommitOptions, type GuardedWrite, type TxnAnswer, type WriteOutcome } from './group-commit.js';
import type { RawEvent, Storage, Stored, WatchBatch, WriteResult } from './storage.js';

export type { RawEvent, Stored, WatchBatch, WriteResult } from './storage.js';

const log = logger('storage');

/**
 * Objects per etcd range when a list has no limit of its own (priming the watch cache, re-listing after a
 * compaction, a list the cache can't serve). One unbounded range over a big store is one gRPC message of every
 * object, refused above the receive limit; 500 is what Kubernetes' reflector asks per page, about 1 MB of typical
 * objects, and a page that still comes back too large is retried at half the size (see list()).
 */
export const RANGE_PAGE_SIZE = 500;

/**
 * The largest gRPC message this client accepts (grpc-js' default is 4 MiB). A watch response is split into
 * fragments of etcd's request limit (1.5 MiB by default; see watch()), but a single event can carry an object near
 * that limit twice (its value and its previous value), and a page of large objects can be bigger still. etcd's own
 * Go client accepts up to 2 GiB; 128 MiB leaves the halving in list() to deal with the pathological cases.
 */
const MAX_RECEIVE_BYTES = 128 * 1024 * 1024;

export function decode(kv: IKeyValue): Stored {
  const key = kv.key.toString('utf8');
  const { data, stale } = fromStorage(key, kv.value); // encryption at rest (encryption/)
  const obj = JSON.parse(data.toString('utf8')) as KubeObject;
  const rev = Number(kv.mod_revision);
  obj.metadata.resourceVersion = String(rev);
  return stale ? { key, obj, rev, stale } : { key, obj, rev };
}

function encode(key: string, obj: KubeObject): string | Buffer {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return toStorage(key, JSON.stringify({ ...obj, metadata: meta })); // encryption at rest (encryption/)
}

/** Only failures that a retry or a pause can cure trip the retry and the circuit breaker; a too-large answer can't. */
const transient = (e: Error): boolean => isRecoverableError(e) && !isResourceExhausted(e);

export class EtcdStorage implements Storage {
  readonly client: Etcd3;
  /** The cluster identity every write compares (see identity.ts); unset: writes don't check it. */
  private identity?: string;
  /** etcd's cluster ID as first seen; an answer from another cluster is refused. */
  private clusterId?: string;
  /** Set: creates, updates and deletes go through group commit (group-commit.ts). */
  private group?: GroupCommit<IKeyValue>;
  /** What this server wrote, until the watch brings it back (own-writes.ts). */
  private readonly own = new OwnWrites();

  constructor(readonly endpoints: string[], maxReceiveBytes = MAX_RECEIVE_BYTES) {
    this.client = new Etcd3({
      hosts: endpoints,
      dialTimeout: 3000,
      grpcOptions: { 'grpc.keepalive_time_ms': 10_000, 'grpc.max_receive_message_length': maxReceiveBytes },
      faultHandling: {
        // the client's defaults, but a breaker that stays open 1 s instead of 5 s: a restarted etcd serves sooner
        host: () => circuitBreaker(handleWhen(transient), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }),
        global: retry(handleWhen(transient), { maxAttempts: 3 }),
      },
    });
  }

  /** From now on every write also requires etcd to hold this cluster identity. */
  guard(identity: string): void {
    this.identity = identity;
  }

  /** From now on concurrent writes go to etcd together (group-commit.ts says what that means for resourceVersions). */
  groupCommit(opts: GroupCommitOptions): void {
    this.group = new GroupCommit((writes) => this.commitTxn(writes), opts);
  }

  /** Group commit's counts: transactions sent and the writes they carried (undefined when it is off). */
  get groupCommitStats(): { txns: number; writes: number; retried: number } | undefined {
    return this.group?.stats;
  }

  /** Runs one etcd call: its errors become Statuses (503 while etcd is down) and its header is checked. */
  private async call<T extends { header: IResponseHeader }>(fn: () => Promise<T>): Promise<T> {
    let res: T;
    try {
      res = await fn();
    } catch (e) {
      throw storageError(e, this.endpoints);
    }
    this.checkCluster(res.header);
    return res;
  }

  private checkCluster(header: IResponseHeader): void {
    const id = String(header.cluster_id);
    if (this.clusterId === undefined) this.clusterId = id;
    else if (id !== this.clusterId) {
      log.error('etcd answers for another cluster', { endpoints: this.endpoints, clusterId: id, expected: this.clusterId });
      throw errors.unavailable(`storage is unavailable: etcd at ${this.endpoints.join(',')} now answers for cluster ${id}, not cluster ${this.clusterId} this API server started with`);
    }
  }

  async get(key: string): Promise<Stored | undefined> {
    const res = await this.call(() => this.client.get(key).exec());
    const kv = res.kvs[0];
    return kv ? decode(kv) : undefined;
  }

  async currentRevision(): Promise<number> {
    const res = await this.call(() => this.client.get('/flotilla/revision-probe').exec());
    return Number(res.header.revision);
  }

  /**
   * One page of a key prefix, optionally at an old revision and from a start key; `more` says whether keys follow.
   * Without a limit (or with 0) the page holds RANGE_PAGE_SIZE objects: a range is never unbounded. A page too large
   * for one gRPC message is asked again at half the size, so the caller may get fewer than it asked for.
   */
  async list(prefix: string,
    opts: { revision?: number; startKey?: string; limit?: number } = {}): Promise<{ items: Stored[]; revision: number; more: boolean }> {
    const res = await this.range(prefix, opts);
    return { items: res.kvs.map(decode), revision: Number(res.header.revision), more: res.more };
  }

  /** list() without decoding the values. */
  private async range(prefix: string, opts: { revision?: number; startKey?: string; limit?: number }): Promise<IRangeResponse> {
    const end = prefixEnd(prefix);
    let limit = opts.limit || RANGE_PAGE_SIZE;
    for (;;) {
      const range = (): Promise<IRangeResponse> => {
        let b = this.client.getAll().inRange({ start: opts.startKey ?? prefix, end }).limit(limit);
        if (opts.revision) b = b.revision(opts.revision);
        return b.exec();
      };
      try {
        return await this.call(range);
      } catch (e) {
        if (!isResourceExhausted(e) || limit === 1) throw e;
        limit = Math.max(1, Math.floor(limit / 2));
        log.warn('an etcd range answer was too large; asking for smaller pages', { prefix, limit });
      }
    }
  }

  /** True when etcd has compacted away revision rev (a watch from it can't start). */
  async compactedPast(rev: number): Promise<boolean> {
    try {
      await this.call(() => this.client.getAll().prefix('/flotilla/revision-probe').revision(rev).limit(1).exec());
      return false;
    } catch (e) {
      if (/compacted/i.test((e as Error).message)) return true;
      if (/future revision/i.test((e as Error).message)) return false;
      throw e;
    }
  }

  /**
   * Every object under a prefix at one revision, page by page (see RANGE_PAGE_SIZE). The next page is asked for
   * before this one is decoded, so etcd and the network work while we parse.
   */
  async *pages(prefix: string, revision: number, pageSize = RANGE_PAGE_SIZE): AsyncGenerator<Stored[]> {
    let next: Promise<IRangeResponse> | undefined = this.range(prefix, { revision, limit: pageSize });
    while (next) {
      const res: IRangeResponse = await next;
      const last = res.kvs[res.kvs.length - 1];
      next = res.more && last ? this.range(prefix, { revision, startKey: last.key.toString('utf8') + '\0', limit: pageSize }) : undefined;
      // a failed prefetch is reported when it is awaited, not as an unhandled rejection meanwhile
      next?.catch(() => undefined);
      if (res.kvs.length) yield res.kvs.map(decode);
    }
  }

  async create(key: string, obj: KubeObject): Promise<WriteResult> {
    const value = encode(key, obj);
    if (this.group) return this.written(key, obj, await this.group.write({ op: 'create', key, value }));
    const c = this.client;
    const res = await this.call(() => this.guarded(c.if(key, 'Create', '==', 0)).then(c.put(key).value(value)).else(c.get(key), c.get(IDENTITY_KEY)).commit());
    if (!res.succeeded) return { ok: false, current: this.currentOf(res) };
    return this.put(key, obj, Number(res.header.revision));
  }

  /** Writes obj only if the key's mod_revision is still expectedRev. */
  async update(key: string, obj: KubeObject, expectedRev: number): Promise<WriteResult> {
    const value = encode(key, obj);
    if (this.group) return this.written(key, obj, await this.group.write({ op: 'update', key, value, expectedRev }));
    const c = this.client;
    const res = await this.call(() => this.guarded(c.if(key, 'Mod', '==', expectedRev)).then(c.put(key).value(value)).else(c.get(key), c.get(IDENTITY_KEY)).commit());
    if (!res.succeeded) return { ok: false, current: this.currentOf(res) };
    return this.put(key, obj, Number(res.header.revision));
  }

  async delete(key: string, expectedRev: number): Promise<WriteResult> {
    if (this.group) {
      const o = await this.group.write({ op: 'delete', key, expectedRev });
      return o.ok ? { ok: true, rev: o.rev, obj: {} as KubeObject } : { ok: false, current: o.current && decode(o.current) };
    }
    const c = this.client;
    const res = await this.call(() => this.guarded(c.if(key, 'Mod', '==', expectedRev)).then(c.delete().key(key)).else(c.get(key), c.get(IDENTITY_KEY)).commit());
    if (!res.succeeded) return { ok: false, current: this.currentOf(res) };
    return { ok: true, rev: Number(res.header.revision), obj: {} as KubeObject };
  }

  private written(key: string, obj: KubeObject, o: WriteOutcome<IKeyValue>): WriteResult {
    return o.ok ? this.put(key, obj, o.rev) : { ok: false, current: o.current && decode(o.current) };
  }

  /** A put's answer: the object at its revision, which the watch cache will take too (own-writes.ts). */
  private put(key: string, obj: KubeObject, rev: number): WriteResult {
    const out = withRv(obj, rev);
    this.own.remember(key, rev, out);
    return { ok: true, rev, obj: out };
  }

  /**
   * One transaction of several guarded writes (group commit): every guard and the cluster identity compared, every
   * write applied when all hold; otherwise every key read back, so each write can be told apart.
   */
  private async commitTxn(writes: GuardedWrite[]): Promise<TxnAnswer<IKeyValue>> {
    const c = this.client;
    const guard = (w: GuardedWrite) => (w.op === 'create' ? ['Create', '==', 0] : ['Mod', '==', w.expectedRev as number]) as ['Create' | 'Mod', '==', number];
    const [first, ...rest] = writes as [GuardedWrite, ...GuardedWrite[]];
    let b = c.if(first.key, ...guard(first));
    for (const w of rest) b = b.and(w.key, ...guard(w));
    const ops = writes.map((w) => (w.op === 'delete' ? c.delete().key(w.key) : c.put(w.key).value(w.value as string | Buffer)));
    const reads = [...writes.map((w) => c.get(w.key)), c.get(IDENTITY_KEY)];
    const res = await this.call(() => this.guarded(b).then(...ops).else(...reads).commit());
    if (res.succeeded) return { succeeded: true, revision: Number(res.header.revision) };
    this.checkIdentity(res.responses[writes.length]?.response_range?.kvs[0]?.value.toString('utf8'));
    return {
      succeeded: false,
      found: writes.map((_, i) => {
        const kv = res.responses[i]?.response_range?.kvs[0];
        return kv ? { modRevision: Number(kv.mod_revision), kv } : undefined;
      }),
    };
  }

  private guarded<B extends { and(key: string, column: 'Value', cmp: '==', value: string): B }>(b: B): B {
    return this.identity ? b.and(IDENTITY_KEY, 'Value', '==', this.identity) : b;
  }

  /** The object a failed write found, after making sure it failed on the object and not on the cluster identity. */
  private currentOf(res: { responses: Array<{ response_range?: { kvs: IKeyValue[] } | null }> }): Stored | undefined {
    this.checkIdentity(res.responses[1]?.response_range?.kvs[0]?.value.toString('utf8'));
    const kv = res.responses[0]?.response_range?.kvs[0];
    return kv ? decode(kv) : undefined;
  }

  /** A failed write's read of the identity key: another cluster's etcd (or none) is refused. */
  private checkIdentity(found: string | undefined): void {
    if (!this.identity || found === this.identity) return;
    log.error('refusing to write: etcd holds another cluster identity', { endpoints: this.endpoints, found, expected: this.identity });
    throw errors.unavailable(`storage is unavailable: etcd at ${this.endpoints.join(',')} is not this cluster's etcd (its cluster identity is ${found ?? 'missing'}, expected ${this.identity}); nothing was written`);
  }

  /**
   * One watch over a prefix from a revision; events arrive in revision order. etcd is asked to fragment large
   * responses (a replay of history, a big transaction) into pieces of its request limit instead of sending one
   * message larger than this client accepts; onEvents says when a response is a fragment.
   */
  async watch(prefix: string, fromRev: number, onEvents: WatchBatch, onError: (e: Error) => void,
    onConnection: (up: boolean) => void = () => undefined): Promise<Watcher> {
    const builder = this.client.watch().prefix(prefix).withPreviousKV().startRevision(String(fromRev));
    // etcd3's builder has no method for WatchCreateRequest.fragment (etcd >= 3.4); its request is sent as it is
    (builder as unknown as { request: { fragment?: boolean } }).request.fragment = true;
    let w: Watcher;
    try {
      w = await builder.create();
    } catch (e) {
      throw storageError(e, this.endpoints);
    }
    this.own.watches++;
    const cancel = w.cancel.bind(w);
    w.cancel = () => {
      this.own.watches--;
      w.cancel = cancel;
      return cancel();
    };
    w.on('data', (res: IWatchResponse) => {
      // whatever goes wrong here must not escape: etcd3 re-throws a listener's error where nothing can catch it
      let events: RawEvent[];
      try {
        this.checkCluster(res.header);
        events = res.events.map((ev) => toRawEvent(ev, this.own));
      } catch (e) {
        onError(e as Error);
        return;
      }
      const last = events[events.length - 1];
      this.own.passed(last ? last.rev - (res.fragment ? 1 : 0) : Number(res.header.revision));
      onEvents(events, Number(res.header.revision), res.fragment === true);
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

/**
 * A watch event as the cache takes it. A put this server wrote comes with the object it wrote (own-writes.ts). The
 * previous value of a put is decoded only if asked for: the cache has the previous object already, and reads it
 * from the event only while replaying history.
 */
export function toRawEvent(ev: IWatchResponse['events'][number], own?: OwnWrites): RawEvent {
  const key = ev.kv.key.toString('utf8');
  const rev = Number(ev.kv.mod_revision);
  if (ev.type === 'Delete') return { type: 'delete', key, rev, prev: ev.prev_kv ? decode(ev.prev_kv).obj : undefined };
  const raw: RawEvent = { type: 'put', key, rev, obj: own?.take(key, rev) ?? decode(ev.kv).obj };
  const prevKv = ev.prev_kv;
  if (prevKv) {
    let prev: KubeObject | undefined;
    Object.defineProperty(raw, 'prev', { enumerable: true, get: () => (prev ??= decode(prevKv).obj) });
  }
  return raw;
}

function withRv(obj: KubeObject, rev: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
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
