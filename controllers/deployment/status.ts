// Deployment status as kubectl reads it: the counters (`kubectl get deploy` READY/UP-TO-DATE/AVAILABLE), the
// Available and Progressing conditions (`kubectl rollout status` stops on NewReplicaSetAvailable and fails on
// ProgressDeadlineExceeded), and when to look again so a stuck rollout times out without any event.
import type { KubeObject } from '../../lib/api/types.js';
import { canonicalJson } from './hash.js';
import { maxUnavailable } from './rollout.js';
import { progressDeadlineSeconds, Reason, replicasOf, rsStatus, timestamp, type ConditionStatus, type DeploymentCondition, type DeploymentStatus } from './types.js';

export const getCondition = (s: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined => s?.conditions?.find((c) => c.type === type);

export function newCondition(type: string, status: ConditionStatus, reason: string, message: string, now: number): DeploymentCondition {
  const t = timestamp(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/**
 * Sets a condition the Kubernetes way: the same status and reason leave the existing one untouched (message and
 * times included); the same status with another reason keeps lastTransitionTime. The changed condition moves last.
 */
export function setCondition(s: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = cur && cur.status === c.status ? { ...c, lastTransitionTime: cur.lastTransitionTime } : c;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(s: DeploymentStatus, type: string): void {
  if (s.conditions?.some((c) => c.type === type)) s.conditions = s.conditions.filter((c) => c.type !== type);
}

/** Status fields are omitted when zero, as Kubernetes serialises them (omitempty). */
function counters(fields: Record<string, number | undefined>): DeploymentStatus {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(fields)) if (v) out[k] = v;
  return out;
}

/** Counters from the ReplicaSets' own status, plus the Available condition; other conditions carried over. */
export function calculateStatus(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject | undefined, now: number): DeploymentStatus {
  const sum = (f: 'replicas' | 'readyReplicas' | 'availableReplicas'): number => allRSs.reduce((n, rs) => n + rsStatus(rs, f), 0);
  const available = sum('availableReplicas');
  const total = allRSs.reduce((n, rs) => n + replicasOf(rs), 0);
  const cur = (d.status ?? {}) as DeploymentStatus;
  const status: DeploymentStatus = counters({
    observedGeneration: d.metadata.generation,
    replicas: sum('replicas'),
    updatedReplicas: newRS ? rsStatus(newRS, 'replicas') : 0,
    readyReplicas: sum('readyReplicas'),
    availableReplicas: available,
    // more available than asked for (scaling down) is not negative unavailability
    unavailableReplicas: Math.max(0, total - available),
  });
  if (cur.collisionCount !== undefined && cur.collisionCount !== null) status.collisionCount = cur.collisionCount;
  if (cur.conditions?.length) status.conditions = cur.conditions.map((c) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', Reason.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', Reason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Every pod is updated and available, and the status describes the latest spec. */
export function deploymentComplete(d: KubeObject, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want
    && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Something moved since the last status: more updated, fewer old, more ready or more available pods. */
export function deploymentProgressing(d: KubeObject, s: DeploymentStatus): boolean {
  const old = (d.status ?? {}) as DeploymentStatus;
  const n = (x: number | undefined): number => x ?? 0;
  return n(s.updatedReplicas) > n(old.updatedReplicas)
    || n(s.replicas) - n(s.updatedReplicas) < n(old.replicas) - n(old.updatedReplicas)
    || n(s.readyReplicas) > n(old.readyReplicas)
    || n(s.availableReplicas) > n(old.availableReplicas);
}

/** No progress reported for progressDeadlineSeconds since the Progressing condition was last updated. */
export function deploymentTimedOut(d: KubeObject, s: DeploymentStatus, now: number): boolean {
  const deadline = progressDeadlineSeconds(d);
  const c = getCondition(s, 'Progressing');
  if (deadline === undefined || !c || c.reason === Reason.NewReplicaSetAvailable) return false;
  if (c.reason === Reason.ProgressDeadlineExceeded) return true;
  return (Date.parse(c.lastUpdateTime ?? '') || 0) + deadline * 1000 < now;
}

/** The status after a rollout step: calculateStatus plus the Progressing condition's verdict. */
export function rolloutStatus(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject | undefined, now: number): DeploymentStatus {
  const s = calculateStatus(d, allRSs, newRS, now);
  const deadline = progressDeadlineSeconds(d);
  if (deadline === undefined) removeCondition(s, 'Progressing');
  const cur = getCondition(d.status, 'Progressing');
  // a finished rollout being resynced: nothing to estimate
  const complete = (s.replicas ?? 0) === (s.updatedReplicas ?? 0) && cur?.reason === Reason.NewReplicaSetAvailable;
  if (deadline !== undefined && !complete) {
    const rsName = newRS?.metadata.name;
    const what = rsName ? `ReplicaSet "${rsName}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, s)) {
      setCondition(s, newCondition('Progressing', 'True', Reason.NewReplicaSetAvailable, `${what} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, s)) {
      // progress refreshes lastUpdateTime (the deadline clock) even with the same reason; a True condition
      // keeps its lastTransitionTime
      const c = newCondition('Progressing', 'True', Reason.ReplicaSetUpdated, `${what} is progressing.`, now);
      if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
      removeCondition(s, 'Progressing');
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, now)) {
      setCondition(s, newCondition('Progressing', 'False', Reason.ProgressDeadlineExceeded, `${what} has timed out progressing.`, now));
    }
  }
  const failure = replicaFailure(allRSs);
  if (failure) setCondition(s, { ...failure, type: 'ReplicaFailure' });
  else removeCondition(s, 'ReplicaFailure');
  return s;
}

/** A ReplicaFailure condition reported by one of the ReplicaSets (e.g. pods rejected by quota). */
function replicaFailure(allRSs: KubeObject[]): DeploymentCondition | undefined {
  for (const rs of allRSs) {
    const c = (rs.status?.conditions as DeploymentCondition[] | undefined)?.find((x) => x.type === 'ReplicaFailure');
    if (c) return { type: 'ReplicaFailure', status: c.status, reason: c.reason, message: c.message, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime };
  }
  return undefined;
}

/**
 * Pausing and resuming set Progressing to Unknown (DeploymentPaused / DeploymentResumed), which restarts the
 * deadline clock: time spent paused must not count as lack of progress. A timed-out verdict stays. Returns the
 * changed status, or undefined when nothing changes.
 */
export function pausedConditions(d: KubeObject, now: number): DeploymentStatus | undefined {
  if (progressDeadlineSeconds(d) === undefined) return undefined;
  const s: DeploymentStatus = { ...(d.status ?? {}) };
  const cur = getCondition(s, 'Progressing');
  if (cur?.reason === Reason.ProgressDeadlineExceeded) return undefined;
  const pausedCond = cur?.reason === Reason.DeploymentPaused;
  if (d.spec?.paused && !pausedCond) setCondition(s, newCondition('Progressing', 'Unknown', Reason.DeploymentPaused, 'Deployment is paused', now));
  else if (!d.spec?.paused && pausedCond) setCondition(s, newCondition('Progressing', 'Unknown', Reason.DeploymentResumed, 'Deployment is resumed', now));
  else return undefined;
  return s;
}

/**
 * Milliseconds until a rollout still in progress could pass its deadline (so the controller looks again then),
 * or undefined when nothing is pending: no deadline, done, or already timed out.
 */
export function progressCheckAfterMs(d: KubeObject, s: DeploymentStatus, now: number): number | undefined {
  const deadline = progressDeadlineSeconds(d);
  const c = getCondition(s, 'Progressing');
  if (deadline === undefined || !c || deploymentComplete(d, s) || c.reason === Reason.ProgressDeadlineExceeded) return undefined;
  if (d.spec?.paused) return undefined; // paused rollouts don't time out
  const after = (Date.parse(c.lastUpdateTime ?? '') || 0) + deadline * 1000 - now;
  // a second of slack so the check lands after the deadline, not a few milliseconds before it
  return Math.max(after, 0) + 1000;
}

/** Status equality as Kubernetes' DeepEqual sees it (key order and omitted zeros aside). */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const norm = (s: DeploymentStatus | undefined): string => {
    const { conditions, ...rest } = s ?? {};
    return canonicalJson({ ...counters(rest as Record<string, number>), ...(rest.collisionCount !== undefined ? { collisionCount: rest.collisionCount } : {}),
      conditions: conditions?.length ? conditions : undefined });
  };
  return norm(a) === norm(b);
}
