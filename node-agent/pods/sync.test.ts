// syncPod against the fake container runtime (testing/fake-runtime.ts) and the fake API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { EventRecorder } from '../../lib/client/events.js';
import { FakeApiServer } from '../../lib/client/fake.js';
import { syncPod, type SyncDeps } from './sync.js';
import { FakeRuntime } from './testing/fake-runtime.js';
import { testDeps } from './testing/deps.js';

const POD = findByKind('v1', 'Pod')!;
const CM = findByKind('v1', 'ConfigMap')!;

function setup(t: { after(fn: () => void): void }): { api: FakeApiServer; rt: FakeRuntime; deps: SyncDeps } {
  const api = new FakeApiServer();
  const rt = new FakeRuntime();
  const client = api.client();
  const h = testDeps({ client, cri: rt.client(), recorder: new EventRecorder(client, 'kubelet', 'node-1') });
  t.after(() => h.cleanup());
  return { api, rt, deps: h.deps };
}

function pod(api: FakeApiServer, spec: Record<string, unknown> = {}): KubeObject {
  return api.seed(POD, {
    metadata: { name: 'web', namespace: 'default' },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'registry.local/web:v1' }], ...spec },
    status: { phase: 'Pending' },
  });
}

const statusOf = (api: FakeApiServer): KubeObject['status'] => api.get(POD, 'web', 'default')?.status;
const containerState = (api: FakeApiServer): Record<string, Record<string, unknown>> => statusOf(api).containerStatuses[0].state;

test('a new pod gets one sandbox, its image, its container started, and a Running status with the pod IP', async (t) => {
  const { api, rt, deps } = setup(t);
  const p = pod(api);
  const again = await syncPod(deps, p.metadata.uid as string, p);
  assert.equal(again, undefined, 'nothing to come back for');
  assert.deepEqual(rt.calls, ['RunPodSandbox', 'PullImage registry.local/web:v1', 'CreateContainer app registry.local/web:v1', 'StartContainer app']);
  const s = statusOf(api);
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.88.0.1');
  assert.equal(s.hostIP, '192.0.2.10');
  assert.ok(containerState(api).running);
  assert.equal(s.conditions.find((c: { type: string }) => c.type === 'Ready').status, 'True');
});

test("a pod the node lifecycle controller marked not ready while the node was silent is set ready again by the next sync", async (t) => {
  const { api, rt, deps } = setup(t);
  const p = pod(api);
  await syncPod(deps, p.metadata.uid as string, p);
  // the API's copy now says Ready=False (MarkPodsNotReady); the container runs on
  const marked = api.get(POD, 'web', 'default') as KubeObject;
  const conditions = marked.status.conditions.map((c: { type: string }) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
  await api.client().updateStatus(POD, { ...marked, status: { ...marked.status, conditions } });
  assert.equal(statusOf(api).conditions.find((c: { type: string }) => c.type === 'Ready').status, 'False');
  const calls = rt.calls.length;
  await syncPod(deps, p.metadata.uid as string, api.get(POD, 'web', 'default'));
  assert.equal(rt.calls.length, calls, 'no runtime writes');
  assert.equal(statusOf(api).conditions.find((c: { type: string }) => c.type === 'Ready').status, 'True');
});

test('a second sync of an unchanged pod starts nothing and writes no status', async (t) => {
  const { api, rt, deps } = setup(t);
  const p = pod(api);
  await syncPod(deps, p.metadata.uid as string, p);
  const calls = rt.calls.length;
  const patches = api.count('patch', 'pods');
  await syncPod(deps, p.metadata.uid as string, api.get(POD, 'web', 'default'));
  assert.equal(rt.calls.length, calls, 'no runtime writes');
  assert.equal(api.count('patch', 'pods'), patches, 'no status write');
  assert.equal(rt.of(p.metadata.uid as string).containers.length, 1);
});

test('restartPolicy Never: an exited container stays exited and the pod ends Failed', async (t) => {
  const { api, rt, deps } = setup(t);
  const p = pod(api, { restartPolicy: 'Never' });
  const uid = p.metadata.uid as string;
  await syncPod(deps, uid, p);
  rt.exit(rt.of(uid).containers[0]!.id, 3);
  await syncPod(deps, uid, api.get(POD, 'web', 'default'));
  assert.equal(rt.of(uid).containers.length, 1, 'not restarted');
  assert.equal(statusOf(api).phase, 'Failed');
  assert.equal(containerState(api).terminated?.exitCode, 3);
  assert.equal(containerState(api).terminated?.reason, 'Error');
});

test('restartPolicy Always: the first exit restarts at once, the next waits in CrashLoopBackOff and says when to look again', async (t) => {
  const { api, rt, deps } = setup(t);
  const p = pod(api);
  const uid = p.metadata.uid as string;
  await syncPod(deps, uid, p);
  rt.exit(rt.of(uid).containers[0]!.id, 1);
  await syncPod(deps, uid, api.get(POD, 'web', 'default'));
  assert.equal(rt.of(uid).containers.filter((c) => c.state === 'CONTAINER_RUNNING').length, 1, 'restarted');
  assert.equal(statusOf(api).containerStatuses[0].restartCount, 1);
  const second = rt.of(uid).containers.find((c) => c.state === 'CONTAINER_RUNNING')!;
  rt.exit(second.id, 1);
  const again = await syncPod(deps, uid, api.get(POD, 'web', 'default'));
  assert.equal(rt.of(uid).containers.filter((c) => c.state === 'CONTAINER_RUNNING').length, 0, 'not restarted during the back-off');
  assert.equal(containerState(api).waiting?.reason, 'CrashLoopBackOff');
  assert.ok(again !== undefined && again > 0 && again <= 10_051, `look again when the back-off ends (${again} ms)`);
});

test('a changed container spec replaces the running container', async (t) => {
  const { api, rt, deps } = setup(t);
  const p = pod(api);
  const uid = p.metadata.uid as string;
  await syncPod(deps, uid, p);
  const updated = await api
    .client()
    .patch(POD, 'web', { spec: { containers: [{ name: 'app', image: 'registry.local/web:v2' }] } }, 'merge', { namespace: 'default' });
  await syncPod(deps, uid, updated);
  const cs = rt.of(uid).containers;
  assert.ok(rt.calls.includes('CreateContainer app registry.local/web:v2'));
  assert.equal(cs.find((c) => c.config.image.image === 'registry.local/web:v1')?.state, 'CONTAINER_EXITED', 'the old one stopped');
  assert.equal(cs.find((c) => c.config.image.image === 'registry.local/web:v2')?.state, 'CONTAINER_RUNNING');
  assert.equal(rt.of(uid).sandboxes.length, 1, 'in the same sandbox');
});

test('an image that cannot be pulled gives ErrImagePull, no container, and a look again soon', async (t) => {
  const { api, rt, deps } = setup(t);
  rt.pullError = 'manifest unknown';
  const p = pod(api);
  const again = await syncPod(deps, p.metadata.uid as string, p);
  assert.equal(rt.of(p.metadata.uid as string).containers.length, 0);
  assert.equal(containerState(api).waiting?.reason, 'ErrImagePull');
  assert.match(String(containerState(api).waiting?.message), /manifest unknown/);
  assert.equal(statusOf(api).phase, 'Pending');
  assert.ok(again !== undefined && again > 0);
});

test('env from a ConfigMap key that does not exist: CreateContainerConfigError, then the container once it does', async (t) => {
  const { api, rt, deps } = setup(t);
  const p = pod(api, {
    containers: [{ name: 'app', image: 'registry.local/web:v1', env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }] }],
  });
  const uid = p.metadata.uid as string;
  await syncPod(deps, uid, p);
  assert.equal(containerState(api).waiting?.reason, 'CreateContainerConfigError');
  assert.equal(rt.of(uid).containers.length, 0);
  api.seed(CM, { metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast' } });
  await syncPod(deps, uid, api.get(POD, 'web', 'default'));
  const c = rt.of(uid).containers[0];
  assert.deepEqual(c?.config.envs, [{ key: 'MODE', value: 'fast' }]);
});

test('a pod being deleted is torn down and then removed from the API; a pod gone is torn down', async (t) => {
  const { api, rt, deps } = setup(t);
  const p = pod(api, { terminationGracePeriodSeconds: 5 });
  const uid = p.metadata.uid as string;
  await syncPod(deps, uid, p);
  await api.client().delete(POD, 'web', { namespace: 'default' });
  const deleting = api.get(POD, 'web', 'default')!;
  assert.equal(deleting.metadata.deletionGracePeriodSeconds, 5, 'a bound pod waits for its node to stop it');
  await syncPod(deps, uid, deleting);
  assert.deepEqual(rt.of(uid), { sandboxes: [], containers: [] });
  assert.equal(api.get(POD, 'web', 'default'), undefined);

  const q = pod(api);
  await syncPod(deps, q.metadata.uid as string, q);
  await syncPod(deps, q.metadata.uid as string, undefined);
  assert.deepEqual(rt.of(q.metadata.uid as string), { sandboxes: [], containers: [] });
});

test('a sandbox that died is replaced with a new one (next attempt) and the container started in it', async (t) => {
  const { api, rt, deps } = setup(t);
  const p = pod(api);
  const uid = p.metadata.uid as string;
  await syncPod(deps, uid, p);
  const first = rt.of(uid).sandboxes[0]!;
  first.state = 'SANDBOX_NOTREADY';
  await syncPod(deps, uid, api.get(POD, 'web', 'default'));
  const { sandboxes, containers } = rt.of(uid);
  assert.equal(sandboxes.length, 1);
  assert.notEqual(sandboxes[0]!.id, first.id);
  assert.equal(sandboxes[0]!.config.metadata.attempt, 1);
  assert.equal(containers.length, 1);
  assert.equal(containers[0]!.sandboxId, sandboxes[0]!.id);
  assert.equal(containers[0]!.state, 'CONTAINER_RUNNING');
});
