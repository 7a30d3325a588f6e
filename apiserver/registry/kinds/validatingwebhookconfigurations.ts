// ValidatingWebhookConfigurations (admissionregistration.k8s.io/v1, cluster-scoped): webhooks the API server calls,
// in parallel, on matching writes once they passed the built-in checks; any of them may refuse the write
// (apiserver/admission/webhook).
import { defineKind, identity } from '../kind.js';
import { WEBHOOK_CONFIGURATION_PRINTER, defaultWebhooks, validateWebhookConfiguration } from './webhookconfigurations-validation.js';

export default defineKind(identity('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'), {
  generation: true,
  defaults: (obj) => defaultWebhooks(obj, false),
  validate: (obj) => validateWebhookConfiguration(obj, false),
  printer: WEBHOOK_CONFIGURATION_PRINTER,
});
