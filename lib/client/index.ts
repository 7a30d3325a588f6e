// Flotilla's client and controller kit: everything a controller needs to talk to the API, and the Manager that runs
// controllers (shared informers, leader election, owner-based requeue, status and finalizer helpers, events,
// metrics). This file is the package's public entry point (`import { Manager } from 'flotilla'`).
export { loadKubeConfig, writeKubeConfig, type ClientConfig, type LoadOptions } from './kubeconfig.js';
export { Client, ApiError, isAlreadyExists, isConflict, isGone, isNotFound, resourcePath, retryOnConflict, type DeleteOptions, type ListOptions, type PatchType, type RawRequest, type WriteOptions } from './rest.js';
export { TypedClient, typedClient, type ResourceRef } from './typed.js';
export * from './builtin-types.js';
export { watch, type WatchOptions } from './watch.js';
export { Informer, SharedInformerFactory, keyOf, type InformerOptions } from './informer.js';
export { WorkQueue, type RateLimitOptions } from './workqueue.js';
export { ReconcileLoop, Reconciler, soonest, splitKey, type ReconcileFunc, type ReconcileLoopOptions, type ReconcileResult } from './reconciler.js';
export { Manager, type ManagerLeaderElection, type ManagerOptions } from './manager.js';
export { Controller, ControllerBuilder, type ControllerDeps, type ControllerOptions, type ControllerReconcile, type MapFunc, type ReconcileContext, type ReconcileRequest } from './controller.js';
export { ControllerMetrics, type DepthSource } from './metrics.js';
export { byControllerUid, claim, controllerRef, isBeingDeleted, newControllerRef, release, setOwnerReferences, type ClaimOptions } from './owners.js';
export { createOrUpdate, mergeOver, type CreateOrUpdateOptions, type Operation } from './create-or-update.js';
export { getCondition, setCondition, updateStatus, type UpdateStatusOptions } from './status.js';
export { addFinalizer, finalize, hasFinalizer, removeFinalizer, type FinalizeResult } from './finalizers.js';
export { EventRecorder, type EventType } from './events.js';
export { LeaderElector, microTime, type LeaderElectionOptions } from './leaderelection.js';
export { KINDS, apiVersionOf, findByAlias, findByKind, findByResource, type KindInfo } from '../api/kinds.js';
export type { KubeList, KubeObject, LabelSelector, ObjectMeta, OwnerReference, Status, WatchEvent } from '../api/types.js';
