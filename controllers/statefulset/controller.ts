// The StatefulSet controller: keeps pods <set>-<start>..<set>-<start+replicas-1>, each with its claims, made from the
// set's revisions. OrderedReady creates one pod at a time in ordinal order, each once the previous is Running and
// Ready, and removes from the highest ordinal down; Parallel does both at once. RollingUpdate replaces pods of an
// older revision from the highest ordinal down to the partition, at most maxUnavailable (default 1) at a time;
// OnDelete replaces a pod only once it is deleted. Claims are kept on scale down unless whenScaled is Delete (the
// claim is then owned by its pod, and goes with it), and owned by the set when whenDeleted is Delete.
import { findByKind } from '../../lib/api/kinds.js';
import { labelSelectorFromObject, matchesLabels } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types.js';
import { claim, controllerRef, isAlreadyExists, isNotFound, keyOf, Reconciler, splitKey, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { ControllerContext } from '../context.js';
import { isPodAvailable, isPodReady, msUntilAvailable } from '../pods.js';
import { claimOwnerRefs, claimTemplates, newClaim, newPod, ordinalOf, podName, replicasOf, revisionOfPod, startOrdinal } from './pods.js';
import { newRevision, nextRevisionNumber, revisionData, revisionNumber, revisionsToDelete, sameData, templateOf } from './revision.js';
import { computeStatus, maxUnavailableOf, type StatefulSetStatus } from './status.js';

const STS = findByKind('apps/v1', 'StatefulSet')!;
const POD = findByKind('v1', 'Pod')!;
const REVISION = findByKind('apps/v1', 'ControllerRevision')!;
const PVC = findByKind('v1', 'PersistentVolumeClaim')!;

export const isRunningAndReady = (p: KubeObject): boolean => p.status?.phase === 'Running' && isPodReady(p) && !p.metadata.deletionTimestamp;
const isTerminating = (p: KubeObject): boolean => !!p.metadata.deletionTimestamp;
const isFailed = (p: KubeObject): boolean => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

export class StatefulSetController extends Reconciler {
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly revisions: Informer;
  private readonly claims: Informer;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext, private readonly now: () => number = Date.now) {
    super('statefulset-controller');
    this.recorder = ctx.recorder('statefulset-controller');
    this.sets = ctx.informers.informerFor(STS);
    this.pods = ctx.informers.informerFor(POD);
    this.revisions = ctx.informers.informerFor(REVISION);
    this.claims = ctx.informers.informerFor(PVC);
    for (const inf of [this.pods, this.revisions, this.claims]) inf.indexByNamespace();
    this.sets.onAdd((s) => this.enqueue(keyOf(s))).onUpdate((_o, s) => this.enqueue(keyOf(s)));
    const owned = (o: KubeObject): void => {
      const ref = controllerRef(o);
      if (ref?.kind === 'StatefulSet') this.enqueue(`${o.metadata.namespace}/${ref.name}`);
    };
    this.pods.onAdd(owned).onUpdate((old, p) => {
      owned(old);
      owned(p);
    }).onDelete(owned);
    this.revisions.onAdd(owned).onDelete(owned);
    // a claim that went away (whenScaled: Delete) may be what a pod waits for
    this.claims.onDelete((c) => {
      for (const ref of c.metadata.ownerReferences ?? []) if (ref.kind === 'StatefulSet') this.enqueue(`${c.metadata.namespace}/${ref.name}`);
      for (const s of this.sets.list()) if (s.metadata.namespace === c.metadata.namespace && claimTemplates(s).length) this.enqueue(keyOf(s));
    });
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.sets.start(), this.pods.start(), this.revisions.start(), this.claims.start()]);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [namespace, name] = splitKey(key);
    const set = this.sets.get(name, namespace);
    if (!set || set.metadata.deletionTimestamp) return;
    const sel = labelSelectorFromObject(set.spec?.selector ?? {});
    const pods = await claim({
      client: this.ctx.client, owner: set, ownerKind: STS, kind: POD, candidates: this.pods.byIndex('namespace', namespace as string),
      // a pod is the set's only if its name is one of the set's ordinals, as upstream's isMemberOf
      match: (p) => matchesLabels(sel, p.metadata.labels) && ordinalOf(set, p) !== undefined,
    });
    const revs = this.revisions.byIndex('namespace', namespace as string).filter((r) => controllerRef(r)?.uid === set.metadata.uid);
    const { current, update, collisionCount } = await this.ensureRevisions(set, revs);
    const result = await this.updatePods(set, pods, current, update);
    const fresh = this.pods.byIndex('namespace', namespace as string).filter((p) => controllerRef(p)?.uid === set.metadata.uid);
    const status = computeStatus(set, fresh, current.metadata.name as string, update.metadata.name as string, collisionCount, this.now());
    await this.writeStatus(set, status);
    await this.truncateHistory(set, revs, fresh, new Set([status.currentRevision, status.updateRevision]));
    const minReady = (set.spec?.minReadySeconds as number | undefined) ?? 0;
    const wait = fresh.map((p) => msUntilAvailable(p, minReady, this.now())).filter((n): n is number => n !== undefined);
    const requeue = [result?.requeueAfter, ...wait.map((w) => w + 10)].filter((n): n is number => n !== undefined);
    return requeue.length ? { requeueAfter: Math.min(...requeue) } : undefined;
  }

  /** The current revision (what status.currentRevision names, else the update revision) and the update revision. */
  private async ensureRevisions(set: KubeObject, revs: KubeObject[]): Promise<{ current: KubeObject; update: KubeObject; collisionCount: number }> {
    let collisionCount = (set.status?.collisionCount as number | undefined) ?? 0;
    const data = revisionData(set);
    const next = nextRevisionNumber(revs);
    let update = revs.filter((r) => sameData(r.data, data)).sort((a, b) => revisionNumber(b) - revisionNumber(a))[0];
    if (update) {
      // a template seen before (a rollback) becomes the newest revision again
      if (revisionNumber(update) < next - 1) {
        update = await this.ctx.client.patch(REVISION, update.metadata.name as string, { revision: next }, 'merge', { namespace: set.metadata.namespace });
      }
    } else {
      for (;;) {
        const rev = newRevision(set, next, collisionCount);
        try {
          update = await this.ctx.client.create(REVISION, rev);
          break;
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
          const existing = await this.ctx.client.get(REVISION, rev.metadata.name as string, { namespace: set.metadata.namespace });
          if (sameData(existing.data, data) && controllerRef(existing)?.uid === set.metadata.uid) {
            update = existing;
            break;
          }
          collisionCount++; // a different revision holds the name: hash again with the next collision count
        }
      }
    }
    const currentName = set.status?.currentRevision as string | undefined;
    const current = revs.find((r) => r.metadata.name === currentName) ?? update;
    return { current, update, collisionCount };
  }

  private async updatePods(set: KubeObject, pods: KubeObject[], current: KubeObject, update: KubeObject): Promise<ReconcileResult | void> {
    const start = startOrdinal(set);
    const end = start + replicasOf(set);
    const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
    const strategy = set.spec?.updateStrategy?.type ?? 'RollingUpdate';
    const partition = (set.spec?.updateStrategy?.rollingUpdate?.partition as number | undefined) ?? 0;
    const byOrdinal = new Map<number, KubeObject>();
    const condemned: KubeObject[] = [];
    for (const p of pods) {
      const ord = ordinalOf(set, p) as number;
      if (ord >= start && ord < end) byOrdinal.set(ord, p);
      else condemned.push(p);
    }
    condemned.sort((a, b) => (ordinalOf(set, b) as number) - (ordinalOf(set, a) as number));

    // pods in range: create what is missing (with its claims), replace failed ones; OrderedReady waits in order
    for (let ord = start; ord < end; ord++) {
      let pod = byOrdinal.get(ord);
      if (pod && isFailed(pod) && !isTerminating(pod)) {
        await this.deletePod(set, pod);
        if (monotonic) return;
        continue;
      }
      if (!pod) {
        const fromCurrent = strategy === 'RollingUpdate' && ord < partition;
        const rev = fromCurrent ? current : update;
        if (!(await this.ensureClaims(set, ord))) {
          if (monotonic) return;
          continue;
        }
        pod = await this.createPod(set, newPod(set, templateOf(rev), rev.metadata.name as string, ord));
        if (monotonic) return;
        continue;
      }
      if (!isTerminating(pod)) await this.ensureClaims(set, ord);
      if (monotonic && !isRunningAndReady(pod)) return;
    }

    // pods past the replicas: removed from the highest ordinal down (OrderedReady: one at a time, all others healthy)
    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (monotonic) return;
        continue;
      }
      if (monotonic && [...byOrdinal.values()].some((p) => !isRunningAndReady(p))) return;
      await this.releaseClaimsOnScaleDown(set, pod);
      await this.deletePod(set, pod);
      if (monotonic) return;
    }

    if (strategy !== 'RollingUpdate') return;
    // rolling update: from the highest ordinal down to the partition, at most maxUnavailable pods down at once
    const updateName = update.metadata.name as string;
    const minReady = (set.spec?.minReadySeconds as number | undefined) ?? 0;
    const maxUnavailable = maxUnavailableOf(set);
    let unavailable = 0;
    for (let ord = start; ord < end; ord++) {
      const p = byOrdinal.get(ord);
      if (!p || isTerminating(p) || !isPodAvailable(p, minReady, this.now())) unavailable++;
    }
    for (let ord = end - 1; ord >= Math.max(start, partition); ord--) {
      const p = byOrdinal.get(ord);
      if (!p || isTerminating(p) || revisionOfPod(p) === updateName) continue;
      if (unavailable >= maxUnavailable) return;
      await this.deletePod(set, p);
      unavailable++;
    }
  }

  /** Makes the pod's claims; false while one of them is still being deleted (the pod then waits). */
  private async ensureClaims(set: KubeObject, ordinal: number): Promise<boolean> {
    let ready = true;
    for (const tpl of claimTemplates(set)) {
      const want = newClaim(set, tpl, ordinal);
      const have = this.claims.get(want.metadata.name as string, set.metadata.namespace);
      if (have) {
        if (have.metadata.deletionTimestamp) ready = false;
        else await this.syncClaimOwners(set, have, podName(set, ordinal));
        continue;
      }
      try {
        await this.ctx.client.create(PVC, want);
        this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${want.metadata.name} Pod ${podName(set, ordinal)} in StatefulSet ${set.metadata.name} success`);
      } catch (e) {
        if (isAlreadyExists(e)) continue;
        this.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${want.metadata.name} for Pod ${podName(set, ordinal)} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
        throw e;
      }
    }
    return ready;
  }

  /**
   * Brings the claim of a pod in range in line with whenDeleted (a policy changed after the claim was made), and
   * takes it back from the pod it was handed to by a scale down that was undone before the claim went.
   */
  private async syncClaimOwners(set: KubeObject, pvc: KubeObject, pod: string): Promise<void> {
    const have = pvc.metadata.ownerReferences ?? [];
    const want = claimOwnerRefs(set, { ...pvc, metadata: { ...pvc.metadata, ownerReferences: have.filter((r) => !(r.kind === 'Pod' && r.name === pod)) } });
    if (JSON.stringify(want) === JSON.stringify(have)) return;
    try {
      await this.ctx.client.patch(PVC, pvc.metadata.name as string, { metadata: { ownerReferences: want.length ? want : null, resourceVersion: pvc.metadata.resourceVersion } }, 'merge', { namespace: pvc.metadata.namespace });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** whenScaled: Delete: the claims of a pod scaled away get that pod as owner, so they go once it is gone. */
  private async releaseClaimsOnScaleDown(set: KubeObject, pod: KubeObject): Promise<void> {
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    const ord = ordinalOf(set, pod) as number;
    for (const tpl of claimTemplates(set)) {
      const pvc = this.claims.get(newClaim(set, tpl, ord).metadata.name as string, set.metadata.namespace);
      if (!pvc || pvc.metadata.ownerReferences?.some((r) => r.uid === pod.metadata.uid)) continue;
      // the set lets go (whenDeleted: Delete made it an owner too), or the garbage collector would keep the claim for it
      const others = (pvc.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid);
      const refs = [...others, { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name as string, uid: pod.metadata.uid as string }];
      try {
        await this.ctx.client.patch(PVC, pvc.metadata.name as string, { metadata: { ownerReferences: refs, resourceVersion: pvc.metadata.resourceVersion } }, 'merge', { namespace: pvc.metadata.namespace });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  private async createPod(set: KubeObject, pod: KubeObject): Promise<KubeObject> {
    try {
      const created = await this.ctx.client.create(POD, pod);
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
      return created;
    } catch (e) {
      if (isAlreadyExists(e)) return pod; // our informer lags our own create
      this.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
  }

  private async deletePod(set: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.ctx.client.delete(POD, pod.metadata.name as string, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
      this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } catch (e) {
      if (isNotFound(e) || (e as { code?: number }).code === 409) return;
      this.recorder.event(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
  }

  private async writeStatus(set: KubeObject, status: StatefulSetStatus): Promise<void> {
    const merged = { ...(set.status ?? {}), ...status };
    if (JSON.stringify(merged) === JSON.stringify(set.status ?? {})) return;
    try {
      await this.ctx.client.updateStatus(STS, { ...set, status: merged });
    } catch (e) {
      if (isNotFound(e)) return;
      if ((e as { code?: number }).code === 409) {
        this.enqueue(keyOf(set)); // the informer's copy was stale: look again
        return;
      }
      throw e;
    }
  }

  private async truncateHistory(set: KubeObject, revs: KubeObject[], pods: KubeObject[], keep: Set<unknown>): Promise<void> {
    const live = new Set<string>([...keep].filter((k): k is string => typeof k === 'string'));
    for (const p of pods) live.add(revisionOfPod(p));
    const limit = (set.spec?.revisionHistoryLimit as number | undefined) ?? 10;
    for (const r of revisionsToDelete(revs, limit, live)) {
      try {
        await this.ctx.client.delete(REVISION, r.metadata.name as string, { namespace: r.metadata.namespace });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}
