// The mutating admission of creates, as the API server's --disable-admission-plugins leaves it: today the
// ServiceAccount plugin on pods (service-account.ts). NamespaceLifecycle (namespace-lifecycle.ts) is the stores'
// namespace gate and is always on.
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { admitPod } from './service-account.js';

/** The plugins --disable-admission-plugins may name. */
export const OPTIONAL_ADMISSION_PLUGINS = ['ServiceAccount'] as const;

export interface AdmissionOptions {
  disabled?: string[];
  /** The namespace gate: a pod in a namespace that is missing or going is refused before anything is looked up. */
  namespaceGate(namespace: string): Promise<void>;
  getServiceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
}

export function createAdmission(o: AdmissionOptions): ((kind: KindInfo, obj: KubeObject) => Promise<void>) | undefined {
  const disabled = new Set(o.disabled ?? []);
  for (const p of disabled) {
    if (!(OPTIONAL_ADMISSION_PLUGINS as readonly string[]).includes(p)) throw new Error(`--disable-admission-plugins: ${p} is not an admission plugin that can be turned off (known: ${OPTIONAL_ADMISSION_PLUGINS.join(', ')})`);
  }
  if (disabled.has('ServiceAccount')) return undefined;
  return async (kind, obj) => {
    if (kind.group !== '' || kind.resource !== 'pods') return;
    await o.namespaceGate(obj.metadata.namespace as string);
    await admitPod({ getServiceAccount: o.getServiceAccount }, obj);
  };
}
