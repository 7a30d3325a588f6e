// Pod spec → CRI configs: what RunPodSandbox and CreateContainer are asked for, the way the kubelet translates a
// pod (labels that let a restarted agent find its sandboxes and containers again, log paths, env with fieldRef,
// resources as cgroup settings, security context).
import type { KubeObject } from '../../lib/api/types.js';
import type { ContainerConfig, KeyValue, LinuxContainerResources, PodSandboxConfig, PortMapping } from '../cri/types.js';
import { parseQuantity } from '../../lib/api/quantity.js';

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

export interface PodEnvFacts {
  nodeName: string;
  hostIP: string;
  podIP?: string;
}

export function sandboxConfig(pod: KubeObject, logRoot: string, attempt: number): PodSandboxConfig {
  const m = pod.metadata;
  const hostNetwork = !!pod.spec?.hostNetwork;
  const ports: PortMapping[] = [];
  for (const c of (pod.spec?.containers ?? []) as Array<{ ports?: Array<{ containerPort: number; hostPort?: number; protocol?: string; hostIP?: string }> }>) {
    for (const p of c.ports ?? []) if (p.hostPort) ports.push({ containerPort: p.containerPort, hostPort: p.hostPort, protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], hostIp: p.hostIP });
  }
  return {
    metadata: { name: m.name as string, namespace: m.namespace as string, uid: m.uid as string, attempt },
    hostname: hostNetwork ? undefined : ((pod.spec?.hostname as string | undefined) ?? (m.name as string)).slice(0, 63),
    logDirectory: `${logRoot}/${m.namespace}_${m.name}_${m.uid}`,
    portMappings: ports,
    labels: { [LABEL_POD_NAME]: m.name as string, [LABEL_POD_NAMESPACE]: m.namespace as string, [LABEL_POD_UID]: m.uid as string, [LABEL_MANAGED]: 'true' },
    annotations: {},
    dnsConfig: { servers: [], searches: [], options: [] },
    linux: {
      securityContext: {
        namespaceOptions: { network: hostNetwork ? 'NODE' : 'POD', pid: pod.spec?.hostPID ? 'NODE' : 'CONTAINER', ipc: pod.spec?.hostIPC ? 'NODE' : 'POD' },
        runAsUser: pod.spec?.securityContext?.runAsUser !== undefined ? { value: pod.spec.securityContext.runAsUser } : undefined,
        runAsGroup: pod.spec?.securityContext?.runAsGroup !== undefined ? { value: pod.spec.securityContext.runAsGroup } : undefined,
      },
    },
  };
}

interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string }; configMapKeyRef?: unknown; secretKeyRef?: unknown } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsUser?: number; runAsGroup?: number; readOnlyRootFilesystem?: boolean; privileged?: boolean; allowPrivilegeEscalation?: boolean };
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
}

/** Expands $(VAR) references the way Kubernetes does ($$ escapes; unknown names stay as written). */
export function expand(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) => (all === '$$' ? '$' : vars.get(name as string) ?? all));
}

/** The value of a downward-API fieldRef. */
export function fieldRef(pod: KubeObject, path: string, facts: PodEnvFacts): string {
  const m = pod.metadata;
  switch (path) {
    case 'metadata.name': return m.name ?? '';
    case 'metadata.namespace': return m.namespace ?? '';
    case 'metadata.uid': return m.uid ?? '';
    case 'spec.nodeName': return facts.nodeName;
    case 'spec.serviceAccountName': return (pod.spec?.serviceAccountName as string | undefined) ?? '';
    case 'status.hostIP': return facts.hostIP;
    case 'status.podIP': return facts.podIP ?? '';
  }
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return m.labels?.[label[1] as string] ?? '';
  const ann = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (ann) return m.annotations?.[ann[1] as string] ?? '';
  throw new Error(`unsupported fieldRef ${path}`);
}

export function envFor(pod: KubeObject, c: ContainerSpec, facts: PodEnvFacts, lookup: (kind: 'configMap' | 'secret', ref: unknown) => string | undefined): KeyValue[] {
  const vars = new Map<string, string>();
  const out: KeyValue[] = [];
  for (const e of c.env ?? []) {
    let value = '';
    if (e.value !== undefined) value = expand(e.value, vars);
    else if (e.valueFrom?.fieldRef) value = fieldRef(pod, e.valueFrom.fieldRef.fieldPath, facts);
    else if (e.valueFrom?.configMapKeyRef) value = lookup('configMap', e.valueFrom.configMapKeyRef) ?? '';
    else if (e.valueFrom?.secretKeyRef) value = lookup('secret', e.valueFrom.secretKeyRef) ?? '';
    vars.set(e.name, value);
    out.push({ key: e.name, value });
  }
  return out;
}

/** cgroup settings from requests and limits, as the kubelet computes them (shares from the cpu request). */
export function linuxResources(c: ContainerSpec): LinuxContainerResources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const cpuReq = req.cpu ?? lim.cpu;
  const r: LinuxContainerResources = { cpuShares: cpuReq ? Math.max(MIN_SHARES, Math.round((parseQuantity(cpuReq) ?? 0) * 1024)) : MIN_SHARES,
    cpuPeriod: CPU_PERIOD };
  if (lim.cpu) r.cpuQuota = Math.max(1000, Math.round((parseQuantity(lim.cpu) ?? 0) * CPU_PERIOD));
  if (lim.memory) r.memoryLimitInBytes = Math.round(parseQuantity(lim.memory) ?? 0);
  return r;
}

export function containerConfig(pod: KubeObject, c: ContainerSpec, env: KeyValue[], image: string, restartCount: number, hash: string): ContainerConfig {
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
    annotations: { [ANNOTATION_HASH]: hash, [ANNOTATION_RESTART_COUNT]: String(restartCount) },
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
        namespaceOptions: { network: pod.spec?.hostNetwork ? 'NODE' : 'POD', pid: pod.spec?.hostPID ? 'NODE' : pod.spec?.shareProcessNamespace ? 'POD' : 'CONTAINER', ipc: pod.spec?.hostIPC ? 'NODE' : 'POD' },
      },
    },
  };
}
