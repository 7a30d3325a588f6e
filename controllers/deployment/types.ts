// The Deployment vocabulary shared by the pure rollout logic and the controller: annotation keys, condition
// reasons and small typed accessors over the loosely typed KubeObject (the API server has applied defaults, but
// every accessor still falls back to Kubernetes' defaults so a hand-written object behaves the same).
import type { KubeObject } from '../../lib/api/types.js';

export const HASH_LABEL = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** extensions/v1beta1's rollbackTo, still in the skip list upstream so an old annotation never leaks onto an RS. */
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';

/** Reasons on the Progressing and Available conditions, exactly as kubectl and users read them. */
export const Reason = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  FailedReplicaSetCreate: 'ReplicaSetCreateError',
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface DeploymentCondition {
  type: string;
  status: ConditionStatus;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: DeploymentCondition[];
}

export type IntOrString = number | string;

/** spec.replicas; a missing value means 1 for both Deployments and ReplicaSets. */
export const replicasOf = (o: KubeObject): number => (typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1);

/** A ReplicaSet status counter (0 when absent, as Go's zero value). */
export const rsStatus = (rs: KubeObject, field: 'replicas' | 'readyReplicas' | 'availableReplicas' | 'observedGeneration'): number =>
  (rs.status?.[field] as number | undefined) ?? 0;

export const isRollingUpdate = (d: KubeObject): boolean => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** Upstream treats MaxInt32 as "no deadline"; a missing field gets the API default of 600 seconds. */
export function progressDeadlineSeconds(d: KubeObject): number | undefined {
  const v = d.spec?.progressDeadlineSeconds;
  if (v === null) return undefined;
  const s = typeof v === 'number' ? v : 600;
  return s >= 2147483647 ? undefined : s;
}

export const revisionHistoryLimit = (d: KubeObject): number => (typeof d.spec?.revisionHistoryLimit === 'number' ? d.spec.revisionHistoryLimit : 10);

/** Revision number from the annotation: 0 when absent, NaN when it isn't a number. */
export function revisionOf(o: KubeObject): number {
  const v = o.metadata.annotations?.[REVISION];
  if (v === undefined || v === '') return 0;
  return /^-?\d+$/.test(v) ? Number(v) : NaN;
}

export const created = (o: KubeObject): number => Date.parse(o.metadata.creationTimestamp ?? '') || 0;

/** Older first; equal timestamps fall back to the name so every controller sorts the same way. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
}

/** Kubernetes' metav1.Time JSON form: RFC 3339 with whole seconds. */
export const timestamp = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
