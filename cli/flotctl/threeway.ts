// The patch `kubectl apply` sends: a three-way strategic merge patch, as client-go's CreateThreeWayMergePatch builds
// it. Deletions come from last-applied (original) -> file (modified), so only fields this applier once set are
// removed; changes and additions come from live (current) -> file, so fields others set are left alone. Merge keys,
// `merge`/`replace`/`retainKeys` strategies come from the same schemas the API server patches with.
import { deepEqual, isObject, type JsonMap } from '../../lib/api/patch/errors.js';
import { normalizeElementOrder, partition } from '../../lib/api/patch/order.js';
import { type Cursor, type SchemaNode, lookupSlice, lookupStruct } from '../../lib/api/patch/schema.js';
import { components, schemaNameFor } from '../../lib/api/schema/index.js';
import type { KindInfo } from '../../lib/api/kinds.js';

const REF = '#/components/schemas/';
const resolve = (ref: string) => (ref.startsWith(REF) ? (components() as Record<string, SchemaNode>)[ref.slice(REF.length)] : undefined);
export const cursorFor = (k: KindInfo): Cursor => ({ node: resolve(REF + schemaNameFor(k)), resolve });

interface Opts {
  ignoreDeletions: boolean;
  ignoreChanges: boolean;
  retainKeys: boolean;
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
// Go formats list elements with %v to sort and compare them; String() is close enough for JSON scalars.
const str = (v: unknown) => (isObject(v) || Array.isArray(v) ? JSON.stringify(v) : String(v));
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function diffMaps(orig: JsonMap, mod: JsonMap, c: Cursor, o: Opts): JsonMap {
  const patch: JsonMap = {};
  for (const [k, mv] of Object.entries(mod)) {
    if (!(k in orig)) {
      if (!o.ignoreChanges) patch[k] = mv;
      continue;
    }
    const ov = orig[k];
    if (typeOf(ov) !== typeOf(mv)) {
      if (!o.ignoreChanges) patch[k] = mv;
    } else if (isObject(ov) && isObject(mv)) {
      const { meta, sub } = lookupStruct(c, k);
      const strategies = meta.strategies;
      if (strategies.includes('replace')) {
        if (!o.ignoreChanges) patch[k] = mv; // client-go sends replace-strategy maps whole, equal or not
      } else {
        const p = diffMaps(ov, mv, sub, { ...o, retainKeys: strategies.includes('retainKeys') });
        if (Object.keys(p).length) patch[k] = p;
      }
    } else if (Array.isArray(ov) && Array.isArray(mv)) {
      diffSlice(k, ov, mv, patch, c, o);
    } else if (!o.ignoreChanges && !deepEqual(ov, mv)) patch[k] = mv;
  }
  if (!o.ignoreDeletions) for (const k of Object.keys(orig)) if (!(k in mod)) patch[k] = null;
  if (o.retainKeys) {
    const keep = Object.keys(mod).filter((k) => mod[k] !== null).sort(cmp);
    const extra = Object.keys(orig).some((k) => orig[k] !== null && !(k in mod));
    if (keep.length && (Object.keys(patch).length || extra)) patch.$retainKeys = keep;
  }
  return patch;
}

function diffSlice(k: string, ov: unknown[], mv: unknown[], patch: JsonMap, c: Cursor, o: Opts): void {
  const { meta, sub } = lookupSlice(c, k);
  if (!meta.strategies.includes('merge')) {
    if (!o.ignoreChanges && !deepEqual(ov, mv)) patch[k] = mv;
    return;
  }
  const first = ov[0] ?? mv[0];
  if (first === undefined) return;
  let patchList: unknown[];
  const deleteList: unknown[] = [];
  let order: unknown[] = [];
  if (isObject(first)) {
    const mk = meta.mergeKey;
    const key = (e: unknown) => str((e as JsonMap)[mk]);
    const oByKey = new Map(ov.map((e) => [key(e), e as JsonMap]));
    const mKeys = new Set(mv.map(key));
    patchList = [];
    for (const e of mv as JsonMap[]) { // already in the file's order (normalizeSliceOrder)
      const old = oByKey.get(key(e));
      if (!old) {
        if (!o.ignoreChanges) patchList.push(e);
        continue;
      }
      const p = diffMaps(old, e, sub, o);
      if (Object.keys(p).length) patchList.push({ ...p, [mk]: e[mk] });
    }
    if (!o.ignoreDeletions) {
      const gone = ov.filter((e) => !mKeys.has(key(e))).sort((a, b) => cmp(key(a), key(b)));
      patchList.push(...gone.map((e) => ({ [mk]: (e as JsonMap)[mk], $patch: 'delete' })));
    }
    const orderSame = ov.length === mv.length && ov.every((e, i) => key(e) === key(mv[i]));
    if ((!o.ignoreChanges && (patchList.length || !orderSame)) || (!o.ignoreDeletions && patchList.length)) {
      order = mv.map((e) => ({ [mk]: (e as JsonMap)[mk] }));
    }
  } else {
    // Scalars: a sorted multiset difference, as diffListsOfScalars walks two sorted copies.
    const os = [...ov].sort((a, b) => cmp(str(a), str(b)));
    const ms = [...mv].sort((a, b) => cmp(str(a), str(b)));
    const add: unknown[] = [];
    let i = 0;
    let j = 0;
    while (i < os.length || j < ms.length) {
      const a = i < os.length ? str(os[i]) : undefined;
      const b = j < ms.length ? str(ms[j]) : undefined;
      if (a !== undefined && a === b) {
        i++;
        j++;
      } else if (a === undefined || (b !== undefined && a > b)) {
        if (!o.ignoreChanges) add.push(ms[j]);
        j++;
      } else {
        if (!o.ignoreDeletions) deleteList.push(os[i]);
        i++;
      }
    }
    patchList = mv.filter((e) => add.some((x) => str(x) === str(e)));
    if ((!o.ignoreDeletions && deleteList.length) || (!o.ignoreChanges && !deepEqual(ov, mv))) order = mv;
  }
  if (patchList.length) patch[k] = patchList;
  if (deleteList.length) patch[`$deleteFromPrimitiveList/${k}`] = deleteList;
  if (order.length) patch[`$setElementOrder/${k}`] = order;
}

/** Folds the additions/changes into the deletions (client-go's mergeMap of delta into deletions). */
function merge(del: JsonMap, delta: JsonMap, c: Cursor): JsonMap {
  const out: JsonMap = { ...del };
  for (const [k, v] of Object.entries(delta)) {
    const d = out[k];
    if (isObject(d) && isObject(v)) {
      const { meta, sub } = lookupStruct(c, k);
      out[k] = meta.strategies.includes('replace') ? v : merge(d, v, sub);
    } else if (Array.isArray(d) && Array.isArray(v) && !k.startsWith('$')) {
      const { meta, sub } = lookupSlice(c, k);
      if (!meta.strategies.includes('merge')) out[k] = v;
      else if (meta.mergeKey && (isObject(d[0]) || isObject(v[0]))) {
        const mk = meta.mergeKey;
        const list = [...d] as JsonMap[];
        for (const e of v as JsonMap[]) {
          const at = list.findIndex((x) => str(x[mk]) === str(e[mk]));
          if (at < 0) list.push(e);
          else list[at] = merge(list[at] as JsonMap, e, sub);
        }
        // Elements named in delta first, the deletions' own around them, as client-go's mergeSlice orders them.
        const [fromDelta, deletionOnly] = partition(list, v, mk, 'map');
        out[k] = normalizeElementOrder(fromDelta, deletionOnly, v, d, mk, 'map');
      } else out[k] = [...d, ...v.filter((e) => !d.some((x) => deepEqual(x, e)))];
    } else out[k] = v;
  }
  return out;
}

export function threeWayPatch(original: JsonMap | undefined, modified: JsonMap, current: JsonMap, c: Cursor): JsonMap {
  const delta = diffMaps(current, modified, c, { ignoreDeletions: true, ignoreChanges: false, retainKeys: false });
  const deletions = original ? diffMaps(original, modified, c, { ignoreDeletions: false, ignoreChanges: true, retainKeys: false }) : {};
  return merge(deletions, delta, c);
}
