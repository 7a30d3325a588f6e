// The admission of creates, as the API server's --disable-admission-plugins leaves it, in Kubernetes' order: on pods
// the mutating LimitRanger (limit-ranger.ts), ServiceAccount (service-account.ts) and Priority (priority.ts) before
// the object is checked, then the validating ResourceQuota (resource-quota.ts) on every namespaced kind after.
// NamespaceLifecycle (namespace-lifecycle.ts) is the stores' namespace gate and is always on. The webhooks
// (webhook/) come between: MutatingAdmissionWebhook after the built-in mutating plugins, ValidatingAdmissionWebhook
// after the object's checks and before ResourceQuota, on every create, update and delete from an API request.
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { admitLimitRanges } from './limit-ranger.js';
import { admitPriority } from './priority.js';
import { admitQuota, type QuotaAdmissionDeps } from './resource-quota.js';
import { admitPod } from './service-account.js';

/** The plugins --disable-admission-plugins may name. */
export const OPTIONAL_ADMISSION_PLUGINS = ['ServiceAccount', 'LimitRanger', 'Priority', 'ResourceQuota', 'MutatingAdmissionWebhook', 'ValidatingAdmissionWebhook'] as const;

export interface AdmissionOptions extends Partial<QuotaAdmissionDeps> {
  disabled?: string[];
  /** The namespace gate: a pod in a namespace that is missing or going is refused before anything is looked up. */
  namespaceGate(namespace: string): Promise<void>;
  getServiceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** Objects of a resource from the watch cache (LimitRanges, PriorityClasses). */
  listCached?(resource: string): KubeObject[];
  /** A PriorityClass read consistently (undefined when there is none). */
  getPriorityClass?(name: string): Promise<KubeObject | undefined>;
}

export type AdmitCreate = (kind: KindInfo, obj: KubeObject, dryRun?: boolean) => Promise<void>;

function checkDisabled(disabled: Set<string>): void {
  for (const p of disabled) {
    if (!(OPTIONAL_ADMISSION_PLUGINS as readonly string[]).includes(p)) throw new Error(`--disable-admission-plugins: ${p} is not an admission plugin that can be turned off (known: ${OPTIONAL_ADMISSION_PLUGINS.join(', ')})`);
  }
}

/** The mutating plugins, run on a create before it is checked. */
export function createAdmission(o: AdmissionOptions): AdmitCreate | undefined {
  const disabled = new Set(o.disabled ?? []);
  checkDisabled(disabled);
  const on = (p: string) => !disabled.has(p);
  const cached = (resource: string, namespace?: string) =>
    (o.listCached?.(resource) ?? []).filter((x) => namespace === undefined || x.metadata.namespace === namespace);
  if (!on('ServiceAccount') && !on('LimitRanger') && !on('Priority')) return undefined;
  return async (kind, obj) => {
    if (kind.group !== '' || kind.resource !== 'pods') return;
    const namespace = obj.metadata.namespace;
    if (on('LimitRanger')) admitLimitRanges(obj, cached('limitranges', namespace));
    if (on('ServiceAccount')) {
      await o.namespaceGate(namespace as string);
      await admitPod({ getServiceAccount: o.getServiceAccount }, obj);
    }
    if (on('Priority')) await admitPriority(obj, cached('priorityclasses'), o.getPriorityClass);
  };
}

/**
 * The validating plugin, run on a create once it passed its checks, before it is stored: ResourceQuota, so an
 * object the checks refuse is never charged.
 */
export function createValidatingAdmission(o: AdmissionOptions): AdmitCreate | undefined {
  const disabled = new Set(o.disabled ?? []);
  checkDisabled(disabled);
  if (disabled.has('ResourceQuota') || !o.quotas || !o.updateQuotaStatus) return undefined;
  const quota = { quotas: o.quotas, updateQuotaStatus: o.updateQuotaStatus };
  return async (kind, obj, dryRun = false) => {
    const namespace = obj.metadata.namespace;
    if (!kind.namespaced || !namespace || kind.createOnly) return;
    // the watch cache says whether the namespace has a quota at all (most don't: no storage read then); the charge
    // itself reads the quotas consistently and writes them conditionally
    if (!(o.listCached?.('resourcequotas') ?? []).some((q) => q.metadata.namespace === namespace)) return;
    await admitQuota(quota, kind, obj, dryRun);
  };
}
