// Checks on a PodSpec (pods and pod templates): containers and volumes, policies, scheduling constraints, DNS,
// security context and the pod template rules of workload controllers.
import {
  asArr, asNum, asObj, asStr, child, duplicate, forbidden, goStringMap, goRaw, index, invalid, invalidEach, isObj, isSet,
  notSupported, objects, optNum, optStr, required, strMap, type FieldCause, type Obj,
} from './field.js';
import {
  validateContainers, validateEphemeralContainers, validateInitContainers, validateProfile, type PodContext,
} from './container.js';
import { selectorMatches, validateLabelSelector, validateLabels, validateTemplateMeta } from './meta.js';
import {
  inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidLabelValue,
} from './names.js';
import { validateResourceRequirements } from './resources.js';
import { validateVolumes } from './volumes.js';

const MAX_INT32 = 2147483647;
const NOT_POSITIVE = 'must be greater than zero';

function validateNodeSelectorRequirement(req: Obj, path: string, field: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  const op = asStr(req.operator);
  const n = asArr(req.values).length;
  const vp = child(path, 'values');
  switch (op) {
    case 'In': case 'NotIn':
      if (n === 0) out.push(required(vp, "must be specified when `operator` is 'In' or 'NotIn'"));
      else if (field && n !== 1) out.push(required(vp, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (n > 0) out.push(forbidden(vp, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt': case 'Lt':
      if (n !== 1) out.push(required(vp, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      out.push(invalid(child(path, 'operator'), op, 'not a valid selector operator'));
  }
  const k = asStr(req.key);
  if (field) {
    if (k !== 'metadata.name') out.push(notSupported(child(path, 'key'), k, ['metadata.name']));
  } else {
    out.push(...invalidEach(child(path, 'key'), k, isQualifiedName(k)));
  }
  return out;
}

function validateNodeSelectorTerm(term: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [r, i] of objects(term.matchExpressions)) out.push(...validateNodeSelectorRequirement(r, index(child(path, 'matchExpressions'), i), false));
  for (const [r, i] of objects(term.matchFields)) out.push(...validateNodeSelectorRequirement(r, index(child(path, 'matchFields'), i), true));
  return out;
}

function validateWeight(w: unknown, path: string): FieldCause[] {
  const n = asNum(w);
  return n < 1 || n > 100 ? [invalid(path, n, 'must be in the range 1-100')] : [];
}

function validatePodAffinityTerm(t: Obj, path: string): FieldCause[] {
  const out = [...validateLabelSelector(t.labelSelector, child(path, 'labelSelector')), ...validateLabelSelector(t.namespaceSelector, child(path, 'namespaceSelector'))];
  for (const ns of asArr(t.namespaces)) if (typeof ns === 'string') out.push(...invalidEach(child(path, 'namespace'), ns, isDNS1123Label(ns)));
  const tk = asStr(t.topologyKey);
  if (!tk) out.push(required(child(path, 'topologyKey'), 'can not be empty'));
  out.push(...invalidEach(child(path, 'topologyKey'), tk, isQualifiedName(tk)));
  return out;
}

function validatePodAffinity(a: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [t, i] of objects(a.requiredDuringSchedulingIgnoredDuringExecution)) out.push(...validatePodAffinityTerm(t, index(child(path, 'requiredDuringSchedulingIgnoredDuringExecution'), i)));
  for (const [w, i] of objects(a.preferredDuringSchedulingIgnoredDuringExecution)) {
    const p = index(child(path, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    out.push(...validateWeight(w.weight, child(p, 'weight')));
    if (isObj(w.podAffinityTerm)) out.push(...validatePodAffinityTerm(w.podAffinityTerm, child(p, 'podAffinityTerm')));
  }
  return out;
}

function validateAffinity(aff: unknown, path: string): FieldCause[] {
  if (!isObj(aff)) return [];
  const out: FieldCause[] = [];
  const na = asObj(aff.nodeAffinity);
  if (na) {
    const np = child(path, 'nodeAffinity');
    const req = asObj(na.requiredDuringSchedulingIgnoredDuringExecution);
    if (req) {
      const rp = child(np, 'requiredDuringSchedulingIgnoredDuringExecution');
      const terms = objects(req.nodeSelectorTerms);
      if (!asArr(req.nodeSelectorTerms).length) out.push(required(child(rp, 'nodeSelectorTerms'), 'must have at least one node selector term'));
      for (const [t, i] of terms) out.push(...validateNodeSelectorTerm(t, index(child(rp, 'nodeSelectorTerms'), i)));
    }
    for (const [pt, i] of objects(na.preferredDuringSchedulingIgnoredDuringExecution)) {
      const p = index(child(np, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      out.push(...validateWeight(pt.weight, child(p, 'weight')));
      if (isObj(pt.preference)) out.push(...validateNodeSelectorTerm(pt.preference, child(p, 'preference')));
    }
  }
  if (isObj(aff.podAffinity)) out.push(...validatePodAffinity(aff.podAffinity, child(path, 'podAffinity')));
  if (isObj(aff.podAntiAffinity)) out.push(...validatePodAffinity(aff.podAntiAffinity, child(path, 'podAntiAffinity')));
  return out;
}

export function validateTolerations(tols: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [t, i] of objects(tols)) {
    const p = index(path, i);
    const k = asStr(t.key);
    const op = asStr(t.operator);
    const effect = asStr(t.effect);
    const value = asStr(t.value);
    if (k) out.push(...invalidEach(child(p, 'key'), k, isQualifiedName(k)));
    if (!k && op !== 'Exists') out.push(invalid(child(p, 'operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (isSet(t.tolerationSeconds) && effect !== 'NoExecute') out.push(invalid(child(p, 'effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (op === 'Equal' || op === '') {
      const errs = isValidLabelValue(value);
      if (errs.length) out.push(invalid(child(p, 'operator'), value, errs.join(';')));
    } else if (op === 'Exists') {
      if (value) out.push(invalid(child(p, 'operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      out.push(notSupported(child(p, 'operator'), op, ['Equal', 'Exists']));
    }
    if (effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) out.push(notSupported(child(p, 'effect'), effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
  }
  return out;
}

function validateTopologySpread(list: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const seen = new Set<string>();
  for (const [c, i] of objects(list)) {
    const p = index(path, i);
    const skew = asNum(c.maxSkew);
    if (skew <= 0) out.push(invalid(child(p, 'maxSkew'), skew, NOT_POSITIVE));
    const tk = asStr(c.topologyKey);
    if (!tk) out.push(required(child(p, 'topologyKey'), 'can not be empty'));
    else out.push(...invalidEach(child(p, 'topologyKey'), tk, isQualifiedName(tk)));
    const when = asStr(c.whenUnsatisfiable);
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(when)) out.push(notSupported(child(p, 'whenUnsatisfiable'), when, ['DoNotSchedule', 'ScheduleAnyway']));
    const id = `{${tk}, ${when}}`;
    if (seen.has(id)) out.push(duplicate(p, id));
    seen.add(id);
    const md = optNum(c.minDomains);
    if (md !== undefined) {
      if (md <= 0) out.push(invalid(child(p, 'minDomains'), md, NOT_POSITIVE));
      else if (when !== 'DoNotSchedule') out.push(invalid(child(p, 'minDomains'), md, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${when}`));
    }
    for (const f of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      const v = optStr(c[f]);
      if (v !== undefined && !['Honor', 'Ignore'].includes(v)) out.push(notSupported(child(p, f), v, ['Honor', 'Ignore']));
    }
    out.push(...validateLabelSelector(c.labelSelector, child(p, 'labelSelector')));
  }
  return out;
}

function validateDNS(spec: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const policy = asStr(spec.dnsPolicy);
  const cfg = asObj(spec.dnsConfig);
  const cp = child(path, 'dnsConfig');
  if (policy === 'None') {
    if (!cfg) return [required(cp, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!asArr(cfg.nameservers).length) return [required(child(cp, 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!cfg) return out;
  const ns = asArr(cfg.nameservers);
  if (ns.length > 3) out.push(invalid(child(cp, 'nameservers'), ns, 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => out.push(...invalidEach(index(child(cp, 'nameservers'), i), asStr(n), isValidIP(asStr(n)))));
  const searches = asArr(cfg.searches).map(asStr);
  if (searches.length > 32) out.push(invalid(child(cp, 'searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) out.push(invalid(child(cp, 'searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    const t = s.replace(/\.$/, '');
    out.push(...invalidEach(index(child(cp, 'searches'), i), t, isDNS1123Subdomain(t)));
  });
  for (const [o, i] of objects(cfg.options)) if (!asStr(o.name)) out.push(required(index(child(cp, 'options'), i), 'must not be empty'));
  return out;
}

function validatePodSecurityContext(spec: Obj, path: string): FieldCause[] {
  const sc = asObj(spec.securityContext);
  if (!sc) return [];
  const p = child(path, 'securityContext');
  const out: FieldCause[] = [];
  const idCheck = (v: unknown, field: string): void => {
    const id = optNum(v);
    if (id !== undefined && (id < 0 || id > MAX_INT32)) out.push(invalid(field, id, inclusiveRangeError(0, MAX_INT32)));
  };
  for (const f of ['fsGroup', 'runAsUser', 'runAsGroup']) idCheck(sc[f], child(p, f));
  asArr(sc.supplementalGroups).forEach((g, i) => idCheck(g, index(child(p, 'supplementalGroups'), i)));
  if (spec.shareProcessNamespace === true && spec.hostPID === true) out.push(invalid(child(p, 'shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  const fgcp = optStr(sc.fsGroupChangePolicy);
  if (fgcp !== undefined && !['Always', 'OnRootMismatch'].includes(fgcp)) out.push(notSupported(child(p, 'fsGroupChangePolicy'), fgcp, ['Always', 'OnRootMismatch']));
  const sgp = optStr(sc.supplementalGroupsPolicy);
  if (sgp !== undefined && !['Merge', 'Strict'].includes(sgp)) out.push(notSupported(child(p, 'supplementalGroupsPolicy'), sgp, ['Merge', 'Strict']));
  for (const [s, i] of objects(sc.sysctls)) if (!asStr(s.name)) out.push(required(child(index(child(p, 'sysctls'), i), 'name')));
  out.push(...validateProfile(sc.seccompProfile, child(p, 'seccompProfile')), ...validateProfile(sc.appArmorProfile, child(p, 'appArmorProfile')));
  return out;
}

/** Validates a PodSpec found at `path` (`spec`, or `spec.template.spec` in workloads). */
export function validatePodSpec(specValue: unknown, path: string): FieldCause[] {
  const spec = isObj(specValue) ? specValue : {};
  const out: FieldCause[] = [];
  if (!isSet(spec.terminationGracePeriodSeconds)) out.push(required(child(path, 'terminationGracePeriodSeconds')));
  const vols = validateVolumes(spec.volumes, child(path, 'volumes'));
  out.push(...vols.causes);
  const claimNames = new Set<string>();
  for (const [c, i] of objects(spec.resourceClaims)) {
    const p = index(child(path, 'resourceClaims'), i);
    const name = asStr(c.name);
    if (!name) out.push(required(child(p, 'name')));
    else if (claimNames.has(name)) out.push(duplicate(child(p, 'name'), name));
    else out.push(...invalidEach(child(p, 'name'), name, isDNS1123Label(name)));
    if (name) claimNames.add(name);
    const n = Number(isSet(c.resourceClaimName)) + Number(isSet(c.resourceClaimTemplateName));
    if (n === 0) out.push(invalid(p, c, 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`'));
    if (n > 1) out.push(invalid(p, c, 'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified'));
  }
  const ctx: PodContext = { volumes: vols.volumes, claimNames, gracePeriod: optNum(spec.terminationGracePeriodSeconds),
    restartPolicy: asStr(spec.restartPolicy) };
  out.push(...validateContainers(spec.containers, child(path, 'containers'), ctx));
  out.push(...validateInitContainers(spec.initContainers, spec.containers, child(path, 'initContainers'), ctx));
  out.push(...validateEphemeralContainers(spec.ephemeralContainers, spec.containers, spec.initContainers, child(path, 'ephemeralContainers'), ctx));
  if (isObj(spec.resources)) out.push(...validateResourceRequirements(spec.resources, child(path, 'resources'), claimNames, false));
  if (spec.hostNetwork === true) {
    for (const [c, ci] of objects(spec.containers)) {
      for (const [port, pi] of objects(c.ports)) {
        const hp = asNum(port.hostPort);
        if (hp !== 0 && hp !== asNum(port.containerPort)) out.push(invalid(child(index(child(index(child(path, 'containers'), ci), 'ports'), pi), 'hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
      }
    }
  }
  const rp = asStr(spec.restartPolicy);
  if (!rp) out.push(required(child(path, 'restartPolicy')));
  else if (!['Always', 'OnFailure', 'Never'].includes(rp)) out.push(notSupported(child(path, 'restartPolicy'), rp, ['Always', 'OnFailure', 'Never']));
  const dns = asStr(spec.dnsPolicy);
  const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (!dns) out.push(required(child(path, 'dnsPolicy')));
  else if (!dnsPolicies.includes(dns)) out.push(notSupported(child(path, 'dnsPolicy'), dns, dnsPolicies));
  out.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  out.push(...validatePodSecurityContext(spec, path));
  for (const [s, i] of objects(spec.imagePullSecrets)) {
    if (Object.keys(s).some((k) => k !== 'name')) out.push(invalid(index(child(path, 'imagePullSecrets'), i), s, 'only name may be set'));
  }
  out.push(...validateAffinity(spec.affinity, child(path, 'affinity')));
  out.push(...validateDNS(spec, path));
  for (const [g, i] of objects(spec.readinessGates)) {
    const ct = asStr(g.conditionType);
    out.push(...invalidEach(child(index(child(path, 'readinessGates'), i), 'conditionType'), ct, isQualifiedName(ct)));
  }
  const gates = new Set<string>();
  for (const [g, i] of objects(spec.schedulingGates)) {
    const p = index(child(path, 'schedulingGates'), i);
    const name = asStr(g.name);
    out.push(...invalidEach(p, name, isQualifiedName(name)));
    if (gates.has(name)) out.push(duplicate(p, name));
    gates.add(name);
  }
  out.push(...validateTopologySpread(spec.topologySpreadConstraints, child(path, 'topologySpreadConstraints')));
  for (const f of ['serviceAccountName', 'nodeName', 'priorityClassName']) {
    const v = asStr(spec[f]);
    if (v) out.push(...invalidEach(child(path, f), v, isDNS1123Subdomain(v)));
  }
  const ads = optNum(spec.activeDeadlineSeconds);
  if (ads !== undefined && (ads < 1 || ads > MAX_INT32)) out.push(invalid(child(path, 'activeDeadlineSeconds'), ads, inclusiveRangeError(1, MAX_INT32)));
  for (const f of ['hostname', 'subdomain']) {
    const v = asStr(spec[f]);
    if (v) out.push(...invalidEach(child(path, f), v, isDNS1123Label(v)));
  }
  out.push(...validateTolerations(spec.tolerations, child(path, 'tolerations')));
  for (const [h, i] of objects(spec.hostAliases)) {
    const p = index(child(path, 'hostAliases'), i);
    out.push(...invalidEach(child(p, 'ip'), asStr(h.ip), isValidIP(asStr(h.ip))));
    asArr(h.hostnames).forEach((n, j) => out.push(...invalidEach(index(child(p, 'hostnames'), j), asStr(n), isDNS1123Subdomain(asStr(n)))));
  }
  const rc = optStr(spec.runtimeClassName);
  if (rc !== undefined) out.push(...invalidEach(child(path, 'runtimeClassName'), rc, isDNS1123Subdomain(rc)));
  const pp = optStr(spec.preemptionPolicy);
  if (pp !== undefined && !['PreemptLowerPriority', 'Never'].includes(pp)) out.push(notSupported(child(path, 'preemptionPolicy'), pp, ['PreemptLowerPriority', 'Never']));
  if (isObj(spec.overhead)) out.push(...validateResourceRequirements({ limits: spec.overhead }, child(path, 'overhead'), claimNames));
  const os = asObj(spec.os);
  if (os && !['linux', 'windows'].includes(asStr(os.name))) out.push(notSupported(child(child(path, 'os'), 'name'), asStr(os.name), ['linux', 'windows']));
  return out;
}

/** A pod template: label/annotation checks on its metadata and the pod spec. Ephemeral containers are not allowed. */
export function validatePodTemplateSpec(tpl: unknown, path: string): FieldCause[] {
  const t = isObj(tpl) ? tpl : {};
  const spec = asObj(t.spec) ?? {};
  const out = [...validateTemplateMeta(t.metadata, child(path, 'metadata')), ...validatePodSpec(spec, child(path, 'spec'))];
  if (asArr(spec.ephemeralContainers).length) out.push(forbidden(child(child(path, 'spec'), 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return out;
}

/** The template of a ReplicaSet or Deployment: it must match the selector and always restart. */
export function validateWorkloadTemplate(tpl: unknown, selector: unknown, selectorOk: boolean, path: string, kindName: string): FieldCause[] {
  if (!isObj(tpl)) return [required(path)];
  const out: FieldCause[] = [];
  const labels = strMap(asObj(tpl.metadata)?.labels);
  const emptySelector = isObj(selector) && Object.keys(strMap(selector.matchLabels)).length + asArr(selector.matchExpressions).length === 0;
  if (selectorOk && !emptySelector && !selectorMatches(selector, labels)) {
    const raw = asObj(tpl.metadata)?.labels;
    out.push(invalid(child(child(path, 'metadata'), 'labels'), goRaw(isObj(raw) ? goStringMap(labels) : 'map[string]string(nil)'), '`selector` does not match template `labels`'));
  }
  out.push(...validatePodTemplateSpec(tpl, path));
  const spec = asObj(tpl.spec) ?? {};
  const rp = asStr(spec.restartPolicy);
  if (rp && rp !== 'Always') out.push(notSupported(child(child(path, 'spec'), 'restartPolicy'), rp, ['Always']));
  if (isSet(spec.activeDeadlineSeconds)) out.push(forbidden(child(child(path, 'spec'), 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kindName} is not Supported`));
  return out;
}

