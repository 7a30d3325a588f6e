// Defaulting helpers, as Kubernetes applies defaults on decode (pkg/apis/*/v1 defaults): fill in what the user left
// out and never change a value that is set. The PodSpec defaults apply to pods and pod templates alike; each kind's
// own defaults are in its kind file (apiserver/registry/kinds/).
import { asObj, isSet, objects, type Obj } from './field.js';
import { hasVolumeSource } from './volumes.js';

/** Sets obj[key] to a value when it is missing (null and "" count as missing), and returns the value now there. */
export function setDefault<T>(obj: Obj, key: string, value: T): T {
  if (!isSet(obj[key]) || obj[key] === '') obj[key] = value;
  return obj[key] as T;
}

/** The object at obj[key], created empty when missing. */
export function ensureObject(obj: Obj, key: string): Obj | undefined {
  if (!isSet(obj[key])) obj[key] = {};
  return asObj(obj[key]);
}

/**
 * The tag of an image reference: `latest` when there is neither tag nor digest, '' when there is only a digest or the
 * reference does not parse (Kubernetes then defaults the pull policy to IfNotPresent).
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const nameTag = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : '';
  const slash = nameTag.lastIndexOf('/');
  const colon = nameTag.indexOf(':', slash + 1);
  const repo = colon >= 0 ? nameTag.slice(0, colon) : nameTag;
  const tag = colon >= 0 ? nameTag.slice(colon + 1) : '';
  const parts = repo.split('/');
  const hasDomain = parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost');
  const path = hasDomain ? parts.slice(1) : parts;
  if (!repo || path.some((p) => !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(p))) return '';
  if (tag && !/^\w[\w.-]{0,127}$/.test(tag)) return '';
  return tag || (digest ? '' : 'latest');
}

function defaultHandler(h: unknown): void {
  const get = asObj(asObj(h)?.httpGet);
  if (!get) return;
  setDefault(get, 'path', '/');
  setDefault(get, 'scheme', 'HTTP');
}

function defaultProbe(p: unknown): void {
  const probe = asObj(p);
  if (!probe) return;
  for (const [f, v] of [['timeoutSeconds', 1], ['periodSeconds', 10], ['successThreshold', 1], ['failureThreshold', 3]] as const) {
    if (!isSet(probe[f]) || probe[f] === 0) probe[f] = v;
  }
  defaultHandler(probe);
  // grpc.service is `+default=""` in Kubernetes' types (kubectl describe dereferences it).
  const grpc = asObj(probe.grpc);
  if (grpc) setDefault(grpc, 'service', '');
}

function defaultFieldRef(holder: unknown): void {
  const ref = asObj(asObj(holder)?.fieldRef);
  if (ref) setDefault(ref, 'apiVersion', 'v1');
}

function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(typeof c.image === 'string' ? c.image : '') === 'latest' ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const [p] of objects(c.ports)) setDefault(p, 'protocol', 'TCP');
  setDefault(c, 'resources', {});
  for (const f of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(c[f]);
  const lc = asObj(c.lifecycle);
  if (lc) {
    defaultHandler(lc.postStart);
    defaultHandler(lc.preStop);
  }
  for (const [e] of objects(c.env)) defaultFieldRef(e.valueFrom);
}

function defaultVolume(v: Obj): void {
  if (!hasVolumeSource(v)) v.emptyDir = {};
  const hostPath = asObj(v.hostPath);
  if (hostPath) setDefault(hostPath, 'type', '');
  for (const f of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = asObj(v[f]);
    if (src) setDefault(src, 'defaultMode', 420);
  }
  for (const [item] of objects(asObj(v.downwardAPI)?.items)) defaultFieldRef(item);
  for (const [s] of objects(asObj(v.projected)?.sources)) {
    const token = asObj(s.serviceAccountToken);
    if (token) setDefault(token, 'expirationSeconds', 3600);
    for (const [item] of objects(asObj(s.downwardAPI)?.items)) defaultFieldRef(item);
  }
  const pvcSpec = asObj(asObj(asObj(v.ephemeral)?.volumeClaimTemplate)?.spec);
  if (pvcSpec) setDefault(pvcSpec, 'volumeMode', 'Filesystem');
}

/** PodSpec defaults, applied to pods and to pod templates alike. */
export function defaultPodSpec(spec: Obj): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  for (const f of ['containers', 'initContainers', 'ephemeralContainers']) for (const [c] of objects(spec[f])) defaultContainer(c);
  for (const [v] of objects(spec.volumes)) defaultVolume(v);
}

/** The PodSpec defaults for the pod template of a workload spec (`spec.template.spec`). */
export function defaultTemplate(owner: Obj): void {
  const tpl = asObj(owner.template);
  const spec = tpl ? asObj(tpl.spec) : undefined;
  if (spec) defaultPodSpec(spec);
}
