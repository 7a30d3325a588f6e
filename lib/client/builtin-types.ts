// Typed shapes of the built-in kinds a controller most often reads and writes, and their kinds as TypedKinds, so
// `client.for(DEPLOYMENTS)` hands back Deployment objects. Only the commonly used fields are spelled out; the rest
// stay reachable through KubeObject's index signature. The API server's schemas (lib/api/schema) stay the authority.
import { findByResource, type KindInfo } from '../api/kinds.js';
import type { KubeObject, LabelSelector } from '../api/types.js';

/** A KindInfo that also names the TypeScript type of its objects (a phantom: it exists only for the compiler). */
export type TypedKind<T extends KubeObject> = KindInfo & { readonly __object?: T };

/** The condition shape shared by Deployments, Pods and most custom resources' status. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  observedGeneration?: number;
}

export interface EnvVar { name: string; value?: string; valueFrom?: Record<string, unknown> }
export interface ContainerPort { name?: string; containerPort: number; protocol?: 'TCP' | 'UDP' | 'SCTP' }
export interface VolumeMount { name: string; mountPath: string; readOnly?: boolean; subPath?: string }
export interface Probe {
  httpGet?: { path?: string; port: number | string; scheme?: 'HTTP' | 'HTTPS' };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: ContainerPort[];
  volumeMounts?: VolumeMount[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  [field: string]: unknown;
}
export interface Volume {
  name: string;
  configMap?: { name: string; items?: Array<{ key: string; path: string }>; defaultMode?: number; optional?: boolean };
  secret?: { secretName: string; optional?: boolean };
  emptyDir?: Record<string, unknown>;
  [field: string]: unknown;
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  nodeName?: string;
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  serviceAccountName?: string;
  [field: string]: unknown;
}
export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: { phase?: string; podIP?: string; conditions?: Condition[]; containerStatuses?: Array<{ name: string; ready: boolean; restartCount: number }> };
}

export interface Deployment extends KubeObject {
  spec?: {
    replicas?: number;
    selector: LabelSelector;
    template: PodTemplateSpec;
    strategy?: { type?: 'RollingUpdate' | 'Recreate'; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
    paused?: boolean;
    [field: string]: unknown;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface ServicePort { name?: string; protocol?: 'TCP' | 'UDP' | 'SCTP'; port: number; targetPort?: number | string; nodePort?: number }
export interface Service extends KubeObject {
  spec?: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    [field: string]: unknown;
  };
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** A custom resource with a typed spec and status. */
export interface CustomObject<Spec = Record<string, unknown>, Status = Record<string, unknown>> extends KubeObject {
  spec?: Spec;
  status?: Status;
}

const builtin = <T extends KubeObject>(group: string, version: string, resource: string): TypedKind<T> =>
  findByResource(group, version, resource) as TypedKind<T>;

export const PODS = builtin<Pod>('', 'v1', 'pods');
export const SERVICES = builtin<Service>('', 'v1', 'services');
export const CONFIGMAPS = builtin<ConfigMap>('', 'v1', 'configmaps');
export const SECRETS = builtin<Secret>('', 'v1', 'secrets');
export const DEPLOYMENTS = builtin<Deployment>('apps', 'v1', 'deployments');

/** A custom resource's kind, as its CRD names it (what a controller of that kind knows without asking discovery). */
export interface CustomKindNames {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular?: string;
  /** Default true. */
  namespaced?: boolean;
  /** Default ['status']. */
  subresources?: string[];
}

export function customKind<T extends KubeObject = CustomObject>(o: CustomKindNames): TypedKind<T> {
  return {
    group: o.group, version: o.version, kind: o.kind, resource: o.plural, singular: o.singular ?? o.kind.toLowerCase(),
    namespaced: o.namespaced ?? true, shortNames: [], categories: [], subresources: o.subresources ?? ['status'],
  };
}
