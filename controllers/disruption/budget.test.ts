import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { budgetStatus, DELETION_TIMEOUT_MS, expectations, needsScale } from './budget.js';

const pdb = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({ metadata: { name: 'web', namespace: 'ns', generation: 2 }, spec, status });
const pod = (name: string, ready = true, deleting = false): KubeObject => ({
  metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const three = [pod('a'), pod('b'), pod('c')];

test('minAvailable as a count expects the pods selected; as a percentage, the controllers\' scale rounded up', () => {
  assert.equal(needsScale(pdb({ minAvailable: 2 })), false);
  assert.deepEqual(expectations(pdb({ minAvailable: 2 }), three, 0), { expected: 3, desiredHealthy: 2 });
  assert.equal(needsScale(pdb({ minAvailable: '50%' })), true);
  assert.deepEqual(expectations(pdb({ minAvailable: '50%' }), three, 5), { expected: 5, desiredHealthy: 3 });
});

test('maxUnavailable counts from the scale: desired = scale - maxUnavailable (percentages rounded up), never below 0', () => {
  assert.equal(needsScale(pdb({ maxUnavailable: 1 })), true);
  assert.deepEqual(expectations(pdb({ maxUnavailable: 1 }), three, 3), { expected: 3, desiredHealthy: 2 });
  assert.deepEqual(expectations(pdb({ maxUnavailable: '30%' }), three, 10), { expected: 10, desiredHealthy: 7 });
  assert.deepEqual(expectations(pdb({ maxUnavailable: 5 }), three, 3), { expected: 3, desiredHealthy: 0 });
});

test('disruptionsAllowed is healthy minus desired; unready and terminating pods are not healthy', () => {
  const { status } = budgetStatus(pdb({ minAvailable: 2 }), three, 0);
  assert.equal(status.currentHealthy, 3);
  assert.equal(status.desiredHealthy, 2);
  assert.equal(status.expectedPods, 3);
  assert.equal(status.disruptionsAllowed, 1);
  assert.equal(status.observedGeneration, 2);
  const cond = (status.conditions as Array<Record<string, unknown>>)[0];
  assert.equal(cond?.type, 'DisruptionAllowed');
  assert.equal(cond?.status, 'True');
  assert.equal(cond?.reason, 'SufficientPods');
  const short = budgetStatus(pdb({ minAvailable: 2 }), [pod('a'), pod('b', false), pod('c', true, true)], 0).status;
  assert.equal(short.currentHealthy, 1);
  assert.equal(short.disruptionsAllowed, 0);
  assert.equal((short.conditions as Array<Record<string, unknown>>)[0]?.reason, 'InsufficientPods');
});

test('a pod just evicted stops counting as healthy until its deletion shows, or the entry times out', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const at = new Date(now - 1000).toISOString();
  const r = budgetStatus(pdb({ minAvailable: 2 }, { disruptedPods: { a: at, gone: at } }), three, 0, now);
  assert.deepEqual(r.status.disruptedPods, { a: at }, 'entries of pods that are gone are dropped');
  assert.equal(r.status.currentHealthy, 2);
  assert.equal(r.status.disruptionsAllowed, 0);
  assert.equal(r.recheckInMs, DELETION_TIMEOUT_MS - 1000);
  const old = new Date(now - DELETION_TIMEOUT_MS - 1).toISOString();
  const expired = budgetStatus(pdb({ minAvailable: 2 }, { disruptedPods: { a: old } }), three, 0, now);
  assert.deepEqual(expired.status.disruptedPods, {});
  assert.equal(expired.status.currentHealthy, 3);
  const terminating = budgetStatus(pdb({ minAvailable: 2 }, { disruptedPods: { a: at } }), [pod('a', true, true), pod('b'), pod('c')], 0, now);
  assert.deepEqual(terminating.status.disruptedPods, {}, 'seen terminating: confirmed');
});

test('a budget whose pods have no controller to count allows nothing (SyncFailed)', () => {
  const { status } = budgetStatus(pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 4 }), three, new Error('found no controller ref for pod "a"'));
  assert.equal(status.disruptionsAllowed, 0);
  const cond = (status.conditions as Array<Record<string, unknown>>)[0];
  assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['False', 'SyncFailed', 'found no controller ref for pod "a"']);
});
