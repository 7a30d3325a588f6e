// A custom resource served in several versions keeps one copy of each object, in the CRD's storage version, under
// one etcd prefix (/registry/<group>/<plural>/) shared by every version's store. With the None conversion strategy a
// version is a different apiVersion only: objects are written with the storage version's and read (get, list, watch,
// write answers) with the version the request named.
import type { KubeObject, WatchEvent } from '../../lib/api/types.js';
import type { CacheHub } from '../storage/cache.js';
import type { Storage, Stored, WriteResult } from '../storage/storage.js';
import type { KindDefinition, StrategyContext } from '../registry/kind.js';
import { Store, type NamespaceGate } from '../registry/store.js';
import type { DeleteOptions, ListOptions, ListResult, WatchOptions, WriteContext, WriteScope } from '../registry/types.js';

/** obj with another apiVersion (a shallow copy; the same object when it already has it). */
export function withApiVersion(obj: KubeObject, apiVersion: string): KubeObject {
  return obj && obj.apiVersion !== apiVersion && obj.kind !== 'Status' ? { ...obj, apiVersion } : obj;
}

/** Storage seen through one served version: what goes in is given the storage version, what comes out the served one. */
function versionedStorage(inner: Storage, served: string, stored: () => string): Storage {
  const out = (s: Stored | undefined): Stored | undefined => (s ? { ...s, obj: withApiVersion(s.obj, served) } : s);
  const res = (r: WriteResult): WriteResult => (r.ok ? { ...r, obj: withApiVersion(r.obj, served) } : { ...r, current: out(r.current) });
  return {
    get: async (key) => out(await inner.get(key)),
    currentRevision: () => inner.currentRevision(),
    list: async (prefix, opts) => {
      const page = await inner.list(prefix, opts);
      return { ...page, items: page.items.map((s) => out(s) as Stored) };
    },
    async *pages(prefix, revision, pageSize) {
      for await (const page of inner.pages(prefix, revision, pageSize)) yield page.map((s) => out(s) as Stored);
    },
    compactedPast: (rev) => inner.compactedPast(rev),
    create: async (key, obj) => res(await inner.create(key, withApiVersion(obj, stored()))),
    update: async (key, obj, rev) => res(await inner.update(key, withApiVersion(obj, stored()), rev)),
    delete: async (key, rev) => res(await inner.delete(key, rev)),
    watch: (prefix, from, onEvents, onError, onConnection) => inner.watch(prefix, from, onEvents, onError, onConnection),
  };
}

/** The generic store of one served version of a custom resource. */
export class CustomResourceStore extends Store {
  private readonly apiVersion: string;

  constructor(def: KindDefinition, storage: Storage, hub: CacheHub, gate: NamespaceGate, ctx: StrategyContext, storageApiVersion: () => string) {
    const apiVersion = `${def.info.group}/${def.info.version}`;
    super(def, versionedStorage(storage, apiVersion, storageApiVersion), hub, gate, ctx);
    this.apiVersion = apiVersion;
  }

  private out = (o: KubeObject): KubeObject => withApiVersion(o, this.apiVersion);

  override async get(namespace: string | undefined, name: string, resourceVersion?: string): Promise<KubeObject> {
    return this.out(await super.get(namespace, name, resourceVersion));
  }

  override async list(namespace: string | undefined, opts: ListOptions): Promise<ListResult> {
    const r = await super.list(namespace, opts);
    return { ...r, items: r.items.map(this.out) };
  }

  override watch(namespace: string | undefined, opts: WatchOptions, send: (ev: WatchEvent) => boolean, onClose: (reason: string) => void): Promise<() => void> {
    return super.watch(namespace, opts, (ev) => send(ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED' ? { ...ev, object: this.out(ev.object) } : ev), onClose);
  }

  override async create(ctx: WriteContext, input: KubeObject): Promise<KubeObject> {
    return this.out(await super.create(ctx, input));
  }

  override async update(ctx: WriteContext, name: string, mutate: (current: KubeObject) => KubeObject, scope?: WriteScope,
    allowCreate = false): Promise<{ obj: KubeObject; created: boolean }> {
    const r = await super.update(ctx, name, mutate, scope, allowCreate);
    return { ...r, obj: this.out(r.obj) };
  }

  override async delete(ctx: WriteContext, name: string, opts: DeleteOptions): Promise<{ obj: KubeObject; deleted: boolean }> {
    const r = await super.delete(ctx, name, opts);
    return { ...r, obj: this.out(r.obj) };
  }
}
