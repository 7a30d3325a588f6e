// The dashboard's addresses, all under /dashboard/ (the API server answers index.html for each of them):
//   /dashboard/                      overview          /dashboard/pods, workloads, services, config, nodes, events
//   /dashboard/resources             every kind        /dashboard/r/GROUP/VERSION/RESOURCE        any kind's table
//   /dashboard/r/GROUP/VERSION/RESOURCE/NAMESPACE/NAME one object (`_` as the namespace of a cluster-scoped one)
//   /dashboard/create                deploy form and YAML editor
// `?ns=NAME` picks the namespace (`?ns=` for all), `?tab=` the tab of an object page. `core` is the legacy group.

export const BASE = '/dashboard';

export const SECTIONS = ['overview', 'workloads', 'pods', 'services', 'config', 'nodes', 'events', 'resources'] as const;
export type Section = (typeof SECTIONS)[number];

export interface TypeRef {
  group: string;
  version: string;
  resource: string;
}

export type Route =
  | { view: Section }
  | { view: 'list'; type: TypeRef }
  | { view: 'object'; type: TypeRef; namespace?: string; name: string; tab?: string }
  | { view: 'create'; tab?: string }
  | { view: 'notfound'; path: string };

export interface Location {
  route: Route;
  /** undefined: not in the address (the app picks); '': all namespaces. */
  ns?: string;
}

export function parseLocation(pathname: string, search: string): Location {
  const q = new URLSearchParams(search);
  const ns = q.has('ns') ? (q.get('ns') ?? '') : undefined;
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  const tab = q.get('tab') ?? undefined;
  if (parts.length === 0) return { route: { view: 'overview' }, ns };
  const [head, ...tail] = parts as [string, ...string[]];
  if ((SECTIONS as readonly string[]).includes(head) && tail.length === 0) return { route: { view: head as Section }, ns };
  if (head === 'create' && tail.length === 0) return { route: { view: 'create', tab }, ns };
  if (head === 'r' && (tail.length === 3 || tail.length === 5)) {
    const [g, version, resource, namespace, name] = tail as [string, string, string, string?, string?];
    const type = { group: g === 'core' ? '' : g, version, resource };
    if (tail.length === 3) return { route: { view: 'list', type }, ns };
    return { route: { view: 'object', type, namespace: namespace === '_' ? undefined : namespace, name: name as string, tab }, ns };
  }
  return { route: { view: 'notfound', path: pathname }, ns };
}

const seg = (s: string) => encodeURIComponent(s);

/** The address of a route; ns is kept in the query so links keep the namespace the user picked. */
export function hrefOf(route: Route, ns?: string): string {
  let path: string;
  const q = new URLSearchParams();
  switch (route.view) {
    case 'overview':
      path = `${BASE}/`;
      break;
    case 'list':
      path = `${BASE}/r/${seg(route.type.group || 'core')}/${seg(route.type.version)}/${seg(route.type.resource)}`;
      break;
    case 'object':
      path = `${BASE}/r/${seg(route.type.group || 'core')}/${seg(route.type.version)}/${seg(route.type.resource)}/${seg(route.namespace ?? '_')}/${seg(route.name)}`;
      if (route.tab) q.set('tab', route.tab);
      break;
    case 'create':
      path = `${BASE}/create`;
      if (route.tab) q.set('tab', route.tab);
      break;
    case 'notfound':
      path = route.path;
      break;
    default:
      path = `${BASE}/${route.view}`;
  }
  if (ns !== undefined) q.set('ns', ns);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
