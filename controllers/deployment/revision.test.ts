import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployment, rs } from './fixtures.js';
import { findNewReplicaSet, findOldReplicaSets, maxRevision, newRSAnnotations, replicaSetsToCleanup } from './revision.js';
import { CHANGE_CAUSE, DESIRED_REPLICAS, LAST_APPLIED, MAX_REPLICAS, REVISION, REVISION_HISTORY } from './types.js';

test('a new ReplicaSet gets the highest old revision + 1 and the deployment annotations', () => {
  const d = deployment({ replicas: 4, annotations: { [CHANGE_CAUSE]: 'kubectl set image deploy/web web=nginx:1.26', [LAST_APPLIED]: '{}', [REVISION]: '2' }, image: 'nginx:1.26' });
  const old = [rs('web-a', { revision: 1 }), rs('web-b', { revision: 2 })];
  const fresh = rs('web-c', { replicas: 1 });
  delete fresh.metadata.annotations;
  const a = newRSAnnotations(d, fresh, maxRevision(old) + 1, false);
  assert.equal(a?.[REVISION], '3');
  assert.equal(a?.[CHANGE_CAUSE], 'kubectl set image deploy/web web=nginx:1.26', 'rollout history shows the change cause');
  assert.equal(a?.[LAST_APPLIED], undefined, "kubectl apply's annotation stays on the deployment");
  assert.equal(a?.[DESIRED_REPLICAS], '4');
  assert.equal(a?.[MAX_REPLICAS], '5');
  assert.equal(a?.[REVISION_HISTORY], undefined);
});

test('rollback: the old ReplicaSet is found again and reused with the next revision, not duplicated', () => {
  // revision 1 ran nginx:1.25, revision 2 runs nginx:1.26; `kubectl rollout undo` copied 1.25's template back
  const d = deployment({ image: 'nginx:1.25', annotations: { [REVISION]: '2' } });
  const v1 = rs('web-5d4f9b7c8', { image: 'nginx:1.25', revision: 1, created: 1 });
  const v2 = rs('web-6b8c4d9f7', { image: 'nginx:1.26', revision: 2, created: 2, replicas: 3 });
  const found = findNewReplicaSet(d, [v2, v1]);
  assert.equal(found?.metadata.name, 'web-5d4f9b7c8');
  const old = findOldReplicaSets(d, [v2, v1]);
  assert.deepEqual(old.map((x) => x.metadata.name), ['web-6b8c4d9f7']);
  const a = newRSAnnotations(d, v1, maxRevision(old) + 1, true);
  assert.equal(a?.[REVISION], '3');
  assert.equal(a?.[REVISION_HISTORY], '1', 'its earlier revision is kept in the history');
  // rolling back again and again appends to the history
  const again = newRSAnnotations(d, { ...v1, metadata: { ...v1.metadata, annotations: { [REVISION]: '5', [REVISION_HISTORY]: '1,3' } } }, 8, true);
  assert.equal(again?.[REVISION_HISTORY], '1,3,5');
  assert.equal(again?.[REVISION], '8');
});

test('an up-to-date ReplicaSet needs no write', () => {
  const d = deployment();
  const cur = rs('web-a', { revision: 3 });
  assert.equal(newRSAnnotations(d, cur, 3, true), undefined);
  assert.equal(newRSAnnotations(d, cur, 2, true), undefined, 'a revision is never lowered');
});

test('the oldest of several ReplicaSets with the current template is the new one', () => {
  const d = deployment();
  assert.equal(findNewReplicaSet(d, [rs('web-b', { created: 5 }), rs('web-a', { created: 3 }), rs('web-c', { created: 4, image: 'other' })])?.metadata.name, 'web-a');
  assert.equal(findNewReplicaSet(deployment({ image: 'nginx:2' }), [rs('web-a')]), undefined);
});

test('cleanup deletes empty old ReplicaSets beyond the limit, oldest revision first', () => {
  const d = deployment({ revisionHistoryLimit: 2 });
  const old = [5, 1, 4, 2, 3].map((r) => rs(`web-r${r}`, { revision: r, created: 10 - r }));
  assert.deepEqual(replicaSetsToCleanup(d, old).map((x) => x.metadata.name), ['web-r1', 'web-r2', 'web-r3']);
});

test('cleanup skips old ReplicaSets still running pods, or unseen by their controller, without deleting newer ones instead', () => {
  const d = deployment({ revisionHistoryLimit: 1 });
  const old = [
    rs('web-r1', { revision: 1, replicas: 0, current: 1 }),
    rs('web-r2', { revision: 2, generation: 3, observedGeneration: 2 }),
    rs('web-r3', { revision: 3 }),
    rs('web-r4', { revision: 4 }),
  ];
  assert.deepEqual(replicaSetsToCleanup(d, old).map((x) => x.metadata.name), ['web-r3']);
  const deleting = { ...old[0]!, metadata: { ...old[0]!.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
  assert.deepEqual(replicaSetsToCleanup(deployment({ revisionHistoryLimit: 3 }), [deleting, ...old.slice(1)]), [], 'one being deleted no longer counts');
  assert.deepEqual(replicaSetsToCleanup(deployment({ revisionHistoryLimit: 0 }), [rs('web-r9', { revision: 9 })]).length, 1);
});
