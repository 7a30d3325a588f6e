import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/types.js';
import { REVISION, restartPatch, revisions, rolloutStatus, undoPatch, undoTarget } from './deployments.js';

const tpl = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } });
const deploy = (over: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'd1', generation: 3, resourceVersion: '77', annotations: { [REVISION]: '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  spec: { replicas: 3, template: tpl('web:v2') },
  status: { observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 3 },
  ...over,
});
const rs = (rev: string, image: string, owner = 'd1', annotations: Record<string, string> = {}): KubeObject => ({
  metadata: { name: `web-${rev}`, namespace: 'default', annotations: { [REVISION]: rev, ...annotations }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: owner, controller: true }] },
  spec: { template: { metadata: { labels: { app: 'web', 'pod-template-hash': `h${rev}` } }, spec: { containers: [{ name: 'web', image }] } } },
});

test('the rollout status message is kubectl rollout status\'s', () => {
  const d = deploy();
  assert.deepEqual(rolloutStatus(d), { done: true, failed: false, message: 'deployment "web" successfully rolled out' });
  assert.equal(rolloutStatus(deploy({ metadata: { ...d.metadata, generation: 4 } })).message, 'Waiting for deployment spec update to be observed...');
  assert.equal(rolloutStatus(deploy({ status: { observedGeneration: 3, replicas: 4, updatedReplicas: 1, availableReplicas: 3 } })).message, 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...');
  assert.equal(rolloutStatus(deploy({ status: { observedGeneration: 3, replicas: 4, updatedReplicas: 3, availableReplicas: 3 } })).message, 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...');
  assert.equal(rolloutStatus(deploy({ status: { observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 2 } })).message, 'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...');
  const stuck = rolloutStatus(deploy({ status: { observedGeneration: 3, replicas: 3, updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] } }));
  assert.deepEqual(stuck, { done: false, failed: true, message: 'deployment "web" exceeded its progress deadline' });
});

test('revisions are the Deployment\'s own ReplicaSets by revision, newest first, the running template marked', () => {
  const revs = revisions(deploy(), [rs('1', 'web:v1'), rs('2', 'web:v2'), rs('5', 'other:v1', 'someone-else'), { ...rs('x', 'web:v0') }]);
  assert.deepEqual(revs.map((r) => [r.revision, r.images, r.current]), [[2, ['web:v2'], true], [1, ['web:v1'], false]]);
});

test('undo puts the previous revision\'s template back (without pod-template-hash) and its annotations, guarded by resourceVersion', () => {
  const d = deploy();
  const revs = revisions(d, [rs('1', 'web:v1', 'd1', { 'kubernetes.io/change-cause': 'first' }), rs('2', 'web:v2')]);
  const target = undoTarget(revs);
  assert.equal(target.revision, 1);
  const patch = undoPatch(d, target);
  assert.deepEqual(patch[0], { op: 'test', path: '/metadata/resourceVersion', value: '77' });
  assert.deepEqual(patch[1], { op: 'replace', path: '/spec/template', value: tpl('web:v1') });
  assert.deepEqual(patch[2], { op: 'replace', path: '/metadata/annotations', value: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', [REVISION]: '2', 'kubernetes.io/change-cause': 'first' } });
  assert.equal(undoTarget(revs, 2).revision, 2);
  assert.throws(() => undoTarget(revs, 9), /unable to find specified revision 9/);
  assert.throws(() => undoTarget(revs.slice(0, 1)), /no rollout history/);
  assert.throws(() => undoPatch(deploy({ spec: { paused: true, template: tpl('x') } }), target), /paused/);
});

test('restart sets restartedAt on the pod template', () => {
  assert.deepEqual(restartPatch(deploy(), new Date('2025-02-03T04:05:06.789Z')), { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-02-03T04:05:06Z' } } } } });
  assert.throws(() => restartPatch(deploy({ spec: { paused: true } })), /paused/);
});
