// A container's environment as the kubelet builds it: envFrom first (ConfigMaps and Secrets, with a prefix; keys
// that are no valid variable name skipped and reported), then env (values with $(VAR) references to what came
// before, fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef), later entries overriding earlier ones.
// A missing ConfigMap, Secret or key that is not optional is an error: the container waits with
// CreateContainerConfigError until it appears.
import type { KubeObject } from '../../lib/api/types.js';
import type { KeyValue } from '../cri/types.js';
import { objectData, type PodObjects } from './objects.js';
import { resourceFieldValue, type NodeAllocatable } from './resources.js';
import { serviceEnv } from './service-env.js';
import { specOf, type ContainerSpec } from './spec.js';

export interface PodEnvFacts {
  nodeName: string;
  hostIP: string;
  podIP?: string;
  allocatable?: NodeAllocatable;
  /** The Services the agent knows (every namespace): the base of the environment (service-env.ts). */
  services?: readonly KubeObject[];
}

/** Keys of one envFrom source that were skipped (the InvalidEnvironmentVariableNames event). */
export interface SkippedKeys {
  kind: 'configMap' | 'secret';
  name: string;
  keys: string[];
}

/** Why a container's config cannot be made yet (CreateContainerConfigError). */
export class ContainerConfigError extends Error {}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

const DEFAULT_ALLOCATABLE: NodeAllocatable = { cpu: 1, memory: 0, 'ephemeral-storage': 0 };

/** Expands $(VAR) references the way Kubernetes does ($$ escapes; unknown names stay as written). */
export function expand(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) => (all === '$$' ? '$' : vars.get(name as string) ?? all));
}

/** Go's strconv.Quote for the ASCII a label or annotation holds (the downward API's `key="value"` lines). */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `key="value"` lines, sorted by key (metadata.labels / metadata.annotations in a downwardAPI volume). */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${goQuote((m as Record<string, string>)[k] as string)}`).join('\n');
}

/** The value of a downward-API fieldRef (env and volumes); volumes also take all labels or annotations. */
export function fieldRef(pod: KubeObject, path: string, facts: PodEnvFacts): string {
  const m = pod.metadata;
  switch (path) {
    case 'metadata.name': return m.name ?? '';
    case 'metadata.namespace': return m.namespace ?? '';
    case 'metadata.uid': return m.uid ?? '';
    case 'metadata.labels': return formatMap(m.labels);
    case 'metadata.annotations': return formatMap(m.annotations);
    case 'spec.nodeName': return facts.nodeName;
    case 'spec.serviceAccountName': return (pod.spec?.serviceAccountName as string | undefined) ?? '';
    case 'status.hostIP': case 'status.hostIPs': return facts.hostIP;
    case 'status.podIP': case 'status.podIPs': return facts.podIP ?? '';
  }
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return m.labels?.[label[1] as string] ?? '';
  const ann = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (ann) return m.annotations?.[ann[1] as string] ?? '';
  throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
}

async function lookup(objects: PodObjects, kind: 'configMap' | 'secret', ns: string, name: string): Promise<KubeObject | undefined> {
  return kind === 'configMap' ? objects.configMap(ns, name) : objects.secret(ns, name);
}

/** The environment of container c, and the envFrom keys skipped. Throws ContainerConfigError. */
export async function containerEnv(pod: KubeObject, c: ContainerSpec, facts: PodEnvFacts,
  objects: PodObjects): Promise<{ env: KeyValue[]; skipped: SkippedKeys[] }> {
  const ns = pod.metadata.namespace as string;
  // the Service variables first: the container's envFrom and env override them, and $(VAR) may name them
  const vars = new Map<string, string>(serviceEnv(pod, facts.services ?? []));
  const skipped: SkippedKeys[] = [];
  for (const from of c.envFrom ?? []) {
    const kind = from.configMapRef ? 'configMap' : from.secretRef ? 'secret' : undefined;
    const ref = from.configMapRef ?? from.secretRef;
    if (!kind || !ref) continue;
    const obj = await lookup(objects, kind, ns, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind === 'configMap' ? 'configmap' : 'secret'} "${ref.name}" not found`);
    }
    const bad: string[] = [];
    for (const [k, v] of objectData(obj, kind)) {
      const name = (from.prefix ?? '') + k;
      if (!ENV_NAME.test(name)) bad.push(k);
      else vars.set(name, v.toString('utf8'));
    }
    if (bad.length) skipped.push({ kind, name: ref.name, keys: bad.sort() });
  }
  const containers = specOf(pod).containers.concat(specOf(pod).initContainers);
  for (const e of c.env ?? []) {
    let value = '';
    const from = e.valueFrom;
    if (e.value !== undefined) value = expand(e.value, vars);
    else if (from?.fieldRef) value = fieldRef(pod, from.fieldRef.fieldPath, facts);
    else if (from?.resourceFieldRef) {
      const r = resourceFieldValue(from.resourceFieldRef, containers, c, facts.allocatable ?? DEFAULT_ALLOCATABLE);
      if ('error' in r) throw new ContainerConfigError(r.error);
      value = r.value;
    } else if (from?.configMapKeyRef || from?.secretKeyRef) {
      const kind = from.configMapKeyRef ? 'configMap' : 'secret';
      const ref = (from.configMapKeyRef ?? from.secretKeyRef) as { name: string; key: string; optional?: boolean };
      const obj = await lookup(objects, kind, ns, ref.name);
      const data = obj ? objectData(obj, kind).get(ref.key) : undefined;
      if (data === undefined) {
        if (ref.optional) continue;
        if (!obj) throw new ContainerConfigError(`${kind === 'configMap' ? 'configmap' : 'secret'} "${ref.name}" not found`);
        throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind === 'configMap' ? 'ConfigMap' : 'Secret'} ${ns}/${ref.name}`);
      }
      value = data.toString('utf8');
    }
    vars.set(e.name, value);
  }
  return { env: [...vars].map(([key, value]) => ({ key, value })), skipped };
}

/** The InvalidEnvironmentVariableNames event text for skipped keys. */
export function skippedKeysMessage(pod: KubeObject, s: SkippedKeys): string {
  return `Keys [${s.keys.join(', ')}] from the EnvFrom ${s.kind === 'configMap' ? 'configMap' : 'secret'} ${pod.metadata.namespace}/${s.name} were skipped since they are considered invalid environment variable names.`;
}
