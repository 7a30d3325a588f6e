import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { listOptionsCauses, validateListOptions } from './list-validation.js';
import { listBlueprint, withBlueprint } from './watch-list.js';

const causes = (query: string, watch: boolean): string[] => listOptionsCauses(new URLSearchParams(query), watch).map((c) => `${c.field}: ${c.message}`);

test('watch options: sendInitialEvents needs resourceVersionMatch=NotOlderThan and the reverse', () => {
  assert.deepEqual(causes('', true), []);
  assert.deepEqual(causes('sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true', true), []);
  assert.deepEqual(causes('sendInitialEvents=false&resourceVersionMatch=NotOlderThan', true), []);
  assert.deepEqual(causes('sendInitialEvents=true&resourceVersionMatch=NotOlderThan', true), [], 'allowWatchBookmarks is not required (Kubernetes keeps that for compatibility)');
  assert.deepEqual(causes('sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=0', true), []);
  assert.deepEqual(causes('resourceVersionMatch=NotOlderThan', true), ['resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided']);
  assert.deepEqual(causes('sendInitialEvents=true', true), ['resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan']);
  assert.deepEqual(causes('sendInitialEvents=false', true), ['resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan']);
  assert.deepEqual(causes('sendInitialEvents=true&resourceVersionMatch=Exact', true), [
    'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
    'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"',
  ]);
  assert.deepEqual(causes('sendInitialEvents=true&resourceVersionMatch=NotOlderThan&continue=abc', true), ['resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided']);
});

test('list options: resourceVersionMatch needs a resourceVersion, no continue, a known value; no sendInitialEvents', () => {
  assert.deepEqual(causes('resourceVersion=5&resourceVersionMatch=Exact', false), []);
  assert.deepEqual(causes('resourceVersion=0&resourceVersionMatch=NotOlderThan', false), []);
  assert.deepEqual(causes('resourceVersionMatch=NotOlderThan', false), ['resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided']);
  assert.deepEqual(causes('resourceVersion=0&resourceVersionMatch=foo', false), ['resourceVersionMatch: Unsupported value: "foo": supported values: "Exact", "NotOlderThan", ""']);
  assert.deepEqual(causes('resourceVersion=0&resourceVersionMatch=Exact', false), ['resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"']);
  assert.deepEqual(causes('resourceVersion=3&resourceVersionMatch=Exact&continue=x', false), ['resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided']);
  assert.deepEqual(causes('sendInitialEvents=false', false), ['sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list']);
});

test('a bad combination is Kubernetes\' 422 on ListOptions.meta.k8s.io, every problem named', () => {
  try {
    validateListOptions(new URLSearchParams('sendInitialEvents=true&resourceVersionMatch=Exact'), true);
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof ApiError);
    const s = e.toStatus();
    assert.equal(s.code, 422);
    assert.equal(s.reason, 'Invalid');
    assert.equal(s.message, 'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]');
    assert.equal(s.details?.group, 'meta.k8s.io');
    assert.equal(s.details?.kind, 'ListOptions');
    assert.deepEqual(s.details?.causes?.map((c) => c.reason), ['FieldValueForbidden', 'FieldValueNotSupported']);
  }
  assert.doesNotThrow(() => validateListOptions(new URLSearchParams('watch=true'), true));
});

test('the end bookmark of a watch-list carries an empty list of the kind as its blueprint', () => {
  const b = listBlueprint({ group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.deepEqual(JSON.parse(Buffer.from(b, 'base64').toString()), { kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: {}, items: [] });
  const ev = { type: 'BOOKMARK' as const, object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { resourceVersion: '7', annotations: { 'k8s.io/initial-events-end': 'true' } } } };
  const out = withBlueprint(ev, b);
  assert.deepEqual(out.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true', 'kubernetes.io/initial-events-list-blueprint': b });
  assert.deepEqual(ev.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' }, 'the cache\'s event is not changed');
});
