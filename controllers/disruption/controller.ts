// The disruption controller: keeps every PodDisruptionBudget's status (currentHealthy, desiredHealthy,
// expectedPods, disruptionsAllowed, disruptedPods, the DisruptionAllowed condition) in step with its pods, so the
// pods/eviction subresource can decide from the status alone. The status is written with the resourceVersion it
// was computed from: an eviction that took a disruption meanwhile makes the write conflict and the budget is
// computed again, never overwritten with a stale count.
import { findByKind, KINDS, apiVersionOf, type KindInfo } from '../../lib/api/kinds.js';
import { matchesLabelSelector } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types.js';
import { controllerRef, isConflict, isNotFound, keyOf, Reconciler, splitKey, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';
import { budgetStatus, needsScale } from './budget.js';

const PDB = findByKind('policy/v1', 'PodDisruptionBudget')!;
const POD = findByKind('v1', 'Pod')!;
const RS = findByKind('apps/v1', 'ReplicaSet')!;
const DEPLOYMENT = findByKind('apps/v1', 'Deployment')!;

export class DisruptionController extends Reconciler {
  private readonly budgets: Informer;
  private readonly pods: Informer;
  private readonly sets: Informer;
  private readonly deployments: Informer;

  constructor(private readonly ctx: ControllerContext) {
    super('disruption-controller');
    this.budgets = ctx.informers.informerFor(PDB);
    this.pods = ctx.informers.informerFor(POD);
    this.sets = ctx.informers.informerFor(RS);
    this.deployments = ctx.informers.informerFor(DEPLOYMENT);
    this.pods.indexByNamespace();
    this.budgets.onAdd((b) => this.enqueue(keyOf(b))).onUpdate((_o, b) => this.enqueue(keyOf(b)));
    this.pods.onAdd((p) => this.podChanged(p)).onUpdate((o, p) => {
      this.podChanged(o);
      this.podChanged(p);
    }).onDelete((p) => this.podChanged(p));
    // a scale change moves expectedPods of the budgets that count by scale
    const scaled = (o: KubeObject): void => {
      for (const b of this.budgets.list({ namespace: o.metadata.namespace })) this.enqueue(keyOf(b));
    };
    this.sets.onUpdate((_o, rs) => scaled(rs));
    this.deployments.onUpdate((_o, d) => scaled(d));
  }

  private podChanged(p: KubeObject): void {
    for (const b of this.budgets.list({ namespace: p.metadata.namespace })) {
      if (matchesLabelSelector(b.spec?.selector, p.metadata.labels ?? {})) this.enqueue(keyOf(b));
    }
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.budgets.start(), this.pods.start(), this.sets.start(), this.deployments.start()]);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [namespace, name] = splitKey(key);
    const pdb = this.budgets.get(name, namespace);
    if (!pdb || pdb.metadata.deletionTimestamp) return;
    const pods = this.pods.byIndex('namespace', namespace as string).filter((p) => matchesLabelSelector(pdb.spec?.selector, p.metadata.labels ?? {}));
    let scale: number | Error = 0;
    if (needsScale(pdb)) scale = await this.expectedScale(pods).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    const { status, recheckInMs } = budgetStatus(pdb, pods, scale);
    if (!Object.keys(status.disruptedPods as object).length) delete status.disruptedPods;
    if (!sameStatus(pdb.status, status)) {
      try {
        await this.ctx.client.updateStatus(PDB, { ...pdb, status });
      } catch (e) {
        if (isNotFound(e)) return;
        // an eviction changed the status since the informer's copy: compute again from the newer one
        if (isConflict(e)) return { requeueAfter: 50 };
        throw e;
      }
    }
    return recheckInMs !== undefined ? { requeueAfter: recheckInMs + 50 } : undefined;
  }

  /**
   * The summed scale of the controllers of the pods (each counted once): a ReplicaSet's Deployment, else the
   * ReplicaSet, else any controller with a /scale subresource. A pod without one is an error, as in Kubernetes.
   */
  private async expectedScale(pods: KubeObject[]): Promise<number> {
    const seen = new Map<string, number>();
    for (const p of pods) {
      const ref = controllerRef(p);
      if (!ref) throw new Error(`found no controller ref for pod "${p.metadata.name as string}"`);
      if (seen.has(ref.uid)) continue;
      const ns = p.metadata.namespace as string;
      if (ref.kind === 'ReplicaSet' && ref.apiVersion === 'apps/v1') {
        const rs = this.sets.get(ref.name, ns);
        if (!rs) throw new Error(`found no controllers for pod "${p.metadata.name as string}"`);
        const owner = controllerRef(rs);
        const d = owner?.kind === 'Deployment' ? this.deployments.get(owner.name, ns) : undefined;
        if (d && owner) {
          if (!seen.has(owner.uid)) seen.set(owner.uid, d.spec?.replicas ?? 1);
          seen.set(ref.uid, 0);
        } else seen.set(ref.uid, rs.spec?.replicas ?? 1);
        continue;
      }
      const kind = KINDS.find((k: KindInfo) => apiVersionOf(k) === ref.apiVersion && k.kind === ref.kind);
      if (!kind?.subresources.includes('scale')) throw new Error(`found no controllers for pod "${p.metadata.name as string}"`);
      const s = await this.ctx.client.getScale(kind, ref.name, { namespace: ns });
      seen.set(ref.uid, (s.spec?.replicas as number | undefined) ?? 0);
    }
    return [...seen.values()].reduce((a, b) => a + b, 0);
  }
}

const COMPARED = ['currentHealthy', 'desiredHealthy', 'expectedPods', 'disruptionsAllowed', 'observedGeneration'];

function sameStatus(a: Record<string, unknown> | undefined, b: Record<string, unknown>): boolean {
  if (!a) return false;
  if (COMPARED.some((k) => a[k] !== b[k])) return false;
  if (JSON.stringify(a.disruptedPods ?? {}) !== JSON.stringify(b.disruptedPods ?? {})) return false;
  const cond = (s: Record<string, unknown>) => ((s.conditions ?? []) as Array<{ type: string; status: string; reason: string; message: string }>)
    .map((c) => [c.type, c.status, c.reason, c.message].join('|')).join(';');
  return cond(a) === cond(b);
}
