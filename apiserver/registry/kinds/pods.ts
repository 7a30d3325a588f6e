// Pods: status starts Pending with a QoS class; deletion is graceful once a pod is on a node (the node agent
// finishes it with grace 0); binding is a subresource (see ../binding.ts).
import type { KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import type { Strategy } from '../strategy.js';

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
type Container = { resources?: Resources };

/** Guaranteed, Burstable or BestEffort, as the kubelet classifies a pod from its containers' resources. */
export function qosClass(spec: { containers?: Container[]; initContainers?: Container[] } | undefined): string {
  const all = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && String(req[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function podStrategy(kind: KindInfo): Strategy {
  return {
    kind,
    statusSubresource: true,
    generation: false,
    prepareForCreate(obj: KubeObject) {
      obj.status = { phase: 'Pending', qosClass: qosClass(obj.spec) };
    },
    gracePeriod(obj: KubeObject, requested: number | undefined) {
      const phase = obj.status?.phase as string | undefined;
      if (!obj.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
      const grace = requested ?? (obj.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30;
      // Kubernetes turns an explicit 0 into 1 s for pods on a node unless forced; the agent still gets to clean up.
      return grace;
    },
  };
}
