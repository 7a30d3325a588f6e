// Checks that only apply to updates, shared by the kinds: semantic equality as Kubernetes sees it, the diff it appends
// to spec errors, fields that may not change once set.
import { asObj, asStr, forbidden, goRaw, invalid, isObj, type FieldCause, type Obj } from './field.js';
import { FIELD_IMMUTABLE, goLabelSelector } from './meta.js';

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);

/** Equality as Kubernetes' semantic DeepEqual sees JSON: missing, null and empty values are all the same. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

/** A short listing of the paths that differ, in the spirit of the diff Kubernetes appends to spec errors. */
export function describeDiff(oldV: unknown, newV: unknown, path = '', out: string[] = []): string[] {
  if (semanticEqual(oldV, newV)) return out;
  if (isObj(oldV) && isObj(newV)) {
    for (const k of [...new Set([...Object.keys(oldV), ...Object.keys(newV)])].sort()) describeDiff(oldV[k], newV[k], path ? `${path}.${k}` : k, out);
  } else if (Array.isArray(oldV) && Array.isArray(newV) && oldV.length === newV.length) {
    oldV.forEach((x, i) => describeDiff(x, newV[i], `${path}[${i}]`, out));
  } else {
    out.push(`- ${path}: ${JSON.stringify(oldV ?? null)}`, `+ ${path}: ${JSON.stringify(newV ?? null)}`);
  }
  return out;
}

/** spec.selector may not change (apps/v1 workloads). */
export function selectorImmutable(obj: Obj, old: Obj): FieldCause[] {
  const sel = asObj(obj.spec)?.selector;
  return semanticEqual(sel, asObj(old.spec)?.selector) ? [] : [invalid('spec.selector', goRaw(goLabelSelector(sel)), FIELD_IMMUTABLE)];
}

export const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

/** With `immutable: true` set, the given fields (and immutable itself) may no longer change (ConfigMaps, Secrets). */
export function immutableData(obj: Obj, old: Obj, fields: string[]): FieldCause[] {
  if (old.immutable !== true) return [];
  const out: FieldCause[] = [];
  if (obj.immutable !== true) out.push(forbidden('immutable', IMMUTABLE_WHEN_SET));
  for (const f of fields) if (!semanticEqual(obj[f], old[f])) out.push(forbidden(f, IMMUTABLE_WHEN_SET));
  return out;
}

/** A Secret's type may not change. */
export function typeImmutable(obj: Obj, old: Obj): FieldCause[] {
  return asStr(obj.type) === asStr(old.type) ? [] : [invalid('type', asStr(obj.type), FIELD_IMMUTABLE)];
}
