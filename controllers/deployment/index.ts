// The Deployment controller and the pure rollout logic behind it (exported for tests and for tools that want to
// predict what a rollout will do, e.g. a dry-run in the CLI).
export { DeploymentController } from './controller.js';
export { computeHash, equalIgnoreHash } from './hash.js';
export { maxSurge, maxUnavailable, newRSNewReplicas, planOldScaleDown, resolveFenceposts, type ScaleTarget } from './rollout.js';
export { planScale, isScalingEvent } from './scale.js';
export { findNewReplicaSet, maxRevision, newRSAnnotations, replicaSetsToCleanup } from './revision.js';
export { calculateStatus, rolloutStatus, pausedConditions, progressCheckAfterMs } from './status.js';
export * from './types.js';
