import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { ApiError } from '../../errors.js';
import { planEviction, takeDisruption, VIOLATES_BUDGET } from './pods-eviction.js';

const pod = (o: { phase?: string; ready?: boolean; deleting?: boolean; labels?: Record<string, string> } = {}): KubeObject => ({
  metadata: { name: 'web-1', labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});
const pdb = (name: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name, generation: 1 }, spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: 2, ...spec }, status: { observedGeneration: 1, ...status },
});
const healthy = { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 };

test('no covering budget, or a pod that is finished, pending or terminating: deleted without a budget', () => {
  assert.deepEqual(planEviction(pod(), []), { kind: 'delete', why: 'no-budget' });
  assert.deepEqual(planEviction(pod({ labels: { app: 'other' } }), [pdb('web', healthy)]), { kind: 'delete', why: 'no-budget' });
  for (const p of [pod({ phase: 'Succeeded' }), pod({ phase: 'Failed' }), pod({ phase: 'Pending' }), pod({ deleting: true })]) {
    assert.deepEqual(planEviction(p, [pdb('web', { ...healthy, disruptionsAllowed: 0 })]), { kind: 'delete', why: 'ignores-budgets' });
  }
  const nullSelector = { ...pdb('web', healthy), spec: { minAvailable: 2 } };
  assert.equal(planEviction(pod(), [nullSelector]).kind, 'delete', 'a budget without a selector covers no pod');
});

test('a ready pod under one budget takes a disruption; two budgets are an error', () => {
  const plan = planEviction(pod(), [pdb('web', healthy)]);
  assert.equal(plan.kind, 'decrement');
  const two = planEviction(pod(), [pdb('a', healthy), pdb('b', healthy)]);
  assert.equal(two.kind, 'error');
  assert.equal(two.kind === 'error' && two.error.code, 500);
  assert.match(two.kind === 'error' ? two.error.message : '', /more than one PodDisruptionBudget/);
});

test('an unready running pod: AlwaysAllow deletes it; IfHealthyBudget only while the budget is met', () => {
  const unready = pod({ ready: false });
  assert.deepEqual(planEviction(unready, [pdb('web', { ...healthy, disruptionsAllowed: 0 }, { unhealthyPodEvictionPolicy: 'AlwaysAllow' })]), { kind: 'delete', why: 'unhealthy-allowed' });
  assert.deepEqual(planEviction(unready, [pdb('web', { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 })]), { kind: 'delete', why: 'unhealthy-allowed' });
  assert.equal(planEviction(unready, [pdb('web', { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2 })]).kind, 'decrement');
  assert.equal(planEviction(unready, [pdb('web', { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2 }, { unhealthyPodEvictionPolicy: 'IfHealthyBudget' })]).kind, 'decrement');
});

test('taking a disruption decrements disruptionsAllowed and records the pod', () => {
  const next = takeDisruption(pdb('web', healthy), 'web-1', '2026-01-01T00:00:00Z');
  assert.equal(next.status?.disruptionsAllowed, 0);
  assert.deepEqual(next.status?.disruptedPods, { 'web-1': '2026-01-01T00:00:00Z' });
});

test('no disruption left, or a status not yet computed for this generation: 429 with the DisruptionBudget cause', () => {
  const refuse = (b: KubeObject): ApiError => {
    try {
      takeDisruption(b, 'web-1', '2026-01-01T00:00:00Z');
    } catch (e) {
      return e as ApiError;
    }
    throw new Error('allowed');
  };
  const none = refuse(pdb('web', { ...healthy, disruptionsAllowed: 0, currentHealthy: 2 }));
  assert.equal(none.code, 429);
  assert.equal(none.reason, 'TooManyRequests');
  assert.equal(none.message, VIOLATES_BUDGET);
  assert.equal(VIOLATES_BUDGET, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.deepEqual(none.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }]);
  const stale = refuse({ ...pdb('web', healthy), metadata: { name: 'web', generation: 2 } });
  assert.equal(stale.code, 429);
  assert.deepEqual(stale.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web is still being processed by the server.' }]);
  assert.equal(refuse(pdb('web', { ...healthy, disruptionsAllowed: -1 })).code, 403);
});
