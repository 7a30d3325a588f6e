// REST verbs on resources: get, list, watch, create, update, patch, delete, deletecollection, and the subresources
// status, scale, binding and finalize. Each request is decoded here and handed to the kind's generic store.
import type { IncomingMessage } from 'node:http';
import type { KindInfo } from '../../lib/api/kinds.js';
import { proxyLogs } from './node-proxy.js';
import { apiVersionOf, findByResource } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { labelSelectorToString, labelSelectorFromObject } from '../../lib/api/selectors/index.js';
import { parseBool } from '../../lib/api/query.js';
import { errors } from '../errors.js';
import { scaleDecodeErrorMessage } from '../validation/index.js';
import type { DeleteOptions, FieldValidation, Store, WriteContext } from '../registry/store.js';
import { buildFilter } from '../registry/list-options.js';
import { nowTime } from '../registry/meta.js';
import { PATCH_TYPES, parseMediaTypes, decodeBody, decodeRequestBody, type DecodedBody, type PatchType } from './negotiate.js';
import { renderPath } from './json-scan.js';
import { getOwn } from '../../lib/api/own.js';
import type { DecodeFindings } from '../registry/strict-decoding.js';
import { applyPatch, checkName } from './patch.js';
import { sendJson, sendList, sendObject, type Reply } from './respond.js';
import type { RequestInfo } from './request-info.js';
import { verbsOf } from './discovery.js';
import { validateListOptions } from './list-validation.js';
import { serveWatch } from './watch.js';

export interface ResourceRequest {
  req: IncomingMessage;
  info: RequestInfo;
  query: URLSearchParams;
  body: () => Promise<Buffer>;
  reply: Reply;
  stores: Map<KindInfo, Store>;
  bookmarkIntervalMs: number;
  /** Set for WebSocket watches; chunked HTTP otherwise. */
  sink?: import('./watch.js').WatchSink;
}

export async function handleResource(r: ResourceRequest): Promise<void> {
  const { info, query } = r;
  const kind = findByResource(info.group, info.version, info.resource);
  if (!kind) throw errors.resourceNotFound();
  const store = r.stores.get(kind);
  if (!store) throw errors.resourceNotFound();
  if (info.namespace !== undefined && !kind.namespaced) throw errors.resourceNotFound();
  if (kind.namespaced && info.name && !info.namespace) throw errors.resourceNotFound();
  if (info.subresource && !kind.subresources.includes(info.subresource)) throw errors.resourceNotFound();
  const ns = kind.namespaced ? info.namespace : undefined;
  const ctx = writeContext(query, ns, r.reply.warnings);
  const method = r.req.method ?? 'GET';

  if (info.subresource) return handleSubresource(r, kind, store, ctx, method);
  // The verb must fit the URL, as Kubernetes routes them: POST creates in a collection, PUT and PATCH change one
  // object. A PUT on `/configmaps` used to update an object named "undefined", a POST on `/configmaps/x` created
  // whatever the body named; both are 405 and write nothing.
  if (!allowedOn(kind, info)) throw errors.methodNotAllowed();

  switch (info.verb) {
    case 'get':
      return sendObject(r.reply, 200, kind, await store.get(ns, info.name as string, query.get('resourceVersion') ?? undefined));
    case 'list': {
      validateListOptions(query, false);
      const res = await store.list(ns, listOptions(kind, query));
      const metadata: Record<string, unknown> = { resourceVersion: res.resourceVersion };
      if (res.continue) metadata.continue = res.continue;
      if (res.remainingItemCount !== undefined) metadata.remainingItemCount = res.remainingItemCount;
      return sendList(r.reply, kind, { apiVersion: apiVersionOf(kind), kind: `${kind.kind}List`, metadata, items: res.items });
    }
    case 'watch':
      return serveWatch(r, kind, store, ns, r.sink);
    case 'create': {
      const obj = await objectBody(r, ctx);
      const created = await store.create(ctx, obj);
      return sendObject(r.reply, 201, kind, created);
    }
    case 'update': {
      const obj = await objectBody(r, ctx);
      checkName(obj, info.name as string);
      const { obj: out, created } = await store.update(ctx, info.name as string, () => obj, undefined, true);
      return sendObject(r.reply, created ? 201 : 200, kind, out);
    }
    case 'patch': {
      const { type, patch } = await patchBody(r, ctx);
      const name = info.name as string;
      const { obj: out } = await store.update(ctx, name, (cur) => named(applyPatch(kind, undefined, type, cur, patch), name), undefined);
      return sendObject(r.reply, 200, kind, out);
    }
    case 'delete': {
      const opts = await deleteOptions(r);
      if (opts.dryRun?.length) ctx.dryRun = true;
      const { obj, deleted } = await store.delete(ctx, info.name as string, opts);
      return sendObject(r.reply, deleted ? 200 : 202, kind, obj);
    }
    case 'deletecollection': {
      validateListOptions(query, false);
      const opts = await deleteOptions(r);
      if (opts.dryRun?.length) ctx.dryRun = true;
      const items = await store.deleteCollection(ctx, ns, listOptions(kind, query), opts);
      return sendList(r.reply, kind, { apiVersion: apiVersionOf(kind), kind: `${kind.kind}List`, metadata: {}, items });
    }
    default:
      throw errors.methodNotAllowed();
  }
}

const ITEM_VERBS = new Set(['get', 'watch', 'update', 'patch', 'delete']);
const COLLECTION_VERBS = new Set(['list', 'watch', 'create', 'deletecollection']);

function allowedOn(kind: KindInfo, info: RequestInfo): boolean {
  if (!verbsOf(kind).includes(info.verb)) return false;
  return info.name ? ITEM_VERBS.has(info.verb) : COLLECTION_VERBS.has(info.verb);
}

async function handleSubresource(r: ResourceRequest, kind: KindInfo, store: Store, ctx: WriteContext, method: string): Promise<void> {
  const { info } = r;
  const name = info.name as string;
  const sub = info.subresource as string;
  if (sub === 'status') {
    if (method === 'GET') return sendObject(r.reply, 200, kind, await store.get(ctx.namespace, name));
    if (method === 'PUT') {
      const obj = await objectBody(r, ctx);
      checkName(obj, name);
      return sendObject(r.reply, 200, kind, (await store.update(ctx, name, () => obj, 'status')).obj);
    }
    if (method === 'PATCH') {
      const { type, patch } = await patchBody(r, ctx);
      return sendObject(r.reply, 200, kind, (await store.update(ctx, name, (cur) => named(applyPatch(kind, undefined, type, cur, patch), name), 'status')).obj);
    }
    throw errors.methodNotAllowed();
  }
  if (sub === 'scale') return handleScale(r, store, ctx, method);
  if (sub === 'binding') {
    if (method !== 'POST') throw errors.methodNotAllowed();
    const binding = await objectBody(r);
    const target = (binding as { target?: { name?: string; kind?: string } }).target;
    if (!target?.name) throw errors.invalid({ group: '', kind: 'Binding' }, name, `Binding "${name}" is invalid: target.name: Required value`, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
    await store.update(ctx, name, (cur) => {
      if (cur.metadata.deletionTimestamp) throw errors.conflict({ group: '', resource: 'pods/binding' }, name, 'pod is being deleted, cannot be assigned to a host');
      if (cur.spec?.nodeName) throw errors.conflict({ group: '', resource: 'pods/binding' }, name, `pod ${name} is already assigned to node "${String(cur.spec.nodeName)}"`);
      const bound: KubeObject = { ...cur, spec: { ...cur.spec, nodeName: target.name } };
      const conditions = ((cur.status?.conditions ?? []) as Array<{ type: string }>).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTime() } as { type: string });
      bound.status = { ...cur.status, conditions };
      return bound;
    }, 'binding');
    return sendJson(r.reply.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }
  if (sub === 'log') {
    if (method !== 'GET') throw errors.methodNotAllowed();
    const abort = new AbortController();
    r.reply.res.on('close', () => abort.abort());
    return proxyLogs(r.stores, ctx.namespace as string, name, r.query, r.reply.res, abort.signal);
  }
  // exec arrives as a WebSocket upgrade (server.ts); a plain request can't carry the streams
  if (sub === 'exec') throw errors.badRequest('Upgrade request required');
  if (sub === 'finalize') {
    if (method !== 'PUT') throw errors.methodNotAllowed();
    const obj = await objectBody(r);
    const out = await store.update(ctx, name, (cur) => ({ ...cur, spec: { ...cur.spec, finalizers: obj.spec?.finalizers ?? [] } }), 'finalize');
    return sendObject(r.reply, 200, kind, out.obj);
  }
  throw errors.resourceNotFound();
}

/** A patched object, once checked to still carry the URL's name. */
function named(obj: KubeObject, name: string): KubeObject {
  checkName(obj, name);
  return obj;
}

/** The autoscaling/v1 Scale view of a Deployment or ReplicaSet. */
function toScale(obj: KubeObject): KubeObject {
  const m = obj.metadata;
  let selector = '';
  try {
    selector = obj.spec?.selector ? labelSelectorToString(labelSelectorFromObject(obj.spec.selector)) : '';
  } catch {
    selector = '';
  }
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector },
  };
}

async function handleScale(r: ResourceRequest, store: Store, ctx: WriteContext, method: string): Promise<void> {
  const name = r.info.name as string;
  const reply = (obj: KubeObject) => sendJson(r.reply.res, 200, toScale(obj), r.reply.out.format);
  if (method === 'GET') return reply(await store.get(ctx.namespace, name));
  let replicasOf: (cur: KubeObject) => { replicas: unknown; rv?: string };
  if (method === 'PUT') {
    const scale = await objectBody(r);
    replicasOf = () => ({ replicas: scale.spec?.replicas, rv: scale.metadata?.resourceVersion });
  } else if (method === 'PATCH') {
    const { type, patch } = await patchBody(r);
    replicasOf = (cur) => {
      const patched = applyPatch(undefined, 'io.k8s.api.autoscaling.v1.Scale', type, toScale(cur), patch);
      return { replicas: patched.spec?.replicas, rv: patched.metadata?.resourceVersion !== cur.metadata.resourceVersion ? patched.metadata?.resourceVersion : undefined };
    };
  } else throw errors.methodNotAllowed();
  const out = await store.update(ctx, name, (cur) => {
    const { replicas, rv } = replicasOf(cur);
    // replicas is an int32: a fraction or a larger number fails decoding (400), as in Kubernetes
    const undecodable = scaleDecodeErrorMessage({ spec: { replicas } });
    if (undecodable) throw errors.badRequest(undecodable);
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      const shown = JSON.stringify(replicas);
      throw errors.invalid({ group: 'autoscaling', kind: 'Scale' }, name, `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${shown}: must be greater than or equal to 0`, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${shown}: must be greater than or equal to 0` }]);
    }
    const next: KubeObject = { ...cur, spec: { ...cur.spec, replicas } };
    if (rv) next.metadata = { ...cur.metadata, resourceVersion: rv };
    return next;
  }, undefined);
  return reply(out.obj);
}

function writeContext(query: URLSearchParams, namespace: string | undefined, warnings: string[]): WriteContext {
  const dry = query.getAll('dryRun');
  if (dry.some((d) => d !== 'All')) throw errors.badRequest(`Invalid dry run value: ${dry.join(',')}: only "All" is supported`);
  const fv = query.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(fv)) throw errors.badRequest(`fieldValidation must be one of Strict, Warn, Ignore (got "${fv}")`);
  return { namespace, dryRun: dry.length > 0, fieldValidation: fv as FieldValidation, warnings };
}

export function listOptions(kind: KindInfo, q: URLSearchParams) {
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
    filter: buildFilter(kind, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined),
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: rvm,
    limit,
    continue: q.get('continue') || undefined,
  };
}

/** The request's object. Given the write's context, repeated keys in the body go to its fieldValidation. */
async function objectBody(r: ResourceRequest, ctx?: WriteContext): Promise<KubeObject> {
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

async function patchBody(r: ResourceRequest, ctx?: WriteContext): Promise<{ type: PatchType; patch: unknown }> {
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

async function deleteOptions(r: ResourceRequest): Promise<DeleteOptions> {
  const raw = await r.body();
  let opts: DeleteOptions = {};
  if (raw.length) {
    const v = decodeBody(r.req.headers['content-type'], raw);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw errors.badRequest('DeleteOptions must be an object');
    opts = v as DeleteOptions;
  }
  const q = r.query;
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null) opts.gracePeriodSeconds = Number(grace);
  const pp = q.get('propagationPolicy');
  if (pp !== null) opts.propagationPolicy = pp as DeleteOptions['propagationPolicy'];
  const od = q.get('orphanDependents');
  if (od !== null) opts.orphanDependents = parseBool(od);
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    throw errors.badRequest(`gracePeriodSeconds must be a non-negative integer (got ${String(opts.gracePeriodSeconds)})`);
  }
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw errors.invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`,
      [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"` }]);
  }
  if (opts.dryRun?.some((d) => d !== 'All')) throw errors.badRequest(`Invalid dry run value: ${opts.dryRun.join(',')}: only "All" is supported`);
  return opts;
}
