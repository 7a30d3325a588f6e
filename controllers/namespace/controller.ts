// The namespace controller: a deleted namespace (Terminating) is emptied of every namespaced object (custom
// resources' too), then its `kubernetes` finalizer is cleared through /finalize and the API server removes it. Pods
// take their grace period to go, so the controller checks again until nothing is left.
import { KINDS, findByKind, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { CRD_KIND, customKindOf } from '../../lib/client/custom-kinds.js';
import { isConflict, isNotFound, Reconciler, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';
import { rfc3339 } from '../../lib/api/time.js';

const NAMESPACE = findByKind('v1', 'Namespace')!;
const NAMESPACED = KINDS.filter((k) => k.namespaced && !k.createOnly);
const RECHECK_MS = 1000;

export class NamespaceController extends Reconciler {
  private readonly namespaces: Informer;

  constructor(private readonly ctx: ControllerContext) {
    super('namespace-controller');
    this.namespaces = ctx.informers.informerFor(NAMESPACE);
    this.namespaces.onAdd((ns) => this.maybeEnqueue(ns)).onUpdate((_o, ns) => this.maybeEnqueue(ns));
  }

  private maybeEnqueue(ns: KubeObject): void {
    if (ns.metadata.deletionTimestamp) this.enqueue(ns.metadata.name as string);
  }

  protected async sync(): Promise<void> {
    await this.namespaces.start();
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const ns = this.namespaces.get(name);
    if (!ns?.metadata.deletionTimestamp) return;
    if (!((ns.spec?.finalizers as string[] | undefined) ?? []).includes('kubernetes')) return;
    let remaining = 0;
    const left: string[] = [];
    for (const kind of [...NAMESPACED, ...(await this.customKinds())]) {
      const n = await this.deleteAll(kind, name);
      if (n) left.push(`${kind.resource} has ${n} resource instances`);
      remaining += n;
    }
    if (remaining) {
      await this.setCondition(ns, 'True', 'SomeResourcesRemain', `Some resources are remaining: ${left.join(', ')}`);
      return { requeueAfter: RECHECK_MS };
    }
    const finalizers = ((ns.spec?.finalizers as string[] | undefined) ?? []).filter((f) => f !== 'kubernetes');
    try {
      await this.ctx.client.request({ method: 'PUT', path: `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, body: { ...ns, apiVersion: 'v1', kind: 'Namespace', spec: { ...ns.spec, finalizers } } });
      this.log.info('namespace emptied', { namespace: name });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** The namespaced kinds of the established CRDs: their objects go with the namespace too. */
  private async customKinds(): Promise<KindInfo[]> {
    const crds = await this.ctx.client.listAll(CRD_KIND);
    return crds.items.map(customKindOf).filter((k): k is KindInfo => k !== undefined && k.namespaced);
  }

  /** Deletes every object of kind in namespace; returns how many are still there. */
  private async deleteAll(kind: KindInfo, namespace: string): Promise<number> {
    const list = await this.ctx.client.list(kind, { namespace, limit: 1 });
    if (!list.items.length) return 0;
    await this.ctx.client.deleteCollection(kind, { namespace, propagationPolicy: 'Background' });
    const after = await this.ctx.client.list(kind, { namespace });
    return after.items.length;
  }

  private async setCondition(ns: KubeObject, status: string, reason: string, message: string): Promise<void> {
    const conditions = ((ns.status?.conditions as Array<{ type: string; message?: string }> | undefined) ?? []).filter((c) => c.type !== 'NamespaceContentRemaining');
    const current = (ns.status?.conditions as Array<{ type: string; message?: string }> | undefined)?.find((c) => c.type === 'NamespaceContentRemaining');
    if (current?.message === message) return;
    conditions.push({ type: 'NamespaceContentRemaining', status, reason, message, lastTransitionTime: rfc3339() } as { type: string; message?: string });
    try {
      await this.ctx.client.updateStatus(NAMESPACE, { ...ns, status: { ...ns.status, conditions } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}
