// Checks shared by the apps/v1 workloads (Deployments, ReplicaSets; later StatefulSets, DaemonSets): replicas, the
// label selector and the pod template it must match, and the Deployment's update strategy.
import { asArr, asNum, asObj, asStr, child, forbidden, goQuote, goRaw, invalid, isObj, isSet, notSupported, optNum, required, strMap, type FieldCause, type Obj } from './field.js';
import { goLabelSelector, nonNegative, selectorIsValid, validateLabelSelector } from './meta.js';
import { isValidPercent } from './names.js';
import { validateWorkloadTemplate } from './podspec.js';

/** An int-or-percent value as Go's %#v prints an intstr.IntOrString. */
export function goIntOrString(v: unknown): string {
  return typeof v === 'string' ? `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}` : `intstr.IntOrString{Type:0, IntVal:${asNum(v)}, StrVal:""}`;
}

function intOrPercentValue(v: unknown): number {
  if (typeof v === 'string') return isValidPercent(v).length ? 0 : Number(v.slice(0, -1));
  return asNum(v);
}

function validatePositiveIntOrPercent(v: unknown, field: string): FieldCause[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(field, goRaw(goIntOrString(v)), m));
  if (typeof v === 'number') return nonNegative(v, field);
  return [];
}

function validateStrategy(strategy: unknown, path: string): FieldCause[] {
  const s = isObj(strategy) ? strategy : {};
  const type = asStr(s.type);
  const ru = asObj(s.rollingUpdate);
  if (type === 'Recreate') return ru ? [forbidden(child(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
  if (type === 'RollingUpdate') {
    if (!ru) return [required(child(path, 'rollingUpdate'), 'this should be defaulted and never be nil')];
    const rp = child(path, 'rollingUpdate');
    const out = [...validatePositiveIntOrPercent(ru.maxUnavailable, child(rp, 'maxUnavailable')), ...validatePositiveIntOrPercent(ru.maxSurge, child(rp, 'maxSurge'))];
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      out.push(invalid(child(rp, 'maxUnavailable'), goRaw(goIntOrString(ru.maxUnavailable)), 'may not be 0 when `maxSurge` is 0'));
    }
    if (typeof ru.maxUnavailable === 'string' && !isValidPercent(ru.maxUnavailable).length && intOrPercentValue(ru.maxUnavailable) > 100) {
      out.push(invalid(child(rp, 'maxUnavailable'), goRaw(goIntOrString(ru.maxUnavailable)), 'must not be greater than 100%'));
    }
    return out;
  }
  const ruText = ru ? '(*apps.RollingUpdateDeployment)(0xc000a1e000)' : '(*apps.RollingUpdateDeployment)(nil)';
  return [notSupported(path, goRaw(`apps.DeploymentStrategy{Type:${goQuote(type)}, RollingUpdate:${ruText}}`), ['Recreate', 'RollingUpdate'])];
}

/** A replicated workload's spec: replicas, minReadySeconds, a non-empty valid selector and a template it matches. */
export function validateReplicatedSpec(spec: Obj, kindName: string): FieldCause[] {
  const out = [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  return [...out, ...validateSelectedTemplate(spec.selector, spec.template, kindName, 'deployment')];
}

/**
 * spec.selector (required, non-empty: "empty selector is invalid for <noun>", upstream's wording for each kind) and
 * spec.template, which the selector must match; the template is checked only once the selector is valid.
 */
export function validateSelectedTemplate(sel: unknown, template: unknown, kindName: string, noun: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (!isSet(sel)) {
    out.push(required('spec.selector'));
  } else {
    out.push(...validateLabelSelector(sel, 'spec.selector'));
    if (isObj(sel) && Object.keys(strMap(sel.matchLabels)).length + asArr(sel.matchExpressions).length === 0) {
      out.push(invalid('spec.selector', goRaw(goLabelSelector(sel)), `empty selector is invalid for ${noun}`));
    }
  }
  if (!selectorIsValid(sel)) out.push(invalid('spec.selector', goRaw(goLabelSelector(sel)), 'invalid label selector'));
  else out.push(...validateWorkloadTemplate(template, sel, true, 'spec.template', kindName));
  return out;
}

/** A Deployment: its replicated spec, its update strategy, the revision history and the progress deadline. */
export function validateDeployment(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out = validateReplicatedSpec(spec, 'ReplicaSet');
  out.push(...validateStrategy(spec.strategy, 'spec.strategy'));
  out.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const pds = optNum(spec.progressDeadlineSeconds);
  if (pds !== undefined) {
    out.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= asNum(spec.minReadySeconds)) out.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return out;
}
