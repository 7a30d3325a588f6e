import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultWebhooks, validateWebhookConfiguration } from './webhookconfigurations-validation.js';

const good = () => ({ name: 'a.example.com', clientConfig: { service: { namespace: 'ns', name: 'svc', path: '/validate' } }, sideEffects: 'None',
  admissionReviewVersions: ['v1'], rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods', 'pods/status'] }] });
const messages = (webhooks: unknown[], mutating = false) => validateWebhookConfiguration({ webhooks }, mutating).map((c) => `${c.field}: ${c.message}`);

test('Kubernetes\' v1 defaults: Fail, Equivalent, empty selectors, 10 s, scope "*", port 443, Never for mutating webhooks', () => {
  const obj = { webhooks: [good()] };
  defaultWebhooks(obj, true);
  assert.deepEqual(obj.webhooks[0], { ...good(), clientConfig: { service: { namespace: 'ns', name: 'svc', path: '/validate', port: 443 } },
    failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, timeoutSeconds: 10, reinvocationPolicy: 'Never',
    rules: [{ ...good().rules[0], scope: '*' }] });
  assert.deepEqual(messages(obj.webhooks, true), []);
});

test('webhook names are fully qualified and unique; policies among their values', () => {
  assert.deepEqual(messages([{ ...good(), name: 'a.example.com' }, { ...good(), name: 'a.example.com' }]), ['webhooks[1].name: Duplicate value: "a.example.com"']);
  assert.deepEqual(messages([{ ...good(), name: 'Bad_Name.example.com' }]).length, 1);
  assert.deepEqual(messages([{ ...good(), failurePolicy: 'Maybe', matchPolicy: 'Loose', sideEffects: 'Some', reinvocationPolicy: 'Always' }], true), [
    'webhooks[0].failurePolicy: Unsupported value: "Maybe": supported values: "Fail", "Ignore"',
    'webhooks[0].matchPolicy: Unsupported value: "Loose": supported values: "Equivalent", "Exact"',
    'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
    'webhooks[0].reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"',
  ]);
  assert.deepEqual(messages([{ ...good(), matchConditions: [{ name: 'x', expression: 'true' }] }]),
    ['webhooks[0].matchConditions: Forbidden: matchConditions (CEL) are not supported by this server']);
  assert.deepEqual(messages([{ ...good(), admissionReviewVersions: ['v1', 'v1'] }]), ['webhooks[0].admissionReviewVersions[1]: Invalid value: "v1": duplicate version']);
});

test('clientConfig: exactly one of url and service; an https URL without user, query or fragment; a clean service path', () => {
  assert.deepEqual(messages([{ ...good(), clientConfig: {} }]), ['webhooks[0].clientConfig: Required value: exactly one of url or service is required']);
  assert.deepEqual(messages([{ ...good(), clientConfig: { url: 'https://u:p@h.example.com/x#frag' } }]), [
    'webhooks[0].clientConfig.url: Invalid value: "u:p": user information is not permitted in the URL',
    'webhooks[0].clientConfig.url: Invalid value: "frag": fragments are not permitted in the URL',
  ]);
  assert.deepEqual(messages([{ ...good(), clientConfig: { service: { namespace: 'ns', name: 'svc', path: 'x//y', port: 70000 } } }]), [
    'webhooks[0].clientConfig.service.port: Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive',
    'webhooks[0].clientConfig.service.path: Invalid value: "x//y": must start with a \'/\'',
    // the first character is taken for the slash, as Kubernetes does: "//y" is left, two empty segments
    'webhooks[0].clientConfig.service.path: Invalid value: "x//y": segment[0] may not be empty',
    'webhooks[0].clientConfig.service.path: Invalid value: "x//y": segment[1] may not be empty',
  ]);
});

test('rules: wildcards must be alone, subresource wildcards may not overlap', () => {
  const rule = (r: Record<string, unknown>) => [{ ...good(), rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], ...r }] }];
  assert.deepEqual(messages(rule({ operations: ['*', 'CREATE'] })), ['webhooks[0].rules[0].operations: Invalid value: []string{"*", "CREATE"}: if \'*\' is present, must not specify other operations']);
  assert.deepEqual(messages(rule({ operations: ['PATCH'] })), ['webhooks[0].rules[0].operations[0]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"']);
  assert.deepEqual(messages(rule({ resources: ['*/*', 'pods'] })), ['webhooks[0].rules[0].resources: Invalid value: []string{"*/*", "pods"}: if \'*/*\' is present, must not specify other resources']);
  assert.deepEqual(messages(rule({ resources: ['*', 'pods'] })), ['webhooks[0].rules[0].resources: Invalid value: []string{"*", "pods"}: if \'*\' is present, must not specify other resources without subresources']);
  assert.deepEqual(messages(rule({ resources: ['pods/*', 'pods/status'] })), ['webhooks[0].rules[0].resources[1]: Invalid value: "pods/status": if \'pods/*\' is present, must not specify pods/status']);
  assert.deepEqual(messages(rule({ apiGroups: [], scope: 'Everywhere' })), ['webhooks[0].rules[0].apiGroups: Required value',
    'webhooks[0].rules[0].scope: Unsupported value: "Everywhere": supported values: "*", "Cluster", "Namespaced"']);
});
