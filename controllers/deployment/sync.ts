// One reconcile of one Deployment: the steps Kubernetes' deployment controller takes (scale, roll, recreate,
// clean up, report), reading only the informer state handed in and writing through the API. A write that loses a
// race (409) throws and the key is retried from fresh state; every step can be repeated harmlessly, so a crash
// between any two writes is recovered by the next reconcile.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { Client } from '../../lib/client/index.js';
import { ApiError, isAlreadyExists, isNotFound } from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { Logger } from '../../lib/util/log.js';
import { controllerRef, newControllerRef } from '../../lib/client/index.js';
import { computeHash, equalIgnoreHash } from './hash.js';
import { findNewReplicaSet, maxRevision, newRSAnnotations, replicaSetsToCleanup } from './revision.js';
import { isActive, newRSNewReplicas, oldPodsRunning, planOldScaleDown } from './rollout.js';
import { isScalingEvent, planScale, replicasAnnotations } from './scale.js';
import { calculateStatus, deploymentComplete, getCondition, newCondition, pausedConditions, progressCheckAfterMs, rolloutStatus, setCondition, statusEqual } from './status.js';
import { HASH_LABEL, isRollingUpdate, progressDeadlineSeconds, Reason, replicasOf, REVISION, type DeploymentStatus } from './types.js';

const RS = findByKind('apps/v1', 'ReplicaSet')!;
const DEPLOY = findByKind('apps/v1', 'Deployment')!;

export interface SyncDeps {
  client: Client;
  recorder: EventRecorder;
  log: Logger;
  /** Looks an RS up in the informer cache (after a create that found the name taken). */
  cachedRS(name: string, namespace: string): KubeObject | undefined;
  /** Pods controlled by each of the deployment's ReplicaSets, by RS uid (Recreate waits for them). */
  podsByRS(): Map<string, KubeObject[]>;
  now(): number;
}

export class DeploymentSync {
  /** Set when the rollout should be looked at again after this long (progress deadline). */
  requeueAfterMs?: number;
  private readonly rss = new Map<string, KubeObject>();
  private newName?: string;
  private resolved = false;

  /** d is a private copy: its status and resourceVersion follow our own writes. */
  constructor(private readonly deps: SyncDeps, private readonly d: KubeObject, rsList: KubeObject[]) {
    for (const rs of rsList) this.rss.set(rs.metadata.name as string, rs);
  }

  private get newRS(): KubeObject | undefined {
    return this.newName ? this.rss.get(this.newName) : undefined;
  }
  private get oldRSs(): KubeObject[] {
    return [...this.rss.values()].filter((rs) => rs.metadata.name !== this.newName);
  }
  private get allRSs(): KubeObject[] {
    return [...(this.newRS ? [this.newRS] : []), ...this.oldRSs];
  }

  async run(): Promise<void> {
    const d = this.d;
    if (d.metadata.deletionTimestamp) {
      // the garbage collector removes the ReplicaSets; only keep the status truthful meanwhile
      await this.resolveNewRS(false);
      return this.writeStatus(calculateStatus(d, this.allRSs, this.newRS, this.deps.now()));
    }
    const paused = pausedConditions(d, this.deps.now());
    if (paused) await this.writeStatus(paused);
    if (d.spec?.paused) return this.scaleOnly();
    await this.resolveNewRS(false);
    // a scaling event Recreate can't spread over several active ReplicaSets is left to the rollout, which
    // empties the old ones anyway; otherwise the stale annotation would hold the rollout back forever
    if (isScalingEvent(d, this.allRSs) && planScale(d, this.newRS, this.oldRSs).length) return this.scaleOnly();
    return isRollingUpdate(d) ? this.rolloutRolling() : this.rolloutRecreate();
  }

  /** Scaling events and paused deployments: resize proportionally, never roll. */
  private async scaleOnly(): Promise<void> {
    await this.resolveNewRS(false);
    for (const t of planScale(this.d, this.newRS, this.oldRSs)) await this.scaleReplicaSet(t.rs, t.replicas, true);
    if (this.d.spec?.paused) await this.cleanup();
    await this.writeStatus(calculateStatus(this.d, this.allRSs, this.newRS, this.deps.now()));
  }

  /** One rolling-update step: grow the new ReplicaSet if surge allows, else shrink old ones if availability allows. */
  private async rolloutRolling(): Promise<void> {
    await this.resolveNewRS(true);
    const d = this.d;
    const newRS = this.newRS as KubeObject;
    const want = replicasOf(d);
    let scaled = false;
    if (replicasOf(newRS) !== want) {
      const target = replicasOf(newRS) > want ? want : newRSNewReplicas(d, this.allRSs, newRS);
      scaled = await this.scaleReplicaSet(newRS, target);
    }
    if (!scaled) {
      for (const t of planOldScaleDown(d, this.oldRSs, newRS)) scaled = (await this.scaleReplicaSet(t.rs, t.replicas)) || scaled;
    }
    if (!scaled && deploymentComplete(d, d.status ?? {})) await this.cleanup();
    await this.writeRolloutStatus();
  }

  /** Recreate: all old pods down and gone before the new ReplicaSet exists or grows. */
  private async rolloutRecreate(): Promise<void> {
    await this.resolveNewRS(false);
    let scaled = false;
    for (const rs of this.oldRSs.filter(isActive)) scaled = (await this.scaleReplicaSet(rs, 0)) || scaled;
    if (scaled || oldPodsRunning(this.newRS, this.oldRSs, this.deps.podsByRS())) return this.writeRolloutStatus();
    await this.resolveNewRS(true);
    await this.scaleReplicaSet(this.newRS as KubeObject, replicasOf(this.d));
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanup();
    await this.writeRolloutStatus();
  }

  /**
   * Finds (or, with create, makes) the ReplicaSet for the current template and gives it the newest revision,
   * the deployment's annotations and minReadySeconds; then records that revision on the deployment.
   */
  private async resolveNewRS(create: boolean): Promise<void> {
    if (!this.resolved) {
      this.resolved = true;
      const existing = findNewReplicaSet(this.d, [...this.rss.values()]);
      if (existing) {
        this.newName = existing.metadata.name;
        return this.syncExistingNewRS(existing);
      }
    }
    if (create && !this.newRS) await this.createNewRS(maxRevision(this.oldRSs) + 1);
  }

  private async syncExistingNewRS(existing: KubeObject): Promise<void> {
    const d = this.d;
    let rs = existing;
    const annotations = newRSAnnotations(d, rs, maxRevision(this.oldRSs) + 1, true);
    const minReady = d.spec?.minReadySeconds ?? 0;
    if (annotations || (rs.spec?.minReadySeconds ?? 0) !== minReady) {
      rs = await this.updateRS({ ...rs, metadata: { ...rs.metadata, annotations: annotations ?? rs.metadata.annotations }, spec: { ...rs.spec,
        minReadySeconds: minReady } });
    }
    await this.setRevision(rs.metadata.annotations?.[REVISION]);
    // a deployment that never reported progress starts its deadline clock now
    if (progressDeadlineSeconds(d) !== undefined && !getCondition(d.status, 'Progressing')) {
      await this.writeStatus(this.withCondition('Progressing', 'True', Reason.FoundNewReplicaSet, `Found new replica set "${rs.metadata.name}"`));
    }
  }

  private async createNewRS(newRevision: number): Promise<void> {
    const d = this.d;
    const namespace = d.metadata.namespace as string;
    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(d.spec?.template ?? {}, d.status?.collisionCount ?? undefined);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const rs: KubeObject = {
      metadata: { name: `${d.metadata.name}-${hash}`, namespace, labels: template.metadata.labels, ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')] },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...this.oldRSs, rs], rs);
    rs.metadata.annotations = newRSAnnotations(d, rs, newRevision, false) ?? {};
    let createdRS: KubeObject;
    let alreadyExists = false;
    try {
      createdRS = await this.deps.client.create(RS, rs);
    } catch (e) {
      if (!isAlreadyExists(e)) return this.createFailed(rs, e);
      // a slow cache (we made it last time) or a hash collision with a different template
      const found = this.deps.cachedRS(rs.metadata.name as string, namespace) ?? (await this.deps.client.get(RS, rs.metadata.name as string, { namespace }));
      if (controllerRef(found)?.uid !== d.metadata.uid || !equalIgnoreHash(d.spec?.template, found.spec?.template)) {
        const collisionCount = ((d.status?.collisionCount as number | undefined) ?? 0) + 1;
        this.deps.log.info('pod-template-hash collision; bumping collisionCount', { deployment: `${namespace}/${d.metadata.name}`, replicaSet: rs.metadata.name, collisionCount });
        await this.writeStatus({ ...(d.status ?? {}), collisionCount });
        throw e; // retried with the new count, which gives a new name
      }
      createdRS = found;
      alreadyExists = true;
    }
    this.rss.set(createdRS.metadata.name as string, createdRS);
    this.newName = createdRS.metadata.name;
    if (!alreadyExists && replicasOf(rs) > 0) this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${createdRS.metadata.name} from 0 to ${replicasOf(rs)}`);
    await this.setRevision(String(newRevision));
    if (!alreadyExists && progressDeadlineSeconds(d) !== undefined) {
      await this.writeStatus(this.withCondition('Progressing', 'True', Reason.NewReplicaSetCreated, `Created new replica set "${createdRS.metadata.name}"`));
    }
  }

  private async createFailed(rs: KubeObject, e: unknown): Promise<never> {
    const causes = e instanceof ApiError ? e.status.details?.causes ?? [] : [];
    if (causes.some((c) => c.reason === 'NamespaceTerminating')) throw e; // every create fails now; nothing to report
    const msg = `Failed to create new replica set "${rs.metadata.name}": ${(e as Error).message}`;
    if (progressDeadlineSeconds(this.d) !== undefined) {
      await this.writeStatus(this.withCondition('Progressing', 'False', Reason.FailedReplicaSetCreate, msg)).catch(() => undefined);
    }
    this.event('Warning', Reason.FailedReplicaSetCreate, msg);
    throw e;
  }

  /**
   * Resizes one ReplicaSet (recording the deployment size it is sized for) and says whether its size changed.
   * Rollout steps skip an RS already at the size; scaling events pass annotationsToo so a same-size RS still
   * records the new deployment size.
   */
  private async scaleReplicaSet(rs: KubeObject, replicas: number, annotationsToo = false): Promise<boolean> {
    const from = replicasOf(rs);
    const sizeChanged = from !== replicas;
    const annotations = replicasAnnotations(rs, this.d);
    if (!sizeChanged && (!annotationsToo || !annotations)) return false;
    const updated = await this.updateRS({ ...rs, metadata: { ...rs.metadata, annotations: annotations ?? rs.metadata.annotations }, spec: { ...rs.spec,
      replicas } });
    if (sizeChanged) this.event('Normal', 'ScalingReplicaSet', `Scaled ${replicas > from ? 'up' : 'down'} replica set ${updated.metadata.name} from ${from} to ${replicas}`);
    return sizeChanged;
  }

  private async updateRS(rs: KubeObject): Promise<KubeObject> {
    const updated = await this.deps.client.update(RS, rs);
    this.rss.set(updated.metadata.name as string, updated);
    return updated;
  }

  /** Deletes old ReplicaSets beyond revisionHistoryLimit (only empty ones, oldest revision first). */
  private async cleanup(): Promise<void> {
    for (const rs of replicaSetsToCleanup(this.d, this.oldRSs)) {
      try {
        await this.deps.client.delete(RS, rs.metadata.name as string, { namespace: rs.metadata.namespace, preconditions: { uid: rs.metadata.uid } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.rss.delete(rs.metadata.name as string);
    }
  }

  /**
   * The deployment's revision annotation follows its new ReplicaSet. It lives in metadata, so it is written
   * through the main resource (a metadata-only change: no new generation, no rollout).
   */
  private async setRevision(revision: string | undefined): Promise<void> {
    const d = this.d;
    if (revision === undefined || d.metadata.annotations?.[REVISION] === revision) return;
    const patch = { metadata: { annotations: { [REVISION]: revision }, resourceVersion: d.metadata.resourceVersion } };
    const updated = await this.deps.client.patch(DEPLOY, d.metadata.name as string, patch, 'merge', { namespace: d.metadata.namespace });
    d.metadata.annotations = updated.metadata.annotations;
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
  }

  private withCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string): DeploymentStatus {
    const s: DeploymentStatus = { ...(this.d.status ?? {}) };
    setCondition(s, newCondition(type, status, reason, message, this.deps.now()));
    return s;
  }

  private async writeRolloutStatus(): Promise<void> {
    const now = this.deps.now();
    const s = rolloutStatus(this.d, this.allRSs, this.newRS, now);
    await this.writeStatus(s);
    this.requeueAfterMs = progressCheckAfterMs(this.d, s, now);
  }

  /** Writes status when it differs; our copy then matches what is stored. */
  private async writeStatus(s: DeploymentStatus): Promise<void> {
    const d = this.d;
    if (statusEqual(d.status, s)) return;
    const updated = await this.deps.client.updateStatus(DEPLOY, { ...d, status: s });
    d.status = s;
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.recorder.event({ ...this.d, apiVersion: 'apps/v1', kind: 'Deployment' }, type, reason, message);
  }
}
