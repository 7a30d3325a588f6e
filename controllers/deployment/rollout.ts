// Rolling update and Recreate arithmetic: how far the new ReplicaSet may grow and how far the old ones may shrink
// in one step. Each reconcile takes one step (scale up if possible, otherwise scale down) and waits for the
// ReplicaSet controller to report availability before the next, which is what keeps `maxUnavailable` honest.
import type { KubeObject } from '../../lib/api/types.js';
import { byCreation, isRollingUpdate, replicasOf, rsStatus, type IntOrString } from './types.js';

/** An int, or a percentage of total ("25%") rounded up (surge) or down (unavailable). Invalid values count as 0. */
export function scaledValue(v: IntOrString | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) return 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/**
 * maxSurge and maxUnavailable resolved against the desired replicas. If both come out 0 (a small percentage
 * rounded down), maxUnavailable becomes 1: a rollout must be able to move, and surge may be blocked by quota.
 */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined,
  desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function fenceposts(d: KubeObject): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  // a RollingUpdate deployment with no rollingUpdate block gets the API defaults
  return resolveFenceposts(ru.maxSurge ?? '25%', ru.maxUnavailable ?? '25%', replicasOf(d));
}

/** Pods allowed above spec.replicas; 0 for Recreate. */
export function maxSurge(d: KubeObject): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

/** Pods allowed to be unavailable, never more than spec.replicas; 0 for Recreate. */
export function maxUnavailable(d: KubeObject): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicas);
}

/** Sum of spec.replicas: what the ReplicaSets are asked to run. */
export const specTotal = (rss: KubeObject[]): number => rss.reduce((n, rs) => n + replicasOf(rs), 0);
/** Sum of status.availableReplicas. */
/**
 * Available pods across ReplicaSets, each counted at most up to its spec: a ReplicaSet just scaled down still reports
 * the pods it is about to delete until its controller catches up, and counting them would let the next step scale
 * down again below the floor.
 */
export const availableTotal = (rss: KubeObject[]): number =>
  rss.reduce((n, rs) => n + Math.min(rsStatus(rs, 'availableReplicas'), replicasOf(rs)), 0);

export const isActive = (rs: KubeObject): boolean => replicasOf(rs) > 0;

/**
 * The size the new ReplicaSet may have now: for RollingUpdate, grow toward spec.replicas while all ReplicaSets
 * together stay within spec.replicas + maxSurge; for Recreate, the full size at once (old pods are gone by then).
 */
export function newRSNewReplicas(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d)) return desired;
  const current = specTotal(allRSs);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, desired - replicasOf(newRS));
}

/** A new size for one ReplicaSet. */
export interface ScaleTarget {
  rs: KubeObject;
  replicas: number;
}

/**
 * The scale-down step of a rolling update. The floor is spec.replicas - maxUnavailable available pods, and
 * pods the new ReplicaSet still owes don't count as available. First old pods that are not available anyway are
 * removed (otherwise a broken old ReplicaSet would block the rollout forever), then available old pods down to
 * the floor; both oldest ReplicaSet first.
 */
export function planOldScaleDown(d: KubeObject, oldRSs: KubeObject[], newRS: KubeObject): ScaleTarget[] {
  const active = oldRSs.filter(isActive).sort(byCreation);
  const oldPods = specTotal(active);
  if (oldPods === 0) return [];
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - rsStatus(newRS, 'availableReplicas');
  const maxScaledDown = oldPods + replicasOf(newRS) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const sizes = new Map<KubeObject, number>(active.map((rs) => [rs, replicasOf(rs)]));
  let cleaned = 0;
  for (const rs of active) {
    if (cleaned >= maxScaledDown) break;
    const size = sizes.get(rs) as number;
    const unhealthy = size - rsStatus(rs, 'availableReplicas');
    if (size === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(rs, size - n);
    cleaned += n;
  }

  // available pods above the floor may go now (the new ReplicaSet's available pods count toward the floor)
  const available = availableTotal([...active, newRS]);
  const toScaleDown = available - minAvailable;
  let scaled = 0;
  for (const rs of active) {
    if (scaled >= toScaleDown) break;
    const size = sizes.get(rs) as number;
    if (size === 0) continue;
    const n = Math.min(size, toScaleDown - scaled);
    sizes.set(rs, size - n);
    scaled += n;
  }
  return active.filter((rs) => sizes.get(rs) !== replicasOf(rs)).map((rs) => ({ rs, replicas: sizes.get(rs) as number }));
}

/**
 * Recreate waits until no old pod is running: old ReplicaSets report none, and no pod they own is in a phase
 * other than Succeeded or Failed (a terminating pod still counts, it may still be serving).
 */
export function oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[], podsByRS: Map<string, KubeObject[]>): boolean {
  if (oldRSs.some((rs) => rsStatus(rs, 'replicas') > 0)) return true;
  for (const [uid, pods] of podsByRS) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) return true;
  }
  return false;
}
