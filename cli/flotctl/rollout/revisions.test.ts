import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { alreadyCurrent, applyRevision, controlled, findRevision, typedView } from './revisions.js';
import { statefulSetStatus } from './status.js';

const template = (image: string) => ({ metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image }] } });
const set = (image: string, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'db', namespace: 'default', uid: 'u1' }, spec: { replicas: 3, selector: { matchLabels: { app: 'db' } }, template: template(image), ...extra },
});
const rev = (n: number, image: string, uid = 'u1'): KubeObject => ({
  metadata: { name: `db-${n}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid, controller: true }] },
  revision: n,
  data: { spec: { template: { ...template(image), $patch: 'replace' } } },
});

test('a set\'s history: only revisions it controls, oldest first; undo picks the named one or the second newest', () => {
  const revs = controlled(set('x'), [rev(3, 'c'), rev(1, 'a'), rev(2, 'other', 'u2'), rev(2, 'b')]);
  assert.deepEqual(revs.map((r) => r.metadata.name), ['db-1', 'db-2', 'db-3']);
  assert.equal(findRevision(revs, 0)?.metadata.name, 'db-2');
  assert.equal(findRevision(revs, 1)?.metadata.name, 'db-1');
  assert.equal(findRevision(revs, 7), undefined);
  assert.equal(findRevision(revs.slice(0, 1), 0), undefined, 'one revision: nothing to go back to');
});

test('a revision\'s data replaces the template and nothing else', () => {
  const s = set('new', { template: { ...template('new'), metadata: { labels: { app: 'db', extra: 'y' } } } });
  const out = applyRevision(s, rev(1, 'old'));
  assert.deepEqual(out.spec?.template, template('old'));
  assert.equal(out.spec?.replicas, 3);
  assert.deepEqual(s.spec?.template.metadata.labels, { app: 'db', extra: 'y' }, 'the set itself is untouched');
});

test('the current template matches its revision whatever Go\'s zero values or key order', () => {
  const goWritten = rev(2, 'b');
  (goWritten.data as { spec: { template: { metadata: Record<string, unknown> } } }).spec.template.metadata.creationTimestamp = null;
  assert.equal(alreadyCurrent(set('b'), goWritten), true);
  assert.equal(alreadyCurrent(set('a'), goWritten), false);
});

test('-o of a revision shows the set as Go\'s types print it', () => {
  const s = { ...set('a'), metadata: { ...set('a').metadata, managedFields: [{}] }, status: { replicas: 3, readyReplicas: 0, availableReplicas: 0, currentRevision: 'db-1', updateRevision: '' } } as KubeObject;
  const v = typedView('StatefulSet', s);
  assert.equal(v.apiVersion, 'apps/v1');
  assert.equal(v.kind, 'StatefulSet');
  assert.equal(v.metadata.managedFields, undefined);
  assert.deepEqual(v.spec?.template.metadata, { creationTimestamp: null, labels: { app: 'db' } });
  assert.deepEqual(v.status, { replicas: 3, availableReplicas: 0, currentRevision: 'db-1' });
});

test('statefulset rollout status lines are kubectl\'s', () => {
  const sts = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 1): KubeObject =>
    ({ metadata: { name: 'db', generation }, spec: { replicas: 3, ...spec }, status: { observedGeneration: 1, ...status } });
  const rolling = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } };
  assert.throws(() => statefulSetStatus(sts({ updateStrategy: { type: 'OnDelete' } }, {})), /^Error: rollout status is only available for RollingUpdate strategy type$/);
  assert.deepEqual(statefulSetStatus(sts(rolling, {}, 2)), { line: 'Waiting for statefulset spec update to be observed...', done: false });
  assert.deepEqual(statefulSetStatus(sts(rolling, { observedGeneration: 0 }, 0)), { line: 'Waiting for statefulset spec update to be observed...', done: false });
  assert.deepEqual(statefulSetStatus(sts(rolling, { readyReplicas: 1 })), { line: 'Waiting for 2 pods to be ready...', done: false });
  const part = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } };
  assert.deepEqual(statefulSetStatus(sts(part, { readyReplicas: 3, updatedReplicas: 1 })), { line: 'Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...', done: false });
  assert.deepEqual(statefulSetStatus(sts(part, { readyReplicas: 3, updatedReplicas: 2 })), { line: 'partitioned roll out complete: 2 new pods have been updated...', done: true });
  const plain = { updateStrategy: { type: 'RollingUpdate' } };
  assert.deepEqual(statefulSetStatus(sts(plain, { readyReplicas: 3, updatedReplicas: 1, currentRevision: 'db-1', updateRevision: 'db-2' })),
    { line: 'waiting for statefulset rolling update to complete 1 pods at revision db-2...', done: false });
  assert.deepEqual(statefulSetStatus(sts(plain, { readyReplicas: 3, currentReplicas: 3, currentRevision: 'db-2', updateRevision: 'db-2' })),
    { line: 'statefulset rolling update complete 3 pods at revision db-2...', done: true });
});
