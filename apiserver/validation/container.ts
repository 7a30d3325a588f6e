// Checks on containers (regular, init and ephemeral): names, images, ports, environment, mounts, probes, lifecycle
// handlers, pull policy, resources and security context.
import {
  asArr, asNum, asObj, asStr, child, duplicate, forbidden, index, invalid, invalidEach, isObj, isSet, notFound,
  notSupported, objects, optNum, optStr, required, type FieldCause, type Obj,
} from './field.js';
import { nonNegative } from './meta.js';
import {
  inclusiveRangeError, isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isHTTPHeaderName, isQualifiedName,
  isRelaxedEnvVarName, isValidPortName, isValidPortNum,
} from './names.js';
import { validateResourceRequirements } from './resources.js';

export interface PodContext {
  /** Volumes that validated, by name. */
  volumes: Map<string, Obj>;
  claimNames: Set<string>;
  gracePeriod: number | undefined;
  restartPolicy: string;
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const MAX_ID = 2147483647;

/** An int-or-string port: a number in range or an IANA service name. */
export function validatePortNumOrName(port: unknown, field: string): FieldCause[] {
  if (typeof port === 'number') return invalidEach(field, port, isValidPortNum(port));
  if (typeof port === 'string') return invalidEach(field, port, isValidPortName(port));
  return [];
}

function validatePorts(ports: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const names = new Set<string>();
  for (const [p, i] of objects(ports)) {
    const ip = index(path, i);
    const name = asStr(p.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) out.push(...invalidEach(child(ip, 'name'), name, msgs));
      else if (names.has(name)) out.push(duplicate(child(ip, 'name'), name));
      else names.add(name);
    }
    const cp = asNum(p.containerPort);
    if (cp === 0) out.push(required(child(ip, 'containerPort')));
    else out.push(...invalidEach(child(ip, 'containerPort'), cp, isValidPortNum(cp)));
    const hp = asNum(p.hostPort);
    if (hp !== 0) out.push(...invalidEach(child(ip, 'hostPort'), hp, isValidPortNum(hp)));
    const proto = asStr(p.protocol);
    if (!proto) out.push(required(child(ip, 'protocol')));
    else if (!PROTOCOLS.includes(proto)) out.push(notSupported(child(ip, 'protocol'), proto, PROTOCOLS));
  }
  return out;
}

function validateKeySelector(sel: Obj, path: string): FieldCause[] {
  const out = invalidEach(child(path, 'name'), asStr(sel.name), isDNS1123Subdomain(asStr(sel.name)));
  const k = asStr(sel.key);
  if (!k) out.push(required(child(path, 'key')));
  else out.push(...invalidEach(child(path, 'key'), k, isConfigMapKey(k)));
  return out;
}

const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

/** A downward API field selector; `allowed` lists the plain paths, labels/annotations take a subscript. */
export function validateFieldSelector(fs: Obj, allowed: string[], path: string): FieldCause[] {
  if (!asStr(fs.apiVersion)) return [required(child(path, 'apiVersion'))];
  const fp = asStr(fs.fieldPath);
  if (!fp) return [required(child(path, 'fieldPath'))];
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fp);
  if (sub) return invalidEach(path, sub[2], isQualifiedName(sub[1].endsWith('annotations') ? sub[2].toLowerCase() : sub[2]));
  if (!allowed.includes(fp)) return [notSupported(child(path, 'fieldPath'), fp, [...allowed].sort())];
  return [];
}

export function validateResourceFieldSelector(rs: Obj, path: string, forVolume: boolean): FieldCause[] {
  const res = asStr(rs.resource);
  if (forVolume && !asStr(rs.containerName)) return [required(child(path, 'containerName'))];
  if (!res) return [required(child(path, 'resource'))];
  if (!RESOURCE_FIELD_PATHS.includes(res) && !/^(limits|requests)\.hugepages-/.test(res)) return [notSupported(child(path, 'resource'), res, RESOURCE_FIELD_PATHS)];
  return [];
}

function validateEnv(env: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [ev, i] of objects(env)) {
    const ip = index(path, i);
    const name = asStr(ev.name);
    if (!name) out.push(required(child(ip, 'name')));
    else out.push(...invalidEach(child(ip, 'name'), name, isRelaxedEnvVarName(name)));
    const from = asObj(ev.valueFrom);
    if (!from) continue;
    const vp = child(ip, 'valueFrom');
    let sources = 0;
    if (isObj(from.fieldRef)) { sources++; out.push(...validateFieldSelector(from.fieldRef, ENV_FIELD_PATHS, child(vp, 'fieldRef'))); }
    if (isObj(from.resourceFieldRef)) { sources++; out.push(...validateResourceFieldSelector(from.resourceFieldRef, child(vp, 'resourceFieldRef'), false)); }
    if (isObj(from.configMapKeyRef)) { sources++; out.push(...validateKeySelector(from.configMapKeyRef, child(vp, 'configMapKeyRef'))); }
    if (isObj(from.secretKeyRef)) { sources++; out.push(...validateKeySelector(from.secretKeyRef, child(vp, 'secretKeyRef'))); }
    if (sources === 0) out.push(invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (asStr(ev.value)) out.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) out.push(invalid(vp, '', 'may not have more than one field specified at a time'));
  }
  return out;
}

function validateEnvFrom(envFrom: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [ef, i] of objects(envFrom)) {
    const ip = index(path, i);
    const prefix = asStr(ef.prefix);
    if (prefix) out.push(...invalidEach(child(ip, 'prefix'), prefix, isRelaxedEnvVarName(prefix)));
    let sources = 0;
    for (const f of ['configMapRef', 'secretRef']) {
      const ref = asObj(ef[f]);
      if (!ref) continue;
      sources++;
      const name = asStr(ref.name);
      if (!name) out.push(required(child(child(ip, f), 'name')));
      else out.push(...invalidEach(child(child(ip, f), 'name'), name, isDNS1123Subdomain(name)));
    }
    if (sources === 0) out.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) out.push(invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return out;
}

/** A path inside a volume: relative and without `..` elements. */
export function validateLocalDescendingPath(p: string, field: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (p.startsWith('/')) out.push(invalid(field, p, 'must be a relative path'));
  if (p.split('/').includes('..')) out.push(invalid(field, p, "must not contain '..'"));
  return out;
}

function validateVolumeMounts(ctr: Obj, ctx: PodContext, ctrPath: string): FieldCause[] {
  const path = child(ctrPath, 'volumeMounts');
  const devPath = child(ctrPath, 'volumeDevices');
  const out: FieldCause[] = [];
  const devices = new Map<string, string>(objects(ctr.volumeDevices).map(([d]) => [asStr(d.name), asStr(d.devicePath)]));
  const devicePaths = new Set(devices.values());
  const mountPaths = new Set<string>();
  for (const [m, i] of objects(ctr.volumeMounts)) {
    const ip = index(path, i);
    const name = asStr(m.name);
    const mp = asStr(m.mountPath);
    if (!name) out.push(required(child(ip, 'name')));
    if (!ctx.volumes.has(name)) out.push(notFound(child(ip, 'name'), name));
    if (!mp) out.push(required(child(ip, 'mountPath')));
    if (mountPaths.has(mp)) out.push(invalid(child(ip, 'mountPath'), mp, 'must be unique'));
    mountPaths.add(mp);
    if (devices.has(name)) out.push(invalid(child(ip, 'name'), name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(mp)) out.push(invalid(child(ip, 'mountPath'), mp, 'must not already exist as a path in volumeDevices'));
    const subPath = asStr(m.subPath);
    const subPathExpr = asStr(m.subPathExpr);
    if (subPath) out.push(...validateLocalDescendingPath(subPath, child(path, 'subPath')));
    if (subPathExpr) {
      if (subPath) out.push(invalid(child(ip, 'subPathExpr'), subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      out.push(...validateLocalDescendingPath(subPathExpr, child(path, 'subPathExpr')));
    }
    const prop = optStr(m.mountPropagation);
    if (prop !== undefined && !['Bidirectional', 'HostToContainer', 'None'].includes(prop)) {
      out.push(notSupported(child(path, 'mountPropagation'), prop, ['Bidirectional', 'HostToContainer', 'None']));
    }
  }
  const names = new Set<string>();
  const paths = new Set<string>();
  for (const [d, i] of objects(ctr.volumeDevices)) {
    const ip = index(devPath, i);
    const name = asStr(d.name);
    const dp = asStr(d.devicePath);
    if (!name) out.push(required(child(ip, 'name')));
    if (names.has(name)) out.push(invalid(child(ip, 'name'), name, 'must be unique'));
    const vol = ctx.volumes.get(name);
    if (!vol) out.push(notFound(child(ip, 'name'), name));
    else if (!isObj(vol.persistentVolumeClaim) && !isObj(vol.ephemeral)) out.push(invalid(child(ip, 'name'), name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    if (!dp) out.push(required(child(ip, 'devicePath')));
    if (paths.has(dp)) out.push(invalid(child(ip, 'devicePath'), dp, 'must be unique'));
    names.add(name);
    paths.add(dp);
  }
  return out;
}

function validateHandler(h: Obj, path: string, kinds: string[], ctx: PodContext): FieldCause[] {
  const out: FieldCause[] = [];
  let n = 0;
  for (const k of kinds) {
    const v = asObj(h[k]);
    if (!v) continue;
    const p = child(path, k);
    if (n > 0) {
      out.push(forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    if (k === 'exec' && !asArr(v.command).length) out.push(required(child(p, 'command')));
    if (k === 'httpGet') {
      if (!asStr(v.path)) out.push(required(child(p, 'path')));
      out.push(...validatePortNumOrName(v.port, child(p, 'port')));
      const scheme = asStr(v.scheme);
      if (!['HTTP', 'HTTPS'].includes(scheme)) out.push(notSupported(child(p, 'scheme'), scheme, ['HTTP', 'HTTPS']));
      for (const [hdr] of objects(v.httpHeaders)) out.push(...invalidEach(child(p, 'httpHeaders'), asStr(hdr.name), isHTTPHeaderName(asStr(hdr.name))));
    }
    if (k === 'tcpSocket') out.push(...validatePortNumOrName(v.port, child(p, 'port')));
    if (k === 'grpc') out.push(...validatePortNumOrName(asNum(v.port), child(p, 'port')));
    if (k === 'sleep' && ctx.gracePeriod !== undefined) {
      const s = asNum(v.seconds);
      if (s <= 0 || s > ctx.gracePeriod) {
        out.push(invalid(p, s, `must be greater than 0 and less than terminationGracePeriodSeconds (${ctx.gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`));
      }
    }
  }
  if (n === 0) out.push(required(path, 'must specify a handler type'));
  return out;
}

function validateProbe(probe: unknown, path: string, kind: 'liveness' | 'readiness' | 'startup', ctx: PodContext): FieldCause[] {
  if (!isObj(probe)) return [];
  const out = validateHandler(probe, path, ['exec', 'httpGet', 'tcpSocket', 'grpc'], ctx);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) out.push(...nonNegative(probe[f], child(path, f)));
  const tgp = optNum(probe.terminationGracePeriodSeconds);
  if (kind === 'readiness' && isSet(probe.terminationGracePeriodSeconds)) {
    out.push(invalid(child(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  } else if (tgp !== undefined && tgp <= 0) {
    out.push(invalid(child(path, 'terminationGracePeriodSeconds'), tgp, 'must be greater than 0'));
  }
  if (kind !== 'readiness' && asNum(probe.successThreshold) !== 1) out.push(invalid(child(path, 'successThreshold'), asNum(probe.successThreshold), 'must be 1'));
  return out;
}

function validateSecurityContext(sc: unknown, path: string): FieldCause[] {
  if (!isObj(sc)) return [];
  const out: FieldCause[] = [];
  for (const f of ['runAsUser', 'runAsGroup']) {
    const id = optNum(sc[f]);
    if (id !== undefined && (id < 0 || id > MAX_ID)) out.push(invalid(child(path, f), id, inclusiveRangeError(0, MAX_ID)));
  }
  const pm = optStr(sc.procMount);
  if (pm !== undefined && !['Default', 'Unmasked'].includes(pm)) out.push(notSupported(child(path, 'procMount'), pm, ['Default', 'Unmasked']));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) out.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    const add = asArr(asObj(sc.capabilities)?.add);
    if (add.includes('SYS_ADMIN') || add.includes('CAP_SYS_ADMIN')) out.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
  }
  out.push(...validateProfile(sc.seccompProfile, child(path, 'seccompProfile')), ...validateProfile(sc.appArmorProfile, child(path, 'appArmorProfile')));
  return out;
}

/** A seccomp or AppArmor profile: a known type, with localhostProfile exactly when the type is Localhost. */
export function validateProfile(p: unknown, path: string): FieldCause[] {
  if (!isObj(p)) return [];
  const type = asStr(p.type);
  const local = optStr(p.localhostProfile);
  if (!type) return [required(child(path, 'type'))];
  if (!['Localhost', 'RuntimeDefault', 'Unconfined'].includes(type)) return [notSupported(child(path, 'type'), type, ['Localhost', 'RuntimeDefault', 'Unconfined'])];
  if (type === 'Localhost' && !local) return [required(child(path, 'localhostProfile'), 'must be set when profile type is Localhost')];
  if (type !== 'Localhost' && local !== undefined) return [invalid(child(path, 'localhostProfile'), local, 'can only be set when profile type is Localhost')];
  return [];
}

function validateContainerCommon(ctr: Obj, path: string, ctx: PodContext): FieldCause[] {
  const out: FieldCause[] = [];
  const name = asStr(ctr.name);
  if (!name) out.push(required(child(path, 'name')));
  else out.push(...invalidEach(child(path, 'name'), name, isDNS1123Label(name)));
  if (!asStr(ctr.image)) out.push(required(child(path, 'image')));
  const tmp = asStr(ctr.terminationMessagePolicy);
  if (!tmp) out.push(required(child(path, 'terminationMessagePolicy')));
  else if (!['File', 'FallbackToLogsOnError'].includes(tmp)) out.push(notSupported(child(path, 'terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  out.push(...validatePorts(ctr.ports, child(path, 'ports')));
  out.push(...validateEnv(ctr.env, child(path, 'env')));
  out.push(...validateEnvFrom(ctr.envFrom, child(path, 'envFrom')));
  out.push(...validateVolumeMounts(ctr, ctx, path));
  const pull = asStr(ctr.imagePullPolicy);
  if (!pull) out.push(required(child(path, 'imagePullPolicy')));
  else if (!PULL_POLICIES.includes(pull)) out.push(notSupported(child(path, 'imagePullPolicy'), pull, PULL_POLICIES));
  out.push(...validateResourceRequirements(ctr.resources, child(path, 'resources'), ctx.claimNames));
  const seen = new Set<string>();
  for (const [rp, i] of objects(ctr.resizePolicy)) {
    const rn = asStr(rp.resourceName);
    const pol = asStr(rp.restartPolicy);
    const p = child(path, 'resizePolicy');
    if (seen.has(rn)) out.push(duplicate(index(p, i), rn));
    seen.add(rn);
    if (!rn) out.push(required(p));
    else if (!['cpu', 'memory'].includes(rn)) out.push(notSupported(p, rn, ['cpu', 'memory']));
    if (!pol) out.push(required(p));
    else if (!['NotRequired', 'RestartContainer'].includes(pol)) out.push(notSupported(p, pol, ['NotRequired', 'RestartContainer']));
    else if (ctx.restartPolicy === 'Never' && pol !== 'NotRequired') out.push(invalid(p, pol, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
  }
  out.push(...validateSecurityContext(ctr.securityContext, child(path, 'securityContext')));
  return out;
}

function hostPortConflicts(containers: Obj[], path: string, indexes: number[]): FieldCause[] {
  const out: FieldCause[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    for (const [p, pi] of objects(c.ports)) {
      const hp = asNum(p.hostPort);
      if (!hp) continue;
      const id = `${asStr(p.protocol)}/${asStr(p.hostIP)}/${hp}`;
      if (seen.has(id)) out.push(duplicate(child(index(child(index(path, indexes[ci]), 'ports'), pi), 'hostPort'), id));
      seen.add(id);
    }
  });
  return out;
}

export function validateContainers(list: unknown, path: string, ctx: PodContext): FieldCause[] {
  const ctrs = objects(list);
  if (!asArr(list).length) return [required(path)];
  const out: FieldCause[] = [];
  const names = new Set<string>();
  for (const [c, i] of ctrs) {
    const p = index(path, i);
    out.push(...validateContainerCommon(c, p, ctx));
    const name = asStr(c.name);
    if (names.has(name)) out.push(duplicate(child(p, 'name'), name));
    else names.add(name);
    if (isObj(c.lifecycle)) out.push(...validateLifecycle(c.lifecycle, child(p, 'lifecycle'), ctx));
    out.push(...validateProbe(c.livenessProbe, child(p, 'livenessProbe'), 'liveness', ctx));
    out.push(...validateProbe(c.readinessProbe, child(p, 'readinessProbe'), 'readiness', ctx));
    out.push(...validateProbe(c.startupProbe, child(p, 'startupProbe'), 'startup', ctx));
    if (isSet(c.restartPolicy)) out.push(forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  }
  out.push(...hostPortConflicts(ctrs.map(([c]) => c), path, ctrs.map(([, i]) => i)));
  return out;
}

function validateLifecycle(l: Obj, path: string, ctx: PodContext): FieldCause[] {
  const out: FieldCause[] = [];
  for (const hook of ['postStart', 'preStop']) {
    if (isObj(l[hook])) out.push(...validateHandler(l[hook] as Obj, child(path, hook), ['exec', 'httpGet', 'tcpSocket', 'sleep'], ctx));
  }
  return out;
}

export function validateInitContainers(list: unknown, regular: unknown, path: string, ctx: PodContext): FieldCause[] {
  const out: FieldCause[] = [];
  const names = new Set(objects(regular).map(([c]) => asStr(c.name)));
  for (const [c, i] of objects(list)) {
    const p = index(path, i);
    out.push(...validateContainerCommon(c, p, ctx));
    const rp = optStr(c.restartPolicy);
    if (rp !== undefined && rp !== 'Always') out.push(notSupported(child(p, 'restartPolicy'), rp, ['Always']));
    const name = asStr(c.name);
    if (names.has(name)) out.push(duplicate(child(p, 'name'), name));
    else if (name) names.add(name);
    out.push(...hostPortConflicts([c], path, [i]));
    if (rp === 'Always') {
      if (isObj(c.lifecycle)) out.push(...validateLifecycle(c.lifecycle, child(p, 'lifecycle'), ctx));
      out.push(...validateProbe(c.livenessProbe, child(p, 'livenessProbe'), 'liveness', ctx));
      out.push(...validateProbe(c.readinessProbe, child(p, 'readinessProbe'), 'readiness', ctx));
      out.push(...validateProbe(c.startupProbe, child(p, 'startupProbe'), 'startup', ctx));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (isSet(c[f])) out.push(forbidden(child(p, f), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  }
  return out;
}

const EPHEMERAL_FORBIDDEN = ['ports', 'resources', 'lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe', 'resizePolicy', 'restartPolicy'];

export function validateEphemeralContainers(list: unknown, containers: unknown, inits: unknown, path: string, ctx: PodContext): FieldCause[] {
  const out: FieldCause[] = [];
  const others = new Set([...objects(containers), ...objects(inits)].map(([c]) => asStr(c.name)));
  const all = new Set(others);
  for (const [c, i] of objects(list)) {
    const p = index(path, i);
    out.push(...validateContainerCommon(c, p, ctx));
    const name = asStr(c.name);
    if (all.has(name)) out.push(duplicate(child(p, 'name'), name));
    else all.add(name);
    const target = asStr(c.targetContainerName);
    if (target && !others.has(target)) out.push(notFound(child(p, 'targetContainerName'), target));
    for (const f of EPHEMERAL_FORBIDDEN) {
      const v = c[f];
      const set = Array.isArray(v) ? v.length > 0 : isObj(v) ? Object.keys(v).length > 0 : isSet(v);
      if (set) out.push(forbidden(child(p, f), 'cannot be set for an Ephemeral Container'));
    }
    for (const [m, j] of objects(c.volumeMounts)) {
      for (const f of ['subPath', 'subPathExpr']) if (asStr(m[f])) out.push(forbidden(child(index(child(p, 'volumeMounts'), j), f), 'cannot be set for an Ephemeral Container'));
    }
  }
  return out;
}

/** Checks only made on real pods (not templates): no whitespace around image names. */
export function validateContainersOnlyForPod(list: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [c, i] of objects(list)) {
    const image = asStr(c.image);
    if (image !== image.trim()) out.push(invalid(child(index(path, i), 'image'), image, 'must not have leading or trailing whitespace'));
  }
  return out;
}

