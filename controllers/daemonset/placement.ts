// Where a DaemonSet's pods belong: which nodes should run one (nodeSelector, required node affinity, taints the
// pod doesn't tolerate), the tolerations every daemon pod gets, and the pod for one node, pinned to it with required
// node affinity on metadata.name so the scheduler binds it there (as Kubernetes places daemon pods since 1.12).
import { tolerates, type Taint, type Toleration } from '../../lib/api/taints.js';
import type { KubeObject } from '../../lib/api/types.js';
import { matchesNodeSelectorAndAffinity } from '../../scheduler/plugins/NodeAffinity.js';

/** The pod label naming the ControllerRevision a daemon pod was made from. */
export const REVISION_HASH_LABEL = 'controller-revision-hash';
/** The pod label with the DaemonSet generation whose template the pod has (kept as Kubernetes still sets it). */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });

/**
 * The tolerations Kubernetes adds to every daemon pod, so node problems and cordons don't take node-level services
 * away: not-ready and unreachable (NoExecute); disk, memory and PID pressure and unschedulable (NoSchedule); and
 * network-unavailable for pods on the host network, which are what brings the network up.
 */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const out = [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
  ];
  if (hostNetwork) out.push(exists('node.kubernetes.io/network-unavailable', 'NoSchedule'));
  return out;
}

/** The template's tolerations plus the daemon ones it doesn't already have (same key, operator and effect). */
export function withDaemonTolerations(own: Toleration[], hostNetwork: boolean): Toleration[] {
  const out = [...own];
  for (const t of daemonTolerations(hostNetwork)) {
    if (!out.some((o) => o.key === t.key && (o.operator ?? 'Equal') === t.operator && o.effect === t.effect)) out.push(t);
  }
  return out;
}

export interface Eligibility {
  /** A daemon pod should be created on the node when it has none. */
  shouldRun: boolean;
  /** A daemon pod already on the node may stay (a NoSchedule taint keeps new pods off but evicts none). */
  shouldContinueRunning: boolean;
}

/** Kubernetes' NodeShouldRunDaemonPod for the DaemonSet's template on this node. */
export function nodeEligibility(ds: KubeObject, node: KubeObject): Eligibility {
  const spec = (ds.spec?.template?.spec ?? {}) as { nodeName?: string; hostNetwork?: boolean; tolerations?: Toleration[] };
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return no;
  const pod = { metadata: {}, spec: ds.spec?.template?.spec ?? {} } as KubeObject;
  if (!matchesNodeSelectorAndAffinity(pod, node)) return no;
  const tolerations = withDaemonTolerations(spec.tolerations ?? [], spec.hostNetwork === true);
  const untolerated = ((node.spec?.taints ?? []) as Taint[])
    .filter((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => tolerates(tol, t)));
  if (!untolerated.length) return { shouldRun: true, shouldContinueRunning: true };
  return { shouldRun: false, shouldContinueRunning: !untolerated.some((t) => t.effect === 'NoExecute') };
}

/** The node a daemon pod is for: where it is bound, or (not yet bound) the node its required affinity names. */
export function nodeOfPod(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName as string;
  const terms = (pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) as
    Array<{ matchFields?: Array<{ key: string; operator: string; values?: string[] }> }>;
  for (const term of terms) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/**
 * The pod to create on node: the template with the revision's hash and the generation as labels, the daemon
 * tolerations, and its required node affinity replaced by the one term `metadata.name In [node]`; the other
 * affinity (preferred terms, pod affinity) is kept.
 */
export function podForNode(ds: KubeObject, node: string, hash: string): KubeObject {
  const tpl = structuredClone(ds.spec?.template ?? {}) as { metadata?: KubeObject['metadata']; spec?: Record<string, unknown> };
  const spec = (tpl.spec ?? {}) as { tolerations?: Toleration[]; hostNetwork?: boolean; affinity?: Record<string, unknown> };
  spec.tolerations = withDaemonTolerations(spec.tolerations ?? [], spec.hostNetwork === true);
  const affinity = (spec.affinity ?? {}) as { nodeAffinity?: Record<string, unknown> };
  affinity.nodeAffinity = {
    ...affinity.nodeAffinity,
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] },
  };
  spec.affinity = affinity;
  const meta = tpl.metadata ?? {};
  return {
    metadata: {
      annotations: meta.annotations,
      finalizers: meta.finalizers,
      generateName: `${ds.metadata.name as string}-`,
      namespace: ds.metadata.namespace,
      labels: { ...meta.labels, [REVISION_HASH_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) },
    },
    spec,
  } as KubeObject;
}
