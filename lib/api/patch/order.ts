// Element order after a strategic list merge. Without `$setElementOrder`, Kubernetes keeps the patch's items in
// patch order and the server-only items in their old order, and interleaves the two: a server-only item goes before
// a patch item only when both were in the old list and it came first there. So new items land at the front.
import { PatchError, type JsonMap, deepEqual, goFormat, goTypeName, isObject } from './errors.js';

export type ElementKind = 'map' | 'string' | 'number' | 'bool' | 'nil';

export const DIRECTIVE = '$patch';

export function noMergeKey(m: unknown, key: string): PatchError {
  return new PatchError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`, 500);
}

export function badArgType(expected: string, actual: unknown): PatchError {
  return new PatchError(`expected a ${expected}, but received a ${goTypeName(actual)}`, 500);
}

function kindOf(v: unknown): ElementKind | 'slice' {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (isObject(v)) return 'map';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

/** The common kind of every element of the lists; lists of lists and mixed lists are rejected. */
export function elementKind(...lists: unknown[][]): ElementKind | undefined {
  let kind: ElementKind | 'slice' | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (kind === undefined) {
        if (k === 'slice') throw new PatchError('lists of lists are not supported', 422);
        kind = k;
      } else if (k !== kind) {
        throw new PatchError(`list element types are not identical: ${goFormat(lists)}`, 500);
      }
    }
  }
  return kind as ElementKind | undefined;
}

/** Scalars compare by value, maps by their merge key. */
export function sameElement(a: unknown, b: unknown, mergeKey: string, kind: ElementKind): boolean {
  if (kind !== 'map') return a === b;
  const va = isObject(a) ? a[mergeKey] : undefined;
  const vb = isObject(b) ? b[mergeKey] : undefined;
  return va === vb || (va === undefined && vb === undefined);
}

export function indexIn(list: unknown[], v: unknown, mergeKey: string, kind: ElementKind): number {
  return list.findIndex((x) => sameElement(v, x, mergeKey, kind));
}

/** Splits `merged` into the items present in `by` and the others (server-only), keeping order. */
export function partition(merged: unknown[], by: unknown[], mergeKey: string, kind: ElementKind): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of merged) {
    let found: boolean;
    if (kind === 'map' && mergeKey) {
      if (!isObject(v)) throw badArgType('map[string]interface {}', v);
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
      found = by.some((x, i) => {
        if (!isObject(x)) throw new PatchError(`value for key ${i} is not a map`, 500);
        return mergeKey in x && x[mergeKey] === v[mergeKey];
      });
    } else {
      found = by.some((x) => (kind === 'map' ? deepEqual(x, v) : x === v));
    }
    (found ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let items = toSort;
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    for (const item of [...toSort, ...order]) {
      if (!isObject(item)) throw badArgType('map[string]interface {}', item);
      if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
    }
    items = toSort.filter((v) => (v as JsonMap)[DIRECTIVE] !== 'delete');
    toDelete = toSort.filter((v) => (v as JsonMap)[DIRECTIVE] === 'delete');
  }
  const rank = (v: unknown) => {
    const i = indexIn(order, v, mergeKey, kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...items.map((v, i) => ({ v, r: rank(v), i })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.v), ...toDelete];
}

/** Inserts the server-only items (`left`) among the patch items (`right`), both already sorted. */
function mergeSorted(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

export function normalizeElementOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string,
  kind: ElementKind): unknown[] {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSorted(s, p, serverOrder, mergeKey, kind);
}

/** Checks that the patch list's items appear in `$setElementOrder` and in the same relative order. */
export function validateSetOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (!order.length || !patchList.length) return;
  let items = patchList;
  if (mergeKey) {
    for (const v of patchList) if (!isObject(v)) throw badArgType('map[string]interface {}', v);
    items = patchList.filter((v) => (v as JsonMap)[DIRECTIVE] !== 'delete');
  }
  let pi = 0;
  let si = 0;
  while (pi < items.length && si < order.length) {
    const item = items[pi];
    if (isObject(item) && DIRECTIVE in item) {
      pi++;
      continue;
    }
    if (keyEqual(item, order[si], mergeKey)) pi++;
    si++;
  }
  if (pi < items.length && si >= order.length) {
    throw new PatchError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match $setElementOrder list:\n${goFormat(order)}\n`, 500);
  }
}

function keyEqual(a: unknown, b: unknown, mergeKey: string): boolean {
  if (!mergeKey) return a === b;
  if (!isObject(a)) throw badArgType('map[string]interface {}', a);
  if (!isObject(b)) throw badArgType('map[string]interface {}', b);
  if (!(mergeKey in a)) throw noMergeKey(a, mergeKey);
  if (!(mergeKey in b)) throw noMergeKey(b, mergeKey);
  return a[mergeKey] === b[mergeKey];
}
