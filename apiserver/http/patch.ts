// Applies the three patch types Kubernetes accepts to a current object. Strategic merge patches find their merge
// keys and strategies in the kind's schema, the same document kubectl reads from /openapi/v3. A patched object must
// still carry the name on the URL (Kubernetes' checkName), and a strategic merge patch may not hold a `$patch`
// directive for the whole object: `{"$patch":"delete"}` would otherwise empty it with 200 OK.
import type { KindInfo } from '../../lib/api/kinds.js';
import { getOwn, hasOwn } from '../../lib/api/own.js';
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
        if (hasOwn(patch, DIRECTIVE)) throw topLevelDirective(getOwn(patch as Record<string, unknown>, DIRECTIVE), kind);
        const name = schemaName ?? (kind ? schemaNameFor(kind) : undefined);
        return strategicMergePatch(current, patch, name ? schemaOf(name) : undefined, resolve) as KubeObject;
      }
      case 'apply':
        // applies need the write's field manager and the live managedFields: resources.ts runs them (apply/apply.ts)
        throw new ApiError(415, 'UnsupportedMediaType', 'application/apply-patch+yaml is not supported here');
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (e instanceof PatchError) {
      if (e.code === 422) throw new ApiError(422, 'Invalid', e.message, { causes: [{ message: e.message }] });
      if (e.code === 413) throw new ApiError(413, 'RequestEntityTooLarge', e.message);
      // What Kubernetes answers with 500 here (an unknown $patch value, a missing merge key) is bad input: 400.
      throw errors.badRequest(e.message);
    }
    throw errors.badRequest((e as Error).message);
  }
}

const DIRECTIVE = '$patch';

/**
 * A `$patch` directive applies to the map holding it; at the top level that map is the whole object, which
 * `delete` would empty and `replace` would swap for the patch (Kubernetes then fails on the missing name, or
 * silently replaces the object). Flotilla refuses every top-level directive, whatever its value.
 */
function topLevelDirective(value: unknown, kind: KindInfo | undefined): ApiError {
  const what = kind ? `the whole ${kind.kind}` : 'the whole object';
  return errors.badRequest(`the strategic merge patch directive "$patch: ${String(value)}" is not allowed at the top level of the patch, where it would apply to ${what}; use PUT to replace an object and DELETE to delete it`);
}

/**
 * Kubernetes' checkName: the object a write produces must carry the name on the URL. A patch that removed
 * metadata (or the name) or renamed the object is refused with Kubernetes' wording.
 */
export function checkName(obj: unknown, name: string): void {
  const meta = typeof obj === 'object' && obj !== null && !Array.isArray(obj) ? getOwn(obj as Record<string, unknown>, 'metadata') : undefined;
  const raw = typeof meta === 'object' && meta !== null ? getOwn(meta as Record<string, unknown>, 'name') : undefined;
  const objName = raw === undefined || raw === null ? '' : String(raw);
  if (!objName) throw errors.badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
  if (objName !== name) throw errors.badRequest(`the name of the object (${objName}) does not match the name on the URL (${name})`);
}
