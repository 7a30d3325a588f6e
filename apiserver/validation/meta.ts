// Checks on object metadata (name, namespace, labels, annotations, owner references, finalizers) and on label
// selectors, and label selector matching.
import {
  asArr, asStr, child, forbidden, goQuote, goStringMap, goRaw, index, invalid, invalidEach, isObj, isSet, objects, optNum,
  required, strMap, tooLong, type FieldCause, type Obj,
} from './field.js';
import { byteLength, isQualifiedName, isValidLabelValue, nameIsDNSLabel, type NameCheck } from './names.js';

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';
const TOTAL_ANNOTATION_SIZE = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export interface MetaOptions {
  namespaced: boolean;
  nameCheck: NameCheck;
  /** Core and apps kinds also require finalizer names without a `/` to be standard ones. */
  kubeFinalizers: boolean;
}

export function nonNegative(value: unknown, field: string): FieldCause[] {
  const n = optNum(value);
  return n !== undefined && n < 0 ? [invalid(field, n, IS_NEGATIVE)] : [];
}

export function validateLabels(labels: unknown, field: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [k, v] of Object.entries(strMap(labels))) {
    out.push(...invalidEach(field, k, isQualifiedName(k)));
    out.push(...invalidEach(field, v, isValidLabelValue(v)));
  }
  return out;
}

export function validateAnnotations(annotations: unknown, field: string): FieldCause[] {
  const out: FieldCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(strMap(annotations))) {
    out.push(...invalidEach(field, k, isQualifiedName(k.toLowerCase())));
    size += byteLength(k) + byteLength(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE) out.push(tooLong(field, TOTAL_ANNOTATION_SIZE));
  return out;
}

function goOwnerRef(r: Obj): string {
  const ptr = (v: unknown): string => (typeof v === 'boolean' ? `(*bool)(0xc000000001)` : '(*bool)(nil)');
  return `v1.OwnerReference{APIVersion:${goQuote(asStr(r.apiVersion))}, Kind:${goQuote(asStr(r.kind))}, Name:${goQuote(asStr(r.name))}, UID:${goQuote(asStr(r.uid))}, Controller:${ptr(r.controller)}, BlockOwnerDeletion:${ptr(r.blockOwnerDeletion)}}`;
}

function validateOwnerReferences(refs: unknown, field: string): FieldCause[] {
  const out: FieldCause[] = [];
  let firstController = '';
  for (const [r] of objects(refs)) {
    const apiVersion = asStr(r.apiVersion);
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (!version) out.push(invalid(child(field, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!asStr(r.kind)) out.push(invalid(child(field, 'kind'), asStr(r.kind), 'kind must not be empty'));
    if (!asStr(r.name)) out.push(invalid(child(field, 'name'), asStr(r.name), 'name must not be empty'));
    if (!asStr(r.uid)) out.push(invalid(child(field, 'uid'), asStr(r.uid), 'uid must not be empty'));
    if (apiVersion === 'v1' && r.kind === 'Event') out.push(invalid(field, goRaw(goOwnerRef(r)), '/v1, Kind=Event is disallowed from being an owner'));
    if (r.controller === true) {
      const name = `${asStr(r.kind)}/${asStr(r.name)}`;
      if (firstController) {
        out.push(invalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`));
      } else firstController = name;
    }
  }
  return out;
}

function validateFinalizers(finalizers: unknown, field: string, kube: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  const names = asArr(finalizers).filter((f): f is string => typeof f === 'string');
  for (const f of names) out.push(...invalidEach(field, f, isQualifiedName(f)));
  if (names.includes('orphan') && names.includes('foregroundDeletion')) {
    out.push(invalid(field, names, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  if (kube) {
    asArr(finalizers).forEach((f, i) => {
      if (typeof f !== 'string') return;
      const p = index(field, i);
      const errs = isQualifiedName(f);
      out.push(...invalidEach(p, f, errs));
      if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) out.push(invalid(p, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    });
  }
  return out;
}

/** Checks metadata on create (and, for the parts that apply, on update). */
export function validateObjectMeta(meta: unknown, opts: MetaOptions, path = 'metadata'): FieldCause[] {
  const m = isObj(meta) ? meta : {};
  const out: FieldCause[] = [];
  const generateName = asStr(m.generateName);
  if (generateName) out.push(...invalidEach(child(path, 'generateName'), generateName, opts.nameCheck(generateName, true)));
  const name = asStr(m.name);
  if (!name) out.push(required(child(path, 'name'), 'name or generateName is required'));
  else out.push(...invalidEach(child(path, 'name'), name, opts.nameCheck(name, false)));
  const namespace = asStr(m.namespace);
  if (opts.namespaced) {
    if (!namespace) out.push(required(child(path, 'namespace')));
    else out.push(...invalidEach(child(path, 'namespace'), namespace, nameIsDNSLabel(namespace, false)));
  } else if (namespace) {
    out.push(forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  out.push(...nonNegative(m.generation, child(path, 'generation')));
  out.push(...validateLabels(m.labels, child(path, 'labels')));
  out.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  out.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  out.push(...validateFinalizers(m.finalizers, child(path, 'finalizers'), opts.kubeFinalizers));
  return out;
}

/** Metadata of a pod template: only labels and annotations are checked, as Kubernetes does. */
export function validateTemplateMeta(meta: unknown, path: string): FieldCause[] {
  const m = isObj(meta) ? meta : {};
  return [...validateLabels(m.labels, child(path, 'labels')), ...validateAnnotations(m.annotations, child(path, 'annotations'))];
}

// ---- label selectors ----------------------------------------------------------------------------------------------

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export function validateLabelSelector(sel: unknown, path: string): FieldCause[] {
  if (!isObj(sel)) return [];
  const out = validateLabels(sel.matchLabels, child(path, 'matchLabels'));
  for (const [req, i] of objects(sel.matchExpressions)) {
    const p = index(child(path, 'matchExpressions'), i);
    const op = asStr(req.operator);
    const values = asArr(req.values);
    if (op === 'In' || op === 'NotIn') {
      if (!values.length) out.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length) out.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      out.push(invalid(child(p, 'operator'), op, 'not a valid selector operator'));
    }
    out.push(...invalidEach(child(p, 'key'), asStr(req.key), isQualifiedName(asStr(req.key))));
    values.forEach((v, j) => {
      if (typeof v === 'string') out.push(...invalidEach(index(child(p, 'values'), j), v, isValidLabelValue(v)));
    });
  }
  return out;
}

/** Whether a selector is well formed enough to be turned into a matcher. */
export function selectorIsValid(sel: unknown): boolean {
  if (!isSet(sel)) return true;
  if (!isObj(sel)) return false;
  for (const [k, v] of Object.entries(strMap(sel.matchLabels))) if (isQualifiedName(k).length || isValidLabelValue(v).length) return false;
  for (const [req] of objects(sel.matchExpressions)) {
    const op = asStr(req.operator);
    const n = asArr(req.values).length;
    if (!OPERATORS.includes(op) || isQualifiedName(asStr(req.key)).length) return false;
    if ((op === 'In' || op === 'NotIn') && n === 0) return false;
    if ((op === 'Exists' || op === 'DoesNotExist') && n > 0) return false;
  }
  return true;
}

/** Whether the selector matches nothing by being absent (Kubernetes' "Nothing" selector) or everything by being empty. */
export function selectorIsEmpty(sel: unknown): boolean {
  return isObj(sel) && Object.keys(strMap(sel.matchLabels)).length + asArr(sel.matchExpressions).length === 0;
}

/** Does a (valid) selector match a label set? A missing selector matches nothing, an empty one everything. */
export function selectorMatches(sel: unknown, labels: Record<string, string>): boolean {
  if (!isObj(sel)) return false;
  for (const [k, v] of Object.entries(strMap(sel.matchLabels))) if (labels[k] !== v) return false;
  for (const [req] of objects(sel.matchExpressions)) {
    const k = asStr(req.key);
    const values = asArr(req.values).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, k);
    switch (asStr(req.operator)) {
      case 'In': if (!has || !values.includes(labels[k])) return false; break;
      case 'NotIn': if (has && values.includes(labels[k])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** A label selector printed as Go's %#v prints a metav1.LabelSelector value. */
export function goLabelSelector(sel: unknown): string {
  const s = isObj(sel) ? sel : {};
  const labels = isObj(s.matchLabels) ? goStringMap(strMap(s.matchLabels)) : 'map[string]string(nil)';
  const exprs = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${objects(s.matchExpressions).map(([r]) => {
      const vals = Array.isArray(r.values) ? `[]string{${r.values.map((v) => goQuote(String(v))).join(', ')}}` : '[]string(nil)';
      return `v1.LabelSelectorRequirement{Key:${goQuote(asStr(r.key))}, Operator:${goQuote(asStr(r.operator))}, Values:${vals}}`;
    }).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprs}}`;
}
