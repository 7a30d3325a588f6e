// pods/NAME/eviction (policy/v1 Eviction, and v1beta1 of the same shape): a delete that honours the
// PodDisruptionBudgets covering the pod, as `kubectl drain` uses it. An allowed eviction takes one of the budget's
// disruptionsAllowed in the same compare-and-swap write that records the pod in status.disruptedPods, so two
// evictions racing for the last disruption can't both win; a refused one is a 429 kubectl retries.
import { findByKind } from '../../../lib/api/kinds.js';
import { matchesLabelSelector } from '../../../lib/api/selectors/index.js';
import { rfc3339 } from '../../../lib/api/time.js';
import type { KubeObject, StatusCause } from '../../../lib/api/types.js';
import { ApiError, errors } from '../../errors.js';
import { POLICY } from '../../../lib/api/schema/policy.js';
import type { SubresourceDefinition } from '../kind.js';
import type { Store } from '../store.js';
import { STATUS_WRITE } from '../subresources.js';
import type { DeleteOptions } from '../types.js';

const PDB = findByKind('policy/v1', 'PodDisruptionBudget')!;
export const VIOLATES_BUDGET = "Cannot evict pod as it would violate the pod's disruption budget.";
/** Kubernetes' policy.DisruptionBudgetCause. */
export const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';
/** Evictions the disruption controller has not confirmed yet, past which more are refused (MaxDisruptedPodSize). */
const MAX_DISRUPTED_PODS = 2000;

const isReady = (p: KubeObject): boolean => ((p.status?.conditions ?? []) as Array<{ type: string; status: string }>).some((c) => c.type === 'Ready' && c.status === 'True');

/** What an eviction does before touching any budget. */
export type EvictionPlan =
  | { kind: 'delete'; why: 'no-budget' | 'ignores-budgets' | 'unhealthy-allowed' }
  | { kind: 'decrement'; pdb: KubeObject }
  | { kind: 'error'; error: ApiError };

/**
 * Which way an eviction goes, from the pod and the budgets in its namespace: pods that are finished, pending or
 * already terminating are deleted without a budget (they count for none); more than one budget is an error; a pod
 * that isn't ready goes at once when its budget says AlwaysAllow, or says IfHealthyBudget (the default) and the
 * budget is met; anything else must take one of the budget's allowed disruptions.
 */
export function planEviction(pod: KubeObject, budgets: KubeObject[]): EvictionPlan {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata.deletionTimestamp) return { kind: 'delete', why: 'ignores-budgets' };
  const covering = budgets.filter((b) => matchesLabelSelector(b.spec?.selector, pod.metadata.labels ?? {}));
  if (!covering.length) return { kind: 'delete', why: 'no-budget' };
  if (covering.length > 1) return { kind: 'error', error: errors.internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.') };
  const pdb = covering[0] as KubeObject;
  if (!isReady(pod)) {
    const policy = pdb.spec?.unhealthyPodEvictionPolicy ?? 'IfHealthyBudget';
    const s = pdb.status ?? {};
    if (policy === 'AlwaysAllow') return { kind: 'delete', why: 'unhealthy-allowed' };
    if ((s.desiredHealthy ?? 0) > 0 && (s.currentHealthy ?? 0) >= (s.desiredHealthy ?? 0)) return { kind: 'delete', why: 'unhealthy-allowed' };
  }
  return { kind: 'decrement', pdb };
}

function tooManyRequests(cause: string): ApiError {
  const causes: StatusCause[] = [{ reason: DISRUPTION_BUDGET_CAUSE, message: cause }];
  return new ApiError(429, 'TooManyRequests', VIOLATES_BUDGET, { causes });
}

/**
 * The budget's status after taking one disruption for pod, or the refusal: a status the controller hasn't computed
 * for this generation yet, no disruption left, or too many evictions it hasn't confirmed.
 */
export function takeDisruption(pdb: KubeObject, pod: string, now: string): KubeObject {
  const s = pdb.status ?? {};
  const name = pdb.metadata.name as string;
  if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`);
  const allowed = s.disruptionsAllowed ?? 0;
  if (allowed < 0) throw errors.forbidden('pdb disruptions allowed is negative');
  if (Object.keys(s.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) throw errors.forbidden('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0) throw tooManyRequests(`The disruption budget ${name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently`);
  return { ...pdb, status: { ...s, disruptionsAllowed: allowed - 1, disruptedPods: { ...(s.disruptedPods ?? {}), [pod]: now } } };
}

interface EvictionBody {
  kind?: string;
  metadata?: { name?: string };
  deleteOptions?: DeleteOptions | null;
}

/** POST pods/NAME/eviction. */
export const eviction: SubresourceDefinition = {
  kind: { group: 'policy', version: 'v1', kind: 'Eviction' },
  schema: `${POLICY}Eviction`,
  verbs: ['create'],
  async serve(c) {
    if (c.method !== 'POST') throw errors.methodNotAllowed();
    const body = (await c.body()) as unknown as EvictionBody;
    if (body.kind !== undefined && body.kind !== 'Eviction') throw errors.badRequest(`expected an Eviction, got a ${String(body.kind)}`);
    if (body.metadata?.name !== undefined && body.metadata.name !== c.name) throw errors.badRequest('name in URL does not match name in Eviction object');
    const opts: DeleteOptions = { ...(body.deleteOptions ?? {}) };
    const ctx = { ...c.ctx, dryRun: c.ctx.dryRun || !!opts.dryRun?.length };
    const pods = c.store as Store;
    const budgets = c.stores.get(PDB) as Store;
    const ns = c.ctx.namespace as string;
    const pod = await pods.get(ns, c.name);
    const listed = await budgets.list(ns, { filter: { matches: () => true, isEverything: true } });
    const plan = planEviction(pod, listed.items);
    if (plan.kind === 'error') throw plan.error;
    if (plan.kind === 'decrement') {
      // the check and the decrement happen on the stored budget, in one conditional write (retried on races)
      await budgets.update(ctx, plan.pdb.metadata.name as string, (cur) => takeDisruption(cur, c.name, rfc3339()), STATUS_WRITE);
    } else if (plan.why === 'unhealthy-allowed' && !opts.preconditions?.resourceVersion) {
      // the pod must still be the unready one judged above
      opts.preconditions = { ...opts.preconditions, resourceVersion: pod.metadata.resourceVersion };
    }
    if (!ctx.dryRun && !pod.metadata.deletionTimestamp) await markDisruptionTarget(pods, ctx, c.name);
    await pods.delete(ctx, c.name, opts);
    c.sendJson(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  },
};

/** The DisruptionTarget condition Kubernetes sets on an evicted pod before deleting it. */
async function markDisruptionTarget(pods: Store, ctx: Parameters<Store['update']>[0], name: string): Promise<void> {
  try {
    await pods.update(ctx, name, (cur) => {
      const conditions = ((cur.status?.conditions ?? []) as Array<{ type: string }>).filter((x) => x.type !== 'DisruptionTarget');
      conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastProbeTime: null, lastTransitionTime: rfc3339() } as { type: string });
      return { ...cur, status: { ...cur.status, conditions } };
    }, STATUS_WRITE);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 404)) throw e;
  }
}
