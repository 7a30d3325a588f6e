// The disruption controller's arithmetic (Kubernetes' disruption.go): how many pods a PodDisruptionBudget expects,
// how many must stay healthy, how many are, and so how many may be disrupted now. Pure; controller.ts feeds it.
import { isPercent, scaledValue } from '../../lib/api/intstr.js';
import { rfc3339 } from '../../lib/api/time.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isPodReady } from '../pods.js';

/** How long an eviction the API server recorded in disruptedPods may wait for its pod's deletion to show. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/**
 * Does the budget need the pods' controllers' scale (maxUnavailable, or minAvailable as a percentage)? Otherwise
 * the expected count is simply the number of pods selected.
 */
export function needsScale(pdb: KubeObject): boolean {
  const spec = pdb.spec ?? {};
  return spec.maxUnavailable !== undefined && spec.maxUnavailable !== null ? true : isPercent(spec.minAvailable);
}

/** expectedPods and desiredHealthy; `scale` is the summed scale of the pods' controllers when needsScale(). */
export function expectations(pdb: KubeObject, pods: KubeObject[], scale: number): { expected: number; desiredHealthy: number } {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const maxUnavailable = scaledValue(spec.maxUnavailable, scale, true) ?? 0;
    return { expected: scale, desiredHealthy: Math.max(0, scale - maxUnavailable) };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (isPercent(spec.minAvailable)) return { expected: scale, desiredHealthy: scaledValue(spec.minAvailable, scale, true) ?? 0 };
    return { expected: pods.length, desiredHealthy: Number(spec.minAvailable) };
  }
  return { expected: 0, desiredHealthy: 0 };
}

/**
 * The evictions still waiting to be seen: an entry goes once its pod is gone or terminating, or once it is older
 * than DELETION_TIMEOUT_MS (the eviction's delete must have failed). `recheckInMs` is when the next one expires.
 */
export function pendingDisruptions(pdb: KubeObject, pods: KubeObject[], now: number): { pending: Record<string, string>; recheckInMs?: number } {
  const byName = new Map(pods.map((p) => [p.metadata.name as string, p]));
  const pending: Record<string, string> = {};
  let recheckInMs: number | undefined;
  for (const [name, at] of Object.entries((pdb.status?.disruptedPods ?? {}) as Record<string, string>)) {
    const pod = byName.get(name);
    if (!pod || pod.metadata.deletionTimestamp) continue;
    const expires = (Date.parse(at) || 0) + DELETION_TIMEOUT_MS;
    if (expires <= now) continue;
    pending[name] = at;
    recheckInMs = Math.min(recheckInMs ?? Infinity, expires - now);
  }
  return { pending, recheckInMs };
}

/** Healthy pods: Ready, not terminating and not just evicted (their deletion may not show yet). */
export function countHealthy(pods: KubeObject[], pending: Record<string, string>): number {
  return pods.filter((p) => !p.metadata.deletionTimestamp && !(p.metadata.name as string in pending) && isPodReady(p)).length;
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

/** The DisruptionAllowed condition, keeping its transition time while the status stays the same. */
function condition(pdb: KubeObject, status: 'True' | 'False', reason: string, message: string): Condition[] {
  const others = ((pdb.status?.conditions ?? []) as Condition[]).filter((c) => c.type !== 'DisruptionAllowed');
  const prev = ((pdb.status?.conditions ?? []) as Condition[]).find((c) => c.type === 'DisruptionAllowed');
  const lastTransitionTime = prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339();
  return [...others, { type: 'DisruptionAllowed', status, reason, message, observedGeneration: pdb.metadata.generation, lastTransitionTime }];
}

/** The budget's status from its pods (and their controllers' scale, or the error finding it). */
export function budgetStatus(pdb: KubeObject, pods: KubeObject[], scale: number | Error, now = Date.now()):
  { status: Record<string, unknown>; recheckInMs?: number } {
  const { pending, recheckInMs } = pendingDisruptions(pdb, pods, now);
  if (scale instanceof Error) {
    // nothing may be disrupted while the budget can't be computed
    return {
      status: { ...pdb.status, disruptionsAllowed: 0, disruptedPods: pending, observedGeneration: pdb.metadata.generation,
        conditions: condition(pdb, 'False', 'SyncFailed', scale.message) },
      recheckInMs,
    };
  }
  const { expected, desiredHealthy } = expectations(pdb, pods, scale);
  const currentHealthy = countHealthy(pods, pending);
  const allowed = Math.max(0, currentHealthy - desiredHealthy);
  return {
    status: {
      ...pdb.status,
      currentHealthy, desiredHealthy, expectedPods: expected, disruptionsAllowed: allowed, disruptedPods: pending,
      observedGeneration: pdb.metadata.generation,
      conditions: allowed > 0 ? condition(pdb, 'True', 'SufficientPods', '') : condition(pdb, 'False', 'InsufficientPods', ''),
    },
    recheckInMs,
  };
}
