// Discovery documents: /api, /apis, /api/v1, /apis/GROUP/VERSION, and the aggregated (apidiscovery.k8s.io) form
// kubectl 1.32 asks for first. All are derived from the kind registry.
import { KINDS, apiGroups, apiVersionOf, type KindInfo } from '../../lib/api/kinds.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The verbs a resource serves. Namespaces have no deletecollection in Kubernetes (one DELETE would take them all). */
export function verbsOf(k: Pick<KindInfo, 'resource' | 'group'>): readonly string[] {
  return k.group === '' && k.resource === 'namespaces' ? VERBS.filter((v) => v !== 'deletecollection') : VERBS;
}

interface Sub {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

function subresources(k: KindInfo): Sub[] {
  return k.subresources.map((s): Sub => {
    if (s === 'scale') return { name: s, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    if (s === 'binding') return { name: s, group: '', version: 'v1', kind: 'Binding', verbs: ['create'] };
    if (s === 'log') return { name: s, group: '', version: 'v1', kind: 'Pod', verbs: ['get'] };
    if (s === 'exec') return { name: s, group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] };
    if (s === 'attach') return { name: s, group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] };
    if (s === 'portforward') return { name: s, group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    if (s === 'finalize') return { name: s, group: '', version: 'v1', kind: k.kind, verbs: ['update'] };
    return { name: s, group: k.group, version: k.version, kind: k.kind, verbs: ['get', 'patch', 'update'] };
  });
}

function storageVersionHash(k: KindInfo): string {
  // A stable short hash of group/version/kind, as Kubernetes publishes for storage migration tooling.
  let h = 0;
  for (const c of `${k.group}/${k.version}/${k.kind}`) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return Buffer.from(String(h >>> 0)).toString('base64').slice(0, 11);
}

export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: apiGroups().map((g) => apiGroup(g)),
  };
}

export function apiGroup(group: string): object | undefined {
  const versions = [...new Set(KINDS.filter((k) => k.group === group).map((k) => k.version))];
  if (!versions.length) return undefined;
  const gv = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: gv, preferredVersion: gv[0] };
}

export function apiResourceList(group: string, version: string): object | undefined {
  const kinds = KINDS.filter((k) => k.group === group && k.version === version);
  if (!kinds.length) return undefined;
  const resources: object[] = [];
  for (const k of kinds) {
    const r: Record<string, unknown> = { name: k.resource, singularName: k.singular, namespaced: k.namespaced, kind: k.kind, verbs: verbsOf(k), storageVersionHash: storageVersionHash(k) };
    if (k.shortNames.length) r.shortNames = k.shortNames;
    if (k.categories.length) r.categories = k.categories;
    resources.push(r);
    for (const s of subresources(k)) {
      const sr: Record<string, unknown> = { name: `${k.resource}/${s.name}`, singularName: '', namespaced: k.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== k.group) sr.group = s.group;
      if (s.version !== k.version) sr.version = s.version;
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

/** apidiscovery.k8s.io APIGroupDiscoveryList for /api (core) or /apis (named groups). */
export function aggregatedDiscovery(core: boolean, version: string): object {
  const groups = core ? [''] : apiGroups();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((g) => {
      const versions = [...new Set(KINDS.filter((k) => k.group === g).map((k) => k.version))];
      return {
        metadata: g ? { name: g } : {},
        versions: versions.map((v) => ({
          version: v,
          freshness: 'Current',
          resources: KINDS.filter((k) => k.group === g && k.version === v).map((k) => {
            const r: Record<string, unknown> = {
              resource: k.resource,
              responseKind: { group: k.group, version: k.version, kind: k.kind },
              scope: k.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: k.singular,
              verbs: verbsOf(k),
            };
            if (k.shortNames.length) r.shortNames = k.shortNames;
            if (k.categories.length) r.categories = k.categories;
            const subs = subresources(k);
            if (subs.length) {
              r.subresources = subs.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }));
            }
            return r;
          }),
        })),
      };
    }),
  };
}
