// RFC 7386 JSON merge patch: objects merge recursively, null deletes a member, anything else (arrays included)
// replaces. A patch that is not an object replaces the whole target. Every key is an ordinary member, `__proto__`
// and `constructor` included (see lib/api/own.ts).
import { getOwn, setOwn } from '../own.js';
import { type JsonMap, deepClone, isObject } from './errors.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepClone(patch);
  return mergeInto(isObject(target) ? deepClone(target) : {}, patch);
}

function mergeInto(out: JsonMap, patch: JsonMap): JsonMap {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v)) {
      const cur = getOwn(out, k);
      setOwn(out, k, mergeInto(isObject(cur) ? cur : {}, v));
    } else setOwn(out, k, deepClone(v));
  }
  return out;
}
