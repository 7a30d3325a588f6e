// Discovery documents: /api, /apis, /api/v1, /apis/GROUP/VERSION, and the aggregated (apidiscovery.k8s.io) form
// kubectl 1.32 asks for first. All are derived from the served kinds' definitions, as they are when asked.
import { apiVersionOf, type KindInfo } from '../../lib/api/kinds.js';
import { verbsOf, type KindDefinition } from '../registry/kind.js';
import type { KindRegistry } from '../registry/registry.js';

interface Sub {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: readonly string[];
}

function subresources(def: KindDefinition): Sub[] {
  const k = def.info;
  return Object.entries(def.subresources).map(([name, s]): Sub => ({
    name,
    group: s.kind?.group ?? k.group,
    version: s.kind?.version ?? k.version,
    kind: s.kind?.kind ?? k.kind,
    verbs: s.verbs,
  }));
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

export function apiGroupList(kinds: KindRegistry): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: kinds.groups().map((g) => apiGroup(kinds, g)),
  };
}

const versionsOf = (kinds: KindRegistry, group: string): string[] => [...new Set(kinds.all().filter((d) => d.info.group === group).map((d) => d.info.version))];

export function apiGroup(kinds: KindRegistry, group: string): object | undefined {
  const versions = versionsOf(kinds, group);
  if (!versions.length) return undefined;
  const gv = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: gv, preferredVersion: gv[0] };
}

export function apiResourceList(kinds: KindRegistry, group: string, version: string): object | undefined {
  const defs = kinds.all().filter((d) => d.info.group === group && d.info.version === version);
  if (!defs.length) return undefined;
  const resources: object[] = [];
  for (const def of defs) {
    const k = def.info;
    const r: Record<string, unknown> = { name: k.resource, singularName: k.singular, namespaced: k.namespaced, kind: k.kind, verbs: verbsOf(def),
      storageVersionHash: storageVersionHash(k) };
    if (k.shortNames.length) r.shortNames = k.shortNames;
    if (k.categories.length) r.categories = k.categories;
    resources.push(r);
    for (const s of subresources(def)) {
      const sr: Record<string, unknown> = { name: `${k.resource}/${s.name}`, singularName: '', namespaced: k.namespaced, kind: s.kind, verbs: s.verbs };
      // a subresource of another group names both its group and version, as Kubernetes does (deployments/scale:
      // autoscaling v1); kubectl drain looks for pods/eviction with both set before it evicts instead of deleting
      if (s.group !== k.group || s.version !== k.version) {
        sr.group = s.group;
        sr.version = s.version;
      }
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

/** apidiscovery.k8s.io APIGroupDiscoveryList for /api (core) or /apis (named groups). */
export function aggregatedDiscovery(kinds: KindRegistry, core: boolean, version: string): object {
  const groups = core ? [''] : kinds.groups();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: g ? { name: g } : {},
      versions: versionsOf(kinds, g).map((v) => ({
        version: v,
        freshness: 'Current',
        resources: kinds.all().filter((d) => d.info.group === g && d.info.version === v).map((def) => {
          const k = def.info;
          const r: Record<string, unknown> = {
            resource: k.resource,
            responseKind: { group: k.group, version: k.version, kind: k.kind },
            scope: k.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: k.singular,
            verbs: verbsOf(def),
          };
          if (k.shortNames.length) r.shortNames = k.shortNames;
          if (k.categories.length) r.categories = k.categories;
          const subs = subresources(def);
          if (subs.length) {
            r.subresources = subs.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }));
          }
          return r;
        }),
      })),
    })),
  };
}
