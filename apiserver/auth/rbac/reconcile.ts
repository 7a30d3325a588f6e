// The default roles and bindings at API server start, as Kubernetes' bootstrap policy reconciles them: made when
// missing; when present and annotated autoupdate "true", given back whatever of the defaults they lack (rules,
// aggregation selectors, subjects, labels), keeping what an admin added. An admin who sets autoupdate "false" keeps
// the object exactly as they left it.
import { semanticEqual } from '../../validation/update.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { logger } from '../../../lib/util/log.js';
import { toApiError } from '../../errors.js';
import type { ObjectStore, WriteContext } from '../../registry/types.js';
import { AUTOUPDATE, bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';

const log = logger('apiserver');

export interface PolicyStores {
  clusterroles: ObjectStore & { create(ctx: WriteContext, obj: KubeObject): Promise<KubeObject> };
  clusterrolebindings: ObjectStore & { create(ctx: WriteContext, obj: KubeObject): Promise<KubeObject> };
}

const union = (a: unknown, b: unknown): unknown[] => {
  const out = Array.isArray(a) ? [...a] : [];
  for (const x of Array.isArray(b) ? b : []) if (!out.some((y) => semanticEqual(x, y))) out.push(x);
  return out;
};

/** The existing object with what it lacks of the default one; undefined when it lacks nothing. */
export function reconciled(existing: KubeObject, want: KubeObject): KubeObject | undefined {
  const out: KubeObject = structuredClone(existing);
  out.metadata.labels = { ...want.metadata.labels, ...existing.metadata.labels };
  out.metadata.annotations = { ...want.metadata.annotations, ...existing.metadata.annotations };
  if (want.kind === 'ClusterRole') {
    if (want.aggregationRule) {
      // an aggregated role's rules are the aggregation controller's to write
      const sel = union((existing.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined)?.clusterRoleSelectors,
        (want.aggregationRule as { clusterRoleSelectors: unknown[] }).clusterRoleSelectors);
      out.aggregationRule = { clusterRoleSelectors: sel };
    } else out.rules = union(existing.rules, want.rules);
  } else out.subjects = union(existing.subjects, want.subjects);
  return semanticEqual(out, existing) ? undefined : out;
}

async function ensure(store: PolicyStores['clusterroles'], want: KubeObject): Promise<void> {
  const ctx: WriteContext = { dryRun: false, fieldValidation: 'Ignore', warnings: [] };
  const name = want.metadata.name as string;
  let existing: KubeObject;
  try {
    existing = await store.get(undefined, name);
  } catch (e) {
    if (toApiError(e).code !== 404) throw e;
    await store.create(ctx, want);
    log.info('created default RBAC object', { kind: want.kind, name });
    return;
  }
  if (existing.metadata.annotations?.[AUTOUPDATE] !== 'true') return;
  if (want.kind === 'ClusterRoleBinding' && !semanticEqual(existing.roleRef, want.roleRef)) {
    // a roleRef cannot change: Kubernetes' reconciliation leaves such a binding to its admin too
    log.warn('default ClusterRoleBinding refers to another role; left as it is', { name });
    return;
  }
  const next = reconciled(existing, want);
  if (!next) return;
  await store.update(ctx, name, (cur) => reconciled(cur, want) ?? cur);
  log.info('reconciled default RBAC object', { kind: want.kind, name });
}

export async function reconcileBootstrapPolicy(stores: PolicyStores): Promise<void> {
  // one object does not depend on another: all at once, so start-up waits for one round of etcd writes
  await Promise.all([...bootstrapClusterRoles().map((r) => ensure(stores.clusterroles, r)),
    ...bootstrapClusterRoleBindings().map((b) => ensure(stores.clusterrolebindings, b))]);
}
