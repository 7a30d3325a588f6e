// REST verbs on resources: get, list, watch, create, update, patch, delete, deletecollection; subresources are served
// by what the kind's definition says they do. Each request is decoded here and handed to the kind's generic store.
import { apiVersionOf } from '../../lib/api/kinds.js';
import { parseBool } from '../../lib/api/query.js';
import type { KubeObject } from '../../lib/api/types.js';
import { errors } from '../errors.js';
import { verbsOf, type KindDefinition, type SubresourceCall } from '../registry/kind.js';
import { checkPatchType } from '../apiextensions/patch-types.js';
import type { Store } from '../registry/store.js';
import type { DeleteOptions, WriteContext } from '../registry/types.js';
import { decodeBody } from './negotiate.js';
import { applyPatch, checkName } from './patch.js';
import { applyConfig, checkConfig } from '../apply/apply.js';
import { fieldManagerOf, forceOf } from './field-manager.js';
import { listOptions, objectBody, patchBody, servedKind, writeContext, type ResourceRequest } from './request.js';
import type { RequestInfo } from './request-info.js';
import { validateListOptions } from './list-validation.js';
import { sendJson, sendList, sendObject } from './respond.js';
import { serveWatch } from './watch.js';

export type { ResourceRequest } from './request.js';

export async function handleResource(r: ResourceRequest): Promise<void> {
  const { info, query } = r;
  const store = servedKind(r.stores, info);
  if (!store) throw errors.resourceNotFound();
  const { def } = store;
  const kind = def.info;
  if (info.namespace !== undefined && !kind.namespaced) throw errors.resourceNotFound();
  if (kind.namespaced && info.name && !info.namespace) throw errors.resourceNotFound();
  if (info.subresource && !Object.hasOwn(def.subresources, info.subresource)) throw errors.resourceNotFound();
  const ns = kind.namespaced ? info.namespace : undefined;
  const ctx = writeContext(query, ns, r.reply.warnings);
  if (r.access) ctx.access = r.access;
  if (info.subresource) ctx.subresource = info.subresource;
  const method = r.req.method ?? 'GET';

  if (info.subresource) {
    if (TRACKED_SUBRESOURCES.has(info.subresource) && (method === 'PUT' || method === 'PATCH')) {
      ctx.fieldManager = fieldManagerOf(r.req, query, method === 'PUT' ? 'UpdateOptions' : 'PatchOptions', apiVersionOf(kind), undefined, info.subresource);
    }
    return def.subresources[info.subresource]?.serve(subresourceCall(r, store, ctx, method));
  }
  // The verb must fit the URL, as Kubernetes routes them: POST creates in a collection, PUT and PATCH change one
  // object. A PUT on `/configmaps` used to update an object named "undefined", a POST on `/configmaps/x` created
  // whatever the body named; both are 405 and write nothing.
  if (!allowedOn(def, info)) throw errors.methodNotAllowed();

  switch (info.verb) {
    case 'get':
      return sendObject(r.reply, 200, def, await store.get(ns, info.name as string, query.get('resourceVersion') ?? undefined));
    case 'list': {
      validateListOptions(query, false);
      const res = await store.list(ns, listOptions(def, query));
      const metadata: Record<string, unknown> = { resourceVersion: res.resourceVersion };
      if (res.continue) metadata.continue = res.continue;
      if (res.remainingItemCount !== undefined) metadata.remainingItemCount = res.remainingItemCount;
      return sendList(r.reply, def, { apiVersion: apiVersionOf(kind), kind: `${kind.kind}List`, metadata, items: res.items });
    }
    case 'watch':
      return serveWatch(r, def, store, ns, r.sink);
    case 'create': {
      ctx.fieldManager = fieldManagerOf(r.req, query, 'CreateOptions', apiVersionOf(kind));
      const obj = await objectBody(r, ctx);
      if (def.createOnly) return sendObject(r.reply, 201, def, await store.createOnly(ctx, obj));
      ctx.inputOwned = true; // the body was decoded for this request and is not read again here
      const created = await store.create(ctx, obj);
      return sendObject(r.reply, 201, def, created);
    }
    case 'update': {
      ctx.fieldManager = fieldManagerOf(r.req, query, 'UpdateOptions', apiVersionOf(kind));
      const obj = await objectBody(r, ctx);
      checkName(obj, info.name as string);
      const { obj: out, created } = await store.update(ctx, info.name as string, () => obj, undefined, true);
      return sendObject(r.reply, created ? 201 : 200, def, out);
    }
    case 'patch': {
      const { type, patch } = await patchBody(r, ctx);
      checkPatchType(def, type);
      const name = info.name as string;
      ctx.fieldManager = fieldManagerOf(r.req, query, 'PatchOptions', apiVersionOf(kind), type);
      if (type === 'apply') {
        // server-side apply: creates the object when it is missing, as Kubernetes does
        checkConfig(patch);
        const req = { def, manager: ctx.fieldManager.manager, apiVersion: apiVersionOf(kind), force: forceOf(query), config: patch };
        const { obj: out, created } = await store.update(ctx, name, (cur) => named(applyConfig(cur, req), name), undefined, 'apply');
        return sendObject(r.reply, created ? 201 : 200, def, out);
      }
      const { obj: out } = await store.update(ctx, name, (cur) => named(applyPatch(kind, undefined, type, cur, patch), name));
      return sendObject(r.reply, 200, def, out);
    }
    case 'delete': {
      const opts = await deleteOptions(r);
      if (opts.dryRun?.length) ctx.dryRun = true;
      const { obj, deleted } = await store.delete(ctx, info.name as string, opts);
      return sendObject(r.reply, deleted ? 200 : 202, def, obj);
    }
    case 'deletecollection': {
      validateListOptions(query, false);
      const opts = await deleteOptions(r);
      if (opts.dryRun?.length) ctx.dryRun = true;
      const items = await store.deleteCollection(ctx, ns, listOptions(def, query), opts);
      return sendList(r.reply, def, { apiVersion: apiVersionOf(kind), kind: `${kind.kind}List`, metadata: {}, items });
    }
    default:
      throw errors.methodNotAllowed();
  }
}

/** Subresources whose writes are recorded in managedFields with their name, as Kubernetes records them. */
const TRACKED_SUBRESOURCES = new Set(['status', 'scale', 'ephemeralcontainers', 'resize']);

const ITEM_VERBS = new Set(['get', 'watch', 'update', 'patch', 'delete']);
const COLLECTION_VERBS = new Set(['list', 'watch', 'create', 'deletecollection']);

function allowedOn(def: KindDefinition, info: RequestInfo): boolean {
  if (!verbsOf(def).includes(info.verb)) return false;
  return info.name ? ITEM_VERBS.has(info.verb) : COLLECTION_VERBS.has(info.verb);
}

/** What a subresource gets to serve the request with (see SubresourceDefinition). */
function subresourceCall(r: ResourceRequest, store: Store, ctx: WriteContext, method: string): SubresourceCall {
  const { def } = store;
  return {
    def,
    store,
    ctx,
    method,
    name: r.info.name as string,
    query: r.query,
    stores: r.stores,
    res: r.reply.res,
    body: (strict = false) => objectBody(r, strict ? ctx : undefined),
    async patch(opts = {}) {
      const { type, patch } = await patchBody(r, opts.strict ? ctx : undefined);
      if (!opts.schema) checkPatchType(def, type);
      if (type === 'apply') {
        const sub = r.info.subresource;
        // an apply of another kind's view (autoscaling/v1 Scale) would need that kind's field sets mapped onto ours
        if (opts.schema || sub !== 'status') throw errors.unsupportedMediaType(`application/apply-patch+yaml on the ${String(sub)} subresource`);
        ctx.fieldManager = fieldManagerOf(r.req, r.query, 'PatchOptions', apiVersionOf(def.info), type, sub);
        checkConfig(patch);
        const req = { def, manager: ctx.fieldManager.manager, apiVersion: apiVersionOf(def.info), subresource: sub, force: forceOf(r.query), config: patch };
        return (cur) => applyConfig(cur, req);
      }
      return (cur) => applyPatch(opts.schema ? undefined : def.info, opts.schema, type, cur, patch);
    },
    sendObject: (code, obj) => sendObject(r.reply, code, def, obj),
    sendJson: (code, body) => sendJson(r.reply.res, code, body, r.reply.out.format),
  };
}

/** A patched object, once checked to still carry the URL's name. */
function named(obj: KubeObject, name: string): KubeObject {
  checkName(obj, name);
  return obj;
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
