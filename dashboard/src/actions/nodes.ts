// Cordon and drain, as kubectl does them: cordon sets spec.unschedulable; drain cordons, then evicts every pod on
// the node except DaemonSet-managed and mirror (static) pods. Eviction goes through the pods/eviction subresource
// so PodDisruptionBudgets are honoured; a server without that subresource (404) gets a plain delete instead.
import { type ApiClient, ApiError } from '../api/client.js';
import { R, objectPath } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { patchObject } from './objects.js';

export const cordon = (api: ApiClient, node: string, unschedulable: boolean): Promise<KubeObject> => patchObject(api, R.nodes, undefined, node,
  { spec: { unschedulable: unschedulable || null } });

const MIRROR = 'kubernetes.io/config.mirror';

/** The pods drain removes from a node, and those it leaves (with kubectl's reason). */
export function drainPlan(node: string, pods: Iterable<KubeObject>): { evict: KubeObject[]; skip: Array<{ pod: KubeObject; reason: string }> } {
  const evict: KubeObject[] = [];
  const skip: Array<{ pod: KubeObject; reason: string }> = [];
  for (const p of pods) {
    if (p.spec?.nodeName !== node || p.metadata.deletionTimestamp) continue;
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') {
      evict.push(p);
      continue;
    }
    if (p.metadata.annotations?.[MIRROR]) skip.push({ pod: p, reason: 'mirror pod' });
    else if (p.metadata.ownerReferences?.some((o) => o.controller && o.kind === 'DaemonSet')) skip.push({ pod: p, reason: 'DaemonSet-managed' });
    else evict.push(p);
  }
  return { evict, skip };
}

export async function evict(api: ApiClient, p: KubeObject): Promise<void> {
  const ns = p.metadata.namespace;
  const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata.name, namespace: ns } };
  try {
    await api.json('POST', objectPath(R.pods, ns, p.metadata.name, 'eviction'), { body });
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 404 || e.status?.details?.name === p.metadata.name) throw e;
    await api.json('DELETE', objectPath(R.pods, ns, p.metadata.name));
  }
}

/** Cordons the node and evicts its pods; returns how many were evicted and the errors met. */
export async function drain(api: ApiClient, node: string, pods: Iterable<KubeObject>): Promise<{ evicted: number; skipped: number; errors: string[] }> {
  await cordon(api, node, true);
  const plan = drainPlan(node, pods);
  const errors: string[] = [];
  let evicted = 0;
  await Promise.all(plan.evict.map(async (p) => {
    try {
      await evict(api, p);
      evicted++;
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) evicted++; // already gone
      else errors.push(`${p.metadata.namespace}/${p.metadata.name}: ${(e as Error).message}`);
    }
  }));
  return { evicted, skipped: plan.skip.length, errors };
}
