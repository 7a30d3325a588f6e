// A version served from the objects of another (KindSpec.convert): autoscaling/v1 HorizontalPodAutoscalers are the
// v2 objects seen through a conversion, as Kubernetes serves every version of a resource from one storage version.
// Every verb goes to the stored version's store (its checks, defaulting, concurrency and watch cache), with the
// objects converted on the way in and out; errors name the same resource either way.
import { apiVersionOf } from '../../lib/api/kinds.js';
import type { KubeObject, WatchEvent } from '../../lib/api/types.js';
import { errors } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import type { CacheHub } from '../storage/cache.js';
import type { KindDefinition, StrategyContext, VersionConversion } from './kind.js';
import { Store, type NamespaceGate } from './store.js';
import type { DeleteOptions, ListOptions, ListResult, WatchOptions, WriteContext, WriteScope } from './types.js';

export class ConvertingStore extends Store {
  private readonly conv: VersionConversion;

  constructor(def: KindDefinition, storage: Storage, hub: CacheHub, gate: NamespaceGate, ctx: StrategyContext, private readonly target: Store) {
    super(def, storage, hub, gate, ctx);
    this.conv = def.convert as VersionConversion;
  }

  private out = (obj: KubeObject): KubeObject => this.conv.fromStorage(obj);

  /** A body in this version (its apiVersion and kind checked as the store checks them), in the stored version. */
  private in(obj: KubeObject): KubeObject {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw errors.badRequest('the request body must be a JSON or YAML object');
    const want = apiVersionOf(this.kind);
    if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
      throw errors.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`);
    }
    return this.conv.toStorage({ ...obj, apiVersion: want, kind: this.kind.kind });
  }

  override async get(namespace: string | undefined, name: string, resourceVersion?: string): Promise<KubeObject> {
    return this.out(await this.target.get(namespace, name, resourceVersion));
  }

  override async list(namespace: string | undefined, opts: ListOptions): Promise<ListResult> {
    const res = await this.target.list(namespace, opts);
    return { ...res, items: res.items.map(this.out) };
  }

  override watch(namespace: string | undefined, opts: WatchOptions, send: (ev: WatchEvent) => boolean, onClose: (reason: string) => void): Promise<() => void> {
    const apiVersion = apiVersionOf(this.kind);
    return this.target.watch(namespace, opts, (ev) => {
      // bookmarks carry only a resourceVersion; an ERROR's Status is no object of the kind
      if (ev.type === 'BOOKMARK') return send({ ...ev, object: { ...ev.object, apiVersion } } as WatchEvent);
      if (ev.type === 'ERROR') return send(ev);
      return send({ ...ev, object: this.out(ev.object as KubeObject) } as WatchEvent);
    }, onClose);
  }

  override async create(ctx: WriteContext, input: KubeObject): Promise<KubeObject> {
    return this.out(await this.target.create(ctx, this.in(input)));
  }

  override async update(ctx: WriteContext, name: string, mutate: (current: KubeObject) => KubeObject, scope?: WriteScope,
    allowCreate = false): Promise<{ obj: KubeObject; created: boolean }> {
    const res = await this.target.update(ctx, name, (cur) => this.in(mutate(cur ? this.out(cur) : cur)), scope, allowCreate);
    return { ...res, obj: this.out(res.obj) };
  }

  override async delete(ctx: WriteContext, name: string, opts: DeleteOptions): Promise<{ obj: KubeObject; deleted: boolean }> {
    const res = await this.target.delete(ctx, name, opts);
    return { ...res, obj: this.out(res.obj) };
  }

  override async deleteCollection(ctx: WriteContext, namespace: string | undefined, list: ListOptions, opts: DeleteOptions): Promise<KubeObject[]> {
    return (await this.target.deleteCollection(ctx, namespace, list, opts)).map(this.out);
  }
}

/** The store of a kind: its own, or one converting to the version its objects are stored as. */
export function storeFor(def: KindDefinition, storage: Storage, hub: CacheHub, gate: NamespaceGate, ctx: StrategyContext,
  stores: ReadonlyMap<unknown, Store>): Store {
  if (!def.convert) return new Store(def, storage, hub, gate, ctx);
  const target = stores.get(def.convert.storage);
  if (!target) throw new Error(`${def.info.kind} ${apiVersionOf(def.info)} is stored as ${apiVersionOf(def.convert.storage)}, which must be registered first`);
  return new ConvertingStore(def, storage, hub, gate, ctx, target);
}
