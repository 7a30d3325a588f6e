// Closing the gap between a ReplicaSet's spec.replicas and its active pods, in bounded bursts as Kubernetes'
// replica_set.go does: at most burstReplicas (500) creates or deletes per sync; creates go out in slow-start
// batches (1, 2, 4, ...) that stop at the first failing batch, so a template the API refuses (a quota, a bad
// field) costs a handful of failed requests and events, not thousands; deletes go out together. Before any write
// the expectations record what the informer must show before the next count, so a lagging watch can't make the
// next sync create or delete the same pods again.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, isNotFound, keyOf, newControllerRef, type Client } from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { Expectations } from '../expectations.js';
import { deletionOrder } from '../pods.js';

const POD = findByKind('v1', 'Pod')!;
/** kube-controller-manager's burstReplicas: creates or deletes per ReplicaSet per sync. */
export const BURST_REPLICAS = 500;
/** The first slow-start batch (Kubernetes' SlowStartInitialBatchSize). */
export const SLOW_START_INITIAL_BATCH = 1;

export interface ReplicaDeps {
  client: Client;
  recorder: EventRecorder;
  expectations: Expectations;
  burstReplicas: number;
}

/**
 * Calls fn count times in batches of initial, 2*initial, 4*initial, ... (each batch concurrently), stopping after
 * the first batch in which a call fails. Returns how many calls succeeded and the first failure.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, fn));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += size - failed.length;
    if (failed.length) return { successes, error: failed[0]?.reason };
    remaining -= size;
  }
  return { successes };
}

/** Creates or deletes pods of rs (key is its queue key) so that `active` moves toward spec.replicas. */
export async function manageReplicas(d: ReplicaDeps, rs: KubeObject, key: string, active: KubeObject[]): Promise<void> {
  const diff = active.length - (rs.spec?.replicas ?? 1);
  if (diff < 0) {
    const n = Math.min(-diff, d.burstReplicas);
    d.expectations.expectCreations(key, n);
    const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH, () => createPod(d, rs));
    // creates that failed or were never tried will never be observed
    for (let i = successes; i < n; i++) d.expectations.creationFailed(key);
    if (error !== undefined) throw error;
  } else if (diff > 0) {
    const victims = deletionOrder(active).slice(0, Math.min(diff, d.burstReplicas));
    d.expectations.expectDeletions(key, victims.map(keyOf));
    const results = await Promise.allSettled(victims.map((p) => deletePod(d, rs, key, p)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

const isNamespaceTerminating = (e: unknown): boolean => e instanceof ApiError && !!e.status.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');

async function createPod(d: ReplicaDeps, rs: KubeObject): Promise<void> {
  const t = rs.spec?.template ?? {};
  const pod: KubeObject = {
    metadata: {
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: t.metadata?.labels,
      annotations: t.metadata?.annotations,
      finalizers: t.metadata?.finalizers,
      ownerReferences: [newControllerRef(rs, 'apps/v1', 'ReplicaSet')],
    },
    spec: t.spec,
  };
  try {
    const created = await d.client.create(POD, pod);
    d.recorder.event(typed(rs), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
  } catch (e) {
    // every create in a namespace being deleted fails: nothing to report or retry
    if (isNamespaceTerminating(e)) return;
    d.recorder.event(typed(rs), 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
    throw e;
  }
}

async function deletePod(d: ReplicaDeps, rs: KubeObject, key: string, p: KubeObject): Promise<void> {
  try {
    await d.client.delete(POD, p.metadata.name as string, { namespace: p.metadata.namespace, preconditions: { uid: p.metadata.uid } });
    d.recorder.event(typed(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
  } catch (e) {
    d.expectations.deletionFailed(key, keyOf(p));
    if (isNotFound(e)) return;
    d.recorder.event(typed(rs), 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
    throw e;
  }
}

export const typed = (rs: KubeObject): KubeObject => ({ ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' });
