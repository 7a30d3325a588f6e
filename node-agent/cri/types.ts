// TypeScript shapes of the CRI (runtime.v1) messages declared in api.proto, as @grpc/proto-loader decodes them for
// CriClient: field names in camelCase, enums as their names, 64-bit integers as JS numbers (nanosecond timestamps
// lose precision below ~256 ns, which nothing here cares about), bytes as Buffer. Responses are decoded with
// defaults, so scalars, lists and maps are always present; an absent sub-message is null.
// Requests take the same names with every field optional (the runtime applies proto3 defaults).

/** Names of the CRI `Protocol` enum. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
/** Names of the CRI `MountPropagation` enum. */
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
/** Names of the CRI `NamespaceMode` enum: POD (shared in the pod), CONTAINER, NODE (the host's), TARGET. */
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
/** Names of the CRI `PodSandboxState` enum. */
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
/** Names of the CRI `ContainerState` enum. */
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
/** Names of the CRI `SecurityProfile.ProfileType` enum. */
export type ProfileType = 'RuntimeDefault' | 'Unconfined' | 'Localhost';
/** String-to-string map (labels, annotations, info, sysctls). */
export type StringMap = Record<string, string>;

/** `Int64Value`/`UInt64Value`: a number that may be absent (null) rather than zero. */
export interface NumberValue { value: number }

/** `ImageSpec`: an image reference (`127.0.0.1:5000/flotilla/web:v1`) or image ID. */
export interface ImageSpec { image: string; annotations?: StringMap }
/** `KeyValue`: one environment variable. */
export interface KeyValue { key: string; value: string }
/** `PortMapping`: a host port forwarded into the sandbox (via the portmap CNI plugin). */
export interface PortMapping { protocol?: Protocol; containerPort: number; hostPort?: number; hostIp?: string }
/** `DNSConfig`: resolv.conf content for the sandbox. */
export interface DNSConfig { servers?: string[]; searches?: string[]; options?: string[] }
/** `Mount`: a host path bind-mounted into a container. */
export interface Mount { containerPath: string; hostPath: string; readonly?: boolean; selinuxRelabel?: boolean; propagation?: MountPropagation }
/** `NamespaceOption`: which namespaces are shared with the pod, the container alone or the node. */
export interface NamespaceOption { network?: NamespaceMode; pid?: NamespaceMode; ipc?: NamespaceMode; targetId?: string }
/** `SecurityProfile`: a seccomp or AppArmor profile choice. */
export interface SecurityProfile { profileType?: ProfileType; localhostRef?: string }
/** `LinuxContainerResources`: cgroup limits; memory in bytes, CPU in CFS units. */
export interface LinuxContainerResources {
  cpuPeriod?: number; cpuQuota?: number; cpuShares?: number; memoryLimitInBytes?: number; oomScoreAdj?: number;
  cpusetCpus?: string; cpusetMems?: string; unified?: StringMap; memorySwapLimitInBytes?: number;
}

/** `PodSandboxMetadata`: identifies the pod a sandbox belongs to. */
export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt?: number }
/** `LinuxSandboxSecurityContext`. */
export interface LinuxSandboxSecurityContext {
  namespaceOptions?: NamespaceOption; runAsUser?: NumberValue; runAsGroup?: NumberValue; readonlyRootfs?: boolean;
  supplementalGroups?: number[]; privileged?: boolean; seccomp?: SecurityProfile; apparmor?: SecurityProfile;
}
/** `LinuxPodSandboxConfig`. */
export interface LinuxPodSandboxConfig {
  cgroupParent?: string; securityContext?: LinuxSandboxSecurityContext; sysctls?: StringMap;
  overhead?: LinuxContainerResources; resources?: LinuxContainerResources;
}
/** `PodSandboxConfig`: what RunPodSandbox needs; CreateContainer and PullImage take it again. */
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  /** Leave empty for host-network pods (runc refuses a hostname without a private UTS namespace). */
  hostname?: string;
  /** Absolute directory where container logs go (`LOGDIR/<container log path>`), CRI log format. */
  logDirectory?: string;
  dnsConfig?: DNSConfig; portMappings?: PortMapping[]; labels?: StringMap; annotations?: StringMap; linux?: LinuxPodSandboxConfig;
}

/** `ContainerMetadata`. */
export interface ContainerMetadata { name: string; attempt?: number }
/** `LinuxContainerSecurityContext`. */
export interface LinuxContainerSecurityContext {
  capabilities?: { addCapabilities?: string[]; dropCapabilities?: string[] };
  privileged?: boolean; namespaceOptions?: NamespaceOption; runAsUser?: NumberValue; runAsGroup?: NumberValue; runAsUsername?: string;
  readonlyRootfs?: boolean; supplementalGroups?: number[]; noNewPrivs?: boolean; maskedPaths?: string[]; readonlyPaths?: string[];
  seccomp?: SecurityProfile; apparmor?: SecurityProfile;
}
/** `ContainerConfig`: what CreateContainer needs. */
export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  /** Overrides the image ENTRYPOINT (Kubernetes `command`). */
  command?: string[];
  /** Overrides the image CMD (Kubernetes `args`). */
  args?: string[];
  workingDir?: string; envs?: KeyValue[]; mounts?: Mount[]; labels?: StringMap; annotations?: StringMap;
  /** Relative to the sandbox's logDirectory, e.g. `web/0.log`. */
  logPath?: string;
  stdin?: boolean; stdinOnce?: boolean; tty?: boolean;
  linux?: { resources?: LinuxContainerResources; securityContext?: LinuxContainerSecurityContext };
}

// ---- responses ----

/** `VersionResponse`. */
export interface VersionResponse { version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }
/** `RuntimeCondition`: RuntimeReady / NetworkReady. */
export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }
/** `StatusResponse`. */
export interface StatusResponse { status: { conditions: RuntimeCondition[] } | null; info: StringMap }

/** `PodSandboxMetadata` as returned (all fields present). */
export type PodSandboxMetadataOut = Required<PodSandboxMetadata>;
/** `PodSandboxStatus`. */
export interface PodSandboxStatus {
  id: string; metadata: PodSandboxMetadataOut | null; state: PodSandboxState;
  /** Nanoseconds since the epoch. */
  createdAt: number;
  network: { ip: string; additionalIps: { ip: string }[] } | null;
  linux: { namespaces: { options: Required<NamespaceOption> | null } | null } | null;
  labels: StringMap; annotations: StringMap; runtimeHandler: string;
}
/** `PodSandboxStatusResponse`. */
export interface PodSandboxStatusResponse { status: PodSandboxStatus | null; info: StringMap }
/** `PodSandboxFilter` (all conditions ANDed). */
export interface PodSandboxFilter { id?: string; state?: { state: PodSandboxState }; labelSelector?: StringMap }
/** `PodSandbox`: an entry of ListPodSandbox. */
export interface PodSandbox {
  id: string; metadata: PodSandboxMetadataOut | null; state: PodSandboxState; createdAt: number;
  labels: StringMap; annotations: StringMap; runtimeHandler: string;
}

/** `ContainerFilter` (all conditions ANDed). */
export interface ContainerFilter { id?: string; state?: { state: ContainerState }; podSandboxId?: string; labelSelector?: StringMap }
/** `Container`: an entry of ListContainers. */
export interface Container {
  id: string; podSandboxId: string; metadata: Required<ContainerMetadata> | null; image: ImageSpec | null; imageRef: string;
  state: ContainerState; createdAt: number; labels: StringMap; annotations: StringMap;
}
/** `ContainerStatus`. Times are nanoseconds since the epoch, 0 when not reached yet. */
export interface ContainerStatus {
  id: string; metadata: Required<ContainerMetadata> | null; state: ContainerState;
  createdAt: number; startedAt: number; finishedAt: number; exitCode: number;
  image: ImageSpec | null; imageRef: string;
  /** e.g. `Completed`, `Error`, `OOMKilled`. */
  reason: string; message: string;
  labels: StringMap; annotations: StringMap; mounts: Required<Mount>[];
  /** Absolute path of the container's CRI-format log file. */
  logPath: string;
}
/** `ContainerStatusResponse`. */
export interface ContainerStatusResponse { status: ContainerStatus | null; info: StringMap }
/** `ExecSyncResponse`. */
export interface ExecSyncResponse { stdout: Buffer; stderr: Buffer; exitCode: number }

/** `FilesystemUsage`. */
export interface FilesystemUsage {
  timestamp: number; fsId: { mountpoint: string } | null; usedBytes: NumberValue | null; inodesUsed: NumberValue | null;
}
/** `ContainerStats`. */
export interface ContainerStats {
  attributes: { id: string; metadata: Required<ContainerMetadata> | null; labels: StringMap; annotations: StringMap } | null;
  cpu: { timestamp: number; usageCoreNanoSeconds: NumberValue | null; usageNanoCores: NumberValue | null } | null;
  memory: {
    timestamp: number; workingSetBytes: NumberValue | null; availableBytes: NumberValue | null; usageBytes: NumberValue | null;
    rssBytes: NumberValue | null; pageFaults: NumberValue | null; majorPageFaults: NumberValue | null;
  } | null;
  writableLayer: FilesystemUsage | null;
}
/** `ContainerStatsFilter`. */
export interface ContainerStatsFilter { id?: string; podSandboxId?: string; labelSelector?: StringMap }

/** `Image`. */
export interface Image {
  id: string; repoTags: string[]; repoDigests: string[];
  /** Bytes. */
  size: number;
  uid: NumberValue | null; username: string; spec: ImageSpec | null; pinned: boolean;
}
/** `AuthConfig`: registry credentials for PullImage. */
export interface AuthConfig {
  username?: string; password?: string; auth?: string; serverAddress?: string; identityToken?: string; registryToken?: string;
}
