import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployment, rs } from './fixtures.js';
import { calculateStatus, getCondition, newCondition, pausedConditions, progressCheckAfterMs, rolloutStatus, setCondition, statusEqual } from './status.js';
import { timestamp, type DeploymentStatus } from './types.js';

const T0 = Date.parse('2026-11-23T08:00:00Z');
const at = (s: number) => T0 + s * 1000;

test('counters add up the ReplicaSets as kubectl get deploy shows them', () => {
  const d = deployment({ replicas: 4, generation: 7 });
  const old = rs('web-a', { replicas: 1, current: 2, available: 2 });
  const cur = rs('web-b', { replicas: 4, current: 4, ready: 3, available: 2 });
  const s = calculateStatus(d, [cur, old], cur, T0);
  assert.equal(s.observedGeneration, 7);
  assert.equal(s.replicas, 6);
  assert.equal(s.updatedReplicas, 4);
  assert.equal(s.readyReplicas, 5);
  assert.equal(s.availableReplicas, 4);
  assert.equal(s.unavailableReplicas, 1);
  assert.deepEqual(getCondition(s, 'Available'), { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: timestamp(T0), lastTransitionTime: timestamp(T0) });
});

test('Available is False below replicas - maxUnavailable; unavailable never goes negative', () => {
  const d = deployment({ replicas: 4, maxUnavailable: 1 });
  const s = calculateStatus(d, [rs('web-a', { replicas: 4, available: 2 })], undefined, T0);
  assert.equal(getCondition(s, 'Available')?.reason, 'MinimumReplicasUnavailable');
  assert.equal(getCondition(s, 'Available')?.message, 'Deployment does not have minimum availability.');
  const over = calculateStatus(deployment({ replicas: 1 }), [rs('web-a', { replicas: 1, current: 3, available: 3 })], undefined, T0);
  assert.equal(over.unavailableReplicas, undefined, 'zero is omitted, as Kubernetes serialises it');
});

test('an unchanged condition keeps its times; a new reason with the same status keeps lastTransitionTime', () => {
  const s: DeploymentStatus = {};
  setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'Created new replica set "web-a"', T0));
  setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'other', at(5)));
  assert.equal(getCondition(s, 'Progressing')?.message, 'Created new replica set "web-a"');
  setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', 'done', at(9)));
  assert.equal(getCondition(s, 'Progressing')?.lastTransitionTime, timestamp(T0));
  assert.equal(getCondition(s, 'Progressing')?.lastUpdateTime, timestamp(at(9)));
});

function rollingDeployment(status: DeploymentStatus) {
  return deployment({ replicas: 3, status: { observedGeneration: 1, ...status } });
}
const created = newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'Created new replica set "web-b"', T0);

test('a finished rollout reports NewReplicaSetAvailable, which is what kubectl rollout status waits for', () => {
  const d = rollingDeployment({ replicas: 4, updatedReplicas: 3, conditions: [created] });
  const cur = rs('web-b', { replicas: 3 });
  const s = rolloutStatus(d, [cur, rs('web-a', { replicas: 0 })], cur, at(30));
  const p = getCondition(s, 'Progressing');
  assert.equal(p?.reason, 'NewReplicaSetAvailable');
  assert.equal(p?.message, 'ReplicaSet "web-b" has successfully progressed.');
  assert.equal(p?.lastTransitionTime, timestamp(T0));
  assert.equal(progressCheckAfterMs(d, s, at(30)), undefined, 'nothing left to time out');
});

test('progress refreshes lastUpdateTime (the deadline clock) but not lastTransitionTime', () => {
  const d = rollingDeployment({ replicas: 3, updatedReplicas: 1, availableReplicas: 2, conditions: [created] });
  const cur = rs('web-b', { replicas: 2, available: 1 });
  const s = rolloutStatus(d, [cur, rs('web-a', { replicas: 2, available: 2 })], cur, at(40));
  const p = getCondition(s, 'Progressing');
  assert.equal(p?.reason, 'ReplicaSetUpdated');
  assert.equal(p?.message, 'ReplicaSet "web-b" is progressing.');
  assert.equal(p?.lastUpdateTime, timestamp(at(40)));
  assert.equal(p?.lastTransitionTime, timestamp(T0));
  assert.equal(progressCheckAfterMs(d, s, at(40)), 600_000 + 1000, 'look again when the deadline could pass');
});

test('no progress for progressDeadlineSeconds means ProgressDeadlineExceeded', () => {
  const stuck = { replicas: 4, updatedReplicas: 1, availableReplicas: 3, readyReplicas: 3, conditions: [created] };
  const cur = rs('web-b', { replicas: 1, available: 0, ready: 0 });
  const all = [cur, rs('web-a', { replicas: 3 })];
  const before = rolloutStatus(rollingDeployment(stuck), all, cur, at(599));
  assert.equal(getCondition(before, 'Progressing')?.reason, 'NewReplicaSetCreated');
  assert.equal(progressCheckAfterMs(rollingDeployment(stuck), before, at(599)), 1000 + 1000);
  const after = rolloutStatus(rollingDeployment(stuck), all, cur, at(601));
  const p = getCondition(after, 'Progressing');
  assert.equal(p?.status, 'False');
  assert.equal(p?.reason, 'ProgressDeadlineExceeded');
  assert.equal(p?.message, 'ReplicaSet "web-b" has timed out progressing.');
});

test('without a progress deadline there is no Progressing condition', () => {
  const d = deployment({ progressDeadlineSeconds: 2147483647, status: { conditions: [created] } });
  const s = rolloutStatus(d, [rs('web-b', { replicas: 3 })], undefined, T0);
  assert.equal(getCondition(s, 'Progressing'), undefined);
});

test('pausing and resuming set Progressing Unknown, restarting the deadline clock; a timeout stays', () => {
  const paused = pausedConditions(deployment({ paused: true, status: { conditions: [created] } }), at(100));
  assert.deepEqual(getCondition(paused, 'Progressing'), { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused', lastUpdateTime: timestamp(at(100)), lastTransitionTime: timestamp(at(100)) });
  assert.equal(pausedConditions(deployment({ paused: true, status: paused }), at(200)), undefined, 'already paused');
  const resumed = pausedConditions(deployment({ status: paused }), at(300));
  assert.equal(getCondition(resumed, 'Progressing')?.reason, 'DeploymentResumed');
  assert.equal(getCondition(resumed, 'Progressing')?.message, 'Deployment is resumed');
  const timedOut = newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', 'x', T0);
  assert.equal(pausedConditions(deployment({ paused: true, status: { conditions: [timedOut] } }), at(1)), undefined);
});

test('status comparison ignores omitted zeros and key order, not real changes', () => {
  assert.ok(statusEqual({ replicas: 0, observedGeneration: 2 }, { observedGeneration: 2 }));
  assert.ok(!statusEqual({ observedGeneration: 2 }, { observedGeneration: 3 }));
  assert.ok(!statusEqual({ collisionCount: 0 }, {}), 'collisionCount 0 is a real value: it changes the hash');
});
