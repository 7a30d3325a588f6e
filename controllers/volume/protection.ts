// Storage object in-use protection (Kubernetes' pvc-protection and pv-protection controllers): a claim being deleted
// keeps its kubernetes.io/pvc-protection finalizer while a pod that isn't finished uses it; a volume being deleted
// keeps kubernetes.io/pv-protection while it is Bound. Once free, the finalizer goes and the deletion completes.
import { findByKind } from '../../lib/api/kinds.js';
import { PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER } from '../../lib/api/storage.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isNotFound, Reconciler, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { KindInfo } from '../../lib/api/kinds.js';
import type { ControllerContext } from '../context.js';

const PVC = findByKind('v1', 'PersistentVolumeClaim')!;
const PV = findByKind('v1', 'PersistentVolume')!;
const POD = findByKind('v1', 'Pod')!;

/** The claims a pod's volumes name (ephemeral volumes' claims are <pod>-<volume>). */
export function claimsOf(pod: KubeObject): string[] {
  return ((pod.spec?.volumes ?? []) as Array<{ name: string; persistentVolumeClaim?: { claimName?: string }; ephemeral?: unknown }>)
    .flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : v.ephemeral ? [`${pod.metadata.name}-${v.name}`] : []));
}

const finished = (p: KubeObject): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class StorageProtectionController extends Reconciler {
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly pods: Informer;

  constructor(private readonly ctx: ControllerContext) {
    super('storage-protection-controller');
    this.claims = ctx.informers.informerFor(PVC);
    this.volumes = ctx.informers.informerFor(PV);
    this.pods = ctx.informers.informerFor(POD);
    this.pods.indexByNamespace();
    const claim = (c: KubeObject): void => {
      if (c.metadata.deletionTimestamp) this.enqueue(`claim/${c.metadata.namespace}/${c.metadata.name}`);
    };
    this.claims.onAdd(claim).onUpdate((_o, c) => claim(c));
    const volume = (v: KubeObject): void => {
      if (v.metadata.deletionTimestamp) this.enqueue(`volume/${v.metadata.name}`);
    };
    this.volumes.onAdd(volume).onUpdate((_o, v) => volume(v));
    // a pod that finished or went may free the claims it used
    const pod = (p: KubeObject): void => {
      for (const name of claimsOf(p)) this.enqueue(`claim/${p.metadata.namespace}/${name}`);
    };
    this.pods.onUpdate((_o, p) => {
      if (finished(p)) pod(p);
    }).onDelete(pod);
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.claims.start(), this.volumes.start(), this.pods.start()]);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [kind, a, b] = key.split('/');
    if (kind === 'claim') {
      const pvc = this.claims.get(b as string, a);
      if (!pvc?.metadata.deletionTimestamp || !pvc.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER)) return;
      const inUse = this.pods.byIndex('namespace', a as string).some((p) => !finished(p) && claimsOf(p).includes(b as string));
      if (!inUse) await this.dropFinalizer(PVC, pvc, PVC_PROTECTION_FINALIZER);
    } else if (kind === 'volume') {
      const pv = this.volumes.get(a as string);
      if (!pv?.metadata.deletionTimestamp || !pv.metadata.finalizers?.includes(PV_PROTECTION_FINALIZER)) return;
      if (pv.status?.phase !== 'Bound') await this.dropFinalizer(PV, pv, PV_PROTECTION_FINALIZER);
    }
  }

  private async dropFinalizer(kind: KindInfo, obj: KubeObject, finalizer: string): Promise<void> {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      // the resourceVersion makes a concurrent change (another finalizer dropped) fail and retry from fresh state
      await this.ctx.client.patch(kind, obj.metadata.name as string, { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } }, 'merge', { namespace: obj.metadata.namespace });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
