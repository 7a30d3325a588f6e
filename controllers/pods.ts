// Pod facts every workload controller needs: is a pod active, ready, available; and which pods go first when
// scaling down (the order Kubernetes uses, so users see the same pods disappear).
import type { KubeObject } from '../lib/api/types.js';

export const isPodActive = (p: KubeObject): boolean => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata.deletionTimestamp;

function readyCondition(p: KubeObject): { status: string; lastTransitionTime?: string } | undefined {
  return (p.status?.conditions as Array<{ type: string; status: string; lastTransitionTime?: string }> | undefined)?.find((c) => c.type === 'Ready');
}

export const isPodReady = (p: KubeObject): boolean => readyCondition(p)?.status === 'True';

/** Ready for at least minReadySeconds at `now`. */
export function isPodAvailable(p: KubeObject, minReadySeconds: number, now = Date.now()): boolean {
  const c = readyCondition(p);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
  return since + minReadySeconds * 1000 <= now;
}

/** Milliseconds until a ready pod becomes available, or undefined when that isn't pending. */
export function msUntilAvailable(p: KubeObject, minReadySeconds: number, now = Date.now()): number | undefined {
  const c = readyCondition(p);
  if (c?.status !== 'True' || !minReadySeconds || !c.lastTransitionTime) return undefined;
  const left = Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 - now;
  return left > 0 ? left : undefined;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

const restarts = (p: KubeObject): number => ((p.status?.containerStatuses as Array<{ restartCount?: number }> | undefined) ?? []).reduce((n, c) => Math.max(n,
  c.restartCount ?? 0), 0);

/**
 * Sorts pods so the ones to delete first come first: not yet scheduled, then pending, unknown, running; not ready
 * before ready; on a node crowded with this owner's pods before a lone one; ready for less time; restarted more;
 * newer.
 */
export function deletionOrder(pods: KubeObject[]): KubeObject[] {
  const perNode = new Map<string, number>();
  for (const p of pods) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const readySince = (p: KubeObject): number => Date.parse(readyCondition(p)?.lastTransitionTime ?? '') || 0;
  return [...pods].sort((a, b) => {
    const an = a.spec?.nodeName ? 1 : 0;
    const bn = b.spec?.nodeName ? 1 : 0;
    if (an !== bn) return an - bn;
    const ap = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
    const bp = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
    if (ap !== bp) return ap - bp;
    const ar = isPodReady(a) ? 1 : 0;
    const br = isPodReady(b) ? 1 : 0;
    if (ar !== br) return ar - br;
    const ac = perNode.get(a.spec?.nodeName) ?? 0;
    const bc = perNode.get(b.spec?.nodeName) ?? 0;
    if (ac !== bc) return bc - ac;
    if (ar && br) {
      const d = readySince(b) - readySince(a);
      if (d !== 0) return d;
    }
    const rr = restarts(b) - restarts(a);
    if (rr !== 0) return rr;
    return (Date.parse(b.metadata.creationTimestamp ?? '') || 0) - (Date.parse(a.metadata.creationTimestamp ?? '') || 0);
  });
}
