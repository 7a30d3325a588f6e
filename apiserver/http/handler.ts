// The request path: log and measure -> authenticate -> authorize -> route (discovery, OpenAPI, health, metrics,
// resources). Whatever fails becomes a Status object; nothing a client sends can take the server down.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import type { RequestGate } from '../auth/gate.js';
import { errors, toApiError } from '../errors.js';
import { openapiV3Document, openapiV3Root, openapiV3RootEtag } from '../openapi/index.js';
import { serveOpenapiV2 } from '../openapi/serve-v2.js';
import { servedSwaggerOffThread, servedV3Documents } from '../openapi/v2.js';
import type { KindRegistry } from '../registry/registry.js';
import type { Store } from '../registry/store.js';
import { bodyReader } from './body.js';
import { METRICS_GROUP, METRICS_VERSION, type ResourceMetrics } from '../metrics/resource-metrics.js';
import { metricsApiGroup, metricsDiscoveryItem, metricsResourceList, serveMetrics } from '../metrics/api.js';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { countRequest, observeLatency, registry } from './metrics.js';
import { negotiate, wantsAggregatedDiscovery } from './negotiate.js';
import { requestInfo, requestPath, requestTarget, type RequestInfo } from './request-info.js';
import { handleResource, type ResourceRequest } from './resources.js';
import { sendError, sendJson, type Reply } from './respond.js';

const log = logger('apiserver');

export interface HandlerDeps {
  /** The served kinds (discovery, OpenAPI) and their stores. */
  kinds: KindRegistry;
  stores: Map<KindInfo, Store>;
  /** Authentication, audit, impersonation, in-flight limits, authorization and the request timeout. */
  gate: RequestGate;
  serverAddress: string;
  version: Record<string, string>;
  bookmarkIntervalMs: number;
  /** --min-request-timeout: a watch without timeoutSeconds ends after this many seconds times 1 to 2 (default 1800). */
  minRequestTimeoutSeconds?: number;
  /** Health checks for /readyz and /livez: name -> check. */
  healthChecks: Record<string, () => Promise<void>>;
  /** metrics.k8s.io, served built in (absent: the group is not served). */
  metrics?: MetricsApi;
  /** Fixed documents by GET path (the service account issuer's /.well-known/openid-configuration and /openid/v1/jwks). */
  documents?: Record<string, { contentType: string; body: string }>;
}

/** metrics.k8s.io's data: the node agents' usage and the pods (for their labels). */
export interface MetricsApi {
  usage: ResourceMetrics;
  pods(namespace: string | undefined): Promise<KubeObject[]>;
}

export function createHandler(deps: HandlerDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void handle(deps, req, res);
  };
}

async function handle(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = process.hrtime.bigint();
  let info: RequestInfo | undefined;
  try {
    const url = requestTarget(req.url);
    if (!url) throw errors.badRequest(`invalid request target ${JSON.stringify(req.url)}`);
    const path = requestPath(req.url, url);
    info = requestInfo(req.method ?? 'GET', path, url.searchParams);
    if (info.invalidPath) throw errors.badRequest(info.invalidPath);
    const admitted = await deps.gate.admit(req, res, info, url.searchParams);
    if (info.isResourceRequest && info.group === METRICS_GROUP && deps.metrics) {
      if (info.version !== METRICS_VERSION) throw errors.resourceNotFound();
      await serveMetrics({ ...info, query: url.searchParams }, deps.metrics.usage, deps.metrics.pods, res, req.headers.accept);
    } else if (info.isResourceRequest) {
      const ir = url.searchParams.get('includeObject');
      const includeObject = ir === 'Object' || ir === 'None' ? ir : 'Metadata';
      const reply: Reply = { res, out: negotiate(req.headers.accept), warnings: [], includeObject };
      const r: ResourceRequest = { req, info, query: url.searchParams, body: admitted.body(bodyReader(req)), reply, stores: deps.stores,
        bookmarkIntervalMs: deps.bookmarkIntervalMs, minRequestTimeoutSeconds: deps.minRequestTimeoutSeconds, access: deps.gate.access(admitted.user) };
      await handleResource(r);
    } else {
      await handleNonResource(deps, req, res, url, path);
    }
  } catch (e) {
    const err = toApiError(e);
    if (err.code >= 500) log.error('request failed', { method: req.method, path: req.url, error: err.message, stack: (e as Error).stack });
    if (!res.headersSent) sendError(res, err);
    else res.end();
  } finally {
    const labels = metricLabels(deps.kinds, info, req.method);
    res.once('finish', () => countRequest(labels, res.statusCode));
    if (info?.verb !== 'watch') observeLatency(labels, Number(process.hrtime.bigint() - started) / 1e9);
  }
}

/**
 * Metric labels name only what the server serves: a request for `/api/v1/<anything>` would otherwise add a new
 * series per made-up resource, and a client could grow the metrics without bound.
 */
function metricLabels(kinds: KindRegistry, info: RequestInfo | undefined, method: string | undefined) {
  const def = info?.isResourceRequest ? kinds.find(info.group, info.version, info.resource) : undefined;
  const kind = def?.info;
  const sub = def && info?.subresource && Object.hasOwn(def.subresources, info.subresource) ? info.subresource : '';
  const verb = info && kind ? info.verb : (method ?? '');
  return { verb: verb.toUpperCase(), group: kind?.group ?? '', resource: kind?.resource ?? '', subresource: sub };
}

async function handleNonResource(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, url: URL, rawPath: string): Promise<void> {
  const path = rawPath.replace(/\/+$/, '') || '/';
  // no path served here has a dot segment: one that the URL parser would resolve names nothing
  if (rawPath !== url.pathname) throw errors.resourceNotFound();
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (isKnownPath(path)) throw errors.methodNotAllowed();
    throw errors.resourceNotFound();
  }
  if (path === '/dashboard' || path.startsWith('/dashboard/')) return (await import('./dashboard.js')).serveDashboard(req, res, url);
  const parts = path.split('/').filter(Boolean);
  const accept = req.headers.accept;
  if (path === '/version') return sendJson(res, 200, deps.version);
  const doc = deps.documents && Object.hasOwn(deps.documents, path) ? deps.documents[path] : undefined;
  if (doc) {
    res.writeHead(200, { 'Content-Type': doc.contentType, 'Cache-Control': 'public, max-age=3600' });
    res.end(req.method === 'HEAD' ? undefined : doc.body);
    return;
  }
  if (path === '/api') {
    const agg = wantsAggregatedDiscovery(accept);
    if (agg) return sendDiscovery(res, aggregatedDiscovery(deps.kinds, true, agg), agg);
    return sendJson(res, 200, apiVersions(deps.serverAddress));
  }
  if (path === '/apis') {
    const agg = wantsAggregatedDiscovery(accept);
    if (agg) return sendDiscovery(res, withMetricsGroup(deps, aggregatedDiscovery(deps.kinds, false, agg), 'items', metricsDiscoveryItem), agg);
    return sendJson(res, 200, withMetricsGroup(deps, apiGroupList(deps.kinds), 'groups', metricsApiGroup));
  }
  if (parts[0] === 'api' && parts.length === 2) {
    const list = apiResourceList(deps.kinds, '', parts[1] as string);
    if (list) return sendJson(res, 200, list);
  }
  if (deps.metrics && parts[0] === 'apis' && parts[1] === METRICS_GROUP) {
    if (parts.length === 2) return sendJson(res, 200, metricsApiGroup());
    if (parts.length === 3 && parts[2] === METRICS_VERSION) return sendJson(res, 200, metricsResourceList());
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const g = apiGroup(deps.kinds, parts[1] as string);
    if (g) return sendJson(res, 200, g);
  }
  if (parts[0] === 'apis' && parts.length === 3) {
    const list = apiResourceList(deps.kinds, parts[1] as string, parts[2] as string);
    if (list) return sendJson(res, 200, list);
  }
  if (path === '/healthz' || path === '/livez' || path === '/readyz' || /^\/(healthz|livez|readyz)\//.test(path)) return health(deps, res, url);
  if (path === '/metrics') {
    res.setHeader('Content-Type', registry.contentType);
    res.end(await registry.metrics());
    return;
  }
  if (path === '/openapi/v2') return serveOpenapiV2(req, res, await servedSwaggerOffThread(servedV3Documents(deps.kinds)));
  if (path === '/openapi/v3') {
    res.setHeader('ETag', openapiV3RootEtag(deps.kinds));
    return sendJson(res, 200, openapiV3Root(deps.kinds));
  }
  if (path.startsWith('/openapi/v3/')) {
    const gv = path.slice('/openapi/v3/'.length);
    const doc = openapiV3Document(deps.kinds, gv);
    if (doc) return sendOpenApiDocument(req, res, url, gv, doc);
  }
  if (path === '/') return sendJson(res, 200, { paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] });
  throw errors.resourceNotFound();
}

/** A discovery document with metrics.k8s.io added to its list of groups, when the server serves it. */
function withMetricsGroup(deps: HandlerDeps, doc: object, field: 'items' | 'groups', entry: () => object): object {
  if (!deps.metrics) return doc;
  const list = (doc as Record<string, unknown>)[field] as object[];
  return { ...doc, [field]: [...list, entry()] };
}

/** An OpenAPI v3 document: immutable under its content hash, revalidated by ETag otherwise. */
function sendOpenApiDocument(req: IncomingMessage, res: ServerResponse, url: URL, gv: string, doc: { body: string; hash: string; etag: string }): void {
  const hash = url.searchParams.get('hash');
  if (hash && hash !== doc.hash) {
    res.statusCode = 301;
    res.setHeader('Location', `/openapi/v3/${gv}?hash=${doc.hash}`);
    res.end();
    return;
  }
  res.setHeader('ETag', doc.etag);
  res.setHeader('Vary', 'Accept');
  res.setHeader('Content-Type', 'application/json');
  if (hash) {
    res.setHeader('Cache-Control', 'public, immutable');
    res.setHeader('Expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString());
  } else res.setHeader('Cache-Control', 'no-cache, private');
  if (req.headers['if-none-match'] === doc.etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.end(doc.body);
}

function isKnownPath(path: string): boolean {
  return ['/version', '/api', '/apis', '/healthz', '/livez', '/readyz', '/metrics', '/openapi/v2', '/openapi/v3'].includes(path) || path.startsWith('/api/') || path.startsWith('/apis/');
}

function sendDiscovery(res: ServerResponse, body: object, version: string): void {
  res.setHeader('Vary', 'Accept');
  sendJson(res, 200, body, 'json', `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`);
}

async function health(deps: HandlerDeps, res: ServerResponse, url: URL): Promise<void> {
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of Object.entries(deps.healthChecks)) {
    try {
      await check();
      lines.push(`[+]${name} ok`);
    } catch (e) {
      ok = false;
      lines.push(`[-]${name} failed: ${(e as Error).message}`);
    }
  }
  res.statusCode = ok ? 200 : 500;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  if (url.searchParams.has('verbose') || !ok) res.end(lines.join('\n') + `\n${url.pathname.slice(1)} check ${ok ? 'passed' : 'failed'}\n`);
  else res.end('ok');
}
