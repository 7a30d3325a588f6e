// Discovery: every resource type the server serves (built-in kinds and CRDs), from /api/v1 and each group's
// preferred version under /apis, so any kind gets a generic table.
import type { ApiClient } from './client.js';
import type { ResourceType } from './resources.js';

interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}
interface APIResourceList {
  groupVersion: string;
  resources: APIResource[];
}
interface APIGroupList {
  groups: Array<{ name: string; preferredVersion?: { version: string }; versions: Array<{ version: string }> }>;
}

/** The resource types of one group version's APIResourceList (subresources like `pods/log` left out). */
export function typesOf(list: APIResourceList): ResourceType[] {
  const [group, version] = list.groupVersion.includes('/') ? (list.groupVersion.split('/') as [string, string]) : ['', list.groupVersion];
  return list.resources.filter((r) => !r.name.includes('/')).map((r) => ({ group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] }));
}

export async function discover(api: ApiClient): Promise<ResourceType[]> {
  const [core, groups] = await Promise.all([api.get<APIResourceList>('/api/v1'), api.get<APIGroupList>('/apis')]);
  const lists = await Promise.all(groups.groups.map(async (g) => {
    const v = g.preferredVersion?.version ?? g.versions[0]?.version;
    if (!v) return undefined;
    try {
      return await api.get<APIResourceList>(`/apis/${g.name}/${v}`);
    } catch {
      return undefined; // a group whose server is down (an aggregated API) doesn't hide the others
    }
  }));
  return [core, ...lists].filter((l): l is APIResourceList => !!l).flatMap(typesOf);
}
