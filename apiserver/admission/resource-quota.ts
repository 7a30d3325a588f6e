// ResourceQuota admission (Kubernetes' ResourceQuota plugin): a create is charged against every quota of its
// namespace whose scopes take it in. The charge is written into the quota's status.used with the quota's
// resourceVersion as precondition (compare-and-swap), so of two creates racing for the last unit only one gets it;
// the loser reads the quota again and is refused. A quota whose status the controller hasn't filled in yet refuses
// (status unknown), as Kubernetes does. Refusals are 403 Forbidden with Kubernetes' words:
// `exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`.
import type { KindInfo } from '../../lib/api/kinds.js';
import { formatAmount, matchesScopes, objectUsage, parseAmount, prettyPrint, type Usage } from '../../lib/api/quota.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, errors } from '../errors.js';

export interface QuotaAdmissionDeps {
  /** The namespace's ResourceQuotas, read consistently (fresh from storage). */
  quotas(namespace: string): Promise<KubeObject[]>;
  /** Writes the quota's status; 409 when its resourceVersion is no longer the stored one. */
  updateQuotaStatus(quota: KubeObject): Promise<void>;
}

const MAX_ATTEMPTS = 10;

function refuse(kind: KindInfo, obj: KubeObject, message: string): ApiError {
  const name = obj.metadata?.name ?? '';
  return errors.forbidden(`${kind.resource}${kind.group ? `.${kind.group}` : ''} "${name}" is forbidden: ${message}`, { name, kind: kind.resource, ...(kind.group ? { group: kind.group } : {}) });
}

const COMPUTE_NAMES = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory'];

/** Containers missing what a compute quota tracks: `must specify limits.cpu for: app; ...`. */
function missingCompute(quota: KubeObject, pod: KubeObject): string | undefined {
  const hard = Object.keys((quota.spec?.hard ?? {}) as Record<string, unknown>).filter((r) => COMPUTE_NAMES.includes(r));
  const failures: string[] = [];
  for (const r of hard.sort()) {
    const [kind, res] = r.includes('.') ? r.split('.') as [string, string] : ['requests', r];
    const missing = ((pod.spec?.containers ?? []) as Array<{ name?: string; resources?: Record<string, Record<string, unknown>> }>)
      .filter((c) => c.resources?.[kind]?.[res] === undefined && !(kind === 'requests' && c.resources?.limits?.[res] !== undefined))
      .map((c) => c.name ?? '');
    if (missing.length) failures.push(`${r} for: ${missing.join(',')}`);
  }
  return failures.length ? `must specify ${failures.join('; ')}` : undefined;
}

/** Charges obj (a create of kind) against the namespace's quotas; throws 403 when one would be exceeded. */
export async function admitQuota(d: QuotaAdmissionDeps, kind: KindInfo, obj: KubeObject, dryRun: boolean): Promise<void> {
  const namespace = obj.metadata.namespace as string;
  const isPod = kind.group === '' && kind.resource === 'pods';
  for (let attempt = 0; ; attempt++) {
    const quotas = (await d.quotas(namespace)).filter((q) => matchesScopes(q, kind.resource, kind.group, obj));
    if (!quotas.length) return;
    const usage: Usage = objectUsage(kind.resource, kind.group, obj);
    const updates: KubeObject[] = [];
    for (const q of quotas) {
      const hard = (q.spec?.hard ?? {}) as Record<string, string>;
      const interesting = Object.keys(hard).filter((r) => usage.has(r) || (isPod && COMPUTE_NAMES.includes(r)));
      if (!interesting.length) continue;
      if (isPod) {
        const missing = missingCompute(q, obj);
        if (missing) throw refuse(kind, obj, `failed quota: ${q.metadata.name as string}: ${missing}`);
      }
      const statusHard = (q.status?.hard ?? {}) as Record<string, string>;
      const used = (q.status?.used ?? {}) as Record<string, string>;
      const unknown = interesting.filter((r) => statusHard[r] === undefined || used[r] === undefined);
      if (unknown.length) throw refuse(kind, obj, `status unknown for quota: ${q.metadata.name as string}, resources: ${unknown.sort().join(',')}`);
      const exceeded: string[] = [];
      const nextUsed: Record<string, string> = { ...used };
      for (const r of interesting) {
        const add = usage.get(r) ?? 0;
        const next = parseAmount(used[r]) + add;
        if (next > parseAmount(statusHard[r])) exceeded.push(r);
        nextUsed[r] = formatAmount(r, next);
      }
      if (exceeded.length) {
        const pick = (m: Record<string, string>) => Object.fromEntries(exceeded.map((r) => [r, m[r] as string]));
        const requested = Object.fromEntries(exceeded.map((r) => [r, formatAmount(r, usage.get(r) ?? 0)]));
        throw refuse(kind, obj, `exceeded quota: ${q.metadata.name as string}, requested: ${prettyPrint(requested)}, used: ${prettyPrint(pick(used))}, limited: ${prettyPrint(pick(statusHard))}`);
      }
      updates.push({ ...q, status: { ...q.status, used: nextUsed } });
    }
    if (dryRun || !updates.length) return;
    try {
      // each write is conditional on the quota's resourceVersion: a concurrent charge makes it fail, and all are
      // computed again from the newer usage (an earlier quota of this object already charged stays charged until the
      // quota controller recounts, as in Kubernetes)
      for (const u of updates) await d.updateQuotaStatus(u);
      return;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}
