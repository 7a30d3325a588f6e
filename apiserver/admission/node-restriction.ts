// NodeRestriction, the part the request's body decides (the path's part is in auth/node-authorizer.ts): a node
// creates only its own Node and node Lease, never changes its taints, and sets or changes only the labels Kubernetes
// lets a kubelet set on itself - so no node can label itself into workloads meant for other nodes
// (`node-restriction.kubernetes.io/`, node-role, ...). Called from the Node and Lease kind files' authorizeWrite.
import type { KubeObject } from '../../lib/api/types.js';
import { nodeOf } from '../auth/node-authorizer.js';
import { errors } from '../errors.js';
import type { WriteContext } from '../registry/types.js';

/** Labels in the kubernetes.io and k8s.io namespaces that a node may set on itself (Kubernetes' kubelet label set). */
const ALLOWED_LABELS = new Set([
  'kubernetes.io/hostname', 'kubernetes.io/arch', 'kubernetes.io/os', 'beta.kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type', 'failure-domain.beta.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone', 'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
]);
const ALLOWED_PREFIXES = ['kubelet.kubernetes.io/', 'node.kubernetes.io/'];

/** Whether a node may set this label on itself. */
export function nodeMaySetLabel(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return true;
  const ns = key.slice(0, slash);
  if (ns === 'node-restriction.kubernetes.io' || ns.endsWith('.node-restriction.kubernetes.io')) return false;
  const kubernetes = ns === 'kubernetes.io' || ns.endsWith('.kubernetes.io') || ns === 'k8s.io' || ns.endsWith('.k8s.io');
  return !kubernetes || ALLOWED_LABELS.has(key) || ALLOWED_PREFIXES.some((p) => key.startsWith(p));
}

const labelsOf = (o: KubeObject | undefined): Record<string, string> => (o?.metadata.labels ?? {}) as Record<string, string>;

export async function restrictNodeWrite(obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext): Promise<void> {
  const node = ctx.access ? nodeOf(ctx.access.user) : undefined;
  if (node === undefined) return;
  const name = String(obj.metadata.name ?? '');
  const refuse = (why: string) => errors.forbidden(`nodes ${JSON.stringify(name)} is forbidden: ${why}`, { name, kind: 'nodes' });
  if (name !== node) throw refuse(`node ${JSON.stringify(node)} is not allowed to modify node ${JSON.stringify(name)}`);
  const now = labelsOf(obj);
  const before = labelsOf(old);
  const changed = [...new Set([...Object.keys(now), ...Object.keys(before)])].filter((k) => now[k] !== before[k] && !nodeMaySetLabel(k)).sort();
  if (changed.length) {
    const what = old ? 'is not allowed to modify labels' : 'is not allowed to set the following labels';
    throw refuse(`node ${JSON.stringify(node)} ${what}: ${changed.join(', ')}`);
  }
  if (old && JSON.stringify(obj.spec?.taints ?? []) !== JSON.stringify(old.spec?.taints ?? [])) {
    throw refuse(`node ${JSON.stringify(node)} is not allowed to modify taints`);
  }
}

export async function restrictLeaseWrite(obj: KubeObject, _old: KubeObject | undefined, ctx: WriteContext): Promise<void> {
  const node = ctx.access ? nodeOf(ctx.access.user) : undefined;
  if (node === undefined) return;
  if (obj.metadata.namespace !== 'kube-node-lease' || obj.metadata.name !== node) {
    const name = String(obj.metadata.name ?? '');
    throw errors.forbidden(`leases.coordination.k8s.io ${JSON.stringify(name)} is forbidden: can only access node lease with the same name as the requesting node`,
      { name, group: 'coordination.k8s.io', kind: 'leases' });
  }
}
