// Parses a request path into what Kubernetes calls RequestInfo: the API group, version, namespace, resource, name,
// subresource and the verb (get, list, watch, create, update, patch, delete, deletecollection).
import { getOwn } from '../../lib/api/own.js';
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
  /**
   * A list or watch of one object by `fieldSelector=metadata.name=x`: its name, for the authorizers (Kubernetes' RequestInfo
   * names it too, so that a node or a resourceNames rule may watch one Secret). Routing still reads `name`.
   */
  selectedName?: string;
  /** Set when the path cannot be decoded (`%ZZ`): the request is a 400, and is no resource request. */
  invalidPath?: string;
}

const METHOD_VERBS: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/**
 * The request target as a URL, or undefined when it is none: Node's parser accepts targets such as `//[` or
 * `http://a:b:c` that the URL parser refuses, and a throw from an event listener (the upgrade path) ends the process.
 */
export function requestTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

/**
 * The request's path as the client sent it, dot segments kept: the URL parser resolves `a/../b` and `a/%2e%2e/b`
 * to `b`, which would let `/api/v1/namespaces/x/pods/../secrets/s` through anything that looked at the path as sent
 * (an authorizing proxy in front, the audit log) and then serve a Secret. Kubernetes reads the path literally: `..` is
 * a name there, authorized as one and found by no route. Everything else is as the URL parser gives it.
 */
export function requestPath(target: string | undefined, url: URL): string {
  let raw = target ?? '/';
  if (!raw.startsWith('/')) {
    // absolute-form (`GET http://host/path HTTP/1.1`): the path after the authority
    const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*(.*)$/.exec(raw);
    raw = m ? m[1] || '/' : url.pathname;
  }
  raw = raw.replace(/[?#].*$/s, '');
  const dotted = raw.split('/').some((s) => /^(?:\.|%2e){1,2}$/i.test(s));
  return dotted ? raw : url.pathname;
}

/** Never throws: a path that does not decode comes back as a non-resource request carrying `invalidPath`. */
export function requestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const base: RequestInfo = { isResourceRequest: false, path: pathname, verb: getOwn(METHOD_VERBS, method) ?? method.toLowerCase(), group: '', version: '', resource: '' };
  const parts = decodeSegments(pathname);
  if (typeof parts === 'string') return { ...base, invalidPath: parts };
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
    if (info.verb === 'get') {
      info.verb = watchPrefix || isTrue(query.get('watch')) ? 'watch' : 'list';
      const one = singleName(query.get('fieldSelector'));
      if (one) info.selectedName = one;
    } else if (info.verb === 'delete') info.verb = 'deletecollection';
  } else if (info.verb === 'get' && (watchPrefix || isTrue(query.get('watch')))) {
    info.verb = 'watch';
  }
  return info;
}

/** `x` of a field selector that is exactly `metadata.name=x` (or `==`). */
function singleName(selector: string | null): string | undefined {
  const m = selector ? /^metadata\.name==?([^,=!]+)$/.exec(selector.trim()) : null;
  return m?.[1];
}

/** The path's segments, percent-decoded as Go's url.PathUnescape does; or its error text for a malformed escape. */
function decodeSegments(pathname: string): string[] | string {
  const out: string[] = [];
  for (const p of pathname.split('/')) {
    if (p === '') continue;
    if (!p.includes('%')) {
      out.push(p);
      continue;
    }
    const bad = /%(?![0-9a-fA-F]{2})/.exec(p);
    if (bad) return `invalid URL escape ${JSON.stringify(p.slice(bad.index, bad.index + 3))}`;
    // bytes, not decodeURIComponent: an escape that is not UTF-8 (%FF) is a strange name, not an error
    out.push(Buffer.from(p.replace(/%([0-9a-fA-F]{2})|[^%]+/g, (m, hex: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : Buffer.from(m, 'utf8').toString('latin1'))), 'latin1').toString('utf8'));
  }
  return out;
}

/** A boolean query value as Kubernetes reads it (`?watch=True` from the Python client, `?watch` from curl). */
export function isTrue(v: string | null | undefined): boolean {
  return parseBool(v) ?? false;
}
