// Scaling a Deployment (spec.replicas changed) without hurrying or reverting a rollout. With one active
// ReplicaSet it simply takes the new size. With several (mid-rollout) the change is spread proportionally to their
// sizes, so the ratio of new to old pods, and thus the risk of a bad template, stays where the rollout left it.
// Each ReplicaSet remembers the deployment size it was last sized for (desired-replicas / max-replicas
// annotations); a mismatch is how a scaling event is told apart from a rollout step.
import type { KubeObject } from '../../lib/api/types.js';
import { isActive, maxSurge, specTotal, type ScaleTarget } from './rollout.js';
import { byCreation, DESIRED_REPLICAS, isRollingUpdate, MAX_REPLICAS, replicasOf, rsStatus } from './types.js';

function intAnnotation(rs: KubeObject, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

/** Annotations recording the deployment size an RS was scaled for; undefined when already right. */
export function replicasAnnotations(rs: KubeObject, d: KubeObject): Record<string, string> | undefined {
  const desired = String(replicasOf(d));
  const max = String(replicasOf(d) + maxSurge(d));
  const a = rs.metadata.annotations ?? {};
  if (a[DESIRED_REPLICAS] === desired && a[MAX_REPLICAS] === max) return undefined;
  return { ...a, [DESIRED_REPLICAS]: desired, [MAX_REPLICAS]: max };
}

/** Some active ReplicaSet was sized for a different spec.replicas than the deployment has now. */
export function isScalingEvent(d: KubeObject, allRSs: KubeObject[]): boolean {
  return allRSs.filter(isActive).some((rs) => {
    const desired = intAnnotation(rs, DESIRED_REPLICAS);
    return desired !== undefined && desired !== replicasOf(d);
  });
}

/** The only active ReplicaSet; with none, the newest (the new one if it exists); with several, undefined. */
export function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: KubeObject[]): KubeObject | undefined {
  const all = [...(newRS ? [newRS] : []), ...oldRSs];
  const active = all.filter(isActive);
  if (active.length === 1) return active[0];
  if (active.length > 1) return undefined;
  if (newRS) return newRS;
  return [...oldRSs].sort(byCreation).at(-1);
}

/** The new ReplicaSet runs everything the deployment wants, all available: old ones can go entirely. */
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = intAnnotation(rs, DESIRED_REPLICAS);
  const want = replicasOf(d);
  return desired === want && replicasOf(rs) === want && rsStatus(rs, 'availableReplicas') === want;
}

/**
 * How many replicas rs gains (or loses) of `toAdd`, given `added` already handed out: its size scaled by the
 * ratio between the deployment's new maximum and the maximum it was last sized for. Never hands out more than
 * remains (when growing) or takes more than remains (when shrinking).
 */
export function proportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  const size = replicasOf(rs);
  if (size === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: KubeObject, d: KubeObject): number {
  const size = replicasOf(rs);
  if (replicasOf(d) === 0) return -size;
  const newMax = replicasOf(d) + maxSurge(d);
  let oldMax = intAnnotation(rs, MAX_REPLICAS) ?? 0;
  // without the annotation (someone edited it, or an adopted RS) the deployment's current pod count is the best guess
  if (oldMax === 0) oldMax = (d.status?.replicas as number | undefined) ?? 0;
  if (oldMax === 0) return 0;
  // Go's math.Round: halves away from zero (sizes are never negative here)
  return Math.round((size * newMax) / oldMax) - size;
}

/**
 * What a scaling event does to the ReplicaSets. Every returned target is written (even at the same size) so the
 * annotations record the new deployment size and the event is not seen again.
 */
export function planScale(d: KubeObject, newRS: KubeObject | undefined, oldRSs: KubeObject[]): ScaleTarget[] {
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) return [{ rs: single, replicas: replicasOf(d) }];
  if (isSaturated(d, newRS)) return oldRSs.filter(isActive).map((rs) => ({ rs, replicas: 0 }));
  if (!isRollingUpdate(d)) return [];

  const all = [...(newRS ? [newRS] : []), ...oldRSs].filter(isActive);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - specTotal(all);
  // largest first; among equals, growing favours the newer ReplicaSet and shrinking the older one
  all.sort((a, b) => {
    const s = replicasOf(b) - replicasOf(a);
    if (s !== 0) return s;
    return toAdd > 0 ? byCreation(b, a) : byCreation(a, b);
  });
  let added = 0;
  const sizes = all.map((rs) => {
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return replicasOf(rs) + p;
  });
  // rounding leftovers go to the largest ReplicaSet
  if (toAdd !== 0 && sizes.length) sizes[0] = Math.max(0, (sizes[0] as number) + toAdd - added);
  return all.map((rs, i) => ({ rs, replicas: sizes[i] as number }));
}
