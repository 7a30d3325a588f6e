// MutatingWebhookConfigurations (admissionregistration.k8s.io/v1, cluster-scoped): webhooks the API server calls on
// matching writes, in order, before the object is checked; their JSON patches change it (apiserver/admission/webhook).
import { defineKind, identity } from '../kind.js';
import { WEBHOOK_CONFIGURATION_PRINTER, defaultWebhooks, validateWebhookConfiguration } from './webhookconfigurations-validation.js';

export default defineKind(identity('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'), {
  generation: true,
  defaults: (obj) => defaultWebhooks(obj, true),
  validate: (obj) => validateWebhookConfiguration(obj, true),
  printer: WEBHOOK_CONFIGURATION_PRINTER,
});
