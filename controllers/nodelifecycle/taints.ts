// The taint manager's question: how long may a pod stay on a node with NoExecute taints.
import { tolerates, type Taint, type Toleration } from '../../lib/api/taints.js';
import type { KubeObject } from '../../lib/api/types.js';

export type { Taint, Toleration };

const DEFAULTED = new Set(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);

/**
 * Milliseconds until pod must be evicted from a node with these NoExecute taints: 0 = now, undefined = never.
 * A pod without a toleration for not-ready/unreachable gets one with defaultSeconds, as the API server's
 * DefaultTolerationSeconds admission gives every pod in Kubernetes.
 */
export function evictionDelayMs(pod: KubeObject, taints: Taint[], defaultSeconds: number, now = Date.now()): number | undefined {
  const tolerations: Toleration[] = (pod.spec?.tolerations as Toleration[] | undefined) ?? [];
  let deadline = Infinity;
  for (const taint of taints) {
    let matching = tolerations.filter((t) => tolerates(t, taint));
    if (!matching.length && DEFAULTED.has(taint.key)) matching = [{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultSeconds }];
    if (!matching.length) return 0;
    // the shortest tolerationSeconds wins; a toleration without it tolerates forever
    const secs = Math.min(...matching.map((t) => (t.tolerationSeconds === undefined ? Infinity : Math.max(0, t.tolerationSeconds))));
    if (secs === Infinity) continue;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    deadline = Math.min(deadline, added + secs * 1000);
  }
  if (deadline === Infinity) return undefined;
  return Math.max(0, deadline - now);
}
