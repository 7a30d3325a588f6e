// A Job's conditions: Complete, Failed, Suspended and the 1.31+ interim ones (SuccessCriteriaMet, FailureTarget)
// that say the outcome is decided while its pods are still being stopped.
import type { KubeObject } from '../../lib/api/types.js';

export interface JobCondition {
  type: string;
  status: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export const conditionsOf = (job: KubeObject): JobCondition[] => (job.status?.conditions ?? []) as JobCondition[];

export const hasTrue = (conds: JobCondition[], type: string): JobCondition | undefined => conds.find((c) => c.type === type && c.status === 'True');

export const isFinished = (job: KubeObject): boolean => !!(hasTrue(conditionsOf(job), 'Complete') ?? hasTrue(conditionsOf(job), 'Failed'));

/** conds with the condition of `type` set (its transition time kept when the status did not change). */
export function setCondition(conds: JobCondition[], type: string, status: string, reason: string, message: string, now: string): JobCondition[] {
  const old = conds.find((c) => c.type === type);
  if (old && old.status === status && old.reason === reason && old.message === message) return conds;
  const next: JobCondition = {
    type, status, reason, message,
    lastProbeTime: now,
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now,
  };
  return old ? conds.map((c) => (c === old ? next : c)) : [...conds, next];
}
