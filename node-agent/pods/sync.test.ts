// syncPod against a fake container runtime (the CriClient calls it makes, kept in memory) and the fake API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { EventRecorder } from '../../lib/client/events.js';
import { FakeApiServer } from '../../lib/client/fake.js';
import type { CriClient } from '../cri/client.js';
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerState,
  ContainerStatus,
  Image,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxState,
} from '../cri/types.js';
import { Backoff } from './backoff.js';
import { LABEL_POD_UID } from './config.js';
import { ImagePuller } from './images.js';
import { syncPod, type SyncDeps } from './sync.js';

const POD = findByKind('v1', 'Pod')!;
const CM = findByKind('v1', 'ConfigMap')!;
const NS = 1e6; // nanoseconds per millisecond

interface FakeSandbox {
  id: string;
  config: PodSandboxConfig;
  state: PodSandboxState;
  createdAt: number;
  ip: string;
}
interface FakeContainer {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
}

const matches = (labels: Record<string, string> | undefined, want: Record<string, string> | undefined): boolean =>
  Object.entries(want ?? {}).every(([k, v]) => labels?.[k] === v);

/** The runtime as syncPod sees it: sandboxes, containers and images in memory; time is the real clock. */
class FakeRuntime {
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Set<string>();
  readonly calls: string[] = [];
  pullError?: string;
  private seq = 0;

  exit(id: string, exitCode: number, ranMs = 1000): void {
    const c = this.containers.get(id)!;
    c.state = 'CONTAINER_EXITED';
    c.exitCode = exitCode;
    c.finishedAt = Date.now() * NS;
    c.startedAt = c.finishedAt - ranMs * NS;
  }

  of(uid: string): { sandboxes: FakeSandbox[]; containers: FakeContainer[] } {
    return {
      sandboxes: [...this.sandboxes.values()].filter((s) => s.config.labels?.[LABEL_POD_UID] === uid),
      containers: [...this.containers.values()].filter((c) => c.config.labels?.[LABEL_POD_UID] === uid),
    };
  }

  client(): CriClient {
    const call = (name: string): void => void this.calls.push(name);
    const sandbox = (s: FakeSandbox): PodSandbox => ({
      id: s.id,
      metadata: { attempt: 0, ...s.config.metadata },
      state: s.state,
      createdAt: s.createdAt,
      labels: s.config.labels ?? {},
      annotations: s.config.annotations ?? {},
      runtimeHandler: '',
    });
    const container = (c: FakeContainer): Container => ({
      id: c.id,
      podSandboxId: c.sandboxId,
      metadata: { attempt: 0, ...c.config.metadata },
      image: c.config.image,
      imageRef: `sha256:${c.config.image.image}`,
      state: c.state,
      createdAt: c.createdAt,
      labels: c.config.labels ?? {},
      annotations: c.config.annotations ?? {},
    });
    const status = (c: FakeContainer): ContainerStatus => ({
      ...container(c),
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      exitCode: c.exitCode,
      reason: '',
      message: '',
      mounts: [],
      logPath: '',
    });
    const fake = {
      listPodSandbox: async (f: PodSandboxFilter = {}) =>
        [...this.sandboxes.values()].filter((s) => (!f.id || s.id === f.id) && matches(s.config.labels, f.labelSelector)).map(sandbox),
      podSandboxStatus: async (id: string) => {
        const s = this.sandboxes.get(id);
        return { status: s ? { ...sandbox(s), network: { ip: s.ip, additionalIps: [] }, linux: null } : null, info: {} };
      },
      runPodSandbox: async (config: PodSandboxConfig) => {
        call('RunPodSandbox');
        const id = `sb${++this.seq}`;
        this.sandboxes.set(id, { id, config, state: 'SANDBOX_READY', createdAt: Date.now() * NS + this.seq, ip: `10.88.0.${this.seq}` });
        return id;
      },
      stopPodSandbox: async (id: string) => {
        call('StopPodSandbox');
        const s = this.sandboxes.get(id);
        if (s) s.state = 'SANDBOX_NOTREADY';
        for (const c of this.containers.values()) if (c.sandboxId === id && c.state === 'CONTAINER_RUNNING') this.exit(c.id, 137);
      },
      removePodSandbox: async (id: string) => {
        call('RemovePodSandbox');
        this.sandboxes.delete(id);
        for (const c of [...this.containers.values()]) if (c.sandboxId === id) this.containers.delete(c.id);
      },
      listContainers: async (f: ContainerFilter = {}) =>
        [...this.containers.values()]
          .filter((c) => (!f.id || c.id === f.id) && (!f.podSandboxId || c.sandboxId === f.podSandboxId) && matches(c.config.labels, f.labelSelector))
          .map(container),
      containerStatus: async (id: string) => {
        const c = this.containers.get(id);
        return { status: c ? status(c) : null, info: {} };
      },
      createContainer: async (sandboxId: string, config: ContainerConfig) => {
        call(`CreateContainer ${config.metadata.name} ${config.image.image}`);
        const id = `c${++this.seq}`;
        this.containers.set(id, { id, sandboxId, config, state: 'CONTAINER_CREATED', createdAt: Date.now() * NS, startedAt: 0, finishedAt: 0, exitCode: 0 });
        return id;
      },
      startContainer: async (id: string) => {
        call('StartContainer');
        const c = this.containers.get(id)!;
        c.state = 'CONTAINER_RUNNING';
        c.startedAt = Date.now() * NS;
      },
      stopContainer: async (id: string) => {
        call('StopContainer');
        this.exit(id, 137);
      },
      removeContainer: async (id: string) => {
        call('RemoveContainer');
        this.containers.delete(id);
      },
      imageStatus: async (image: string): Promise<Image | null> =>
        this.images.has(image)
          ? { id: `sha256:${image}`, repoTags: [image], repoDigests: [], size: 1, uid: null, username: '', spec: null, pinned: false }
          : null,
      pullImage: async (image: string) => {
        call(`PullImage ${image}`);
        if (this.pullError) throw new Error(this.pullError);
        this.images.add(image);
        return `sha256:${image}`;
      },
    };
    return fake as unknown as CriClient;
  }
}

function setup(): { api: FakeApiServer; rt: FakeRuntime; deps: SyncDeps } {
  const api = new FakeApiServer();
  const rt = new FakeRuntime();
  const cri = rt.client();
  const client = api.client();
  const deps: SyncDeps = {
    client,
    cri,
    images: new ImagePuller(cri),
    restarts: new Backoff(),
    nodeName: 'node-1',
    hostIP: '192.0.2.10',
    logRoot: '/tmp/logs',
    lastStatus: new Map(),
    startTimes: new Map(),
    recorder: new EventRecorder(client, 'kubelet', 'node-1'),
  };
  return { api, rt, deps };
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

test('a new pod gets one sandbox, its image, its container started, and a Running status with the pod IP', async () => {
  const { api, rt, deps } = setup();
  const p = pod(api);
  const again = await syncPod(deps, p.metadata.uid as string, p);
  assert.equal(again, undefined, 'nothing to come back for');
  assert.deepEqual(rt.calls, ['RunPodSandbox', 'PullImage registry.local/web:v1', 'CreateContainer app registry.local/web:v1', 'StartContainer']);
  const s = statusOf(api);
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.88.0.1');
  assert.equal(s.hostIP, '192.0.2.10');
  assert.ok(containerState(api).running);
  assert.equal(s.conditions.find((c: { type: string }) => c.type === 'Ready').status, 'True');
});

test('a second sync of an unchanged pod starts nothing and writes no status', async () => {
  const { api, rt, deps } = setup();
  const p = pod(api);
  await syncPod(deps, p.metadata.uid as string, p);
  const calls = rt.calls.length;
  const patches = api.count('patch', 'pods');
  await syncPod(deps, p.metadata.uid as string, api.get(POD, 'web', 'default'));
  assert.equal(rt.calls.length, calls, 'no runtime writes');
  assert.equal(api.count('patch', 'pods'), patches, 'no status write');
  assert.equal(rt.of(p.metadata.uid as string).containers.length, 1);
});

test('restartPolicy Never: an exited container stays exited and the pod ends Failed', async () => {
  const { api, rt, deps } = setup();
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

test('restartPolicy Always: the first exit restarts at once, the next waits in CrashLoopBackOff and says when to look again', async () => {
  const { api, rt, deps } = setup();
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
  assert.ok(again !== undefined && again > 0 && again <= 10_050, `look again when the back-off ends (${again} ms)`);
});

test('a changed container spec replaces the running container', async () => {
  const { api, rt, deps } = setup();
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

test('an image that cannot be pulled gives ErrImagePull, no container, and a look again soon', async () => {
  const { api, rt, deps } = setup();
  rt.pullError = 'manifest unknown';
  const p = pod(api);
  const again = await syncPod(deps, p.metadata.uid as string, p);
  assert.equal(rt.of(p.metadata.uid as string).containers.length, 0);
  assert.equal(containerState(api).waiting?.reason, 'ErrImagePull');
  assert.match(String(containerState(api).waiting?.message), /manifest unknown/);
  assert.equal(statusOf(api).phase, 'Pending');
  assert.ok(again !== undefined && again > 0);
});

test('env from a ConfigMap key that does not exist: CreateContainerConfigError, then the container once it does', async () => {
  const { api, rt, deps } = setup();
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

test('a pod being deleted is torn down and then removed from the API; a pod gone is torn down', async () => {
  const { api, rt, deps } = setup();
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

test('a sandbox that died is replaced with a new one (next attempt) and the container started in it', async () => {
  const { api, rt, deps } = setup();
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
