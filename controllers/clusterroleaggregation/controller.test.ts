// ClusterRole aggregation: an aggregating role gets the rules of the roles its selectors match, selector by
// selector in name order, each rule once, never its own; the controller writes them and follows changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { aggregatedRules } from './controller.js';

const role = (name: string, labels: Record<string, string>, rules: object[], selectors?: object[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules,
  ...(selectors ? { aggregationRule: { clusterRoleSelectors: selectors } } : {}),
});

test('aggregatedRules: matched roles\' rules, selector by selector in name order, deduplicated; not its own', () => {
  const get = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
  const list = { verbs: ['list'], apiGroups: [''], resources: ['pods'] };
  const watch = { verbs: ['watch'], apiGroups: ['apps'], resources: ['deployments'] };
  const view = role('view', { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }, [{ verbs: ['stale'], apiGroups: [''], resources: ['x'] }],
    [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, { matchExpressions: [{ key: 'extra', operator: 'Exists' }] }]);
  const all = [
    view,
    role('z-widgets', { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }, [watch, get]),
    role('a-basics', { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }, [get, list]),
    role('extras', { extra: 'yes' }, [list, { verbs: ['get'], nonResourceURLs: ['/x'] }]),
    role('unrelated', {}, [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }]),
  ];
  assert.deepEqual(aggregatedRules(view, all), [get, list, watch, { verbs: ['get'], nonResourceURLs: ['/x'] }]);
  assert.equal(aggregatedRules(all[1] as KubeObject, all), undefined, 'no aggregationRule');
  // a role whose own labels match its selector does not aggregate itself
  const self = role('self', { s: '1' }, [], [{ matchLabels: { s: '1' } }]);
  assert.deepEqual(aggregatedRules(self, [self, role('other', { s: '1' }, [get])]), [get]);
  // a role that stopped matching is gone from the rules
  assert.deepEqual(aggregatedRules(view, [view]), []);
});
