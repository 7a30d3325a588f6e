// Kubernetes' strategic merge patch, driven by the kind's OpenAPI schema: lists with patch strategy "merge" and a
// merge key merge element by element (containers by name, ports by containerPort, ...), lists of primitives with
// strategy "merge" merge as sets, other lists are replaced; maps merge recursively and null deletes. Directives:
// $patch (replace, delete, merge), $retainKeys, $deleteFromPrimitiveList/<field>, $setElementOrder/<field>.
import { PatchError, isObject } from './errors.js';

export interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  [k: string]: unknown;
}

type Resolve = (ref: string) => SchemaNode | undefined;

function deref(n: SchemaNode | undefined, resolve: Resolve): SchemaNode | undefined {
  let cur = n;
  for (let i = 0; cur && i < 16; i++) {
    if (cur.$ref) cur = resolve(cur.$ref);
    else if (cur.allOf?.length === 1 && !cur.properties) cur = cur.allOf[0];
    else break;
  }
  return cur;
}

function child(schema: SchemaNode | undefined, key: string, resolve: Resolve): SchemaNode | undefined {
  const s = deref(schema, resolve);
  if (!s) return undefined;
  const p = s.properties?.[key];
  if (p) return p;
  return isObject(s.additionalProperties) ? (s.additionalProperties as SchemaNode) : undefined;
}

/** Strategy and merge key sit on the property schema itself, or on the one its allOf wraps. */
function meta(prop: SchemaNode | undefined): { strategy: string[]; mergeKey?: string } {
  let strategy = prop?.['x-kubernetes-patch-strategy'];
  let mergeKey = prop?.['x-kubernetes-patch-merge-key'];
  if (!strategy && prop?.allOf?.[0]) {
    strategy = prop.allOf[0]['x-kubernetes-patch-strategy'];
    mergeKey = prop.allOf[0]['x-kubernetes-patch-merge-key'];
  }
  return { strategy: (strategy ?? '').split(',').map((s) => s.trim()).filter(Boolean), mergeKey };
}

const DIRECTIVE = /^\$(patch|retainKeys|setElementOrder\/|deleteFromPrimitiveList\/)/;

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((e) => !(isObject(e) && e.$patch !== undefined && Object.keys(e).length === 1)).map(stripDirectives);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!DIRECTIVE.test(k)) out[k] = stripDirectives(x);
  return out;
}

export function strategicMergePatch(original: unknown, patch: unknown, schema: SchemaNode | undefined, resolve: Resolve): unknown {
  if (!isObject(patch)) throw new PatchError('a strategic merge patch must be a JSON object', 400);
  const out = mergeMap(isObject(original) ? original : {}, patch, schema, resolve);
  return out ?? {};
}

function mergeMap(orig: Record<string, unknown>, patch: Record<string, unknown>, schema: SchemaNode | undefined, resolve: Resolve): Record<string, unknown> | undefined {
  const directive = patch.$patch;
  if (directive !== undefined) {
    if (directive === 'replace') return stripDirectives(patch) as Record<string, unknown>;
    if (directive === 'delete') return undefined;
    if (directive !== 'merge') throw new PatchError(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`, 400);
  }
  const out: Record<string, unknown> = { ...orig };
  for (const [key, value] of Object.entries(patch)) {
    if (DIRECTIVE.test(key)) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const prop = child(schema, key, resolve);
    const cur = out[key];
    if (Array.isArray(value)) {
      out[key] = mergeList(Array.isArray(cur) ? cur : [], value, prop, resolve);
    } else if (isObject(value)) {
      const merged = mergeMap(isObject(cur) ? cur : {}, value, prop, resolve);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else {
      out[key] = value;
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (!Array.isArray(value)) throw new PatchError(`${key} must be a list`, 400);
      if (Array.isArray(out[field])) out[field] = (out[field] as unknown[]).filter((v) => !value.includes(v));
    } else if (key.startsWith('$setElementOrder/')) {
      const field = key.slice('$setElementOrder/'.length);
      if (!Array.isArray(value)) throw new PatchError(`${key} must be a list`, 400);
      if (Array.isArray(out[field])) out[field] = reorder(out[field] as unknown[], value, meta(child(schema, field, resolve)).mergeKey);
    }
  }
  if (patch.$retainKeys !== undefined) {
    const keep = patch.$retainKeys;
    if (!Array.isArray(keep)) throw new PatchError('$retainKeys must be a list of field names', 400);
    for (const k of Object.keys(out)) if (!keep.includes(k)) delete out[k];
  }
  return out;
}

function mergeList(orig: unknown[], patch: unknown[], prop: SchemaNode | undefined, resolve: Resolve): unknown[] {
  const { strategy, mergeKey } = meta(prop);
  const replaceAll = patch.find((e) => isObject(e) && e.$patch === 'replace');
  if (replaceAll) return stripDirectives(patch.filter((e) => e !== replaceAll)) as unknown[];
  if (!strategy.includes('merge')) return stripDirectives(patch) as unknown[];
  const itemSchema = deref(prop, resolve)?.items ?? (prop?.allOf?.[0] ? deref(prop.allOf[0], resolve)?.items : undefined);
  if (!mergeKey) {
    const out = [...orig];
    for (const v of patch) if (!out.some((o) => JSON.stringify(o) === JSON.stringify(v))) out.push(v);
    return out;
  }
  const out = orig.map((e) => e);
  for (const el of patch) {
    if (!isObject(el)) throw new PatchError(`a list with merge key "${mergeKey}" must contain objects`, 400);
    const key = el[mergeKey];
    const at = out.findIndex((o) => isObject(o) && o[mergeKey] === key);
    if (el.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (el.$patch !== undefined && el.$patch !== 'merge' && el.$patch !== 'replace') throw new PatchError(`Unknown patch type: ${String(el.$patch)} in list element`, 400);
    if (at >= 0) {
      const merged = el.$patch === 'replace' ? (stripDirectives(el) as Record<string, unknown>) : mergeMap(out[at] as Record<string, unknown>, el, itemSchema, resolve);
      if (merged === undefined) out.splice(at, 1);
      else out[at] = merged;
    } else {
      out.push(stripDirectives(el));
    }
  }
  return out;
}

function reorder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const keyOf = (e: unknown) => (mergeKey && isObject(e) ? JSON.stringify(e[mergeKey]) : JSON.stringify(e));
  const rank = new Map(order.map((o, i) => [keyOf(o), i]));
  const known = list.filter((e) => rank.has(keyOf(e))).sort((a, b) => (rank.get(keyOf(a)) as number) - (rank.get(keyOf(b)) as number));
  return [...known, ...list.filter((e) => !rank.has(keyOf(e)))];
}
