// A client bound to one kind, typed by its objects: `client.for(DEPLOYMENTS)` or, for a custom resource,
// `client.for<Website>('sites.example.com', 'v1', 'websites')`. A custom kind's Kind and scope come from the
// caller when it knows them, otherwise from the server's discovery document for its group version (asked once).
import { findByResource, type KindInfo } from '../api/kinds.js';
import type { KubeList, KubeObject, WatchEvent } from '../api/types.js';
import type { TypedKind } from './builtin-types.js';
import type { Client, DeleteOptions, ListOptions, PatchType, WriteOptions } from './rest.js';
import { watch, type WatchOptions } from './watch.js';

interface ApiResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean; singularName?: string }>;
}

/** Where a kind is served, and (optionally) what discovery would say about it. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  kind?: string;
  namespaced?: boolean;
}

export class TypedClient<T extends KubeObject> {
  private resolved?: Promise<KindInfo>;

  constructor(readonly client: Client, private readonly ref: KindInfo | ResourceRef) {
    if ('resource' in ref) this.resolved = Promise.resolve(ref);
  }

  /** The kind this client serves; a custom one not described by the caller is looked up in discovery (once). */
  kindInfo(): Promise<KindInfo> {
    return (this.resolved ??= this.discover(this.ref as ResourceRef));
  }

  private async discover(r: ResourceRef): Promise<KindInfo> {
    const base = findByResource(r.group, r.version, r.plural);
    if (base) return base;
    if (r.kind !== undefined && r.namespaced !== undefined) {
      return { group: r.group, version: r.version, kind: r.kind, resource: r.plural, singular: r.kind.toLowerCase(), namespaced: r.namespaced,
        shortNames: [], categories: [], subresources: [] };
    }
    const path = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    let list: ApiResourceList;
    try {
      list = await this.client.request<ApiResourceList>({ method: 'GET', path });
    } catch (e) {
      this.resolved = undefined; // a CRD not yet established: the next call asks again
      throw e;
    }
    const res = list.resources?.find((x) => x.name === r.plural);
    const subs = (list.resources ?? []).filter((x) => x.name.startsWith(`${r.plural}/`)).map((x) => x.name.slice(r.plural.length + 1));
    if (!res) {
      this.resolved = undefined;
      throw new Error(`the server does not serve ${r.plural} in ${path}`);
    }
    return { group: r.group, version: r.version, kind: r.kind ?? res.kind, resource: r.plural, singular: res.singularName || res.kind.toLowerCase(),
      namespaced: r.namespaced ?? res.namespaced, shortNames: [], categories: [], subresources: subs };
  }

  async get(name: string, namespace?: string): Promise<T> {
    return this.client.get<T>(await this.kindInfo(), name, { namespace });
  }

  async list(o: ListOptions = {}): Promise<KubeList<T>> {
    return this.client.listAll<T>(await this.kindInfo(), o);
  }

  async create(obj: T, o: WriteOptions = {}): Promise<T> {
    return this.client.create<T>(await this.kindInfo(), obj, o);
  }

  async update(obj: T, o: WriteOptions = {}): Promise<T> {
    return this.client.update<T>(await this.kindInfo(), obj, o);
  }

  async updateStatus(obj: T): Promise<T> {
    return this.client.updateStatus<T>(await this.kindInfo(), obj);
  }

  async patch(name: string, patch: unknown, o: { namespace?: string; type?: PatchType; subresource?: string } & WriteOptions = {}): Promise<T> {
    const { type, ...rest } = o;
    return this.client.patch<T>(await this.kindInfo(), name, patch, type ?? 'merge', rest);
  }

  async patchStatus(name: string, patch: unknown, o: { namespace?: string; type?: PatchType } = {}): Promise<T> {
    return this.client.patchStatus<T>(await this.kindInfo(), name, patch, o.type ?? 'merge', { namespace: o.namespace });
  }

  async delete(name: string, o: DeleteOptions & { namespace?: string } = {}): Promise<KubeObject> {
    return this.client.delete(await this.kindInfo(), name, o);
  }

  /** Streams watch events from o.resourceVersion (an Informer resumes and re-lists; a bare watch does not). */
  async *watch(o: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    yield* watch<T>(this.client, await this.kindInfo(), o);
  }
}

/** The typed client of a kind known at compile time (built-in or customKind()). */
export function typedClient<T extends KubeObject>(client: Client, kind: TypedKind<T>): TypedClient<T> {
  return new TypedClient<T>(client, kind);
}
