import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches, rulesMatch } from './rules.js';
import { hook, podCreate, POD_KIND } from './testing.js';
import type { RuleWithOperations } from './types.js';

const rule = (r: Partial<RuleWithOperations>): RuleWithOperations => ({ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*', ...r });

test('rules match operation, group, version and resource, with "*" wildcards', () => {
  const a = podCreate();
  assert.ok(ruleMatches(rule({}), a, false));
  assert.ok(!ruleMatches(rule({ operations: ['UPDATE', 'DELETE'] }), a, false));
  assert.ok(ruleMatches(rule({ operations: ['*'] }), a, false));
  assert.ok(!ruleMatches(rule({ apiGroups: ['apps'] }), a, false));
  assert.ok(ruleMatches(rule({ apiGroups: ['*'] }), a, false));
  assert.ok(!ruleMatches(rule({ apiVersions: ['v2'] }), a, false));
  assert.ok(ruleMatches(rule({ apiVersions: ['v2'] }), a, true), 'Equivalent matches another version of the same resource');
  assert.ok(!ruleMatches(rule({ resources: ['services'] }), a, false));
  assert.ok(ruleMatches(rule({ resources: ['*'] }), a, false));
});

test('subresources: "pods" is not "pods/status"; "pods/*", "*/status" and "*/*" are', () => {
  const status = podCreate({}, { operation: 'UPDATE', subresource: 'status' });
  assert.ok(!ruleMatches(rule({ operations: ['UPDATE'] }), status, false));
  assert.ok(!ruleMatches(rule({ operations: ['UPDATE'], resources: ['*'] }), status, false), '"*" is every resource, without subresources');
  for (const resources of [['pods/status'], ['pods/*'], ['*/status'], ['*/*']]) assert.ok(ruleMatches(rule({ operations: ['UPDATE'], resources }), status, false), resources[0]);
  assert.ok(!ruleMatches(rule({ operations: ['UPDATE'], resources: ['pods/log'] }), status, false));
  assert.ok(ruleMatches(rule({ resources: ['pods/*'] }), podCreate(), false), '"pods/*" takes pods themselves too');
});

test('scope: Namespaced takes namespaced objects, Cluster cluster-scoped ones and Namespaces', () => {
  const pod = podCreate();
  const node = podCreate({}, { kind: { group: '', version: 'v1', kind: 'Node', resource: 'nodes', namespaced: false }, namespace: '' });
  const ns = podCreate({}, { kind: { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false }, namespace: 'team-a', name: 'team-a' });
  const r = (scope: string) => rule({ apiGroups: ['*'], resources: ['*'], scope });
  assert.deepEqual([pod, node, ns].map((a) => ruleMatches(r('Namespaced'), a, false)), [true, false, false]);
  assert.deepEqual([pod, node, ns].map((a) => ruleMatches(r('Cluster'), a, false)), [false, true, true]);
  assert.deepEqual([pod, node, ns].map((a) => ruleMatches(r('*'), a, false)), [true, true, true]);
});

test('webhook configurations never go to webhooks; matchPolicy Exact does not take other versions', () => {
  const everything = hook({});
  const cfg = podCreate({}, { kind: { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', resource: 'validatingwebhookconfigurations', namespaced: false }, namespace: '' });
  assert.ok(!rulesMatch(everything, cfg));
  assert.ok(rulesMatch(everything, podCreate()));
  const v2 = { rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v2'], resources: ['pods'] }] };
  assert.ok(!rulesMatch(hook({ ...v2, matchPolicy: 'Exact' }), podCreate()));
  assert.ok(rulesMatch(hook(v2), podCreate()), 'Equivalent is the default');
});

test('objectSelector: the new or the old object\'s labels; an absent object matches only the empty selector', () => {
  const h = hook({ objectSelector: { matchLabels: { inject: 'yes' } } });
  assert.ok(objectSelectorMatches(h, podCreate({ inject: 'yes' })));
  assert.ok(!objectSelectorMatches(h, podCreate({ inject: 'no' })));
  const old = podCreate({ inject: 'yes' }).object as KubeObject;
  assert.ok(objectSelectorMatches(h, podCreate({}, { operation: 'UPDATE', oldObject: old })), 'the old object matching suffices');
  assert.ok(!objectSelectorMatches(h, podCreate({}, { operation: 'DELETE', object: undefined })));
  assert.ok(objectSelectorMatches(hook({}), podCreate({}, { operation: 'DELETE', object: undefined })));
});

test('namespaceSelector: the namespace\'s labels; a Namespace its own; other cluster-scoped objects always', () => {
  const h = hook({ namespaceSelector: { matchExpressions: [{ key: 'webhooks', operator: 'In', values: ['on'] }] } });
  assert.ok(namespaceSelectorMatches(h, podCreate(), { webhooks: 'on' }));
  assert.ok(!namespaceSelectorMatches(h, podCreate(), { webhooks: 'off' }));
  assert.ok(!namespaceSelectorMatches(h, podCreate(), undefined));
  const nsKind = { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false };
  const ns = podCreate({ webhooks: 'on' }, { kind: nsKind, namespace: 'x', name: 'x' });
  assert.ok(namespaceSelectorMatches(h, ns, undefined));
  assert.ok(namespaceSelectorMatches(h, podCreate({}, { kind: { ...POD_KIND, resource: 'nodes', namespaced: false }, namespace: '' }), undefined));
  assert.ok(namespaceSelectorMatches(hook({}), podCreate(), undefined), 'the default, empty selector matches everything');
});
