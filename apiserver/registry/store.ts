// The generic store: one implementation of get, list, watch, create, update, patch and delete for every kind, on
// storage with optimistic concurrency. A kind plugs in its definition (kind.ts): defaulting and validation (with its
// schema), what its writes may change, generation, and how its deletion goes.
import { apiVersionOf, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject, WatchEvent } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import { ApiError, errors } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import type { CacheEvent, CacheHub, ResourceCache } from '../storage/cache.js';
import { namespacePrefix, objectKey, resourcePrefix } from '../storage/keys.js';
import type { KindDefinition, StrategyContext } from './kind.js';
import { WriteWebhooks } from './write-webhooks.js';
import { clone, deepEqual, nameSuffix, newUid, nowTime, specPart } from './meta.js';
import { checkObject, guardedHook } from './validate.js';
import { checkNamespace, checkTypeMeta } from './write-checks.js';
import { startWatcher, translate } from './watcher.js';
import { trackWrite } from '../apply/track.js';
import { decodeContinue, encodeContinue } from './list-options.js';
import { parseRv, preconditionRv } from './resource-version.js';
import type { DeleteOptions, ListOptions, ListResult, ObjectStore, WatchOptions, WriteContext, WriteScope } from './types.js';

export { parseRv } from './resource-version.js';
export type { DeleteOptions, FieldValidation, ListOptions, ListResult, WatchOptions, WriteContext, WriteScope } from './types.js';

/** Checks a namespace before a namespaced object is created in it. */
export type NamespaceGate = (namespace: string) => Promise<void>;

const MAX_RETRIES = 8;
const log = logger('store');

export class Store implements ObjectStore {
  readonly cache: ResourceCache;
  readonly kind: KindInfo;
  /** Admission webhooks of this kind's writes (and CONNECTs: upgrade.ts asks before relaying exec, attach, portforward). */
  readonly webhooks: WriteWebhooks;

  constructor(
    readonly def: KindDefinition,
    private readonly storage: Storage,
    private readonly hub: CacheHub,
    private readonly namespaceGate: NamespaceGate,
    private readonly strategyContext: StrategyContext,
  ) {
    this.kind = def.info;
    this.cache = hub.register(resourcePrefix(def.info));
    this.webhooks = new WriteWebhooks(def.info, strategyContext.webhooks);
  }

  private key(namespace: string | undefined, name: string): string {
    return objectKey(this.kind, namespace, name);
  }

  private prefix(namespace: string | undefined): string {
    return this.kind.namespaced && namespace ? namespacePrefix(this.kind, namespace) : resourcePrefix(this.kind);
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  async get(namespace: string | undefined, name: string, resourceVersion?: string): Promise<KubeObject> {
    const key = this.key(namespace, name);
    // a consistent read the cache can't serve in time (it lags under load) goes to etcd, as Kubernetes did before
    // its cache served consistent reads
    const cached = (await this.readyFor(resourceVersion)) ? this.cache.get(key) : undefined;
    const obj = cached ?? (await this.storage.get(key))?.obj;
    if (!obj) throw errors.notFound(this.kind, name);
    return obj;
  }

  /**
   * Waits until the cache is fresh enough for a read at resourceVersion ('' = consistent, '0' = any). False when a
   * consistent read should go to etcd because the cache didn't catch up in time.
   */
  private async readyFor(resourceVersion: string | undefined): Promise<boolean> {
    if (resourceVersion === '0') return true;
    if (!resourceVersion) return this.hub.fresh();
    const rv = parseRv(resourceVersion);
    if (!(await this.hub.waitFor(rv))) {
      const e = errors.timeout(`Too large resource version: ${rv}, current: ${this.hub.rev}`);
      e.details = { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 };
      throw e;
    }
    return true;
  }

  async list(namespace: string | undefined, opts: ListOptions): Promise<ListResult> {
    const prefix = this.prefix(namespace);
    if (opts.continue) {
      const from = decodeContinue(opts.continue, prefix);
      // etcd would answer a future revision with its own error text (a 500): the token is forged or foreign
      if (from.rev > this.hub.rev && from.rev > (await this.storage.currentRevision())) {
        throw errors.badRequest(`invalid continue token: continue key is not valid: its resourceVersion ${from.rev} is newer than the cluster's`);
      }
      return this.listFromEtcd(prefix, opts, from);
    }
    if (opts.resourceVersionMatch === 'Exact' && opts.resourceVersion) {
      await this.readyFor(opts.resourceVersion); // a future revision is Kubernetes' 504 "Too large resource version"
      return this.listFromEtcd(prefix, opts, { rev: parseRv(opts.resourceVersion), startKey: prefix });
    }
    if (!(await this.readyFor(opts.resourceVersion))) return this.listFromEtcd(prefix, opts, { rev: await this.storage.currentRevision(), startKey: prefix });
    const rev = this.hub.rev;
    const all = this.cache.list(prefix);
    const items: KubeObject[] = [];
    let i = 0;
    for (; i < all.length; i++) {
      const o = all[i] as KubeObject;
      if (!opts.filter.matches(o)) continue;
      if (opts.limit && items.length === opts.limit) break;
      items.push(o);
    }
    const result: ListResult = { items, resourceVersion: String(rev) };
    if (opts.limit && i < all.length) {
      const last = items[items.length - 1];
      if (last) {
        result.continue = encodeContinue(rev, this.key(last.metadata.namespace, last.metadata.name as string), prefix);
        if (opts.filter.isEverything) result.remainingItemCount = all.length - i;
      }
    }
    return result;
  }

  private async listFromEtcd(prefix: string, opts: ListOptions, from: { rev: number; startKey: string }): Promise<ListResult> {
    const items: KubeObject[] = [];
    let startKey = from.startKey;
    const limit = opts.limit ?? 0;
    for (;;) {
      let page;
      try {
        page = await this.storage.list(prefix, { revision: from.rev, startKey, limit: limit ? limit + 1 : 0 });
      } catch (e) {
        if (/compacted/i.test((e as Error).message)) {
          throw errors.gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
        }
        throw e;
      }
      for (const s of page.items) {
        if (!opts.filter.matches(s.obj)) continue;
        if (limit && items.length === limit) {
          const last = items[items.length - 1] as KubeObject;
          const lastKey = this.key(last.metadata.namespace, last.metadata.name as string);
          return { items, resourceVersion: String(from.rev), continue: encodeContinue(from.rev, lastKey, prefix) };
        }
        items.push(s.obj);
      }
      const lastKey = page.items[page.items.length - 1]?.key;
      if (!page.more || !lastKey) break;
      startKey = lastKey + '\0';
    }
    return { items, resourceVersion: String(from.rev) };
  }

  /** Starts a watch; events go to send until it returns false or the returned stop is called. */
  async watch(namespace: string | undefined, opts: WatchOptions, send: (ev: WatchEvent) => boolean, onClose: (reason: string) => void): Promise<() => void> {
    const prefix = this.prefix(namespace);
    const f = opts.filter;
    let backlog: CacheEvent[] = [];
    let initial: KubeObject[] = [];
    const rvOpt = opts.resourceVersion;
    if (!rvOpt || rvOpt === '0') {
      if (!(await this.readyFor(rvOpt))) throw errors.timeout('the watch cache did not catch up with etcd in time; retry');
      // unset keeps the old way (the current state first); an explicit false asks for changes from now on only
      if (opts.sendInitialEvents !== false) initial = this.cache.list(prefix).filter((o) => f.matches(o));
    } else {
      const rv = parseRv(rvOpt);
      await this.readyFor(rvOpt);
      if (opts.sendInitialEvents) initial = this.cache.list(prefix).filter((o) => f.matches(o));
      else {
        let evs = this.cache.eventsSince(rv);
        if (!evs) {
          // right after a restart the window may still be filling from etcd's history
          await this.hub.historyReplayed();
          evs = this.cache.eventsSince(rv);
        }
        if (!evs) {
          const gone = errors.gone(`too old resource version: ${rv} (${this.cache.oldestAvailable()})`);
          send({ type: 'ERROR', object: gone.toStatus() as unknown as KubeObject });
          onClose('gone');
          return () => undefined;
        }
        backlog = evs.filter((e) => e.key.startsWith(prefix));
      }
    }
    const first: WatchEvent[] = initial.map((o) => ({ type: 'ADDED', object: o }));
    if (opts.sendInitialEvents) first.push({ type: 'BOOKMARK', object: this.bookmark(this.hub.rev, true) });
    for (const ev of backlog) {
      const out = translate(ev, f);
      if (out) first.push(out);
    }
    // from the snapshot to registration nothing awaits, so no event can slip between them
    return startWatcher(this.cache, prefix, f, first, { send, onClose, drain: opts.drain });
  }

  currentRevision(): number {
    return this.hub.rev;
  }

  bookmark(rev: number, initialEventsEnd = false): KubeObject {
    const metadata: KubeObject['metadata'] = { resourceVersion: String(rev) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    return { apiVersion: apiVersionOf(this.kind), kind: this.kind.kind, metadata };
  }

  // ---- writes --------------------------------------------------------------------------------------------------

  async create(ctx: WriteContext, input: KubeObject): Promise<KubeObject> {
    let obj = ctx.inputOwned ? input : clone(input);
    checkTypeMeta(this.kind, obj);
    checkNamespace(this.kind, ctx, obj);
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + nameSuffix();
    const stamp = (m: KubeObject['metadata']) => {
      for (const f of ['uid', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'] as const) delete m[f];
      m.creationTimestamp = created;
      m.uid = uid;
      if (this.def.generation) m.generation = 1;
      else delete m.generation;
    };
    const created = nowTime();
    const uid = newUid();
    stamp(obj.metadata);
    const admitCreate = this.strategyContext.admitCreate;
    await admitCreate?.(this.kind, obj);
    const mutated = await this.webhooks.mutate(ctx, 'CREATE', obj, undefined, obj.metadata.name as string, admitCreate && ((o) => admitCreate(this.kind, o)));
    if (mutated !== obj) {
      // what the server sets is the server's, whatever a webhook's patch said
      obj = mutated as KubeObject;
      checkTypeMeta(this.kind, obj);
      checkNamespace(this.kind, ctx, obj);
      stamp(obj.metadata);
    }
    const meta = obj.metadata;
    guardedHook(this.def, obj, undefined, ctx, () => this.def.prepareForCreate(obj, this.strategyContext, ctx));
    checkObject(this.def, obj, undefined, ctx);
    if (ctx.fieldManager) trackWrite(this.def, ctx.fieldManager, obj, undefined);
    if (ctx.access) await this.def.authorizeWrite?.(obj, undefined, ctx);
    if (this.kind.namespaced) await this.namespaceGate(meta.namespace as string);
    await this.webhooks.validate(ctx, 'CREATE', obj, undefined, meta.name as string);
    await this.strategyContext.validateCreate?.(this.kind, obj, ctx.dryRun);
    if (ctx.dryRun) {
      if (this.cache.get(this.key(meta.namespace, meta.name as string))) throw errors.alreadyExists(this.kind, meta.name as string);
      await this.def.allocate?.(obj, undefined, this.strategyContext, true);
      return obj;
    }
    const txn = await this.def.allocate?.(obj, undefined, this.strategyContext, false);
    let res: Awaited<ReturnType<Storage['create']>>;
    try {
      res = await this.storage.create(this.key(meta.namespace, meta.name as string), obj);
    } catch (e) {
      await txn?.revert();
      throw e;
    }
    if (!res.ok) {
      await txn?.revert();
      throw errors.alreadyExists(this.kind, meta.name as string);
    }
    await txn?.commit();
    return res.obj;
  }

  /** A create of a kind that is never stored (KindSpec.createOnly): checked as any create, then answered, not written. */
  async createOnly(ctx: WriteContext, input: KubeObject): Promise<KubeObject> {
    const answer = this.def.createOnly;
    if (!answer) throw errors.methodNotAllowed();
    const obj = clone(input);
    checkTypeMeta(this.kind, obj);
    checkNamespace(this.kind, ctx, obj);
    checkObject(this.def, obj, undefined, ctx);
    return answer(obj, ctx);
  }

  /**
   * Read-modify-write under optimistic concurrency: mutate gets the current object and returns the new one. A
   * resourceVersion in the new object is a precondition (409 when stale); without one the write is retried on
   * races, as Kubernetes does for patches and unconditional updates.
   */
  async update(ctx: WriteContext, name: string, mutate: (current: KubeObject) => KubeObject, scope?: WriteScope,
    allowCreate: boolean | 'apply' = false): Promise<{ obj: KubeObject; created: boolean }> {
    const key = this.key(ctx.namespace, name);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.storage.get(key);
      if (!cur) {
        // a PUT creates only kinds that allow it; a server-side apply creates any kind's object, as Kubernetes does
        if (!allowCreate || (allowCreate !== 'apply' && !this.def.allowCreateOnUpdate) || scope) throw errors.notFound(this.kind, name);
        const fresh = mutate(undefined as unknown as KubeObject);
        return { obj: await this.create(ctx, fresh), created: true };
      }
      let next = clone(mutate(clone(cur.obj)));
      const wantRv = preconditionRv(next.metadata?.resourceVersion);
      if (wantRv !== undefined && wantRv !== BigInt(cur.rev)) throw errors.conflict(this.kind, name);
      // as Kubernetes does, admission runs again on every attempt: the stored object it sees may have changed
      next = (await this.webhooks.mutate(ctx, 'UPDATE', next, cur.obj, name)) as KubeObject;
      const obj = this.prepareUpdate(ctx, next, cur.obj, scope);
      // a subresource's apply recorded its ownership on the object it produced, which the scope only takes status from
      if (scope && ctx.fieldManager?.applied) obj.metadata.managedFields = next.metadata.managedFields;
      if (ctx.fieldManager) trackWrite(this.def, ctx.fieldManager, obj, cur.obj);
      if (!scope && ctx.access) await this.def.authorizeWrite?.(obj, cur.obj, ctx);
      await this.webhooks.validate(ctx, 'UPDATE', obj, cur.obj, name);
      // an unchanged object is not written again, unless it is stored under an old encryption key (rotation)
      if (!cur.stale && deepEqual(withoutRv(obj), withoutRv(cur.obj))) return { obj: cur.obj, created: false };
      // what an update newly holds of a shared range (a Service turned NodePort) is taken before it is written
      const allocate = scope ? undefined : this.def.allocate;
      if (ctx.dryRun) {
        await allocate?.(obj, cur.obj, this.strategyContext, true);
        return { obj, created: false };
      }
      if (obj.metadata.deletionTimestamp && !obj.metadata.finalizers?.length && !obj.metadata.deletionGracePeriodSeconds && this.def.isFinalized(obj)) {
        const del = await this.storage.delete(key, cur.rev);
        if (del.ok) {
          await this.released(cur.obj);
          return { obj, created: false };
        }
      } else {
        const txn = await allocate?.(obj, cur.obj, this.strategyContext, false);
        let res: Awaited<ReturnType<Storage['update']>>;
        try {
          res = await this.storage.update(key, obj, cur.rev);
        } catch (e) {
          await txn?.revert();
          throw e;
        }
        if (res.ok) {
          await txn?.commit();
          return { obj: res.obj, created: false };
        }
        await txn?.revert();
      }
      if (attempt >= MAX_RETRIES) throw errors.conflict(this.kind, name);
    }
  }

  private prepareUpdate(ctx: WriteContext, next: KubeObject, old: KubeObject, scope: WriteScope | undefined): KubeObject {
    checkTypeMeta(this.kind, next);
    next.metadata ??= {};
    if (next.metadata.name !== undefined && next.metadata.name !== old.metadata.name) {
      throw errors.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${old.metadata.name})`);
    }
    if (this.kind.namespaced && next.metadata.namespace !== undefined && next.metadata.namespace !== old.metadata.namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    let obj: KubeObject;
    if (scope) {
      obj = scope.merge(next, old);
    } else {
      obj = next;
      const m = obj.metadata;
      const o = old.metadata;
      m.name = o.name;
      if (this.kind.namespaced) m.namespace = o.namespace;
      m.uid = o.uid;
      m.creationTimestamp = o.creationTimestamp;
      if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp;
      else delete m.deletionTimestamp;
      if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
      else delete m.deletionGracePeriodSeconds;
      if (this.def.subresources.status) {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
      if (o.deletionTimestamp && (m.finalizers ?? []).some((f) => !(o.finalizers ?? []).includes(f))) {
        throw errors.forbidden(`no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify((m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f)))}`);
      }
    }
    obj.apiVersion = apiVersionOf(this.kind);
    obj.kind = this.kind.kind;
    if (this.def.generation) {
      obj.metadata.generation = old.metadata.generation ?? 1;
      if (!scope && specPart(obj) !== specPart(old)) obj.metadata.generation += 1;
    } else delete obj.metadata.generation;
    if (!scope) guardedHook(this.def, obj, old, ctx, () => this.def.prepareForUpdate(obj, old));
    checkObject(this.def, obj, !scope || scope.updateChecks ? old : undefined, ctx);
    return obj;
  }

  async delete(ctx: WriteContext, name: string, opts: DeleteOptions): Promise<{ obj: KubeObject; deleted: boolean }> {
    const key = this.key(ctx.namespace, name);
    // mutating webhooks see a delete with no object (and may not patch one); validating ones the stored object
    const options = { ...opts } as Record<string, unknown>;
    await this.webhooks.mutate(ctx, 'DELETE', undefined, undefined, name, undefined, options);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.storage.get(key);
      if (!cur) throw errors.notFound(this.kind, name);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== cur.obj.metadata.uid) {
        throw errors.conflict(this.kind, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.obj.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== String(cur.rev)) {
        throw errors.conflict(this.kind, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.rev}`);
      }
      await this.webhooks.validate(ctx, 'DELETE', undefined, cur.obj, name, options);
      const obj = clone(cur.obj);
      const m = obj.metadata;
      const finalizers = new Set(m.finalizers ?? []);
      const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined);
      if (!m.deletionTimestamp) {
        if (policy === 'Orphan') finalizers.add('orphan');
        if (policy === 'Foreground') finalizers.add('foregroundDeletion');
      }
      const grace = this.def.gracePeriod?.(obj, opts.gracePeriodSeconds);
      const terminating = this.def.beginDelete?.(obj) ?? false;
      const keep = finalizers.size > 0 || (grace !== undefined && grace > 0) || terminating;
      let write: Promise<{ ok: boolean; obj?: KubeObject }>;
      if (keep) {
        const now = Date.now();
        const prevDeadline = m.deletionTimestamp ? Date.parse(m.deletionTimestamp) : Infinity;
        const deadline = now + (grace ?? 0) * 1000;
        if (deadline < prevDeadline) {
          m.deletionTimestamp = nowTime(new Date(deadline));
          m.deletionGracePeriodSeconds = grace ?? 0;
        }
        if (finalizers.size) m.finalizers = [...finalizers];
        if (deepEqual(obj, cur.obj)) return { obj: cur.obj, deleted: false };
        if (ctx.dryRun) return { obj, deleted: false };
        write = this.storage.update(key, obj, cur.rev);
      } else {
        if (ctx.dryRun) return { obj: cur.obj, deleted: true };
        write = this.storage.delete(key, cur.rev);
      }
      const res = await write;
      if (res.ok && !keep) await this.released(cur.obj);
      if (res.ok) return keep ? { obj: res.obj as KubeObject, deleted: false } : { obj: cur.obj, deleted: true };
      if (attempt >= MAX_RETRIES) throw errors.conflict(this.kind, name);
    }
  }

  /**
   * Gives back what a deleted object held (its cluster IP). A failure is logged, not returned: the object is gone,
   * and the allocation repair loop frees what is left over.
   */
  private async released(obj: KubeObject): Promise<void> {
    try {
      await this.def.release?.(obj, this.strategyContext);
    } catch (e) {
      log.warn('could not release what a deleted object held; the repair loop will', { kind: this.kind.kind, name: obj.metadata.name, error: (e as Error).message });
    }
  }

  async deleteCollection(ctx: WriteContext, namespace: string | undefined, list: ListOptions, opts: DeleteOptions): Promise<KubeObject[]> {
    const { items } = await this.list(namespace, { ...list, limit: undefined, continue: undefined });
    const out: KubeObject[] = [];
    for (const item of items) {
      try {
        const r = await this.delete({ ...ctx, namespace: item.metadata.namespace }, item.metadata.name as string, opts);
        out.push(r.obj);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return out;
  }
}

function withoutRv(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...m } = obj.metadata;
  return { ...obj, metadata: m };
}
