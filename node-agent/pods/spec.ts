// The parts of a PodSpec the node agent reads, typed (the API server has validated and defaulted them already, so
// fields that are defaulted there are present here; everything else may be absent).
import type { KubeObject } from '../../lib/api/types.js';

export type IntOrString = number | string;

export interface ExecAction { command?: string[] }
export interface HttpHeader { name: string; value: string }
export interface HttpGetAction { path?: string; port: IntOrString; host?: string; scheme?: 'HTTP' | 'HTTPS'; httpHeaders?: HttpHeader[] }
export interface TcpSocketAction { port: IntOrString; host?: string }
export interface GrpcAction { port: number; service?: string }
export interface SleepAction { seconds: number }

/** What a probe or a lifecycle hook does (exactly one of these is set). */
export interface Handler {
  exec?: ExecAction;
  httpGet?: HttpGetAction;
  tcpSocket?: TcpSocketAction;
  grpc?: GrpcAction;
  sleep?: SleepAction;
}

export interface Probe extends Handler {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface EnvVarSource {
  fieldRef?: { fieldPath: string; apiVersion?: string };
  resourceFieldRef?: ResourceFieldRef;
  configMapKeyRef?: { name: string; key: string; optional?: boolean };
  secretKeyRef?: { name: string; key: string; optional?: boolean };
}
export interface EnvVar { name: string; value?: string; valueFrom?: EnvVarSource }
export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}
export interface ResourceFieldRef { containerName?: string; resource: string; divisor?: IntOrString }

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  subPathExpr?: string;
  mountPropagation?: 'None' | 'HostToContainer' | 'Bidirectional';
}

export interface ContainerPort { name?: string; containerPort: number; hostPort?: number; protocol?: string; hostIP?: string }

export interface ContainerSpec {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  ports?: ContainerPort[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: VolumeMount[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { postStart?: Handler; preStop?: Handler };
  terminationMessagePath?: string;
  terminationMessagePolicy?: 'File' | 'FallbackToLogsOnError';
  /** On an init container, `Always` makes it a sidecar (Kubernetes 1.29+). */
  restartPolicy?: 'Always';
  /** On an ephemeral container: the container whose process namespace it joins. */
  targetContainerName?: string;
  securityContext?: { runAsUser?: number; runAsGroup?: number; readOnlyRootFilesystem?: boolean; privileged?: boolean; allowPrivilegeEscalation?: boolean };
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
}

export interface KeyToPath { key: string; path: string; mode?: number }
export interface DownwardAPIVolumeFile { path: string; fieldRef?: { fieldPath: string }; resourceFieldRef?: ResourceFieldRef; mode?: number }
export interface ConfigMapProjection { name: string; items?: KeyToPath[]; optional?: boolean }
export interface SecretProjection { name: string; items?: KeyToPath[]; optional?: boolean }
export interface ServiceAccountTokenProjection { audience?: string; expirationSeconds?: number; path: string }
export interface VolumeProjection {
  configMap?: ConfigMapProjection;
  secret?: SecretProjection;
  downwardAPI?: { items?: DownwardAPIVolumeFile[] };
  serviceAccountToken?: ServiceAccountTokenProjection;
}

export interface Volume {
  name: string;
  emptyDir?: { medium?: '' | 'Memory'; sizeLimit?: string };
  configMap?: { name: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  secret?: { secretName: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  downwardAPI?: { items?: DownwardAPIVolumeFile[]; defaultMode?: number };
  projected?: { sources?: VolumeProjection[]; defaultMode?: number };
  hostPath?: { path: string; type?: string };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** The pod's spec, typed. */
export function specOf(pod: KubeObject): {
  containers: ContainerSpec[];
  initContainers: ContainerSpec[];
  ephemeralContainers: ContainerSpec[];
  volumes: Volume[];
  restartPolicy: RestartPolicy;
} {
  const s = pod.spec ?? {};
  return {
    containers: (s.containers ?? []) as ContainerSpec[],
    initContainers: (s.initContainers ?? []) as ContainerSpec[],
    ephemeralContainers: (s.ephemeralContainers ?? []) as ContainerSpec[],
    volumes: (s.volumes ?? []) as Volume[],
    restartPolicy: (s.restartPolicy ?? 'Always') as RestartPolicy,
  };
}

/** An init container with `restartPolicy: Always`: a sidecar that keeps running beside the app containers. */
export const isSidecar = (c: ContainerSpec): boolean => c.restartPolicy === 'Always';

/** `name_namespace(uid)`, as the kubelet names a pod in messages. */
export const podDesc = (pod: KubeObject): string => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
