// A custom resource's table: Name, the version's printer columns (simple JSON paths), dates as ages; Name and Age
// when it declares none. Version priority orders a group's versions as Kubernetes does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customPrinter } from './columns.js';
import { byVersionPriority } from './version-priority.js';

const now = new Date('2026-01-01T00:10:00Z');
const obj = { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { replicas: 3, items: [{ name: 'p' }, { name: 'q' }], ready: true } };

test('columns from JSON paths; a missing value is an empty cell; dates are ages', () => {
  const p = customPrinter([
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'First', type: 'string', jsonPath: '.spec.items[0].name' },
    { name: 'All', type: 'string', jsonPath: '.spec.items[*].name' },
    { name: 'Ready', type: 'boolean', jsonPath: '.spec.ready' },
    { name: 'Missing', type: 'string', jsonPath: '.status.phase', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ]);
  assert.deepEqual(p.columns.map((c) => c[0]), ['Name', 'Replicas', 'First', 'All', 'Ready', 'Missing', 'Age']);
  assert.equal(p.columns[5]?.[2], 1);
  assert.deepEqual(p.row(obj, now), ['a', 3, 'p', 'p q', true, null, '10m']);
});

test('no columns: Name and Age', () => {
  const p = customPrinter([]);
  assert.deepEqual(p.columns.map((c) => c[0]), ['Name', 'Age']);
  assert.deepEqual(p.row(obj, now), ['a', '10m']);
});

test('version priority: GA, then beta, then alpha, higher first; others last, alphabetically', () => {
  assert.deepEqual(['v1alpha1', 'foo', 'v1beta1', 'v2', 'v1', 'v1beta2', 'bar'].sort(byVersionPriority), ['v2', 'v1', 'v1beta2', 'v1beta1', 'v1alpha1', 'bar', 'foo']);
});
