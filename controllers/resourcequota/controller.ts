// The resource quota controller: keeps every ResourceQuota's status.hard (its spec.hard) and status.used (what the
// namespace's objects in the quota's scopes cost, lib/api/quota.ts) true. Admission charges creates as they come;
// this recount is what gives back what deleted (or finished) objects held, and corrects a charge whose create then
// failed. Each quota is recounted when it is created or its spec changes, when an object of a kind it counts goes
// (or a pod finishes) in its namespace, and every resync.
import { findByKind, KINDS, type KindInfo } from '../../lib/api/kinds.js';
import { formatAmount, matchesScopes, objectUsage, podCounts } from '../../lib/api/quota.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isConflict, isNotFound, keyOf, Reconciler, splitKey, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';

export const RESOURCE_QUOTA = findByKind('v1', 'ResourceQuota')!;
const CORE_COUNTED = ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'resourcequotas'];
const POD_RESOURCES = /^(pods|count\/pods|(requests\.|limits\.)?(cpu|memory|ephemeral-storage))$/;
/** A full recount of every quota this often (Kubernetes' --resource-quota-sync-period). */
const RESYNC_MS = 5 * 60_000;

/** The kind a quota's resource name counts: `pods` and compute -> pods, `count/deployments.apps` -> deployments. */
export function kindCounted(resource: string): KindInfo | undefined {
  if (POD_RESOURCES.test(resource)) return findByKind('v1', 'Pod');
  if (resource === 'services.nodeports' || resource === 'services.loadbalancers') return findByKind('v1', 'Service');
  if (resource === 'requests.storage') return findByKind('v1', 'PersistentVolumeClaim');
  const name = resource.startsWith('count/') ? resource.slice('count/'.length) : resource;
  const dot = name.indexOf('.');
  const [res, group] = dot < 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1)];
  if (!resource.startsWith('count/') && !CORE_COUNTED.includes(res)) return undefined;
  // the preferred (first served) version of the group's resource
  return KINDS.find((k) => k.resource === res && k.group === group && k.namespaced && !k.createOnly);
}

export class ResourceQuotaController extends Reconciler {
  private readonly quotas: Informer;
  private readonly watched = new Map<KindInfo, Informer>();

  constructor(private readonly ctx: ControllerContext) {
    super('resourcequota-controller');
    this.quotas = ctx.informers.informerFor(RESOURCE_QUOTA);
    this.quotas.onAdd((q) => this.enqueue(keyOf(q))).onUpdate((o, q) => {
      if (JSON.stringify(o.spec) !== JSON.stringify(q.spec) || !q.status?.used) this.enqueue(keyOf(q));
    });
    for (const r of CORE_COUNTED) this.watch(kindCounted(r) as KindInfo);
  }

  /** Informs on a kind some quota counts, recounting the namespace's quotas when its objects change. */
  private watch(kind: KindInfo): Informer {
    let inf = this.watched.get(kind);
    if (inf) return inf;
    inf = this.ctx.informers.informerFor(kind);
    const changed = (o: KubeObject): void => {
      for (const q of this.quotas.list({ namespace: o.metadata.namespace })) this.enqueue(keyOf(q));
    };
    // only what gives room back (Kubernetes' replenishment): adds were charged by admission, and a recount from
    // caches that have not seen the newest objects yet would hand a unit out twice
    const released = (o: KubeObject, n: KubeObject): boolean => kind.resource === 'pods'
      && ((!o.metadata.deletionTimestamp && !!n.metadata.deletionTimestamp) || (podCounts(o) && !podCounts(n)));
    inf.onUpdate((o, n) => {
      if (released(o, n)) changed(n);
    }).onDelete(changed);
    this.watched.set(kind, inf);
    return inf;
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.quotas.start(), ...[...this.watched.values()].map((i) => i.start())]);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [namespace, name] = splitKey(key);
    const quota = this.quotas.get(name, namespace);
    if (!quota || quota.metadata.deletionTimestamp) return;
    const hard = (quota.spec?.hard ?? {}) as Record<string, string>;
    const used: Record<string, string> = {};
    const now = Date.now();
    for (const r of Object.keys(hard)) {
      const kind = kindCounted(r);
      if (!kind) {
        used[r] = '0';
        continue;
      }
      const inf = this.watch(kind);
      await inf.start();
      let total = 0;
      for (const o of inf.list({ namespace })) {
        if (kind.resource === 'pods' && !podCounts(o, now)) continue;
        if (!matchesScopes(quota, kind.resource, kind.group, o)) continue;
        total += objectUsage(kind.resource, kind.group, o).get(r) ?? 0;
      }
      used[r] = formatAmount(r, total);
    }
    const status = { hard: { ...hard }, used };
    if (JSON.stringify(quota.status ?? {}) !== JSON.stringify(status)) {
      try {
        await this.ctx.client.updateStatus(RESOURCE_QUOTA, { ...quota, status });
      } catch (e) {
        if (isNotFound(e)) return;
        if (isConflict(e)) return { requeueAfter: 100 }; // admission charged meanwhile: recount from the newer quota
        throw e;
      }
    }
    return { requeueAfter: RESYNC_MS };
  }
}
