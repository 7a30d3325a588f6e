// The ReplicaSet controller: keeps spec.replicas pods matching each ReplicaSet's selector, owned by it through
// ownerReferences. It adopts matching orphans, releases pods that stopped matching, never over-creates (expectations
// hold the count until the informer has seen its own creates and deletes), and writes the ReplicaSet's status.
import { findByKind } from '../../lib/api/kinds.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelectorParsed } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { Informer } from '../../lib/client/index.js';
import { isNotFound, keyOf } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';
import { Expectations } from '../expectations.js';
import { adopt, byControllerUid, controllerRef, newControllerRef, release } from '../owners.js';
import { deletionOrder, isPodActive, isPodAvailable, isPodReady, msUntilAvailable } from '../pods.js';
import { Reconciler, splitKey } from '../reconciler.js';

const RS = findByKind('apps/v1', 'ReplicaSet')!;
const POD = findByKind('v1', 'Pod')!;
/** At most this many creates or deletes per sync, as kube-controller-manager's burstReplicas. */
const BURST = 500;

export class ReplicaSetController extends Reconciler {
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly expectations = new Expectations();
  private readonly recorder;

  constructor(private readonly ctx: ControllerContext) {
    super('replicaset-controller');
    this.recorder = ctx.recorder('replicaset-controller');
    this.sets = ctx.informers.informerFor(RS);
    this.pods = ctx.informers.informerFor(POD);
    if (!this.pods.hasIndex('controller')) this.pods.addIndex('controller', byControllerUid);
    if (!this.pods.hasIndex('namespace')) this.pods.addIndex('namespace', (p) => [p.metadata.namespace as string]);
    this.sets.onAdd((rs) => this.enqueue(keyOf(rs))).onUpdate((_o, rs) => this.enqueue(keyOf(rs))).onDelete((rs) => {
      this.expectations.delete(keyOf(rs));
      this.enqueue(keyOf(rs));
    });
    this.pods
      .onAdd((p) => {
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
        if (now) {
          if (p.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(now));
          this.enqueue(keyOf(now));
        } else if (!controllerRef(p)) for (const m of this.matching(p)) this.enqueue(keyOf(m));
      })
      .onDelete((p) => {
        const rs = this.ownerOf(p);
        if (!rs) return;
        if (!p.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(rs));
        this.enqueue(keyOf(rs));
      });
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
    return this.sets.list({ namespace: p.metadata.namespace }).filter((rs) => !rs.metadata.deletionTimestamp && matchesLabels(selectorOf(rs), p.metadata.labels));
  }

  protected async reconcile(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const rs = this.sets.get(name, namespace);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const pods = await this.claimPods(rs);
    const active = pods.filter(isPodActive);
    if (this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp) await this.manageReplicas(rs, key, active);
    await this.updateStatus(rs, active);
  }

  /** Pods this ReplicaSet controls after adopting matching orphans and releasing controlled pods that no longer match. */
  private async claimPods(rs: KubeObject): Promise<KubeObject[]> {
    const sel = selectorOf(rs);
    const uid = rs.metadata.uid as string;
    const mine: KubeObject[] = [];
    for (const p of this.pods.byIndex('controller', uid)) {
      if (matchesLabels(sel, p.metadata.labels)) mine.push(p);
      else if (!p.metadata.deletionTimestamp) await release(this.ctx.client, POD, p, rs.metadata.uid as string);
    }
    if (rs.metadata.deletionTimestamp) return mine;
    for (const p of this.pods.byIndex('namespace', rs.metadata.namespace as string)) {
      if (controllerRef(p) || p.metadata.deletionTimestamp || !matchesLabels(sel, p.metadata.labels)) continue;
      const adopted = await adopt(this.ctx.client, POD, p, rs, 'apps/v1', 'ReplicaSet');
      if (adopted) mine.push(adopted);
    }
    return mine;
  }

  private async manageReplicas(rs: KubeObject, key: string, active: KubeObject[]): Promise<void> {
    const want = rs.spec?.replicas ?? 1;
    const diff = active.length - want;
    if (diff < 0) {
      const n = Math.min(-diff, BURST);
      this.expectations.expect(key, n, 0);
      const { error, skipped } = await slowStart(n, () => this.createPod(rs, key));
      for (let i = 0; i < skipped; i++) this.expectations.creationFailed(key);
      if (error) throw error;
    } else if (diff > 0) {
      const victims = deletionOrder(active).slice(0, Math.min(diff, BURST));
      this.expectations.expect(key, 0, victims.length);
      const results = await Promise.allSettled(victims.map((p) => this.deletePod(rs, key, p)));
      const err = results.find((r) => r.status === 'rejected');
      if (err) throw (err as PromiseRejectedResult).reason;
    }
  }

  private async createPod(rs: KubeObject, key: string): Promise<void> {
    const t = rs.spec?.template ?? {};
    const pod: KubeObject = {
      metadata: {
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace,
        labels: t.metadata?.labels,
        annotations: t.metadata?.annotations,
        finalizers: t.metadata?.finalizers,
        ownerReferences: [newControllerRef(rs, 'apps/v1', 'ReplicaSet')],
      },
      spec: t.spec,
    };
    try {
      const created = await this.ctx.client.create(POD, pod);
      this.recorder.event(typed(rs), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (e) {
      this.expectations.creationFailed(key);
      this.recorder.event(typed(rs), 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
      throw e;
    }
  }

  private async deletePod(rs: KubeObject, key: string, p: KubeObject): Promise<void> {
    try {
      await this.ctx.client.delete(POD, p.metadata.name as string, { namespace: p.metadata.namespace, preconditions: { uid: p.metadata.uid } });
      this.recorder.event(typed(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
    } catch (e) {
      this.expectations.deletionFailed(key);
      if (isNotFound(e)) return;
      this.recorder.event(typed(rs), 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
      throw e;
    }
  }

  private async updateStatus(rs: KubeObject, active: KubeObject[]): Promise<void> {
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
    const now = Date.now();
    const status = {
      ...rs.status,
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
      observedGeneration: rs.metadata.generation,
    };
    // a pod that turns available later changes no object: come back when it does
    const waits = active.map((p) => msUntilAvailable(p, minReady, now)).filter((ms): ms is number => ms !== undefined);
    if (waits.length) this.queue.addAfter(keyOf(rs), Math.min(...waits) + 50);
    const before = rs.status ?? {};
    if (['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'].every((f) => (before[f] ?? 0) === ((status as Record<string, unknown>)[f] ?? 0))) return;
    try {
      await this.ctx.client.updateStatus(RS, { ...rs, status });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

function selectorOf(rs: KubeObject): LabelSelectorParsed {
  return labelSelectorFromObject(rs.spec?.selector ?? {});
}

const typed = (rs: KubeObject): KubeObject => ({ ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' });

/**
 * Creates n pods in batches of 1, 2, 4, ...: when creates fail (a quota, a bad template) only a few fail, not
 * hundreds. Returns the first error and how many creates were not attempted.
 */
async function slowStart(n: number, create: () => Promise<void>): Promise<{ error?: Error; skipped: number }> {
  let done = 0;
  for (let batch = 1; done < n; batch *= 2) {
    const size = Math.min(batch, n - done);
    const results = await Promise.allSettled(Array.from({ length: size }, create));
    done += size;
    const err = results.find((r) => r.status === 'rejected');
    if (err) return { error: (err as PromiseRejectedResult).reason as Error, skipped: n - done };
  }
  return { skipped: 0 };
}
