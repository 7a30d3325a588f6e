// The container runtime as the pod workers see it, kept in memory: the CriClient calls syncPod, the prober and the
// hooks make (sandboxes, containers, images, ExecSync), with knobs for what a real containerd does wrong (an image
// that won't pull, a registry that wants credentials, a process that fails to start, an exec that fails). Time is
// the process clock (Date.now), so tests may mock it. Used by the unit tests only.
import type { CriClient } from '../../cri/client.js';
import { CriError } from '../../cri/client.js';
import type {
  AuthConfig, Container, ContainerConfig, ContainerFilter, ContainerState, ContainerStatus, ExecSyncResponse, Image,
  PodSandbox, PodSandboxConfig, PodSandboxFilter, PodSandboxState,
} from '../../cri/types.js';

const NS = 1e6; // nanoseconds per millisecond
const LABEL_POD_UID = 'io.kubernetes.pod.uid';

export interface FakeSandbox {
  id: string;
  config: PodSandboxConfig;
  state: PodSandboxState;
  createdAt: number;
  ip: string;
}

export interface FakeContainer {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  /** The grace period (s) of the StopContainer that ended it, if one did. */
  stoppedWithGrace?: number;
}

/** What an ExecSync answers; a thrown CriError is a runtime failure (e.g. the deadline). */
export type ExecHandler = (c: FakeContainer, cmd: string[], timeoutSeconds: number) => ExecSyncResponse | Promise<ExecSyncResponse>;

const matches = (labels: Record<string, string> | undefined, want: Record<string, string> | undefined): boolean =>
  Object.entries(want ?? {}).every(([k, v]) => labels?.[k] === v);

export class FakeRuntime {
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Set<string>();
  /** Every mutating call, in order ("CreateContainer app img", "StartContainer", ...). */
  readonly calls: string[] = [];
  /** Every ExecSync, as `containerName: cmd...`. */
  readonly execs: string[] = [];
  /** Auth each PullImage was given, in order. */
  readonly pulls: Array<{ image: string; auth?: AuthConfig }> = [];
  /** Makes every PullImage fail with this message. */
  pullError?: string;
  /** A registry that wants these credentials: pulls without them fail with the registry's 401. */
  requireAuth?: { username: string; password: string };
  /** Decides whether StartContainer fails (the StartError containerd reports for e.g. a missing command). */
  failStart?: (c: FakeContainer) => string | undefined;
  /** Answers ExecSync; the default succeeds with no output. */
  exec: ExecHandler = () => ({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 });
  private seq = 0;

  /** The container exits now with exitCode, having run ranMs. */
  exit(id: string, exitCode: number, ranMs = 1000): void {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no container ${id}`);
    c.state = 'CONTAINER_EXITED';
    c.exitCode = exitCode;
    c.reason = exitCode === 0 ? 'Completed' : 'Error';
    c.finishedAt = Date.now() * NS;
    if (!c.startedAt) c.startedAt = c.finishedAt - ranMs * NS;
  }

  /** Every running container crashes now (exit 1). */
  crash(): void {
    for (const c of this.containers.values()) if (c.state === 'CONTAINER_RUNNING') this.exit(c.id, 1);
  }

  of(uid: string): { sandboxes: FakeSandbox[]; containers: FakeContainer[] } {
    return {
      sandboxes: [...this.sandboxes.values()].filter((s) => s.config.labels?.[LABEL_POD_UID] === uid),
      containers: [...this.containers.values()].filter((c) => c.config.labels?.[LABEL_POD_UID] === uid),
    };
  }

  /** The newest container with this name (any pod). */
  named(name: string): FakeContainer | undefined {
    return [...this.containers.values()].filter((c) => c.config.metadata.name === name).sort((a, b) => b.createdAt - a.createdAt
      || (b.config.metadata.attempt ?? 0) - (a.config.metadata.attempt ?? 0))[0];
  }

  /** Names of the running containers, sorted. */
  running(): string[] {
    return [...this.containers.values()].filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => c.config.metadata.name).sort();
  }

  client(): CriClient {
    const call = (name: string): void => void this.calls.push(name);
    const sandbox = (s: FakeSandbox): PodSandbox => ({
      id: s.id, metadata: { attempt: 0, ...s.config.metadata }, state: s.state, createdAt: s.createdAt,
      labels: s.config.labels ?? {}, annotations: s.config.annotations ?? {}, runtimeHandler: '',
    });
    const container = (c: FakeContainer): Container => ({
      id: c.id, podSandboxId: c.sandboxId, metadata: { attempt: 0, ...c.config.metadata }, image: c.config.image,
      imageRef: `sha256:${c.config.image.image}`, state: c.state, createdAt: c.createdAt,
      labels: c.config.labels ?? {}, annotations: c.config.annotations ?? {},
    });
    const status = (c: FakeContainer): ContainerStatus => ({
      ...container(c), startedAt: c.startedAt, finishedAt: c.finishedAt, exitCode: c.exitCode, reason: c.reason, message: c.message,
      mounts: (c.config.mounts ?? []).map((m) => ({ containerPath: m.containerPath, hostPath: m.hostPath, readonly: !!m.readonly, selinuxRelabel: false, propagation: m.propagation ?? 'PROPAGATION_PRIVATE' })),
      logPath: `/fake/logs/${c.config.logPath ?? ''}`,
    });
    const must = (id: string, rpc: string): FakeContainer => {
      const c = this.containers.get(id);
      if (!c) throw new CriError(rpc, 5, `an error occurred when try to find container "${id}": not found`);
      return c;
    };
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
        this.containers.set(id, { id, sandboxId, config, state: 'CONTAINER_CREATED', createdAt: Date.now() * NS + this.seq, startedAt: 0, finishedAt: 0, exitCode: 0, reason: '', message: '' });
        return id;
      },
      startContainer: async (id: string) => {
        call(`StartContainer ${this.containers.get(id)?.config.metadata.name ?? id}`);
        const c = must(id, 'StartContainer');
        const failure = this.failStart?.(c);
        if (failure) {
          // what containerd records for a process that could not be started: never started, exited now
          Object.assign(c, { state: 'CONTAINER_EXITED', exitCode: 128, reason: 'StartError', message: failure, finishedAt: Date.now() * NS });
          throw new CriError('StartContainer', 2, failure);
        }
        c.state = 'CONTAINER_RUNNING';
        c.startedAt = Date.now() * NS;
      },
      stopContainer: async (id: string, timeout: number) => {
        call(`StopContainer ${this.containers.get(id)?.config.metadata.name ?? id}`);
        const c = this.containers.get(id);
        if (c && c.state === 'CONTAINER_RUNNING') {
          this.exit(id, 137);
          c.stoppedWithGrace = timeout;
        }
      },
      removeContainer: async (id: string) => {
        call(`RemoveContainer ${this.containers.get(id)?.config.metadata.name ?? id}`);
        this.containers.delete(id);
      },
      execSync: async (id: string, cmd: string[], timeoutSeconds = 0) => {
        const c = must(id, 'ExecSync');
        this.execs.push(`${c.config.metadata.name}: ${cmd.join(' ')}`);
        if (c.state !== 'CONTAINER_RUNNING') throw new CriError('ExecSync', 2, `container ${id} is not running`);
        return this.exec(c, cmd, timeoutSeconds);
      },
      imageStatus: async (image: string): Promise<Image | null> =>
        this.images.has(image) ? { id: `sha256:${image}`, repoTags: [image], repoDigests: [], size: 1, uid: null, username: '', spec: null, pinned: false } : null,
      pullImage: async (image: string, auth?: AuthConfig) => {
        call(`PullImage ${image}`);
        this.pulls.push({ image, auth });
        if (this.pullError) throw new CriError('PullImage', 2, this.pullError);
        const want = this.requireAuth;
        if (want && (auth?.username !== want.username || auth?.password !== want.password)) {
          const host = image.split('/')[0];
          throw new CriError('PullImage', 2, `failed to pull and unpack image "${image}": failed to resolve reference "${image}": pulling from host ${host} failed with status code [manifests v1]: 401 Unauthorized`);
        }
        this.images.add(image);
        return `sha256:${image}`;
      },
    };
    return fake as unknown as CriClient;
  }
}
