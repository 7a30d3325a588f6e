import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../lib/client/rest.js';
import { buildFrameworks, defaultSchedulerConfig } from './config.js';
import { SchedulerCore } from './core.js';
import { FakeApi, bound, node, pod } from './testutil.js';

function core(api: FakeApi, now = () => 0) {
  return new SchedulerCore({ frameworks: buildFrameworks(defaultSchedulerConfig()), api, now, random: () => 0.5 });
}

/** Pops and schedules everything in activeQ, as the run loop does. */
function drain(c: SchedulerCore): void {
  for (let q = c.queue.tryPop(); q; q = c.queue.tryPop()) c.scheduleOne(q);
}

test('the exact Unschedulable message for a mixed 3-node cluster, on the pod status and a Warning event', () => {
  const api = new FakeApi();
  const c = core(api);
  c.onNodeAdd(node('a', { cpu: '1' }));
  c.onNodeAdd(node('b', { cpu: '1' }));
  c.onNodeAdd(node('c', { cpu: '8', ready: 'False', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }));
  c.onPodAdd(pod('big', { cpu: '2' }));
  drain(c);
  const message = '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 Insufficient cpu.';
  assert.deepEqual(api.statuses, [{ pod: 'big', message }]);
  assert.deepEqual(api.events, [{ pod: 'big', type: 'Warning', reason: 'FailedScheduling', message }]);
  assert.equal(c.queue.whereIs(pod('big')), 'unschedulable');
  assert.equal(api.binds.length, 0);
});

test('no nodes at all', () => {
  const api = new FakeApi();
  const c = core(api);
  c.onPodAdd(pod('p'));
  drain(c);
  assert.equal(api.statuses[0]?.message, 'no nodes available to schedule pods');
});

test('only pods for our schedulerName, unbound and not being deleted, are scheduled', () => {
  const api = new FakeApi(true);
  const c = core(api);
  c.onNodeAdd(node('a'));
  c.onPodAdd(pod('other', { spec: { schedulerName: 'someone-else' } }));
  c.onPodAdd(pod('gone', { spec: {} }));
  c.onPodUpdate(pod('gone'), { ...pod('gone'), metadata: { ...pod('gone').metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } });
  c.onPodAdd(pod('already', { nodeName: 'a' }));
  c.onPodAdd(pod('mine', { spec: { schedulerName: 'default-scheduler' } }));
  c.onPodAdd(pod('empty', { spec: { schedulerName: '' } }));
  drain(c);
  assert.deepEqual(api.binds.map((b) => b.pod.metadata.name).sort(), ['empty', 'mine']);
});

test('an assumed pod counts on its node before its bind returns, and is forgotten if the bind fails', async () => {
  const api = new FakeApi();
  const c = core(api);
  c.onNodeAdd(node('a', { cpu: '1' }));
  c.onPodAdd(pod('p1', { cpu: '700m' }));
  drain(c);
  assert.equal(api.binds.length, 1);
  assert.equal(c.cache.get('a')?.requested.get('cpu'), 700);
  c.onPodAdd(pod('p2', { cpu: '700m' }));
  drain(c);
  assert.equal(api.binds.length, 1, 'p2 must not fit next to the assumed p1');
  assert.match(api.statuses[0]!.message, /1 Insufficient cpu/);
  // the bind fails: p1's cpu is released and p2, parked as unschedulable, comes back and gets the node
  api.binds[0]!.reject(new ApiError(500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, message: 'etcd down' } as never));
  await c.idle();
  assert.equal(c.cache.get('a')?.requested.get('cpu') ?? 0, 0);
  assert.equal(c.queue.whereIs(pod('p2')), 'active');
  assert.equal(c.queue.whereIs(pod('p1')), 'backoff');
  drain(c);
  assert.equal(api.binds[1]?.pod.metadata.name, 'p2');
});

test('the informer confirming a bind keeps the pod counted once', async () => {
  const api = new FakeApi();
  const c = core(api);
  c.onNodeAdd(node('a', { cpu: '1' }));
  const p = pod('p', { cpu: '300m' });
  c.onPodAdd(p);
  drain(c);
  api.binds[0]!.resolve();
  await c.idle();
  c.onPodUpdate(p, bound(p, 'a'));
  assert.equal(c.cache.get('a')?.requested.get('cpu'), 300);
  assert.equal(c.cache.isAssumed(p), false);
  c.onPodDelete(bound(p, 'a'));
  assert.equal(c.cache.get('a')?.requested.get('cpu') ?? 0, 0);
});

test('a node added while a pod is unschedulable schedules it at once', () => {
  const api = new FakeApi(true);
  const c = core(api);
  c.onNodeAdd(node('small', { cpu: '1' }));
  c.onPodAdd(pod('p', { cpu: '2' }));
  drain(c);
  assert.equal(c.queue.whereIs(pod('p')), 'unschedulable');
  c.onNodeAdd(node('big', { cpu: '4' }));
  assert.equal(c.queue.whereIs(pod('p')), 'active');
  drain(c);
  assert.deepEqual(api.placement(), { big: 1 });
});

test('a pod deleted from a full node frees room for an unschedulable pod; unrelated changes do not wake it', () => {
  const api = new FakeApi(true);
  const c = core(api);
  c.onNodeAdd(node('a', { cpu: '1' }));
  const hog = pod('hog', { cpu: '1', nodeName: 'a' });
  c.onPodAdd(hog);
  c.onPodAdd(pod('p', { cpu: '500m' }));
  drain(c);
  assert.equal(c.queue.whereIs(pod('p')), 'unschedulable');
  // a label change on the node can't fix "Insufficient cpu"
  c.onNodeUpdate(node('a', { cpu: '1' }), node('a', { cpu: '1', labels: { x: 'y' } }));
  assert.equal(c.queue.whereIs(pod('p')), 'unschedulable');
  c.onPodDelete(hog);
  assert.equal(c.queue.whereIs(pod('p')), 'active');
  drain(c);
  assert.deepEqual(api.placement(), { a: 1 });
});

test('scores prefer the emptier node', () => {
  const api = new FakeApi(true);
  const c = core(api);
  c.onNodeAdd(node('busy', { cpu: '4', memory: '8Gi' }));
  c.onNodeAdd(node('empty', { cpu: '4', memory: '8Gi' }));
  c.onPodAdd(pod('existing', { cpu: '3', memory: '6Gi', nodeName: 'busy' }));
  c.onPodAdd(pod('p', { cpu: '100m', memory: '128Mi' }));
  drain(c);
  assert.deepEqual(api.placement(), { empty: 1 });
});

test("one owner's pods spread 2/2/2 over three equal nodes", () => {
  const api = new FakeApi(true);
  const c = core(api);
  for (const n of ['a', 'b', 'c']) c.onNodeAdd(node(n));
  for (let i = 0; i < 6; i++) c.onPodAdd(pod(`web-${i}`, { owner: 'web', cpu: '10m', memory: '16Mi' }));
  drain(c);
  assert.deepEqual(api.placement(), { a: 2, b: 2, c: 2 });
});

test('higher spec.priority is scheduled first', () => {
  const api = new FakeApi(true);
  const c = core(api);
  c.onNodeAdd(node('a', { cpu: '1' }));
  c.onPodAdd(pod('low', { cpu: '1', spec: { priority: 0 } }));
  c.onPodAdd(pod('high', { cpu: '1', spec: { priority: 1000 } }));
  drain(c);
  assert.equal(api.binds[0]?.pod.metadata.name, 'high');
  assert.equal(c.queue.whereIs(pod('low')), 'unschedulable');
});

test('metrics count attempts by result and expose pending pods per queue', async () => {
  const api = new FakeApi(true);
  const c = core(api);
  c.onNodeAdd(node('a', { cpu: '1' }));
  c.onPodAdd(pod('fits', { cpu: '500m' }));
  c.onPodAdd(pod('nope', { cpu: '4' }));
  drain(c);
  await c.idle();
  const text = await c.metrics.registry.metrics();
  assert.match(text, /scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 1/);
  assert.match(text, /scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} 1/);
  assert.match(text, /scheduler_pending_pods\{queue="unschedulable"\} 1/);
  assert.match(text, /scheduler_scheduling_attempt_duration_seconds_count\{result="scheduled",profile="default-scheduler"\} 1/);
});
