// A resource request as the handler hands it on (to the verbs in resources.ts, watches in watch.ts and the kinds'
// subresources), and the decoding every verb shares: the write context, list options, the object or patch in the body.
import type { UserInfo } from '../auth/index.js';
import type { IncomingMessage } from 'node:http';
import type { KindInfo } from '../../lib/api/kinds.js';
import type { AccessContext } from '../auth/rbac/escalation.js';
import { getOwn } from '../../lib/api/own.js';
import type { KubeObject } from '../../lib/api/types.js';
import { errors } from '../errors.js';
import type { KindDefinition } from '../registry/kind.js';
import { buildFilter } from '../registry/list-options.js';
import type { Store } from '../registry/store.js';
import type { DecodeFindings } from '../registry/strict-decoding.js';
import type { FieldValidation, ListOptions, WriteContext } from '../registry/types.js';
import { renderPath } from './json-scan.js';
import { PATCH_TYPES, decodeRequestBody, parseMediaTypes, type DecodedBody, type PatchType } from './negotiate.js';
import type { Reply } from './respond.js';
import type { RequestInfo } from './request-info.js';

/** Where watch events go: a chunked HTTP response or a WebSocket. */
export interface WatchSink {
  start(): void;
  /** Writes one encoded event; false when the client has fallen too far behind. */
  write(line: string): boolean;
  /** Resolves once the client has taken most of what was written (or is gone). */
  drained?(): Promise<void>;
  end(): void;
  onClose(cb: () => void): void;
}

export interface ResourceRequest {
  req: IncomingMessage;
  info: RequestInfo;
  query: URLSearchParams;
  body: () => Promise<Buffer>;
  reply: Reply;
  stores: Map<KindInfo, Store>;
  bookmarkIntervalMs: number;
  /** --min-request-timeout: a watch without timeoutSeconds ends after this many seconds times 1 to 2 (default 1800). */
  minRequestTimeoutSeconds?: number;
  /** Who the request acts as (create-only kinds such as SelfSubjectReview answer with it). */
  user?: UserInfo;
  /** Set for WebSocket watches; chunked HTTP otherwise. */
  sink?: WatchSink;
  /** Who asks and what they may do: writes check escalation with it, access reviews answer from it. */
  access?: AccessContext;
}

/** The served kind a request is for, with its store: found among the stores, which hold every served kind. */
export function servedKind(stores: Map<KindInfo, Store>, info: Pick<RequestInfo, 'group' | 'version' | 'resource'>): Store | undefined {
  for (const [k, s] of stores) if (k.resource === info.resource && k.group === info.group && k.version === info.version) return s;
  return undefined;
}

export function writeContext(query: URLSearchParams, namespace: string | undefined, warnings: string[]): WriteContext {
  const dry = query.getAll('dryRun');
  if (dry.some((d) => d !== 'All')) throw errors.badRequest(`Invalid dry run value: ${dry.join(',')}: only "All" is supported`);
  const fv = query.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(fv)) throw errors.badRequest(`fieldValidation must be one of Strict, Warn, Ignore (got "${fv}")`);
  return { namespace, dryRun: dry.length > 0, fieldValidation: fv as FieldValidation, warnings };
}

export function listOptions(def: KindDefinition, q: URLSearchParams): ListOptions {
  const limitRaw = q.get('limit');
  let limit: number | undefined;
  if (limitRaw !== null && limitRaw !== '') {
    limit = Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 0) throw errors.badRequest(`invalid limit "${limitRaw}": must be a non-negative integer`);
    if (limit === 0) limit = undefined;
  }
  // which values and combinations are allowed is checked first, by validateListOptions
  const rvm = q.get('resourceVersionMatch') || undefined;
  return {
    filter: buildFilter(def, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined),
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: rvm,
    limit,
    continue: q.get('continue') || undefined,
  };
}

/** The request's object. Given the write's context, repeated keys in the body go to its fieldValidation. */
export async function objectBody(r: ResourceRequest, ctx?: WriteContext): Promise<KubeObject> {
  const decoded = decodeRequestBody(r.req.headers['content-type'], await r.body(), wantsDuplicates(ctx));
  const v = decoded.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw errors.badRequest('the request body must be a single object, not a list or a scalar');
  if (ctx && decoded.format === 'yaml') {
    ctx.decoded = { source: 'object', yamlErrors: decoded.duplicates?.format === 'yaml' ? decoded.duplicates.messages : [] };
  } else if (ctx && decoded.duplicates?.format === 'json') {
    ctx.decoded = { source: 'object', duplicatePaths: decoded.duplicates.paths.map(renderPath) };
  }
  return v as KubeObject;
}

export async function patchBody(r: ResourceRequest, ctx?: WriteContext): Promise<{ type: PatchType; patch: unknown }> {
  const ct = parseMediaTypes(r.req.headers['content-type'])[0]?.type ?? '';
  const type = getOwn(PATCH_TYPES as Record<string, PatchType>, ct);
  if (!type) {
    throw Object.assign(errors.unsupportedMediaType(ct || 'none'), {
      message: `the server does not support patch type "${ct}"; use application/json-patch+json, application/merge-patch+json or application/strategic-merge-patch+json`,
    });
  }
  const decoded = decodeRequestBody(ct, await r.body(), wantsDuplicates(ctx));
  if (ctx && wantsDuplicates(ctx)) ctx.decoded = patchFindings(type, decoded);
  return { type, patch: decoded.value };
}

const wantsDuplicates = (ctx: WriteContext | undefined): boolean => !!ctx && ctx.fieldValidation !== 'Ignore';

const JSON_PATCH_FIELDS = new Set(['op', 'path', 'from', 'value']);

/**
 * A patch's own strict findings. Merge and strategic patches report repeated keys by path; a JSON patch, as
 * Kubernetes decodes it into operations, reports repeated and unknown fields of the operations only
 * (`json patch duplicate field "[1].path"`, `json patch unknown field "[0].foo"`).
 */
function patchFindings(type: PatchType, decoded: DecodedBody): DecodeFindings {
  const paths = decoded.duplicates?.format === 'json' ? decoded.duplicates.paths : [];
  if (type !== 'json') return { source: 'patch', duplicatePaths: paths.map(renderPath) };
  const found: Array<[number, string]> = [];
  const ops = Array.isArray(decoded.value) ? decoded.value : [];
  ops.forEach((op, i) => {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) return;
    for (const k of Object.keys(op)) if (!JSON_PATCH_FIELDS.has(k)) found.push([i, `json patch unknown field "${renderPath([i, k])}"`]);
  });
  for (const p of paths) if (p.length === 2 && typeof p[0] === 'number') found.push([p[0], `json patch duplicate field "${renderPath(p)}"`]);
  // operation by operation, as the decoder meets them
  return { source: 'patch', patchErrors: found.sort((a, b) => a[0] - b[0]).map(([, m]) => m) };
}

