// RFC 7386 JSON merge patch: objects merge recursively, null deletes a member, anything else (arrays included)
// replaces. A patch that is not an object replaces the whole target.
import { type JsonMap, deepClone, isObject } from './errors.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepClone(patch);
  return mergeInto(isObject(target) ? deepClone(target) : {}, patch);
}

function mergeInto(out: JsonMap, patch: JsonMap): JsonMap {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v)) out[k] = mergeInto(isObject(out[k]) ? (out[k] as JsonMap) : {}, v);
    else out[k] = deepClone(v);
  }
  return out;
}
