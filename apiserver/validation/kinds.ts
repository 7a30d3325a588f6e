// Per-kind semantic checks on create (and on every update, which re-runs them), after the structural schema check.
import type { KindInfo } from '../../lib/api/kinds.js';
import {
  asArr, asNum, asObj, asStr, child, duplicate, forbidden, goQuote, goRaw, index, invalid, invalidEach, isObj, isSet, key,
  notSupported, objects, optNum, optStr, required, strMap, type FieldCause, type Obj,
} from './field.js';
import {
  goLabelSelector, nonNegative, selectorIsValid, validateLabelSelector, validateObjectMeta, type MetaOptions,
} from './meta.js';
import {
  byteLength, ipFamily, isDNS1123Subdomain, isQualifiedName, isValidCIDR, isValidLabelValue, isValidPercent,
  nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain,
} from './names.js';
import { parseQuantity, quantityError, quantityText } from '../../lib/api/quantity.js';
import { validateContainersOnlyForPod } from './container.js';
import { validateConfigMap, validateSecret } from './data.js';
import { validateEndpoints, validateService } from './service.js';
import { validatePodSpec, validateWorkloadTemplate } from './podspec.js';

const meta = (namespaced: boolean, nameCheck = nameIsDNSSubdomain, kubeFinalizers = true): MetaOptions => ({ namespaced, nameCheck, kubeFinalizers });

// ---- apps -----------------------------------------------------------------------------------------------------------

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

function validateReplicatedSpec(spec: Obj, kindName: string): FieldCause[] {
  const out = [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  const sel = spec.selector;
  if (!isSet(sel)) {
    out.push(required('spec.selector'));
  } else {
    out.push(...validateLabelSelector(sel, 'spec.selector'));
    if (isObj(sel) && Object.keys(strMap(sel.matchLabels)).length + asArr(sel.matchExpressions).length === 0) {
      out.push(invalid('spec.selector', goRaw(goLabelSelector(sel)), 'empty selector is invalid for deployment'));
    }
  }
  const ok = selectorIsValid(sel);
  if (!ok) out.push(invalid('spec.selector', goRaw(goLabelSelector(sel)), 'invalid label selector'));
  else out.push(...validateWorkloadTemplate(spec.template, sel, true, 'spec.template', kindName));
  return out;
}

function validateDeployment(obj: Obj): FieldCause[] {
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

// ---- core -----------------------------------------------------------------------------------------------------------

function validatePod(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out = validatePodSpec(spec, 'spec');
  if (!asStr(spec.serviceAccountName)) {
    for (const [v, vi] of objects(spec.volumes)) {
      for (const [s, si] of objects(asObj(v.projected)?.sources)) {
        if (isObj(s.serviceAccountToken)) out.push(forbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
      }
    }
  }
  out.push(...validateContainersOnlyForPod(spec.containers, 'spec.containers'), ...validateContainersOnlyForPod(spec.initContainers, 'spec.initContainers'));
  return out;
}

function validateEvent(obj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  const m = asObj(obj.metadata) ?? {};
  const ns = asStr(m.namespace);
  const inv = asObj(obj.involvedObject) ?? {};
  const invNs = asStr(inv.namespace);
  if (!asStr(m.name) && !asStr(m.generateName)) out.push(required('metadata.name', 'name or generateName is required'));
  if (!isSet(obj.eventTime)) {
    if (!invNs) {
      if (ns !== '' && ns !== 'default') out.push(invalid('involvedObject.namespace', invNs, 'does not match event.namespace'));
    } else if (ns !== invNs) out.push(invalid('involvedObject.namespace', invNs, 'does not match event.namespace'));
  } else {
    if (!invNs && ns !== 'default' && ns !== 'kube-system') out.push(invalid('involvedObject.namespace', invNs, 'does not match event.namespace'));
    const rc = asStr(obj.reportingComponent);
    if (!rc) out.push(required('source'));
    out.push(...invalidEach('source', rc, isQualifiedName(rc)));
    const ri = asStr(obj.reportingInstance);
    if (!ri) out.push(required('reportingInstance'));
    if (byteLength(ri) > 128) out.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = asStr(obj.action);
    if (!action) out.push(required('action'));
    if (byteLength(action) > 128) out.push(invalid('action', '', 'can have at most 128 characters'));
    const reason = asStr(obj.reason);
    if (!reason) out.push(required('reason'));
    if (byteLength(reason) > 128) out.push(invalid('reason', '', 'can have at most 128 characters'));
    if (byteLength(asStr(obj.message)) > 1024) out.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  out.push(...invalidEach('namespace', ns, isDNS1123Subdomain(ns)));
  return out;
}

function validateTaints(taints: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const seen = new Set<string>();
  for (const [t, i] of objects(taints)) {
    const p = index(path, i);
    const k = asStr(t.key);
    out.push(...invalidEach(child(p, 'key'), k, isQualifiedName(k)));
    const v = asStr(t.value);
    const msgs = isValidLabelValue(v);
    if (msgs.length) out.push(invalid(child(p, 'value'), v, msgs.join(';')));
    const effect = asStr(t.effect);
    if (!effect) out.push(required(child(p, 'effect')));
    else if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) out.push(notSupported(child(p, 'effect'), effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    const id = `${effect}/${k}`;
    if (seen.has(id)) out.push({ ...duplicate(p, t), message: `Duplicate value: ${JSON.stringify(t)}: taints must be unique by key and effect pair` });
    seen.add(id);
  }
  return out;
}

function validateNode(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out = validateTaints(spec.taints, 'spec.taints');
  const cidrs = asArr(spec.podCIDRs).map(asStr);
  cidrs.forEach((c, i) => out.push(...invalidEach(index('spec.podCIDRs', i), c, isValidCIDR(c))));
  if (cidrs.length > 2) out.push(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  else if (cidrs.length === 2 && ipFamily(cidrs[0].split('/')[0]) === ipFamily(cidrs[1].split('/')[0])) out.push(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  const status = asObj(obj.status) ?? {};
  for (const f of ['capacity', 'allocatable']) {
    for (const [name, q] of Object.entries(asObj(status[f]) ?? {})) {
      const p = key(child('status', f), name);
      const err = quantityError(q);
      if (err) out.push(invalid(p, quantityText(q), err));
      else if ((parseQuantity(q) ?? 0) < 0) out.push(invalid(p, quantityText(q), 'must be greater than or equal to 0'));
    }
  }
  return out;
}

function validateNamespace(obj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  for (const f of asArr(asObj(obj.spec)?.finalizers)) {
    if (typeof f !== 'string') continue;
    out.push(...invalidEach('spec.finalizers', f, isQualifiedName(f)));
    if (!f.includes('/') && !['kubernetes', 'orphan', 'foregroundDeletion'].includes(f)) out.push(invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return out;
}

function validateLease(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out: FieldCause[] = [];
  const dur = optNum(spec.leaseDurationSeconds);
  if (dur !== undefined && dur <= 0) out.push(invalid('spec.leaseDurationSeconds', dur, 'must be greater than 0'));
  const tr = optNum(spec.leaseTransitions);
  if (tr !== undefined && tr < 0) out.push(invalid('spec.leaseTransitions', tr, 'must be greater than or equal to 0'));
  const strategy = optStr(spec.strategy);
  if (strategy !== undefined) {
    if (!strategy.includes('/')) {
      if (strategy !== 'OldestEmulationVersion') out.push(notSupported('spec.strategy.strategy', strategy, ['OldestEmulationVersion']));
    } else out.push(...invalidEach('spec.strategy.strategy', strategy, isQualifiedName(strategy)));
  }
  if (asStr(spec.preferredHolder) && !strategy) out.push(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  return out;
}

/** The checks Kubernetes runs when an object of this kind is created. */
export function validateKind(kind: KindInfo, obj: Obj): FieldCause[] {
  switch (kind.kind) {
    case 'Namespace': return [...validateObjectMeta(obj.metadata, meta(false, nameIsDNSLabel)), ...validateNamespace(obj)];
    case 'Node': return [...validateObjectMeta(obj.metadata, meta(false)), ...validateNode(obj)];
    case 'Pod': return [...validateObjectMeta(obj.metadata, meta(true)), ...validatePod(obj)];
    case 'Service': return [...validateObjectMeta(obj.metadata, meta(true, nameIsDNS1035Label)), ...validateService(obj)];
    case 'Endpoints': return [...validateObjectMeta(obj.metadata, meta(true)), ...validateEndpoints(obj)];
    case 'ConfigMap': return [...validateObjectMeta(obj.metadata, meta(true)), ...validateConfigMap(obj)];
    case 'Secret': return [...validateObjectMeta(obj.metadata, meta(true)), ...validateSecret(obj)];
    case 'Event': return validateEvent(obj);
    case 'Deployment': return [...validateObjectMeta(obj.metadata, meta(true)), ...validateDeployment(obj)];
    case 'ReplicaSet': return [...validateObjectMeta(obj.metadata, meta(true)), ...validateReplicatedSpec(asObj(obj.spec) ?? {}, 'ReplicaSet')];
    case 'Lease': return [...validateObjectMeta(obj.metadata, meta(true, nameIsDNSSubdomain, false)), ...validateLease(obj)];
    default: return validateObjectMeta(obj.metadata, meta(kind.namespaced));
  }
}

/** The /scale subresource body: replicas may not be negative. */
export function validateScaleSemantics(obj: Obj): FieldCause[] {
  return nonNegative(asObj(obj.spec)?.replicas, 'spec.replicas');
}

/** The pods/binding subresource body: it must name a node. */
export function validateBindingSemantics(obj: Obj): FieldCause[] {
  const target = asObj(obj.target) ?? {};
  const out: FieldCause[] = [];
  const k = asStr(target.kind);
  if (k && k !== 'Node') out.push(notSupported('target.kind', k, ['Node', '<empty>']));
  if (!asStr(target.name)) out.push(required('target.name'));
  return out;
}
