// The ReplicaSet controller: keeps spec.replicas pods matching each ReplicaSet's selector, owned by it through
// ownerReferences. It claims pods (adopts matching orphans, releases pods that stopped matching), creates and
// deletes in bounded bursts (replicas.ts), never over-creates (expectations hold the count until the informer has
// seen its own creates and deletes), and writes the ReplicaSet's status.
import { findByKind } from '../../lib/api/kinds.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelectorParsed } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types.js';
import { claim, controllerRef, isNotFound, keyOf, Reconciler, splitKey, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';
import { Expectations } from '../expectations.js';
import { isPodActive, isPodAvailable, isPodReady, msUntilAvailable } from '../pods.js';
import { BURST_REPLICAS, manageReplicas, type ReplicaDeps } from './replicas.js';

const RS = findByKind('apps/v1', 'ReplicaSet')!;
const POD = findByKind('v1', 'Pod')!;
const STATUS_FIELDS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const;

export class ReplicaSetController extends Reconciler {
  private readonly sets: Informer;
  private readonly pods: Informer;
  readonly expectations = new Expectations();
  private readonly deps: ReplicaDeps;

  constructor(private readonly ctx: ControllerContext, burstReplicas = BURST_REPLICAS) {
    super('replicaset-controller');
    this.deps = { client: ctx.client, recorder: ctx.recorder('replicaset-controller'), expectations: this.expectations, burstReplicas };
    this.sets = ctx.informers.informerFor(RS);
    this.pods = ctx.informers.informerFor(POD);
    this.pods.indexByNamespace();
    this.sets.onAdd((rs) => this.enqueue(keyOf(rs))).onUpdate((_o, rs) => this.enqueue(keyOf(rs))).onDelete((rs) => {
      this.expectations.delete(keyOf(rs));
      this.enqueue(keyOf(rs));
    });
    this.pods
      .onAdd((p) => {
        // after a restart a pod may first show up already on its way out: that is no creation we wait for
        if (p.metadata.deletionTimestamp) return this.podDeleted(p);
        const rs = this.ownerOf(p);
        if (rs) {
          this.expectations.creationObserved(keyOf(rs));
          this.enqueue(keyOf(rs));
        } else if (!controllerRef(p)) for (const m of this.matching(p)) this.enqueue(keyOf(m));
      })
      .onUpdate((old, p) => {
        const before = this.ownerOf(old);
        const now = this.ownerOf(p);
        if (before && before !== now) this.enqueue(keyOf(before));
        if (p.metadata.deletionTimestamp) return this.podDeleted(p);
        if (now) this.enqueue(keyOf(now));
        else if (!controllerRef(p)) for (const m of this.matching(p)) this.enqueue(keyOf(m));
      })
      .onDelete((p) => this.podDeleted(p));
  }

  /** A pod of ours started terminating or went away: either counts as its deletion (once; see Expectations). */
  private podDeleted(p: KubeObject): void {
    const rs = this.ownerOf(p);
    if (!rs) return;
    this.expectations.deletionObserved(keyOf(rs), keyOf(p));
    this.enqueue(keyOf(rs));
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.sets.start(), this.pods.start()]);
  }

  /** The ReplicaSet that controls pod p (same uid, not just the same name). */
  private ownerOf(p: KubeObject): KubeObject | undefined {
    const ref = controllerRef(p);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.sets.get(ref.name, p.metadata.namespace);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  }

  private matching(p: KubeObject): KubeObject[] {
    return this.sets.list({ namespace: p.metadata.namespace }).filter((rs) => !rs.metadata.deletionTimestamp && matchesLabels(selectorOf(rs),
      p.metadata.labels));
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [namespace, name] = splitKey(key);
    const rs = this.sets.get(name, namespace);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    // read the expectations before the pods: a create observed in between must not be counted twice
    const needsSync = this.expectations.satisfied(key);
    const sel = selectorOf(rs);
    // only active pods are claimed and counted, as Kubernetes does
    const candidates = this.pods.byIndex('namespace', rs.metadata.namespace as string).filter(isPodActive);
    const match = (p: KubeObject): boolean => matchesLabels(sel, p.metadata.labels);
    const active = await claim({ client: this.ctx.client, owner: rs, ownerKind: RS, kind: POD, match, candidates });
    let manageError: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) await manageReplicas(this.deps, rs, key, active).catch((e: unknown) => (manageError = e));
    const requeueAfter = await this.updateStatus(rs, active);
    if (manageError !== undefined) throw manageError;
    return { requeueAfter };
  }

  /** Writes the counts when they changed; returns when a ready pod turns available (that changes no object). */
  private async updateStatus(rs: KubeObject, active: KubeObject[]): Promise<number | undefined> {
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
    const now = Date.now();
    const status: Record<string, unknown> = {
      ...rs.status,
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
      observedGeneration: rs.metadata.generation,
    };
    const waits = active.map((p) => msUntilAvailable(p, minReady, now)).filter((ms): ms is number => ms !== undefined);
    const requeueAfter = waits.length ? Math.min(...waits) + 50 : undefined;
    const before = rs.status ?? {};
    if (STATUS_FIELDS.every((f) => (before[f] ?? 0) === (status[f] ?? 0))) return requeueAfter;
    try {
      await this.ctx.client.updateStatus(RS, { ...rs, status });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    return requeueAfter;
  }
}

function selectorOf(rs: KubeObject): LabelSelectorParsed {
  return labelSelectorFromObject(rs.spec?.selector ?? {});
}
