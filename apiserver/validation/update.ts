// Checks that only apply to updates: fields Kubernetes does not let change once set.
import type { KindInfo } from '../../lib/api/kinds.js';
import {
  asArr, asObj, asStr, forbidden, goRaw, index, invalid, isObj, objects, optNum, optStr, required, type FieldCause, type Obj,
} from './field.js';
import { FIELD_IMMUTABLE, goLabelSelector } from './meta.js';
import { validateTolerations } from './podspec.js';

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

const UPDATABLE_POD_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function containerUpdates(newList: unknown, oldList: unknown, path: string): { causes: FieldCause[]; stop: boolean } {
  if (asArr(newList).length !== asArr(oldList).length) return { causes: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const causes: FieldCause[] = [];
  for (const [c, i] of objects(newList)) {
    const image = asStr(c.image);
    if (!image) causes.push(required(`${index(path, i)}.image`));
    if (image.trim() !== image) causes.push(invalid(`${index(path, i)}.image`, image, 'must not have leading or trailing whitespace'));
  }
  return { causes, stop: false };
}

function tolerationKey(t: Obj): string {
  return JSON.stringify([asStr(t.key), asStr(t.operator), asStr(t.value), asStr(t.effect)]);
}

function validatePodUpdate(obj: Obj, old: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const oldSpec = asObj(old.spec) ?? {};
  const out: FieldCause[] = [];
  for (const f of ['containers', 'initContainers']) {
    const r = containerUpdates(spec[f], oldSpec[f], `spec.${f}`);
    out.push(...r.causes);
    if (r.stop) return out;
  }
  const ads = optNum(spec.activeDeadlineSeconds);
  const oldAds = optNum(oldSpec.activeDeadlineSeconds);
  if (ads !== undefined) {
    if (ads < 0 || ads > 2147483647) out.push(invalid('spec.activeDeadlineSeconds', ads, 'must be between 0 and 2147483647, inclusive'));
    if (oldAds !== undefined && oldAds < ads) out.push(invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value'));
  } else if (oldAds !== undefined) {
    out.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  const newTols = new Set(objects(spec.tolerations).map(([t]) => tolerationKey(t)));
  if (objects(oldSpec.tolerations).some(([t]) => !newTols.has(tolerationKey(t)))) {
    out.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  } else {
    out.push(...validateTolerations(spec.tolerations, 'spec.tolerations'));
  }
  const oldGates = new Set(objects(oldSpec.schedulingGates).map(([g]) => asStr(g.name)));
  for (const [g, i] of objects(spec.schedulingGates)) {
    if (!oldGates.has(asStr(g.name))) out.push(forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${asStr(g.name)}'`));
  }
  if (semanticEqual(spec, oldSpec)) return out;
  // Put back what may change, then anything left over is a forbidden change.
  const munged: Obj = JSON.parse(JSON.stringify(spec));
  for (const f of ['containers', 'initContainers']) {
    const oldList = asArr(oldSpec[f]);
    munged[f] = asArr(munged[f]).map((c, i) => (isObj(c) && isObj(oldList[i]) ? { ...c, image: (oldList[i] as Obj).image } : c));
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  const oldTgp = optNum(oldSpec.terminationGracePeriodSeconds);
  if (oldTgp !== undefined && oldTgp < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldTgp;
  if (asArr(oldSpec.schedulingGates).length) munged.nodeSelector = oldSpec.nodeSelector;
  if (!semanticEqual(munged, oldSpec)) {
    const diff = describeDiff(oldSpec, munged, 'spec').join('\n');
    out.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_FIELDS.join(',')}\n${diff}`));
  }
  return out;
}

function selectorImmutable(obj: Obj, old: Obj): FieldCause[] {
  const sel = asObj(obj.spec)?.selector;
  return semanticEqual(sel, asObj(old.spec)?.selector) ? [] : [invalid('spec.selector', goRaw(goLabelSelector(sel)), FIELD_IMMUTABLE)];
}

const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

function immutableData(obj: Obj, old: Obj, fields: string[]): FieldCause[] {
  if (old.immutable !== true) return [];
  const out: FieldCause[] = [];
  if (obj.immutable !== true) out.push(forbidden('immutable', IMMUTABLE_WHEN_SET));
  for (const f of fields) if (!semanticEqual(obj[f], old[f])) out.push(forbidden(f, IMMUTABLE_WHEN_SET));
  return out;
}

function validateServiceUpdate(obj: Obj, old: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const oldSpec = asObj(old.spec) ?? {};
  const out: FieldCause[] = [];
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return out;
  const ips = asArr(spec.clusterIPs).map(asStr);
  const oldIps = asArr(oldSpec.clusterIPs).map(asStr);
  const headless = (s: Obj, list: string[]): boolean => asStr(s.clusterIP) === 'None' || list[0] === 'None';
  if (headless(spec, ips) && headless(oldSpec, oldIps)) return out;
  if (oldIps.length && !ips.length) out.push(invalid('spec.clusterIPs[0]', ips, 'primary clusterIP can not be unset'));
  else if (oldIps.length && ips[0] !== oldIps[0]) out.push(invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
  else if (oldIps.length === ips.length) oldIps.forEach((ip, i) => { if (i > 0 && ip !== ips[i]) out.push(invalid(index('spec.clusterIPs', i), ips, 'may not change once set')); });
  const lbc = optStr(spec.loadBalancerClass);
  const oldLbc = optStr(oldSpec.loadBalancerClass);
  if (oldSpec.type === 'LoadBalancer' && spec.type === 'LoadBalancer' && lbc !== oldLbc) out.push(invalid('spec.loadBalancerClass', lbc ?? null, 'may not change once set'));
  return out;
}

function validateNodeUpdate(obj: Obj, old: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const oldSpec = asObj(old.spec) ?? {};
  const out: FieldCause[] = [];
  const cidrs = asArr(spec.podCIDRs).map(asStr);
  const oldCidrs = asArr(oldSpec.podCIDRs).map(asStr);
  if (oldCidrs.length && (oldCidrs.length !== cidrs.length || oldCidrs.some((c, i) => c !== cidrs[i]))) {
    out.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  const pid = asStr(oldSpec.providerID);
  if (pid && pid !== asStr(spec.providerID)) out.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  return out;
}

/** The update-only checks for a kind (the create checks are run on updates too). */
export function validateKindUpdate(kind: KindInfo, obj: Obj, old: Obj): FieldCause[] {
  switch (kind.kind) {
    case 'Pod': return validatePodUpdate(obj, old);
    case 'Deployment': case 'ReplicaSet': return selectorImmutable(obj, old);
    case 'ConfigMap': return immutableData(obj, old, ['data', 'binaryData']);
    case 'Secret': {
      const out = asStr(obj.type) === asStr(old.type) ? [] : [invalid('type', asStr(obj.type), FIELD_IMMUTABLE)];
      return [...out, ...immutableData(obj, old, ['data'])];
    }
    case 'Service': return validateServiceUpdate(obj, old);
    case 'Node': return validateNodeUpdate(obj, old);
    default: return [];
  }
}
