// The checks every write makes of the object's identity before anything else: type meta and namespace, with
// Kubernetes' messages (400 Bad Request).
import { apiVersionOf, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { errors } from '../errors.js';
import type { WriteContext } from './types.js';

/** A written object's apiVersion and kind are this kind's (filled in when left out); its metadata is an object. */
export function checkTypeMeta(kind: KindInfo, obj: KubeObject): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw errors.badRequest('the request body must be a JSON or YAML object');
  const want = apiVersionOf(kind);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw errors.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== undefined && obj.kind !== kind.kind) {
    throw errors.badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${kind.kind})`);
  }
  if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))) {
    throw errors.badRequest('metadata must be an object');
  }
  obj.metadata ??= {};
  obj.apiVersion = want;
  obj.kind = kind.kind;
}

/** A namespaced object's namespace is the request's (filled in when left out); a cluster-scoped one has none. */
export function checkNamespace(kind: KindInfo, ctx: WriteContext, obj: KubeObject): void {
  if (!kind.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const ns = obj.metadata.namespace;
  if (ns && ctx.namespace && ns !== ctx.namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = ctx.namespace ?? ns;
  if (!obj.metadata.namespace) throw errors.badRequest('the namespace of the object must be set');
}
