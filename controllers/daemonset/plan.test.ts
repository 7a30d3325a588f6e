import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { counts, manage, rollout, updateBudget, type NodeState } from './plan.js';

let seq = 0;
function pod(node: string, hash: string, o: { ready?: boolean; deleting?: boolean; failed?: boolean; age?: number } = {}): KubeObject {
  seq++;
  return {
    metadata: { name: `p${seq}`, namespace: 'ns', labels: { 'controller-revision-hash': hash },
      creationTimestamp: new Date(Date.parse('2026-01-01T00:00:00Z') + (o.age ?? seq) * 1000).toISOString(),
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T01:00:00Z' } : {}) },
    spec: { nodeName: node },
    status: { phase: o.failed ? 'Failed' : 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  };
}
const st = (node: string, pods: KubeObject[], shouldRun = true, shouldContinueRunning = shouldRun): NodeState =>
  ({ node, shouldRun, shouldContinueRunning, pods });
const names = (ps: KubeObject[]) => ps.map((p) => p.metadata.name).sort();

test('manage: a node without a pod gets one; one with a terminating pod waits for it to go', () => {
  const gone = pod('b', 'h1', { deleting: true });
  const ch = manage([st('a', []), st('b', [gone]), st('c', [pod('c', 'h1')])], 'h1', false, 0);
  assert.deepEqual(ch.create, ['a']);
  assert.deepEqual(ch.delete, []);
});

test('manage: failed pods, extra pods (the oldest stays) and pods on nodes that no longer qualify are deleted', () => {
  const failed = pod('a', 'h1', { failed: true });
  const oldest = pod('b', 'h1', { age: 1 });
  const extra = pod('b', 'h1', { age: 9 });
  const stray = pod('c', 'h1');
  const kept = pod('d', 'h1');
  const ch = manage([st('a', [failed]), st('b', [extra, oldest]), st('c', [stray], false, false), st('d', [kept], false, true)], 'h1', false, 0);
  assert.deepEqual(names(ch.delete), names([failed, extra, stray]));
  assert.deepEqual(ch.create, []);
});

test('manage with surge keeps an old pod beside its replacement until the replacement is available', () => {
  const old = pod('a', 'h1', { age: 1 });
  const fresh = pod('a', 'h2', { age: 2, ready: false });
  assert.deepEqual(manage([st('a', [old, fresh])], 'h2', true, 0).delete, []);
  const readyFresh = pod('a', 'h2', { age: 2 });
  assert.deepEqual(names(manage([st('a', [old, readyFresh])], 'h2', true, 0).delete), names([old]));
  assert.deepEqual(names(manage([st('a', [old, fresh])], 'h2', false, 0).delete), names([fresh]), 'without surge the oldest stays');
});

test('budgets: maxUnavailable and maxSurge are counts or percentages of desired pods rounded up; never both 0', () => {
  const ds = (ru: Record<string, unknown>): KubeObject => ({ metadata: {}, spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: ru } } });
  assert.deepEqual(updateBudget(ds({ maxUnavailable: 1, maxSurge: 0 }), 10), { maxSurge: 0, maxUnavailable: 1 });
  assert.deepEqual(updateBudget(ds({ maxUnavailable: '25%', maxSurge: 0 }), 10), { maxSurge: 0, maxUnavailable: 3 });
  assert.deepEqual(updateBudget(ds({ maxUnavailable: 0, maxSurge: '10%' }), 15), { maxSurge: 2, maxUnavailable: 0 });
  assert.deepEqual(updateBudget(ds({ maxUnavailable: '0%', maxSurge: '0%' }), 3), { maxSurge: 0, maxUnavailable: 1 });
});

test('rollout without surge: available old pods go within maxUnavailable, counting nodes already short', () => {
  const states = ['a', 'b', 'c', 'd', 'e'].map((n) => st(n, [pod(n, 'h1')]));
  const step = rollout(states, 'h2', { maxSurge: 0, maxUnavailable: 2 }, 0);
  assert.equal(step.delete.length, 2);
  assert.deepEqual(step.create, []);
  // one node is already being replaced (its new pod not ready): one more may go
  const replacing = [st('a', [pod('a', 'h2', { ready: false })]), ...['b', 'c', 'd'].map((n) => st(n, [pod(n, 'h1')]))];
  assert.equal(rollout(replacing, 'h2', { maxSurge: 0, maxUnavailable: 2 }, 0).delete.length, 1);
  // a node with no pod at all counts as unavailable
  const missing = [st('a', []), st('b', []), st('c', [pod('c', 'h1')])];
  assert.equal(rollout(missing, 'h2', { maxSurge: 0, maxUnavailable: 2 }, 0).delete.length, 0);
});

test('rollout without surge: old pods that are not available are replaced at once, beyond the budget', () => {
  const states = [st('a', [pod('a', 'h1', { ready: false })]), st('b', [pod('b', 'h1', { ready: false })]), st('c', [pod('c', 'h1')])];
  const step = rollout(states, 'h2', { maxSurge: 0, maxUnavailable: 1 }, 0);
  assert.equal(step.delete.length, 2, 'the two unavailable old pods');
  assert.ok(step.delete.every((p) => p.spec?.nodeName !== 'c'));
});

test('rollout with surge: new pods beside old ones on up to maxSurge nodes; old ones go once the new is available', () => {
  const states = ['a', 'b', 'c'].map((n) => st(n, [pod(n, 'h1')]));
  assert.deepEqual(rollout(states, 'h2', { maxSurge: 1, maxUnavailable: 0 }, 0), { create: ['a'], delete: [] });
  const waiting = [st('a', [pod('a', 'h1'), pod('a', 'h2', { ready: false })]), st('b', [pod('b', 'h1')])];
  assert.deepEqual(rollout(waiting, 'h2', { maxSurge: 1, maxUnavailable: 0 }, 0), { create: [], delete: [] }, 'the surge budget is in use');
  const oldA = pod('a', 'h1');
  const done = [st('a', [oldA, pod('a', 'h2')]), st('b', [pod('b', 'h1')])];
  assert.deepEqual(names(rollout(done, 'h2', { maxSurge: 1, maxUnavailable: 0 }, 0).delete), names([oldA]));
});

test('minReadySeconds: a pod ready for less is not available yet', () => {
  const now = Date.parse('2026-01-01T00:00:05Z');
  const states = ['a', 'b'].map((n) => st(n, [pod(n, 'h1')]));
  assert.equal(rollout(states, 'h2', { maxSurge: 0, maxUnavailable: 1 }, 10, now).delete.length, 2, 'unavailable old pods go at once');
  assert.equal(counts(states, 'h1', 10, now).numberAvailable, 0);
  assert.equal(counts(states, 'h1', 10, now + 10_000).numberAvailable, 2);
});

test('status counts: desired, current, ready, available, updated and misscheduled nodes', () => {
  const states = [st('a', [pod('a', 'h2')]), st('b', [pod('b', 'h1', { ready: false })]), st('c', []), st('d', [pod('d', 'h1')], false, true),
    st('e', [pod('e', 'h2', { deleting: true })])];
  assert.deepEqual(counts(states, 'h2', 0), {
    desiredNumberScheduled: 4, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1, numberAvailable: 1, numberUnavailable: 3,
    updatedNumberScheduled: 1,
  });
});
