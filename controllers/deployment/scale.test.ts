import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployment, rs } from './fixtures.js';
import { findActiveOrLatest, isSaturated, isScalingEvent, planScale, replicasAnnotations } from './scale.js';
import { DESIRED_REPLICAS, MAX_REPLICAS } from './types.js';

const sizes = (plan: ReturnType<typeof planScale>): Record<string, number> => Object.fromEntries(plan.map((t) => [t.rs.metadata.name as string, t.replicas]));

test('scaling mid-rollout spreads the change proportionally (the Kubernetes docs example)', () => {
  // 10 replicas, maxSurge 3: the rollout sits at 8 old + 5 new = 13; the user scales to 15
  const d = deployment({ replicas: 15, maxSurge: 3, maxUnavailable: 2 });
  const old = rs('web-old', { replicas: 8, created: 1, desired: 10, max: 13, revision: 1 });
  const cur = rs('web-new', { replicas: 5, created: 2, desired: 10, max: 13, revision: 2 });
  assert.deepEqual(sizes(planScale(d, cur, [old])), { 'web-old': 11, 'web-new': 7 });
});

test('scaling down mid-rollout takes from both, the larger and older first', () => {
  const d = deployment({ replicas: 5, maxSurge: 3, maxUnavailable: 2 });
  const old = rs('web-old', { replicas: 8, created: 1, desired: 10, max: 13 });
  const cur = rs('web-new', { replicas: 5, created: 2, desired: 10, max: 13 });
  const plan = sizes(planScale(d, cur, [old]));
  assert.equal(plan['web-old']! + plan['web-new']!, 8, 'replicas + maxSurge');
  assert.deepEqual(plan, { 'web-old': 5, 'web-new': 3 });
});

test('rounding leftovers go to the largest ReplicaSet and the total is exact', () => {
  const d = deployment({ replicas: 7, maxSurge: 0, maxUnavailable: 1 });
  const a = rs('web-a', { replicas: 2, created: 1, desired: 6, max: 6 });
  const b = rs('web-b', { replicas: 2, created: 2, desired: 6, max: 6 });
  const c = rs('web-c', { replicas: 2, created: 3, desired: 6, max: 6 });
  const plan = sizes(planScale(d, c, [a, b]));
  assert.equal(Object.values(plan).reduce((x, y) => x + y, 0), 7);
  assert.deepEqual(plan, { 'web-a': 2, 'web-b': 2, 'web-c': 3 }, 'equal sizes: growing favours the newest');
});

test('scaling to zero empties every ReplicaSet', () => {
  const d = deployment({ replicas: 0 });
  const plan = planScale(d, rs('web-new', { replicas: 2, created: 2, desired: 4 }), [rs('web-old', { replicas: 3, created: 1, desired: 4 })]);
  assert.deepEqual(sizes(plan), { 'web-old': 0, 'web-new': 0 });
});

test('with one active ReplicaSet it simply takes the new size', () => {
  const d = deployment({ replicas: 6 });
  const cur = rs('web-new', { replicas: 3, desired: 3 });
  assert.deepEqual(sizes(planScale(d, cur, [rs('web-old', { replicas: 0 })])), { 'web-new': 6 });
  // nothing active at all: the newest gets it
  assert.equal(findActiveOrLatest(undefined, [rs('web-a', { created: 1 }), rs('web-b', { created: 2 })])?.metadata.name, 'web-b');
});

test('a saturated new ReplicaSet means old ones go to zero', () => {
  const d = deployment({ replicas: 3 });
  const cur = rs('web-new', { replicas: 3, desired: 3, available: 3 });
  assert.ok(isSaturated(d, cur));
  assert.deepEqual(sizes(planScale(d, cur, [rs('web-old', { replicas: 1 })])), { 'web-old': 0 });
});

test('a scaling event is a mismatch between spec.replicas and what active ReplicaSets were sized for', () => {
  const d = deployment({ replicas: 5 });
  assert.ok(isScalingEvent(d, [rs('web-a', { replicas: 3, desired: 3 })]));
  assert.ok(!isScalingEvent(d, [rs('web-a', { replicas: 5, desired: 5 }), rs('web-b', { replicas: 0, desired: 3 })]), 'inactive RSes do not count');
  assert.ok(!isScalingEvent(d, [rs('web-a', { replicas: 3 })]), 'no annotation, no event');
});

test('replica annotations record desired and desired + maxSurge', () => {
  const d = deployment({ replicas: 10, maxSurge: '25%' });
  const a = replicasAnnotations(rs('web-a', { replicas: 1 }), d);
  assert.equal(a?.[DESIRED_REPLICAS], '10');
  assert.equal(a?.[MAX_REPLICAS], '13');
  assert.equal(replicasAnnotations(rs('web-a', { desired: 10, max: 13 }), d), undefined);
});
