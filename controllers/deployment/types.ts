// The Deployment vocabulary shared by the pure rollout logic and the controller: annotation keys, condition
// reasons and small typed accessors over the loosely typed KubeObject (the API server has applied defaults, but
// every accessor still falls back to Kubernetes' defaults so a hand-written object behaves the same).
import { REVISION } from '../../lib/api/deployment.js';
import { rfc3339 } from '../../lib/api/time.js';
import type { KubeObject } from '../../lib/api/types.js';

export {
  CHANGE_CAUSE, DEPRECATED_ROLLBACK_TO, DESIRED_REPLICAS, HASH_LABEL, LAST_APPLIED, MAX_REPLICAS, REVISION, REVISION_HISTORY,
} from '../../lib/api/deployment.js';

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
export const timestamp = (ms: number): string => rfc3339(ms);
