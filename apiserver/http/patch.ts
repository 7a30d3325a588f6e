// Applies the three patch types Kubernetes accepts to a current object. Strategic merge patches find their merge
// keys and strategies in the kind's schema, the same document kubectl reads from /openapi/v3.
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { PatchError, jsonPatch, mergePatch, strategicMergePatch, type SchemaNode } from '../../lib/api/patch/index.js';
import { components, schemaNameFor } from '../../lib/api/schema/index.js';
import { ApiError, errors } from '../errors.js';
import type { PatchType } from './negotiate.js';

const REF_PREFIX = '#/components/schemas/';

function resolve(ref: string): SchemaNode | undefined {
  const all = components() as Record<string, SchemaNode>;
  return ref.startsWith(REF_PREFIX) ? all[ref.slice(REF_PREFIX.length)] : undefined;
}

/** Schema of the kind (or of a named type such as the autoscaling/v1 Scale). */
export function schemaOf(name: string): SchemaNode | undefined {
  return resolve(REF_PREFIX + name);
}

export function applyPatch(kind: KindInfo | undefined, schemaName: string | undefined, type: PatchType, current: unknown, patch: unknown): KubeObject {
  try {
    switch (type) {
      case 'json':
        if (!Array.isArray(patch)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
        return jsonPatch(current, patch) as KubeObject;
      case 'merge':
        if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw errors.badRequest('the patch must be a JSON object');
        return mergePatch(current, patch) as KubeObject;
      case 'strategic': {
        if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw errors.badRequest('the patch must be a JSON object');
        const name = schemaName ?? (kind ? schemaNameFor(kind) : undefined);
        return strategicMergePatch(current, patch, name ? schemaOf(name) : undefined, resolve) as KubeObject;
      }
      case 'apply':
        throw new ApiError(415, 'UnsupportedMediaType', 'server-side apply (application/apply-patch+yaml) is not supported by Flotilla yet; use client-side kubectl apply');
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (e instanceof PatchError) {
      throw e.code === 422 ? new ApiError(422, 'Invalid', e.message, { causes: [{ message: e.message }] }) : errors.badRequest(e.message);
    }
    throw errors.badRequest((e as Error).message);
  }
}
