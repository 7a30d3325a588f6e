// A typed, promise-based client for the CRI (runtime.v1) over gRPC, as the kubelet speaks it to containerd.
//
// Connection behaviour (grpc-js channel semantics):
// - One HTTP/2 connection per CriClient, opened lazily on the first call and shared by RuntimeService and
//   ImageService.
// - Every call carries a deadline (`timeoutMs` per call, else the client's default); when it passes the call fails
//   with DEADLINE_EXCEEDED. Containers are not rolled back by a deadline: the runtime may still finish the work.
// - If the runtime is not reachable (socket missing, containerd restarting) a call fails fast with UNAVAILABLE
//   unless `waitForReady` is set, in which case it waits for the connection until its deadline. The channel keeps
//   reconnecting on its own with exponential backoff (100 ms doubling up to 2 s), so after a containerd restart the
//   next call simply works again; no new CriClient is needed. `waitForReady()` waits for that explicitly.
// - Errors are CriError, carrying the gRPC status code (see CriStatus) and the RPC name.
import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { packageRoot } from '../../lib/util/package-root.js';
import type {
  AuthConfig, Container, ContainerConfig, ContainerFilter, ContainerStats, ContainerStatsFilter, ContainerStatusResponse,
  ExecSyncResponse, FilesystemUsage, Image, ImageSpec, PodSandbox, PodSandboxConfig, PodSandboxFilter,
  PodSandboxStatusResponse, StatusResponse, VersionResponse,
} from './types.js';

export type * from './types.js';

/** gRPC status codes a CRI caller typically branches on. */
export const CriStatus = {
  CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14,
} as const;

/** A failed CRI call: gRPC status code, the runtime's message and the RPC that failed. */
export class CriError extends Error {
  override readonly name = 'CriError';
  constructor(readonly rpc: string, readonly code: number, readonly details: string) {
    super(`CRI ${rpc}: ${grpc.status[code] ?? code}: ${details}`);
  }
}

/** True when the error is a CriError with gRPC status NOT_FOUND (e.g. the container or sandbox is already gone). */
export function isNotFound(err: unknown): boolean {
  return err instanceof CriError && err.code === CriStatus.NOT_FOUND;
}

/** Options for a CriClient. */
export interface CriClientOptions {
  /** `unix:///abs/path/containerd.sock` (a bare absolute path is accepted too). */
  endpoint: string;
  /** Default deadline per call, ms. Default 30 s. PullImage defaults to 5 min. */
  timeoutMs?: number;
  /** Wait for the connection (until the deadline) instead of failing fast when the runtime is down. Default false. */
  waitForReady?: boolean;
}

/** Per-call options. */
export interface CallOptions {
  /** Deadline for this call, ms. */
  timeoutMs?: number;
}

type Method = protoLoader.MethodDefinition<object, object>;

/** node-agent/cri/api.proto of this installation (the CRI's messages, read when the client is first used). */
function protoPath(): string {
  const p = join(packageRoot(import.meta.url), 'node-agent', 'cri', 'api.proto');
  if (!existsSync(p)) throw new Error(`${p} is missing (the CRI's api.proto ships with Flotilla)`);
  return p;
}

let loaded: protoLoader.PackageDefinition | undefined;
function definition(): protoLoader.PackageDefinition {
  loaded ??= protoLoader.loadSync(protoPath(), {
    keepCase: false, longs: Number, enums: String, bytes: Buffer, defaults: true, arrays: true, objects: true, oneofs: true,
  });
  return loaded;
}

function method(service: 'RuntimeService' | 'ImageService', name: string): Method {
  const svc = definition()[`runtime.v1.${service}`] as Record<string, Method> | undefined;
  const m = svc?.[name];
  if (!m) throw new Error(`runtime.v1.${service}/${name} is not declared in api.proto`);
  return m;
}

/**
 * Typed CRI client. Method names and request/response shapes follow the CRI RPCs (camelCase fields); the
 * convenience methods unwrap single-field responses (e.g. `runPodSandbox` resolves to the sandbox ID).
 */
export class CriClient {
  private readonly client: grpc.Client;
  private readonly timeoutMs: number;
  private readonly waitReady: boolean;

  constructor(opts: CriClientOptions) {
    const target = opts.endpoint.startsWith('/') ? `unix://${opts.endpoint}` : opts.endpoint;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.waitReady = opts.waitForReady ?? false;
    this.client = new grpc.Client(target, grpc.credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.max_send_message_length': 16 * 1024 * 1024,
      // a unix socket has no meaningful authority; containerd ignores it
      'grpc.default_authority': 'localhost',
    });
  }

  /** Generic unary call by service and RPC name; the typed methods below are thin wrappers. */
  async call<Res>(service: 'RuntimeService' | 'ImageService', rpc: string, req: object, opts: CallOptions = {}, defaultTimeoutMs = this.timeoutMs): Promise<Res> {
    const m = method(service, rpc);
    const deadline = Date.now() + (opts.timeoutMs ?? defaultTimeoutMs);
    return new Promise<Res>((resolve, reject) => {
      this.client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, req, new grpc.Metadata({ waitForReady: this.waitReady }),
        { deadline },
        (err: grpc.ServiceError | null, res?: object) => {
          if (err) reject(new CriError(rpc, err.code, err.details || err.message));
          else resolve(res as Res);
        });
    });
  }

  /** Resolves once the connection to the runtime is up; rejects after timeoutMs. */
  waitForReady(timeoutMs = this.timeoutMs): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Closes the connection; further calls fail. */
  close(): void {
    this.client.close();
  }

  private rt<Res>(rpc: string, req: object, opts?: CallOptions): Promise<Res> {
    return this.call<Res>('RuntimeService', rpc, req, opts);
  }

  // ---- RuntimeService ----

  /** Version: the runtime's name and version, and the CRI version it speaks (`v1`). */
  version(opts?: CallOptions): Promise<VersionResponse> {
    return this.rt('Version', { version: 'v1' }, opts);
  }

  /** Status: RuntimeReady and NetworkReady conditions (NetworkReady is false until a CNI config is found). */
  status(verbose = false, opts?: CallOptions): Promise<StatusResponse> {
    return this.rt('Status', { verbose }, opts);
  }

  /** RunPodSandbox: creates the pod's sandbox (pause container, network namespace, CNI ADD); resolves to its ID. */
  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = '', opts?: CallOptions): Promise<string> {
    const res = await this.rt<{ podSandboxId: string }>('RunPodSandbox', { config, runtimeHandler }, opts);
    return res.podSandboxId;
  }

  /** StopPodSandbox: kills every container of the sandbox and tears down its network (CNI DEL). Idempotent. */
  async stopPodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    await this.rt('StopPodSandbox', { podSandboxId }, opts);
  }

  /** RemovePodSandbox: removes a stopped sandbox and its containers. Idempotent. */
  async removePodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    await this.rt('RemovePodSandbox', { podSandboxId }, opts);
  }

  /** PodSandboxStatus: state, IP (`status.network.ip`), namespaces. */
  podSandboxStatus(podSandboxId: string, verbose = false, opts?: CallOptions): Promise<PodSandboxStatusResponse> {
    return this.rt('PodSandboxStatus', { podSandboxId, verbose }, opts);
  }

  /** ListPodSandbox. */
  async listPodSandbox(filter?: PodSandboxFilter, opts?: CallOptions): Promise<PodSandbox[]> {
    const res = await this.rt<{ items: PodSandbox[] }>('ListPodSandbox', { filter }, opts);
    return res.items;
  }

  /** CreateContainer in a sandbox; resolves to the container ID. The image must have been pulled. */
  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig, opts?: CallOptions): Promise<string> {
    const res = await this.rt<{ containerId: string }>('CreateContainer', { podSandboxId, config, sandboxConfig }, opts);
    return res.containerId;
  }

  /** StartContainer. */
  async startContainer(containerId: string, opts?: CallOptions): Promise<void> {
    await this.rt('StartContainer', { containerId }, opts);
  }

  /** StopContainer: stop signal, then SIGKILL after `timeoutSeconds` (0 = kill at once). Give the call a longer deadline. */
  async stopContainer(containerId: string, timeoutSeconds: number, opts?: CallOptions): Promise<void> {
    await this.rt('StopContainer', { containerId, timeout: timeoutSeconds }, { timeoutMs: (timeoutSeconds + 30) * 1000, ...opts });
  }

  /** RemoveContainer (force-stops it if running). */
  async removeContainer(containerId: string, opts?: CallOptions): Promise<void> {
    await this.rt('RemoveContainer', { containerId }, opts);
  }

  /** ListContainers. */
  async listContainers(filter?: ContainerFilter, opts?: CallOptions): Promise<Container[]> {
    const res = await this.rt<{ containers: Container[] }>('ListContainers', { filter }, opts);
    return res.containers;
  }

  /** ContainerStatus: state, exit code, reason (e.g. OOMKilled), log path. */
  containerStatus(containerId: string, verbose = false, opts?: CallOptions): Promise<ContainerStatusResponse> {
    return this.rt('ContainerStatus', { containerId, verbose }, opts);
  }

  /** ExecSync: runs cmd in the container and collects its output; `timeoutSeconds` 0 means no runtime-side limit. */
  execSync(containerId: string, cmd: string[], timeoutSeconds = 0, opts?: CallOptions): Promise<ExecSyncResponse> {
    const callTimeout = timeoutSeconds > 0 ? (timeoutSeconds + 10) * 1000 : undefined;
    return this.rt('ExecSync', { containerId, cmd, timeout: timeoutSeconds }, { timeoutMs: callTimeout, ...opts });
  }

  /** Exec: resolves to the runtime's streaming URL (SPDY/WebSocket) for an interactive exec. */
  async exec(req: { containerId: string; cmd: string[]; tty?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean },
    opts?: CallOptions): Promise<string> {
    const res = await this.rt<{ url: string }>('Exec', req, opts);
    return res.url;
  }

  /** Attach: resolves to the runtime's streaming URL for attaching to the container's main process. */
  async attach(req: { containerId: string; stdin?: boolean; tty?: boolean; stdout?: boolean; stderr?: boolean }, opts?: CallOptions): Promise<string> {
    const res = await this.rt<{ url: string }>('Attach', req, opts);
    return res.url;
  }

  /** PortForward: resolves to the runtime's streaming URL for forwarding to the sandbox's ports. */
  async portForward(podSandboxId: string, port: number[], opts?: CallOptions): Promise<string> {
    const res = await this.rt<{ url: string }>('PortForward', { podSandboxId, port }, opts);
    return res.url;
  }

  /** ContainerStats: CPU, memory and writable-layer usage of one container. */
  async containerStats(containerId: string, opts?: CallOptions): Promise<ContainerStats | null> {
    const res = await this.rt<{ stats: ContainerStats | null }>('ContainerStats', { containerId }, opts);
    return res.stats;
  }

  /** ListContainerStats. */
  async listContainerStats(filter?: ContainerStatsFilter, opts?: CallOptions): Promise<ContainerStats[]> {
    const res = await this.rt<{ stats: ContainerStats[] }>('ListContainerStats', { filter }, opts);
    return res.stats;
  }

  // ---- ImageService ----

  /** ListImages. */
  async listImages(filter?: ImageSpec, opts?: CallOptions): Promise<Image[]> {
    const res = await this.call<{ images: Image[] }>('ImageService', 'ListImages', { filter: filter ? { image: filter } : undefined }, opts);
    return res.images;
  }

  /** ImageStatus: the image, or null when it is not present on the node. */
  async imageStatus(image: string, opts?: CallOptions): Promise<Image | null> {
    const res = await this.call<{ image: Image | null }>('ImageService', 'ImageStatus', { image: { image } }, opts);
    return res.image;
  }

  /** PullImage: resolves to the image reference (ID) the runtime stored. Default deadline 5 min. */
  async pullImage(image: string, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig, opts?: CallOptions): Promise<string> {
    const res = await this.call<{ imageRef: string }>('ImageService', 'PullImage', { image: { image }, auth, sandboxConfig }, opts, 300_000);
    return res.imageRef;
  }

  /** RemoveImage. Idempotent. */
  async removeImage(image: string, opts?: CallOptions): Promise<void> {
    await this.call('ImageService', 'RemoveImage', { image: { image } }, opts);
  }

  /** ImageFsInfo: usage of the filesystem holding images. */
  async imageFsInfo(opts?: CallOptions): Promise<FilesystemUsage[]> {
    const res = await this.call<{ imageFilesystems: FilesystemUsage[] }>('ImageService', 'ImageFsInfo', {}, opts);
    return res.imageFilesystems;
  }
}
