import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldsOf, labelSelectorFromObject, labelSelectorToString, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, validateFieldSelector, SelectorError } from './index.js';

const L = { app: 'web', tier: 'front', env: 'prod' };

test('label selectors: every operator, whitespace, and combinations', () => {
  const m = (s: string) => matchesLabels(parseLabelSelector(s), L);
  assert.equal(m('app=web'), true);
  assert.equal(m('app==web'), true);
  assert.equal(m('app!=web'), false);
  assert.equal(m('app != api'), true);
  assert.equal(m('env in (prod, staging)'), true);
  assert.equal(m('env notin (prod)'), false);
  assert.equal(m('missing notin (x)'), true);
  assert.equal(m('tier'), true);
  assert.equal(m('!tier'), false);
  assert.equal(m('!missing'), true);
  assert.equal(m('app=web,tier=front,env in (prod)'), true);
  assert.equal(m('app=web,tier=back'), false);
  assert.equal(m(''), true);
});

test('label selectors: bad input is a SelectorError', () => {
  for (const bad of ['app in (a', 'app=', 'app=x y', 'a b c', '=x', 'bad key!=x', 'app in ()', 'app=' + 'x'.repeat(64), ',']) {
    if (bad === 'app=') continue; // an empty value is allowed: app= matches an empty label value
    assert.throws(() => parseLabelSelector(bad), SelectorError, bad);
  }
  assert.deepEqual(parseLabelSelector('app='), [{ key: 'app', operator: 'Equals', values: [''] }]);
});

test('structured selectors match like their string form and print as Kubernetes prints them', () => {
  const sel = labelSelectorFromObject({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['staging', 'prod'] }, { key: 'canary', operator: 'DoesNotExist' }] });
  assert.equal(matchesLabels(sel, L), true);
  assert.equal(labelSelectorToString(sel), 'app=web,env in (prod,staging),!canary');
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), SelectorError);
});

test('field selectors per kind', () => {
  const pods = { resource: 'pods', namespaced: true };
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
  const f = fieldsOf(pods, pod);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName=n1,status.phase!=Pending'), f), true);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName='), f), false);
  assert.equal(matchesFields(parseFieldSelector('metadata.name==p'), f), true);
  assert.throws(() => validateFieldSelector(pods, parseFieldSelector('spec.color=red')), /field label not supported: spec.color/);
  const ev = fieldsOf({ resource: 'events', namespaced: true }, { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'Started' });
  assert.equal(matchesFields(parseFieldSelector('involvedObject.kind=Pod,involvedObject.name=p,reason=Started'), ev), true);
  assert.throws(() => parseFieldSelector('a>b'), SelectorError);
});
