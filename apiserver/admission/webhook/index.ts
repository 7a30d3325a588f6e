// Admission webhooks as the generic store calls them (StrategyContext.webhooks): the configurations from the watch
// cache, the HTTPS client, the namespace labels the selectors need. Built once per API server.
import type { KubeObject } from '../../../lib/api/types.js';
import { WebhookClient } from './client.js';
import { admitMutating, admitValidating, type DispatchDeps } from './dispatcher.js';
import { webhookSource } from './source.js';
import type { AdmissionAttributes } from './types.js';

export type { AdmissionAttributes, Operation } from './types.js';

export const MUTATING_PLUGIN = 'MutatingAdmissionWebhook';
export const VALIDATING_PLUGIN = 'ValidatingAdmissionWebhook';

export interface WebhookAdmission {
  /** The mutating webhooks; `builtin` reruns the built-in mutating plugins when webhooks are reinvoked. */
  mutate(a: AdmissionAttributes, builtin?: (obj: KubeObject) => Promise<void>): Promise<KubeObject | undefined>;
  validate(a: AdmissionAttributes): Promise<void>;
  close(): void;
}

export interface WebhookAdmissionOptions {
  /** Objects of a resource from the watch cache (`namespaces`, `services`, `<plural>.<group>`). */
  listCached(resource: string): KubeObject[];
  /** A namespace read from storage, for one created a moment ago that the cache does not hold yet. */
  getNamespace(name: string): Promise<KubeObject | undefined>;
  /** --disable-admission-plugins. */
  disabled?: string[];
}

export function createWebhookAdmission(o: WebhookAdmissionOptions): WebhookAdmission {
  const client = new WebhookClient({ listCached: o.listCached });
  const off = new Set(o.disabled ?? []);
  const deps: DispatchDeps = {
    mutating: off.has(MUTATING_PLUGIN) ? () => [] : webhookSource(() => o.listCached('mutatingwebhookconfigurations.admissionregistration.k8s.io'), true),
    validating: off.has(VALIDATING_PLUGIN) ? () => [] : webhookSource(() => o.listCached('validatingwebhookconfigurations.admissionregistration.k8s.io'), false),
    async namespaceLabels(name) {
      const ns = o.listCached('namespaces').find((n) => n.metadata.name === name) ?? (await o.getNamespace(name));
      return ns ? (ns.metadata.labels ?? {}) : undefined;
    },
    post: (h, review) => client.post(h, review),
  };
  return {
    mutate: (a, builtin) => admitMutating(a, deps, builtin),
    validate: (a) => admitValidating(a, deps),
    close: () => client.close(),
  };
}
