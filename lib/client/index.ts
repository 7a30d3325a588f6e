// Flotilla's client: everything a controller needs to talk to the API.
export { loadKubeConfig, writeKubeConfig, type ClientConfig, type LoadOptions } from './kubeconfig.js';
export { Client, ApiError, isAlreadyExists, isConflict, isGone, isNotFound, resourcePath, retryOnConflict, type DeleteOptions, type ListOptions, type PatchType, type WriteOptions } from './rest.js';
export { watch, type WatchOptions } from './watch.js';
export { Informer, SharedInformerFactory, keyOf, type InformerOptions } from './informer.js';
export { WorkQueue, type RateLimitOptions } from './workqueue.js';
export { ReconcileLoop, Reconciler, soonest, splitKey, type ReconcileFunc, type ReconcileLoopOptions, type ReconcileResult } from './reconciler.js';
export { byControllerUid, claim, controllerRef, isBeingDeleted, newControllerRef, release, setOwnerReferences, type ClaimOptions } from './owners.js';
export { LeaderElector, microTime, type LeaderElectionOptions } from './leaderelection.js';
export { KINDS, findByAlias, findByKind, findByResource } from '../api/kinds.js';
