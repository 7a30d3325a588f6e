// spec.podFailurePolicy: which rule (if any) a failed pod matches, and what it then does: FailJob fails the Job at
// once, Ignore leaves the failure out of the backoffLimit count, Count counts it as usual (FailIndex is for
// backoffLimitPerIndex, which this controller does not implement; it counts as usual).
import type { KubeObject } from '../../lib/api/types.js';

interface ExitCodes { containerName?: string; operator?: string; values?: number[] }
interface Rule { action?: string; onExitCodes?: ExitCodes; onPodConditions?: Array<{ type?: string; status?: string }> }
type Status = { name: string; state?: { terminated?: { exitCode?: number } } };

export interface PolicyMatch {
  action: string;
  /** Kubernetes' message for the Failed condition of a FailJob match. */
  message: string;
}

function exitCodeMatch(pod: KubeObject, req: ExitCodes): Status | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])] as Status[];
  return statuses.find((s) => {
    const code = s.state?.terminated?.exitCode;
    if (code === undefined || code === 0) return false;
    if (req.containerName && req.containerName !== s.name) return false;
    const listed = (req.values ?? []).includes(code);
    return req.operator === 'NotIn' ? !listed : listed;
  });
}

/** The first rule of the Job's policy that the failed pod matches, or undefined. */
export function matchFailurePolicy(job: KubeObject, pod: KubeObject): PolicyMatch | undefined {
  const rules = (job.spec?.podFailurePolicy?.rules ?? []) as Rule[];
  const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [i, rule] of rules.entries()) {
    const action = rule.action ?? '';
    if (rule.onExitCodes) {
      const c = exitCodeMatch(pod, rule.onExitCodes);
      if (c) return { action, message: `Container ${c.name} for pod ${where} failed with exit code ${c.state?.terminated?.exitCode} matching ${action} rule at index ${i}` };
    } else if (rule.onPodConditions?.length) {
      const conds = (pod.status?.conditions ?? []) as Array<{ type: string; status: string }>;
      const hit = rule.onPodConditions.find((p) => conds.some((c) => c.type === p.type && c.status === (p.status ?? 'True')));
      if (hit) return { action, message: `Pod ${where} has condition ${hit.type} matching ${action} rule at index ${i}` };
    }
  }
  return undefined;
}
