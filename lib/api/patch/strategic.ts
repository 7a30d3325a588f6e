// Kubernetes' strategic merge patch, driven by the kind's OpenAPI schema. Maps merge recursively and null deletes a
// member; lists whose field has patch strategy `merge` merge element by element (by merge key for objects, as an
// ordered set for scalars), other lists are replaced; fields the schema does not know behave like a JSON merge patch.
// Directives: `$patch: replace|delete` in a map or as a list element, `$retainKeys`, `$deleteFromPrimitiveList/<f>`,
// `$setElementOrder/<f>`. `$patch: merge` is accepted as the explicit default (Kubernetes itself rejects it).
import { getOwn, hasOwn, setOwn } from '../own.js';
import { PatchError, type JsonMap, deepClone, goFormat, isObject, jsonTypeName } from './errors.js';
import { DIRECTIVE, badArgType, elementKind, noMergeKey, normalizeElementOrder, partition, validateSetOrder } from './order.js';
import { type Cursor, type SchemaNode, type SchemaResolver, deref, lookupSlice, lookupStruct, schemaName, strategyOf } from './schema.js';

export type { SchemaNode, SchemaResolver } from './schema.js';

const RETAIN_KEYS = '$retainKeys';
const DELETE_PREFIX = '$deleteFromPrimitiveList';
const ORDER_PREFIX = '$setElementOrder';

const isDirectiveKey = (k: string) => k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(DELETE_PREFIX) || k.startsWith(ORDER_PREFIX);

function badPatchType(t: unknown, m: JsonMap): PatchError {
  return new PatchError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`, 500);
}

/** `$deleteFromPrimitiveList/ports` → `ports`; a key without the `/` is a malformed directive (400). */
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw new PatchError(prefix === DELETE_PREFIX ? 'invalid patch format of primitive list' : 'invalid patch format of setElementOrder list', 400);
  }
  return key.slice(slash + 1);
}

/** A value stored verbatim: directive keys and null members dropped, as decoding into the typed object does. */
function raw(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(raw);
  if (!isObject(v)) return v;
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) if (!isDirectiveKey(k) && x !== null) setOwn(out, k, raw(x));
  return out;
}

/** A value for a field the object did not have: maps carrying `$patch` are dropped entirely. */
function removeDirectives(v: unknown): { value: unknown; keep: boolean } {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const r = removeDirectives(x);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  if (!isObject(v)) return { value: v, keep: true };
  if (hasOwn(v, DIRECTIVE)) return { value: undefined, keep: false };
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) {
    if (isDirectiveKey(k) || x === null) continue;
    const r = removeDirectives(x);
    if (r.keep) setOwn(out, k, r.value);
  }
  return { value: out, keep: true };
}

function setNew(target: JsonMap, key: string, value: unknown): void {
  const r = removeDirectives(value);
  if (r.keep) setOwn(target, key, r.value);
  else delete target[key];
}

function goKind(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  return isObject(v) ? 'map' : typeof v;
}

function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw new PatchError('invalid patch format of retainKeys', 400);
  const keep = new Set(list.filter((x): x is string => typeof x === 'string'));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PREFIX) || k.startsWith(ORDER_PREFIX)) continue;
    if (!keep.has(k)) throw new PatchError('invalid patch format of retainKeys', 400);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** Merges lists named by `$setElementOrder/<field>` and puts them in the given order. */
function applySetElementOrder(original: JsonMap, patch: JsonMap, c: Cursor): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(ORDER_PREFIX)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType('[]interface {}', order);
    const field = extractKey(key, ORDER_PREFIX);
    const foundOriginal = hasOwn(original, field);
    const foundPatch = hasOwn(patch, field);
    const origList = getOwn(original, field);
    const patchList = getOwn(patch, field);
    if (foundOriginal && !Array.isArray(origList)) throw badArgType('[]interface {}', origList);
    if (foundPatch && !Array.isArray(patchList)) throw badArgType('[]interface {}', patchList);
    const o = (origList ?? []) as unknown[];
    const p = (patchList ?? []) as unknown[];
    const { meta, sub } = lookupSlice(c, field);
    const strategy = strategyOf(meta);
    validateSetOrder(p, order, meta.mergeKey);
    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = o;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(p).value as unknown[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(o, p, sub, strategy, meta.mergeKey, false);
    else continue;
    const kind = elementKind(o, p);
    if (kind !== undefined) {
      const [inOrder, serverOnly] = partition(merged, order, meta.mergeKey, kind);
      merged = normalizeElementOrder(inOrder, serverOnly, order, o, meta.mergeKey, kind);
    }
    setOwn(original, field, merged);
    delete patch[field];
  }
}

function mergeMap(original: JsonMap, patchIn: JsonMap, c: Cursor): JsonMap {
  const patch: JsonMap = { ...patchIn };
  if (hasOwn(patch, DIRECTIVE)) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      delete patch[DIRECTIVE];
      return raw(patch) as JsonMap;
    }
    if (d === 'delete') return {};
    if (d !== 'merge') throw badPatchType(d, patchIn);
    delete patch[DIRECTIVE];
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, c);
  for (const [rawKey, pv] of Object.entries(patch)) {
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_PREFIX)) {
      key = extractKey(rawKey, DELETE_PREFIX);
      isDeleteList = true;
    }
    if (pv === null) {
      delete original[key];
      continue;
    }
    const ov = getOwn(original, key);
    if (!hasOwn(original, key) || goKind(ov) !== goKind(pv)) {
      if (!isDeleteList) setNew(original, key, pv);
      continue;
    }
    if (isObject(ov)) {
      const { meta, sub } = lookupStruct(c, key);
      setOwn(original, key, strategyOf(meta) === 'replace' ? raw(pv) : mergeMap(ov, pv as JsonMap, sub));
    } else if (Array.isArray(ov)) {
      const { meta, sub } = lookupSlice(c, key);
      setOwn(original, key, mergeSliceHandler(ov, pv as unknown[], sub, strategyOf(meta), meta.mergeKey, isDeleteList));
    } else {
      setOwn(original, key, pv);
    }
  }
  return original;
}

function mergeSliceHandler(original: unknown[], patch: unknown[], c: Cursor, strategy: string, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (strategy === 'merge' || isDeleteList) return mergeSlice(original, patch, c, mergeKey, isDeleteList);
  return raw(patch) as unknown[];
}

function mergeSlice(original: unknown[], patch: unknown[], c: Cursor, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (!original.length && !patch.length) return original;
  const kind = elementKind(original, patch) as NonNullable<ReturnType<typeof elementKind>>;
  if (kind !== 'map') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    const merged: unknown[] = [];
    for (const v of [...original, ...patch]) if (!merged.includes(v)) merged.push(v);
    const [inPatch, serverOnly] = partition(merged, patch, '', kind);
    return normalizeElementOrder(inPatch, serverOnly, patch, original, '', kind);
  }
  if (!mergeKey) throw new PatchError(`cannot merge lists without merge key for ${schemaName(c)}`, 500);
  const [o, p] = withSpecialElements(original, patch as JsonMap[], mergeKey);
  const merged = [...o];
  for (const v of p) {
    if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
    const at = merged.findIndex((e) => isObject(e) && mergeKey in e && e[mergeKey] === v[mergeKey]);
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonMap, v, c);
    else merged.push(raw(v));
  }
  const [inPatch, serverOnly] = partition(merged, p, mergeKey, 'map');
  return normalizeElementOrder(inPatch, serverOnly, p, o, mergeKey, 'map');
}

/** Applies `$patch` list elements: delete removes by merge key, replace makes the other elements the whole list. */
function withSpecialElements(original: unknown[], patch: JsonMap[], mergeKey: string): [unknown[], JsonMap[]] {
  let o = original;
  const rest: JsonMap[] = [];
  let replace = false;
  for (const v of patch) {
    if (!hasOwn(v, DIRECTIVE)) {
      rest.push(v);
      continue;
    }
    switch (v[DIRECTIVE]) {
      case 'delete': {
        if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
        o = o.filter((e) => !(isObject(e) && mergeKey in e && e[mergeKey] === v[mergeKey]));
        break;
      }
      case 'replace':
        replace = true;
        break;
      case 'merge': {
        const { [DIRECTIVE]: _, ...plain } = v;
        rest.push(plain);
        break;
      }
      default:
        throw badPatchType(v[DIRECTIVE], v);
    }
  }
  return replace ? [rest.map(raw), []] : [o, rest];
}

/**
 * Applies a strategic merge patch to a copy of `original`. `schema` is the kind's schema (any node form; `$ref`s are
 * looked up with `resolve`); without it every list is replaced, as in a JSON merge patch. Throws PatchError.
 */
export function strategicMergePatch(original: unknown, patch: unknown, schema: SchemaNode | undefined, resolve: SchemaResolver): unknown {
  const base = isObject(original) ? deepClone(original) : {};
  if (patch === null) return base;
  if (!isObject(patch)) throw new PatchError(`json: cannot unmarshal ${jsonTypeName(patch)} into Go value of type map[string]interface {}`, 400);
  return mergeMap(base, patch, { node: deref(schema, resolve), resolve });
}
