// Parses a request path into what Kubernetes calls RequestInfo: the API group, version, namespace, resource, name,
// subresource and the verb (get, list, watch, create, update, patch, delete, deletecollection).
import { parseBool } from '../../lib/api/query.js';

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  apiPrefix?: 'api' | 'apis';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
}

const METHOD_VERBS: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

export function requestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const base: RequestInfo = { isResourceRequest: false, path: pathname, verb: (METHOD_VERBS[method] ?? method.toLowerCase()), group: '', version: '', resource: '' };
  if (parts[0] !== 'api' && parts[0] !== 'apis') return base;
  const info: RequestInfo = { ...base, apiPrefix: parts[0] };
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length < 3) return info; // /api, /api/v1 are discovery
    info.version = parts[1] as string;
    rest = parts.slice(2);
  } else {
    if (parts.length < 4) return { ...info, group: parts[1] ?? '', version: parts[2] ?? '' };
    info.group = parts[1] as string;
    info.version = parts[2] as string;
    rest = parts.slice(3);
  }
  info.isResourceRequest = true;
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  // /namespaces/{ns}/{resource}/... but /namespaces/{name}[/status|/finalize] is the namespace object itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    info.namespace = rest[1];
    rest = rest.slice(2);
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1];
  info.subresource = rest[2];
  if (rest.length > 3) info.resource = ''; // unknown shape: 404
  if (!info.name) {
    if (info.verb === 'get') info.verb = watchPrefix || isTrue(query.get('watch')) ? 'watch' : 'list';
    else if (info.verb === 'delete') info.verb = 'deletecollection';
  } else if (info.verb === 'get' && (watchPrefix || isTrue(query.get('watch')))) {
    info.verb = 'watch';
  }
  return info;
}

/** A boolean query value as Kubernetes reads it (`?watch=True` from the Python client, `?watch` from curl). */
export function isTrue(v: string | null | undefined): boolean {
  return parseBool(v) ?? false;
}
