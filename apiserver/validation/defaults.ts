// Defaulting as Kubernetes applies it on decode (pkg/apis/*/v1 defaults): fills in what the user left out and never
// changes a value that is set. Pod specs inside templates get the PodSpec defaults but not the Pod-only ones.
import type { KindInfo } from '../../lib/api/kinds.js';
import { asArr, asObj, isObj, isSet, objects, type Obj } from './field.js';
import { hasVolumeSource } from './volumes.js';

/** Sets obj[key] to a value when it is missing (null and "" count as missing), and returns the value now there. */
function def<T>(obj: Obj, key: string, value: T): T {
  if (!isSet(obj[key]) || obj[key] === '') obj[key] = value;
  return obj[key] as T;
}

/** The object at obj[key], created empty when missing. */
function sub(obj: Obj, key: string): Obj | undefined {
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
  def(get, 'path', '/');
  def(get, 'scheme', 'HTTP');
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
  if (grpc) def(grpc, 'service', '');
}

function defaultFieldRef(holder: unknown): void {
  const ref = asObj(asObj(holder)?.fieldRef);
  if (ref) def(ref, 'apiVersion', 'v1');
}

function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(typeof c.image === 'string' ? c.image : '') === 'latest' ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const [p] of objects(c.ports)) def(p, 'protocol', 'TCP');
  def(c, 'resources', {});
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
  if (hostPath) def(hostPath, 'type', '');
  for (const f of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = asObj(v[f]);
    if (src) def(src, 'defaultMode', 420);
  }
  for (const [item] of objects(asObj(v.downwardAPI)?.items)) defaultFieldRef(item);
  for (const [s] of objects(asObj(v.projected)?.sources)) {
    const token = asObj(s.serviceAccountToken);
    if (token) def(token, 'expirationSeconds', 3600);
    for (const [item] of objects(asObj(s.downwardAPI)?.items)) defaultFieldRef(item);
  }
  const pvcSpec = asObj(asObj(asObj(v.ephemeral)?.volumeClaimTemplate)?.spec);
  if (pvcSpec) def(pvcSpec, 'volumeMode', 'Filesystem');
}

/** PodSpec defaults, applied to pods and to pod templates alike. */
export function defaultPodSpec(spec: Obj): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  def(spec, 'securityContext', {});
  def(spec, 'terminationGracePeriodSeconds', 30);
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  for (const f of ['containers', 'initContainers', 'ephemeralContainers']) for (const [c] of objects(spec[f])) defaultContainer(c);
  for (const [v] of objects(spec.volumes)) defaultVolume(v);
}

function defaultPod(pod: Obj): void {
  const spec = sub(pod, 'spec');
  if (!spec) return;
  defaultPodSpec(spec);
  for (const f of ['containers', 'initContainers']) {
    for (const [c] of objects(spec[f])) {
      const res = asObj(c.resources);
      const limits = asObj(res?.limits);
      if (!res || !limits) continue;
      const requests = sub(res, 'requests');
      if (requests) for (const [k, q] of Object.entries(limits)) if (!(k in requests)) requests[k] = q;
    }
  }
  def(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const f of ['containers', 'initContainers']) {
      for (const [c] of objects(spec[f])) for (const [p] of objects(c.ports)) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

function defaultTemplate(owner: Obj): void {
  const tpl = asObj(owner.template);
  const spec = tpl ? asObj(tpl.spec) : undefined;
  if (spec) defaultPodSpec(spec);
}

function defaultDeployment(d: Obj): void {
  const spec = sub(d, 'spec');
  if (!spec) return;
  def(spec, 'replicas', 1);
  const strategy = sub(spec, 'strategy');
  if (strategy) {
    if (!strategy.type) strategy.type = 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const ru = sub(strategy, 'rollingUpdate');
      if (ru) {
        def(ru, 'maxUnavailable', '25%');
        def(ru, 'maxSurge', '25%');
      }
    }
  }
  def(spec, 'revisionHistoryLimit', 10);
  def(spec, 'progressDeadlineSeconds', 600);
  defaultTemplate(spec);
}

function defaultService(svc: Obj): void {
  const spec = sub(svc, 'spec');
  if (!spec) return;
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = asObj(asObj(spec.sessionAffinityConfig)?.clientIP)?.timeoutSeconds;
    if (!isSet(timeout)) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const [p] of objects(spec.ports)) {
    def(p, 'protocol', 'TCP');
    if (!isSet(p.targetPort) || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const type = spec.type;
  const external = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && asArr(spec.externalIPs).length > 0);
  if (external && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(type as string)) def(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') def(spec, 'allocateLoadBalancerNodePorts', true);
  if (type !== 'ExternalName') {
    def(spec, 'ipFamilyPolicy', 'SingleStack');
    const ip = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
    def(spec, 'ipFamilies', [ip.includes(':') ? 'IPv6' : 'IPv4']);
  }
  if (type === 'LoadBalancer') {
    for (const [ing] of objects(asObj(asObj(svc.status)?.loadBalancer)?.ingress)) if (ing.ip && !isSet(ing.ipMode)) ing.ipMode = 'VIP';
  }
}

/** Fills in Kubernetes' defaults for an object of the given kind, in place. */
export function applyDefaults(kind: KindInfo, obj: unknown): void {
  if (!isObj(obj)) return;
  switch (kind.kind) {
    case 'Pod': defaultPod(obj); break;
    case 'Deployment': defaultDeployment(obj); break;
    case 'ReplicaSet': {
      const spec = sub(obj, 'spec');
      if (spec) {
        def(spec, 'replicas', 1);
        defaultTemplate(spec);
      }
      break;
    }
    case 'Service': defaultService(obj); break;
    case 'Secret': if (!obj.type) obj.type = 'Opaque'; break;
    case 'Namespace': {
      const meta = sub(obj, 'metadata');
      if (meta && typeof meta.name === 'string' && meta.name) {
        const labels = sub(meta, 'labels');
        if (labels) def(labels, 'kubernetes.io/metadata.name', meta.name);
      }
      const spec = sub(obj, 'spec');
      if (spec) def(spec, 'finalizers', ['kubernetes']);
      const status = sub(obj, 'status');
      if (status && !status.phase) status.phase = 'Active';
      break;
    }
    case 'Node': {
      const status = asObj(obj.status);
      if (status && isObj(status.capacity) && !isSet(status.allocatable)) status.allocatable = { ...status.capacity };
      break;
    }
    case 'Endpoints':
      for (const [ss] of objects(obj.subsets)) for (const [p] of objects(ss.ports)) def(p, 'protocol', 'TCP');
      break;
    default:
  }
}
