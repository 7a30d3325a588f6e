// A node's state as kubectl's table shows it: Ready / NotReady / Unknown, SchedulingDisabled when cordoned, roles
// from the node-role.kubernetes.io/ labels.
import type { KubeObject } from '../api/types.js';
import { parseQuantity } from './format.js';

export function nodeStatus(n: KubeObject): string {
  const ready = (n.status?.conditions as Array<{ type: string; status: string }> | undefined)?.find((c) => c.type === 'Ready');
  const s = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown';
  return n.spec?.unschedulable ? `${s},SchedulingDisabled` : s;
}

export function nodeRoles(n: KubeObject): string {
  const roles = Object.keys(n.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length)).filter(Boolean);
  return roles.length ? roles.sort().join(',') : '<none>';
}

export function allocatable(n: KubeObject): { cpu: number; memory: number; pods: number } {
  const a = (n.status?.allocatable ?? n.status?.capacity ?? {}) as Record<string, string>;
  return { cpu: parseQuantity(a.cpu), memory: parseQuantity(a.memory), pods: parseQuantity(a.pods) };
}

export function capacity(n: KubeObject): { cpu: number; memory: number; pods: number } {
  const a = (n.status?.capacity ?? {}) as Record<string, string>;
  return { cpu: parseQuantity(a.cpu), memory: parseQuantity(a.memory), pods: parseQuantity(a.pods) };
}

export const internalIP = (n: KubeObject): string => (n.status?.addresses as Array<{ type: string; address: string }> | undefined)?.find((a) => a.type === 'InternalIP')?.address ?? '';
