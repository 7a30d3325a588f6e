// Init containers and sidecars through syncPod: order, completion before the app, restarts per policy, the
// statuses and the STATUS column kubectl prints from them (the API server's printer), sidecars stopping last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podReadyRestartsStatus } from '../../apiserver/printers/pods.js';
import { podHarness, type PodHarness } from './testing/harness.js';

const c = (name: string, extra: Record<string, unknown> = {}) => ({ name, image: `img/${name}:1`, terminationMessagePath: '/dev/termination-log', ...extra });
const column = (h: PodHarness) => podReadyRestartsStatus(h.pod(), new Date()).status;
const exitNewest = (h: PodHarness, name: string, code: number) => h.rt.exit(h.rt.named(name)!.id, code);

test('two init containers run one after the other to completion, then the app: Init:0/2 -> Init:1/2 -> Running', async (t) => {
  const h = podHarness(t);
  h.seed({ initContainers: [c('first'), c('second')], containers: [c('app')] });
  await h.sync();
  assert.deepEqual(h.rt.running(), ['first']);
  assert.equal(column(h), 'Init:0/2');
  assert.equal(h.status().phase, 'Pending');
  assert.equal(h.status().initContainerStatuses[1].state.waiting.reason, 'PodInitializing');
  assert.equal(h.status().containerStatuses[0].state.waiting.reason, 'PodInitializing');
  assert.deepEqual(h.status().conditions.find((x: { type: string }) => x.type === 'Initialized'), { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [first second]', lastProbeTime: null, lastTransitionTime: h.status().conditions[1].lastTransitionTime });
  await h.sync();
  assert.deepEqual(h.rt.running(), ['first'], 'the second waits for the first');
  exitNewest(h, 'first', 0);
  await h.sync();
  assert.deepEqual(h.rt.running(), ['second']);
  assert.equal(column(h), 'Init:1/2');
  assert.equal(h.status().initContainerStatuses[0].state.terminated.reason, 'Completed');
  assert.equal(h.status().initContainerStatuses[0].ready, true);
  exitNewest(h, 'second', 0);
  await h.sync();
  assert.deepEqual(h.rt.running(), ['app']);
  assert.equal(column(h), 'Running');
  assert.equal(h.status().phase, 'Running');
  assert.equal(h.status().conditions.find((x: { type: string }) => x.type === 'Initialized').status, 'True');
  // the app crashing does not run the init containers again
  exitNewest(h, 'app', 1);
  await h.sync();
  assert.deepEqual(h.rt.running(), ['app']);
  assert.equal(h.rt.calls.filter((x) => x.startsWith('CreateContainer first')).length, 1);
});

test('a failing init container is retried with back-off: Init:Error, then Init:CrashLoopBackOff; the app never starts', async (t) => {
  const h = podHarness(t);
  h.seed({ initContainers: [c('setup')], containers: [c('app')] });
  await h.sync();
  exitNewest(h, 'setup', 2);
  // what kubectl shows between the exit and the next sync
  await h.sync();
  assert.deepEqual(h.rt.running(), ['setup'], 'the first failure restarts at once');
  exitNewest(h, 'setup', 2);
  h.deps.lastStatus.clear();
  await h.sync();
  assert.equal(h.status().initContainerStatuses[0].state.waiting.reason, 'CrashLoopBackOff');
  assert.equal(h.status().initContainerStatuses[0].lastState.terminated.exitCode, 2);
  assert.equal(column(h), 'Init:CrashLoopBackOff');
  assert.equal(h.status().phase, 'Pending');
  assert.equal(h.rt.calls.filter((x) => x.startsWith('CreateContainer app')).length, 0);
  // the exit itself, before any sync: Init:Error
  const p = h.pod();
  p.status.initContainerStatuses[0].state = { terminated: { exitCode: 2, reason: 'Error' } };
  assert.equal(podReadyRestartsStatus(p, new Date()).status, 'Init:Error');
});

test('restartPolicy Never: a failed init container fails the pod', async (t) => {
  const h = podHarness(t);
  h.seed({ restartPolicy: 'Never', initContainers: [c('setup')], containers: [c('app')] });
  await h.sync();
  exitNewest(h, 'setup', 1);
  await h.sync();
  assert.equal(h.status().phase, 'Failed');
  assert.equal(column(h), 'Init:Error');
  assert.deepEqual(h.rt.running(), []);
});

test('a sidecar starts before the next init container and the app, keeps running, is restarted when it exits, and counts in READY', async (t) => {
  const h = podHarness(t);
  h.seed({ initContainers: [c('log-tailer', { restartPolicy: 'Always' }), c('migrate')], containers: [c('app')] });
  await h.sync();
  assert.deepEqual(h.rt.running(), ['log-tailer', 'migrate'], 'a started sidecar lets the next init container go');
  assert.equal(column(h), 'Init:1/2');
  exitNewest(h, 'migrate', 0);
  await h.sync();
  assert.deepEqual(h.rt.running(), ['app', 'log-tailer']);
  assert.deepEqual(podReadyRestartsStatus(h.pod(), new Date()), { ready: '2/2', status: 'Running', restarts: '0' });
  exitNewest(h, 'log-tailer', 1);
  await h.sync();
  assert.deepEqual(h.rt.running(), ['app', 'log-tailer'], 'restarted');
  assert.equal(h.status().initContainerStatuses[0].restartCount, 1);
  assert.equal(h.status().phase, 'Running');
});

test('a sidecar with a startup probe holds the next init container until it has started', async (t) => {
  const h = podHarness(t);
  h.probe.run = async () => ({ result: 'failure', output: 'not yet' });
  h.seed({ initContainers: [c('proxy', { restartPolicy: 'Always', startupProbe: { exec: { command: ['true'] }, periodSeconds: 1, failureThreshold: 100 } }), c('migrate')], containers: [c('app')] });
  await h.sync();
  await h.sync();
  assert.deepEqual(h.rt.running(), ['proxy']);
  assert.equal(h.status().initContainerStatuses[0].started, false);
});

test('when the app containers end for good, the sidecars are stopped and the pod Succeeds; on deletion the app stops first, the sidecar last', async (t) => {
  const h = podHarness(t);
  h.seed({ restartPolicy: 'Never', initContainers: [c('side', { restartPolicy: 'Always' })], containers: [c('job')] });
  await h.sync();
  await h.sync();
  assert.deepEqual(h.rt.running(), ['job', 'side']);
  exitNewest(h, 'job', 0);
  await h.sync();
  assert.deepEqual(h.rt.running(), []);
  assert.equal(h.status().phase, 'Succeeded');

  const d = podHarness(t);
  d.seed({ initContainers: [c('side-a', { restartPolicy: 'Always' }), c('side-b', { restartPolicy: 'Always' })], containers: [c('app1'), c('app2')] });
  await d.sync();
  await d.sync();
  assert.deepEqual(d.rt.running(), ['app1', 'app2', 'side-a', 'side-b']);
  await d.api.client().delete(findPod(), 'web', { namespace: 'default' });
  const before = d.rt.calls.length;
  await d.sync();
  const stops = d.rt.calls.slice(before).filter((x) => x.startsWith('StopContainer')).map((x) => x.split(' ')[1]);
  assert.deepEqual(stops.slice(2), ['side-b', 'side-a'], 'sidecars after the app containers, last defined first');
  assert.deepEqual(stops.slice(0, 2).sort(), ['app1', 'app2']);
  assert.equal(d.pod(), undefined, 'then the pod is removed');
});

import { findByKind } from '../../lib/api/kinds.js';
const findPod = () => findByKind('v1', 'Pod')!;

test('a freshly started init container has the pod looked at again soon (its end starts the next one), not only at the next relist', async (t) => {
  const h = podHarness(t);
  h.seed({ initContainers: [c('quick')], containers: [c('app')] });
  const again = await h.sync();
  assert.ok(again !== undefined && again <= 200, `looks again in ${again} ms`);
  exitNewest(h, 'quick', 0);
  assert.equal(await h.sync(), undefined, 'nothing to poll once the app runs');
});
