// Pod spec → CRI configs: what RunPodSandbox and CreateContainer are asked for, the way the kubelet translates a
// pod (labels that let a restarted agent find its sandboxes and containers again, log paths, resources as cgroup
// settings, security context, mounts, DNS, the hostname).
import { existsSync } from 'node:fs';
import type { KubeObject } from '../../lib/api/types.js';
import type { ContainerConfig, DNSConfig, KeyValue, LinuxContainerResources, Mount, PodSandboxConfig, PortMapping } from '../cri/types.js';
import { parseQuantity } from '../../lib/api/quantity.js';
import { expand } from './env.js';
import { podHostname } from './hosts.js';
import type { ContainerSpec } from './spec.js';

/** Labels on every sandbox and container we create; the agent finds its own objects by them after a restart. */
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
export const LABEL_MANAGED = 'flotilla.io/managed';
/** Annotation on containers: the spec hash, to notice a container whose spec changed (it is then recreated). */
export const ANNOTATION_HASH = 'flotilla.io/container-hash';
export const ANNOTATION_RESTART_COUNT = 'io.kubernetes.container.restartCount';

const CPU_PERIOD = 100_000;
const MIN_SHARES = 2;

/** What the sandbox config takes besides the pod: the resolv.conf to write and the cluster domain for the hostname. */
export interface SandboxExtras {
  dns?: DNSConfig;
  clusterDomain?: string;
  /** The pod's cgroup (pods/cgroups.ts): containerd puts the sandbox and every container of the pod under it. */
  cgroupParent?: string;
}

export function sandboxConfig(pod: KubeObject, logRoot: string, attempt: number, extras: SandboxExtras = {}): PodSandboxConfig {
  const m = pod.metadata;
  const hostNetwork = !!pod.spec?.hostNetwork;
  const ports: PortMapping[] = [];
  for (const c of ((pod.spec?.containers ?? []) as ContainerSpec[]).concat((pod.spec?.initContainers ?? []) as ContainerSpec[])) {
    for (const p of c.ports ?? []) if (p.hostPort) ports.push({ containerPort: p.containerPort, hostPort: p.hostPort, protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], hostIp: p.hostIP });
  }
  return {
    metadata: { name: m.name as string, namespace: m.namespace as string, uid: m.uid as string, attempt },
    hostname: hostNetwork ? undefined : podHostname(pod, extras.clusterDomain ?? 'cluster.local').hostname,
    logDirectory: `${logRoot}/${m.namespace}_${m.name}_${m.uid}`,
    portMappings: ports,
    labels: { [LABEL_POD_NAME]: m.name as string, [LABEL_POD_NAMESPACE]: m.namespace as string, [LABEL_POD_UID]: m.uid as string, [LABEL_MANAGED]: 'true' },
    annotations: {},
    dnsConfig: extras.dns ?? { servers: [], searches: [], options: [] },
    linux: {
      ...(extras.cgroupParent ? { cgroupParent: extras.cgroupParent } : {}),
      securityContext: {
        namespaceOptions: { network: hostNetwork ? 'NODE' : 'POD', pid: pod.spec?.hostPID ? 'NODE' : 'CONTAINER', ipc: pod.spec?.hostIPC ? 'NODE' : 'POD' },
        runAsUser: pod.spec?.securityContext?.runAsUser !== undefined ? { value: pod.spec.securityContext.runAsUser } : undefined,
        runAsGroup: pod.spec?.securityContext?.runAsGroup !== undefined ? { value: pod.spec.securityContext.runAsGroup } : undefined,
      },
    },
  };
}

/**
 * Whether the node's cgroup v1 memory controller accounts swap (memory.memsw.*). Where it does, a memory limit
 * also caps memory plus swap, as the kubelet sets it: a container over its limit is OOM-killed, not swapped out.
 */
let swapAccounting: boolean | undefined;
const hasSwapAccounting = () => (swapAccounting ??= existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes'));

/** cgroup settings from requests and limits, as the kubelet computes them (shares from the cpu request). */
export function linuxResources(c: ContainerSpec, swapControl = hasSwapAccounting()): LinuxContainerResources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const cpuReq = req.cpu ?? lim.cpu;
  const r: LinuxContainerResources = { cpuShares: cpuReq ? Math.max(MIN_SHARES, Math.round((parseQuantity(cpuReq) ?? 0) * 1024)) : MIN_SHARES,
    cpuPeriod: CPU_PERIOD };
  if (lim.cpu) r.cpuQuota = Math.max(1000, Math.round((parseQuantity(lim.cpu) ?? 0) * CPU_PERIOD));
  if (lim.memory) {
    r.memoryLimitInBytes = Math.round(parseQuantity(lim.memory) ?? 0);
    if (swapControl) r.memorySwapLimitInBytes = r.memoryLimitInBytes;
  }
  return r;
}

/** What the container config takes besides its spec: mounts, extra annotations, and the container whose PID namespace it joins. */
export interface ContainerExtras {
  mounts?: Mount[];
  annotations?: Record<string, string>;
  /** An ephemeral container's target: it shares that container's process namespace (NamespaceMode TARGET). */
  pidTargetId?: string;
}

export function containerConfig(pod: KubeObject, c: ContainerSpec, env: KeyValue[], image: string, restartCount: number, hash: string,
  extras: ContainerExtras = {}): ContainerConfig {
  const vars = new Map(env.map((e) => [e.key, e.value]));
  const sc = { ...(pod.spec?.securityContext ?? {}), ...(c.securityContext ?? {}) } as ContainerSpec['securityContext'] & object;
  const m = pod.metadata;
  return {
    metadata: { name: c.name, attempt: restartCount },
    image: { image },
    command: c.command?.map((s) => expand(s, vars)),
    args: c.args?.map((s) => expand(s, vars)),
    workingDir: c.workingDir,
    envs: env,
    labels: { [LABEL_POD_NAME]: m.name as string, [LABEL_POD_NAMESPACE]: m.namespace as string, [LABEL_POD_UID]: m.uid as string, [LABEL_CONTAINER_NAME]: c.name, [LABEL_MANAGED]: 'true' },
    annotations: { [ANNOTATION_HASH]: hash, [ANNOTATION_RESTART_COUNT]: String(restartCount), ...extras.annotations },
    mounts: extras.mounts ?? [],
    logPath: `${c.name}/${restartCount}.log`,
    tty: !!c.tty,
    stdin: !!c.stdin,
    stdinOnce: !!c.stdinOnce,
    linux: {
      resources: linuxResources(c),
      securityContext: {
        privileged: !!sc.privileged,
        runAsUser: sc.runAsUser !== undefined ? { value: sc.runAsUser } : undefined,
        runAsGroup: sc.runAsGroup !== undefined ? { value: sc.runAsGroup } : undefined,
        readonlyRootfs: !!sc.readOnlyRootFilesystem,
        noNewPrivs: sc.allowPrivilegeEscalation === false,
        namespaceOptions: {
          network: pod.spec?.hostNetwork ? 'NODE' : 'POD',
          pid: pod.spec?.hostPID ? 'NODE' : pod.spec?.shareProcessNamespace ? 'POD' : extras.pidTargetId ? 'TARGET' : 'CONTAINER',
          ipc: pod.spec?.hostIPC ? 'NODE' : 'POD',
          ...(extras.pidTargetId && !pod.spec?.hostPID && !pod.spec?.shareProcessNamespace ? { targetId: extras.pidTargetId } : {}),
        },
      },
    },
  };
}
