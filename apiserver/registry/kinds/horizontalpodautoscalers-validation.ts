// HorizontalPodAutoscaler (autoscaling/v2) defaulting and validation, with Kubernetes' field paths and messages:
// minReplicas >= 1, maxReplicas >= minReplicas, one metric source per metric, targets of the right shape, and
// behavior's windows and policies within upstream's bounds.
import { parseQuantity, quantityError } from '../../../lib/api/quantity.js';
import { asArr, asObj, asStr, forbidden, invalid, isSet, notSupported, required, type FieldCause, type Obj } from '../../validation/field.js';

export const DEFAULT_CPU_UTILIZATION = 80;
const MAX_STABILIZATION_WINDOW = 3600;
const MAX_PERIOD = 1800;
const SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SOURCE_FIELD: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];

/** What a behavior's scaleUp holds when left out: no stabilization, the faster of 4 pods or doubling per 15 s. */
export const defaultScaleUp = (): Obj => ({ stabilizationWindowSeconds: 0, selectPolicy: 'Max',
  policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
/** scaleDown's: everything may go per 15 s; the window is left to the controller (--horizontal-pod-autoscaler-downscale-stabilization). */
export const defaultScaleDown = (): Obj => ({ selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });

function defaultRules(rules: Obj | undefined, base: Obj): Obj {
  if (!rules) return base;
  if (!isSet(rules.stabilizationWindowSeconds) && isSet(base.stabilizationWindowSeconds)) rules.stabilizationWindowSeconds = base.stabilizationWindowSeconds;
  if (!isSet(rules.selectPolicy)) rules.selectPolicy = base.selectPolicy;
  if (!asArr(rules.policies).length) rules.policies = base.policies;
  return rules;
}

/** v2 defaulting: minReplicas 1, 80% CPU when no metric is given, and a given behavior's missing parts. */
export function defaultHPA(o: Obj): void {
  const spec = asObj(o.spec);
  if (!spec) return;
  if (!isSet(spec.minReplicas)) spec.minReplicas = 1;
  if (!asArr(spec.metrics).length) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  const behavior = asObj(spec.behavior);
  if (behavior) {
    behavior.scaleUp = defaultRules(asObj(behavior.scaleUp), defaultScaleUp());
    behavior.scaleDown = defaultRules(asObj(behavior.scaleDown), defaultScaleDown());
  }
}

function pathSegment(v: string, field: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (v === '.' || v === '..') out.push(invalid(field, v, `may not be '${v}'`));
  for (const c of ['/', '%']) if (v.includes(c)) out.push(invalid(field, v, `may not contain '${c}'`));
  return out;
}

function crossVersionRef(ref: Obj | undefined, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const kind = asStr(ref?.kind);
  const name = asStr(ref?.name);
  if (!kind) out.push(required(`${path}.kind`));
  else out.push(...pathSegment(kind, `${path}.kind`));
  if (!name) out.push(required(`${path}.name`));
  else out.push(...pathSegment(name, `${path}.name`));
  return out;
}

const positive = (q: unknown): boolean => (parseQuantity(q) ?? 0) > 0;

function metricTarget(t: Obj | undefined, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const type = asStr(t?.type);
  if (!type) out.push(required(`${path}.type`, 'must specify a metric target type'));
  if (type !== 'Utilization' && type !== 'Value' && type !== 'AverageValue') out.push(invalid(`${path}.type`, type, 'must be either Utilization, Value, or AverageValue'));
  for (const f of ['value', 'averageValue']) {
    const q = t?.[f];
    if (isSet(q) && !quantityError(q) && !positive(q)) out.push(invalid(`${path}.${f}`, q, 'must be positive'));
  }
  const u = t?.averageUtilization;
  if (typeof u === 'number' && u < 1) out.push(invalid(`${path}.averageUtilization`, u, 'must be greater than 0'));
  return out;
}

function resourceSource(src: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (!asStr(src.name)) out.push(required(`${path}.name`, 'must specify a resource name'));
  const target = asObj(src.target);
  out.push(...metricTarget(target, `${path}.target`));
  if (!isSet(target?.averageUtilization) && !isSet(target?.averageValue)) {
    out.push(required(`${path}.target.averageUtilization`, 'must set either a target raw value or a target utilization'));
  }
  if (isSet(target?.averageUtilization) && isSet(target?.averageValue)) {
    out.push(forbidden(`${path}.target.averageValue`, 'may not set both a target raw value and a target utilization'));
  }
  return out;
}

function metricSpec(m: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const type = asStr(m.type);
  if (!type) out.push(required(`${path}.type`, 'must specify a metric source type'));
  const present = Object.values(SOURCE_FIELD).filter((f) => isSet(m[f]));
  const expected = SOURCE_FIELD[type];
  if (type && !expected) out.push(notSupported(`${path}.type`, type, SOURCE_TYPES));
  else if (expected && !isSet(m[expected])) out.push(required(`${path}.${expected}`, 'must populate information for the given metric source'));
  if (present.length !== 1) {
    for (const f of present) if (f !== expected) out.push(forbidden(`${path}.${f}`, 'must populate the given metric source only'));
  }
  const res = asObj(m.resource);
  if (res) out.push(...resourceSource(res, `${path}.resource`));
  const cres = asObj(m.containerResource);
  if (cres) {
    out.push(...resourceSource(cres, `${path}.containerResource`));
    if (!asStr(cres.container)) out.push(required(`${path}.containerResource.container`, 'must specify a container'));
  }
  for (const f of ['pods', 'object', 'external']) {
    const src = asObj(m[f]);
    if (!src) continue;
    if (!asStr(asObj(src.metric)?.name)) out.push(required(`${path}.${f}.metric.name`, 'must specify a metric name'));
    out.push(...metricTarget(asObj(src.target), `${path}.${f}.target`));
    if (f === 'object') out.push(...crossVersionRef(asObj(src.describedObject), `${path}.object.describedObject`));
  }
  return out;
}

function scalingRules(rules: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const w = rules.stabilizationWindowSeconds;
  if (typeof w === 'number' && w < 0) out.push(invalid(`${path}.stabilizationWindowSeconds`, w, 'must be greater than or equal to zero'));
  if (typeof w === 'number' && w > MAX_STABILIZATION_WINDOW) out.push(invalid(`${path}.stabilizationWindowSeconds`, w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW}`));
  if (isSet(rules.selectPolicy) && !SELECT_POLICIES.includes(asStr(rules.selectPolicy))) out.push(notSupported(`${path}.selectPolicy`, rules.selectPolicy, SELECT_POLICIES));
  const policies = asArr(rules.policies);
  if (!policies.length) out.push(required(`${path}.policies`, 'must specify at least one Policy'));
  policies.forEach((p, i) => {
    const pp = `${path}.policies[${i}]`;
    const o = asObj(p) ?? {};
    if (!POLICY_TYPES.includes(asStr(o.type))) out.push(notSupported(`${pp}.type`, o.type ?? '', POLICY_TYPES));
    if (typeof o.value !== 'number' || o.value <= 0) out.push(invalid(`${pp}.value`, o.value ?? 0, 'must be greater than zero'));
    const period = o.periodSeconds;
    if (typeof period !== 'number' || period <= 0) out.push(invalid(`${pp}.periodSeconds`, period ?? 0, 'must be greater than zero'));
    else if (period > MAX_PERIOD) out.push(invalid(`${pp}.periodSeconds`, period, `must be less than or equal to ${MAX_PERIOD}`));
  });
  return out;
}

export function validateHPA(o: Obj): FieldCause[] {
  const spec = asObj(o.spec) ?? {};
  const out: FieldCause[] = [];
  const min = spec.minReplicas;
  if (typeof min === 'number' && min < 1) out.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  const max = spec.maxReplicas;
  if (typeof max === 'number' && max < 1) out.push(invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof min === 'number' && typeof max === 'number' && max < min) out.push(invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  out.push(...crossVersionRef(asObj(spec.scaleTargetRef), 'spec.scaleTargetRef'));
  asArr(spec.metrics).forEach((m, i) => out.push(...metricSpec(asObj(m) ?? {}, `spec.metrics[${i}]`)));
  const behavior = asObj(spec.behavior);
  for (const dir of ['scaleUp', 'scaleDown']) {
    const rules = asObj(behavior?.[dir]);
    if (rules) out.push(...scalingRules(rules, `spec.behavior.${dir}`));
  }
  return out;
}
