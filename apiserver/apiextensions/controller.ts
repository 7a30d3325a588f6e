// The API server's CRD controller, as Kubernetes' naming, establishing and finalizing controllers together: it
// watches CustomResourceDefinitions, accepts their names unless another definition of the group holds them
// (NamesAccepted), serves each accepted one at once as kinds in the KindRegistry (Established), so discovery, OpenAPI,
// routing, the watch cache and RBAC see it like a built-in kind; and, once one is deleted, deletes all its objects,
// drops its finalizer, then stops serving it. At start the definitions already in etcd are served before the watch
// cache is primed, so their objects are in it from the first request.
import { apiVersionOf, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import type { KindDefinition, StrategyContext } from '../registry/kind.js';
import { nowTime } from '../registry/meta.js';
import type { KindRegistry } from '../registry/registry.js';
import type { NamespaceGate, Store } from '../registry/store.js';
import { STATUS_WRITE } from '../registry/subresources.js';
import type { WriteContext } from '../registry/types.js';
import type { CacheHub } from '../storage/cache.js';
import { resourcePrefix } from '../storage/keys.js';
import type { Storage } from '../storage/storage.js';
import { CLEANUP_FINALIZER, definitionsFor, readCrd, storageVersionOf, type CrdSpec } from './custom-kind.js';
import { acceptNames, type Condition } from './names.js';
import { byVersionPriority } from './version-priority.js';
import { CustomResourceStore } from './versioned-store.js';

const log = logger('crd-controller');
const CRD_PREFIX = resourcePrefix({ group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' });
const EVERYTHING = { matches: () => true, isEverything: true };
const SERVER: () => WriteContext = () => ({ dryRun: false, fieldValidation: 'Ignore', warnings: [] });
/** How long a definition being deleted waits before looking again at objects that are still there (finalizers). */
const CLEANUP_RETRY_MS = 1000;

export interface CrdControllerDeps {
  kinds: KindRegistry;
  stores: Map<KindInfo, Store>;
  storage: Storage;
  hub: CacheHub;
  gate: NamespaceGate;
  ctx: StrategyContext;
}

interface Served {
  /** What the definitions were built from; a change rebuilds them. */
  signature: string;
  defs: KindDefinition[];
  /** The storage version's apiVersion, read by the stores on every write. */
  storageApiVersion: string;
  /** The CRD is being deleted: its kinds refuse creates. */
  terminating: boolean;
}

export class CrdController {
  private readonly served = new Map<string, Served>();
  private queue: Promise<void> = Promise.resolve();
  private stopWatch?: () => void;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: CrdControllerDeps) {}

  /** Before the watch cache is primed: serves every established definition in etcd, and caches every one's objects. */
  async loadFromStorage(): Promise<void> {
    for await (const page of this.deps.storage.pages(CRD_PREFIX, await this.deps.storage.currentRevision())) {
      for (const { obj } of page) {
        const crd = readCrd(obj);
        this.deps.hub.register(resourcePrefix({ group: crd.group, resource: asPlural(obj) }));
        if (isEstablished(obj) && !obj.metadata.deletionTimestamp) this.serve(obj);
      }
    }
  }

  /** Watches the definitions (from the watch cache) and reconciles each change, one at a time. */
  async start(crdStore: Store): Promise<void> {
    this.crdStore = crdStore;
    this.stopWatch = await crdStore.watch(undefined, { filter: EVERYTHING }, (ev) => {
      if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return true;
      const obj = ev.object;
      this.enqueue(() => (ev.type === 'DELETED' ? this.forget(obj) : this.reconcile(obj.metadata.name as string)));
      return true;
    }, (reason) => {
      if (this.stopped) return;
      log.warn('the CRD watch closed; starting it again', { reason });
      void this.start(crdStore);
    });
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    for (const t of this.timers) clearTimeout(t);
  }

  private crdStore?: Store;

  private enqueue(fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn).catch((e: unknown) => log.error('reconciling a CustomResourceDefinition failed', { error: (e as Error).message }));
  }

  private later(name: string): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.enqueue(() => this.reconcile(name));
    }, CLEANUP_RETRY_MS);
    t.unref();
    this.timers.add(t);
  }

  private async reconcile(name: string): Promise<void> {
    if (this.stopped || !this.crdStore) return;
    let crd: KubeObject;
    try {
      crd = await this.crdStore.get(undefined, name);
    } catch {
      return this.unserve(name);
    }
    if (crd.metadata.deletionTimestamp) return this.cleanUp(crd);
    const others = this.crdStore.cache.list().filter((o) => o.metadata.name !== name && !o.metadata.deletionTimestamp);
    const accepted = acceptNames(crd, others);
    const established = accepted.namesAccepted.status === 'True';
    const conditions: Condition[] = [accepted.namesAccepted, established
      ? { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }
      : { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }];
    // served before Established is written, so a client that waits for the condition finds the resource there
    if (established && !this.serve({ ...crd, status: { ...(crd.status ?? {}), acceptedNames: accepted.acceptedNames } })) {
      conditions[1] = { type: 'Established', status: 'False', reason: 'Installing', message: 'the definition\'s kinds could not be built; see the API server log' };
    } else if (!established) this.unserve(name);
    await this.writeStatus(name, conditions, accepted.acceptedNames);
  }

  /** Writes the conditions and accepted names when they changed; the definition as stored. */
  private async writeStatus(name: string, conditions: Condition[], acceptedNames: Record<string, unknown> | undefined): Promise<KubeObject | undefined> {
    const store = this.crdStore as Store;
    try {
      const { obj } = await store.update(SERVER(), name, (cur) => {
        const status = { ...(cur.status ?? {}) };
        const old = (status.conditions as Condition[] | undefined) ?? [];
        status.conditions = [...conditions.map((c) => merged(c, old.find((o) => o.type === c.type))),
          ...old.filter((o) => !conditions.some((c) => c.type === o.type))];
        if (acceptedNames) status.acceptedNames = acceptedNames;
        return { ...cur, status };
      }, STATUS_WRITE);
      return obj;
    } catch (e) {
      log.warn('could not write a CustomResourceDefinition\'s status', { name, error: (e as Error).message });
      return undefined;
    }
  }

  /** Serves the definition's served versions (again, when what they are built from changed). */
  /** False when the definition's kinds could not be built (it stays unserved). */
  private serve(crdObj: KubeObject): boolean {
    const crd = readCrd(crdObj);
    const signature = JSON.stringify([crdObj.spec, crdObj.status?.acceptedNames]);
    const current = this.served.get(crd.name);
    if (current?.signature === signature) return true;
    let defs: KindDefinition[];
    try {
      defs = definitionsFor(crd, () => this.served.get(crd.name)?.terminating === true).sort((a, b) => byVersionPriority(a.info.version, b.info.version));
    } catch (e) {
      log.error('could not build the kinds of a CustomResourceDefinition', { name: crd.name, error: (e as Error).message });
      return false;
    }
    if (current) this.unserve(crd.name);
    const served: Served = { signature, defs: [], storageApiVersion: apiVersionOf({ group: crd.group, version: storageVersionOf(crd) }), terminating: false };
    const { kinds, stores, storage, hub, gate, ctx } = this.deps;
    for (const def of defs) {
      if (kinds.get(def.info)) {
        log.warn('a CustomResourceDefinition names a resource already served', { name: crd.name, version: def.info.version });
        continue;
      }
      stores.set(def.info, new CustomResourceStore(def, storage, hub, gate, ctx, () => served.storageApiVersion));
      kinds.register(def);
      served.defs.push(def);
    }
    this.served.set(crd.name, served);
    log.info('serving a custom resource', { name: crd.name, versions: served.defs.map((d) => d.info.version) });
    return true;
  }

  private unserve(name: string): void {
    const s = this.served.get(name);
    if (!s) return;
    this.served.delete(name);
    for (const def of s.defs) {
      this.deps.kinds.unregister(def);
      this.deps.stores.delete(def.info);
    }
    log.info('stopped serving a custom resource', { name });
  }

  private async forget(obj: KubeObject): Promise<void> {
    this.unserve(obj.metadata.name as string);
  }

  /**
   * A definition being deleted: every object of it is deleted (through the storage version's store, so their own
   * finalizers are honoured), then the cleanup finalizer goes and the definition with it; then it is no longer served.
   */
  private async cleanUp(crdObj: KubeObject): Promise<void> {
    const name = crdObj.metadata.name as string;
    if (!(crdObj.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) return;
    const crd = readCrd(crdObj);
    const serving = this.served.get(crd.name);
    if (serving) serving.terminating = true;
    const store = this.storeOf(crd);
    let remaining = 0;
    if (store) {
      const { items } = await store.list(undefined, { filter: EVERYTHING });
      for (const item of items) {
        try {
          await store.delete({ ...SERVER(), namespace: item.metadata.namespace }, item.metadata.name as string, {});
        } catch (e) {
          if ((e as { code?: number }).code !== 404) log.warn('could not delete a custom object', { crd: name, object: item.metadata.name, error: (e as Error).message });
        }
      }
      remaining = (await store.list(undefined, { filter: EVERYTHING })).items.length;
    }
    if (remaining) {
      await this.writeStatus(name, [{ type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: `CustomResource deletion is in progress: ${remaining} remaining` }], undefined);
      this.later(name);
      return;
    }
    try {
      await (this.crdStore as Store).update(SERVER(), name, (cur) => ({
        ...cur, metadata: { ...cur.metadata, finalizers: (cur.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER) },
      }));
    } catch (e) {
      log.warn('could not drop the cleanup finalizer', { name, error: (e as Error).message });
      this.later(name);
      return;
    }
    this.unserve(name);
  }

  /** A store of the definition's objects: a served version's, or one made for the cleanup when none is served. */
  private storeOf(crd: CrdSpec): Store | undefined {
    const s = this.served.get(crd.name);
    const def = s?.defs[0];
    if (def) return this.deps.stores.get(def.info);
    const defs = definitionsFor({ ...crd, versions: crd.versions.map((v) => ({ ...v, served: v.storage })) });
    const d = defs[0];
    if (!d) return undefined;
    const { storage, hub, gate, ctx } = this.deps;
    const api = apiVersionOf({ group: crd.group, version: d.info.version });
    return new CustomResourceStore(d, storage, hub, gate, ctx, () => api);
  }
}

const asPlural = (obj: KubeObject): string => String((obj.spec?.names as { plural?: string } | undefined)?.plural ?? '');

function isEstablished(obj: KubeObject): boolean {
  const conditions = (obj.status?.conditions as Condition[] | undefined) ?? [];
  return conditions.some((c) => c.type === 'Established' && c.status === 'True');
}

/** A condition keeps its lastTransitionTime while its status doesn't change. */
function merged(c: Condition, old: Condition | undefined): Condition {
  const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : nowTime();
  return { ...c, lastTransitionTime };
}
