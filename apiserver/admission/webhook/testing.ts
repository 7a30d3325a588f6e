// Fakes for the webhook tests: a webhook with Kubernetes' defaults, attributes of a write.
import type { KubeObject } from '../../../lib/api/types.js';
import { compileWebhooks } from './source.js';
import type { AdmissionAttributes, Webhook } from './types.js';

/** A compiled webhook from a configuration's webhook entry (defaults as the kind's defaulting leaves them). */
export function hook(raw: Record<string, unknown>, configuration = String(raw.name ?? 'cfg'), mutating = true): Webhook {
  const w = { clientConfig: { url: 'https://127.0.0.1:1/hook' }, sideEffects: 'None', admissionReviewVersions: ['v1'],
    rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*'] }], ...raw };
  return compileWebhooks([{ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'X', metadata: { name: configuration }, webhooks: [w] } as KubeObject], mutating)[0] as Webhook;
}

export const POD_KIND = { group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true };

export function podCreate(labels: Record<string, string> = {}, over: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return { kind: POD_KIND, subresource: '', operation: 'CREATE', name: 'p', namespace: 'ns', dryRun: false, warnings: [],
    user: { username: 'alice', groups: ['system:authenticated'] },
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels }, spec: { containers: [{ name: 'c', image: 'x' }] } } as KubeObject,
    ...over };
}
