// Resource types and their REST paths. The well-known ones are named here so the main views start without waiting
// for discovery; every other kind (CRDs included) comes from discovery (discovery.ts).

export interface ResourceType {
  group: string;
  version: string;
  /** The plural, lower case: `deployments`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const t = (group: string, version: string, resource: string, kind: string, namespaced: boolean): ResourceType => ({ group, version, resource, kind,
  namespaced, verbs: ALL_VERBS });

export const R = {
  namespaces: t('', 'v1', 'namespaces', 'Namespace', false),
  nodes: t('', 'v1', 'nodes', 'Node', false),
  pods: t('', 'v1', 'pods', 'Pod', true),
  services: t('', 'v1', 'services', 'Service', true),
  endpoints: t('', 'v1', 'endpoints', 'Endpoints', true),
  configmaps: t('', 'v1', 'configmaps', 'ConfigMap', true),
  secrets: t('', 'v1', 'secrets', 'Secret', true),
  events: t('', 'v1', 'events', 'Event', true),
  deployments: t('apps', 'v1', 'deployments', 'Deployment', true),
  replicasets: t('apps', 'v1', 'replicasets', 'ReplicaSet', true),
} as const;

export const groupVersion = (r: Pick<ResourceType, 'group' | 'version'>): string => (r.group ? `${r.group}/${r.version}` : r.version);

const prefix = (r: Pick<ResourceType, 'group' | 'version'>): string => (r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`);

/** The collection: in one namespace, or across all of them when ns is empty (or the kind is cluster-scoped). */
export function collectionPath(r: ResourceType, ns?: string): string {
  if (r.namespaced && ns) return `${prefix(r)}/namespaces/${encodeURIComponent(ns)}/${r.resource}`;
  return `${prefix(r)}/${r.resource}`;
}

export function objectPath(r: ResourceType, ns: string | undefined, name: string, subresource?: string): string {
  const base = r.namespaced ? `${prefix(r)}/namespaces/${encodeURIComponent(ns ?? 'default')}/${r.resource}` : `${prefix(r)}/${r.resource}`;
  return `${base}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}

/** The resource type of an object's apiVersion and kind, among the known ones. */
export function typeOfKind(types: Iterable<ResourceType>, apiVersion: string | undefined, kind: string | undefined): ResourceType | undefined {
  if (!apiVersion || !kind) return undefined;
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  for (const r of types) if (r.group === group && r.version === version && r.kind === kind) return r;
  return undefined;
}

/** How a type is written in the dashboard's URLs: `core/v1/pods`, `apps/v1/deployments`. */
export function typeSlug(r: Pick<ResourceType, 'group' | 'version' | 'resource'>): string {
  return `${r.group || 'core'}/${r.version}/${r.resource}`;
}
