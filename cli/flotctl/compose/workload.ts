// A service's workload and Service: a Deployment (or a Job for `restart: "no"` / `on-failure`, which a
// Deployment's restartPolicy Always cannot express), the init containers that make it wait for its depends_on,
// and a Service named after it for its ports, so `http://db:5432` resolves in the namespace as it does in compose.
import type { KubeObject } from '../../../lib/api/types.js';
import { containerOf, ServiceError, targetPorts } from './container.js';
import { dependsOnMap, listOrMap } from './merge.js';
import type { JsonObject } from './parse.js';
import { k8sName, type Mounts, type Obj } from './storage.js';
import { int, seconds } from './units.js';

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

export interface WorkloadOptions {
  dir: string;
  env: Record<string, string | undefined>;
  /**
   * The image of the init containers that wait for dependencies (needs sh and nc: busybox has both; busybox's nc
   * has no -z, so a connect with stdin closed is the probe).
   */
  waitImage: string;
  services: JsonObject;
  warn(s: string): void;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The service's labels: those Kubernetes accepts as labels become labels, the rest annotations. */
function userLabels(svc: JsonObject): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(listOrMap(svc.labels))) {
    const s = v === null ? '' : String(v);
    if (LABEL_KEY.test(k) && k.length <= 253 && LABEL_VALUE.test(s) && s.length <= 63) labels[k] = s;
    else annotations[k] = s;
  }
  return { labels, annotations };
}

type Restart = { kind: 'Deployment' } | { kind: 'Job'; policy: 'Never' | 'OnFailure'; backoffLimit: number };

function restartOf(svc: JsonObject): Restart {
  const policy = ((svc.deploy as JsonObject | undefined)?.restart_policy ?? {}) as JsonObject;
  const r = svc.restart !== undefined ? String(svc.restart) : policy.condition !== undefined ? { none: 'no', 'on-failure': 'on-failure', any: 'always' }[String(policy.condition)] ?? 'always' : 'always';
  if (r === 'no') return { kind: 'Job', policy: 'Never', backoffLimit: 0 };
  const m = /^on-failure(?::(\d+))?$/.exec(r);
  if (m) return { kind: 'Job', policy: 'OnFailure', backoffLimit: m[1] ? Number(m[1]) : int(policy.max_attempts, 'deploy.restart_policy.max_attempts') ?? 6 };
  return { kind: 'Deployment' };
}

export const isJob = (svc: JsonObject) => restartOf(svc).kind === 'Job';

/** Init containers that hold the pod until each dependency is in the state its condition asks for. */
function waitsFor(name: string, svc: JsonObject, o: WorkloadOptions): Obj[] {
  const out: Obj[] = [];
  for (const [dep, raw] of Object.entries(dependsOnMap(svc.depends_on))) {
    const cond = String((raw as JsonObject | null)?.condition ?? 'service_started');
    const target = o.services[dep] as JsonObject | undefined;
    if (!target) {
      if ((raw as JsonObject | null)?.required === false) continue;
      throw new ServiceError(`depends on undefined service "${dep}"`);
    }
    if (cond === 'service_completed_successfully') {
      // no API access from the pod: the dependency's container runs first in this pod, to completion (once per
      // pod of this service, not once for the project as compose does)
      if (!isJob(target)) throw new ServiceError(`depends on "${dep}" with service_completed_successfully, so "${dep}" must be a one-shot service (restart: "no" or on-failure)`);
      out.push({ ...containerOf(`run-${k8sName(dep)}`, target, o.dir, o.env, o.warn), readinessProbe: undefined, livenessProbe: undefined, startupProbe: undefined });
      continue;
    }
    const port = targetPorts(target)[0];
    if (cond === 'service_healthy' && !target.healthcheck) throw new ServiceError(`depends on "${dep}" being healthy, but "${dep}" has no healthcheck`);
    if (!port) {
      if (cond === 'service_healthy') throw new ServiceError(`depends on "${dep}" being healthy, but "${dep}" has no ports or expose: its health is observed through its Service, which needs a port`);
      o.warn(`service "${name}": depends on "${dep}", which has no ports or expose: it is started without waiting`);
      continue;
    }
    // The Service's endpoints hold only ready pods, and readiness is the healthcheck: a connection to it succeeds
    // once one pod of the dependency is healthy (service_healthy) or listening (service_started, no healthcheck).
    const host = k8sName(dep);
    out.push({
      name: `wait-for-${host}`,
      image: o.waitImage,
      command: ['sh', '-c', `echo "waiting for ${host}:${port.port} (${cond})"; until nc -w 2 ${host} ${port.port} </dev/null >/dev/null 2>&1; do sleep 1; done`],
    });
  }
  return out;
}

export function workloadOf(name: string, svc: JsonObject, mounts: Mounts, labels: Record<string, string>, o: WorkloadOptions): KubeObject {
  const objName = k8sName(name);
  const deploy = (svc.deploy ?? {}) as JsonObject;
  const user = userLabels(svc);
  const selector = { 'com.docker.compose.project': labels['com.docker.compose.project'] as string, 'com.docker.compose.service': objName };
  const restart = restartOf(svc);
  const grace = seconds(svc.stop_grace_period, 'stop_grace_period');
  const init = waitsFor(name, svc, o);
  const podSpec: Obj = {
    ...(init.length ? { initContainers: init } : {}),
    containers: [{ ...containerOf(objName, svc, o.dir, o.env, o.warn), ...(mounts.volumeMounts.length ? { volumeMounts: mounts.volumeMounts } : {}) }],
    ...(mounts.volumes.length ? { volumes: mounts.volumes } : {}),
    ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}),
    ...(restart.kind === 'Job' ? { restartPolicy: restart.policy } : {}),
    ...(typeof svc.hostname === 'string' ? { hostname: svc.hostname } : {}),
  };
  const annotations = Object.keys(user.annotations).length ? { annotations: user.annotations } : {};
  const template = { metadata: { labels: { ...user.labels, ...labels, ...selector }, ...annotations }, spec: podSpec };
  const metadata = { name: objName, labels: { ...user.labels, ...labels }, ...annotations };
  if (restart.kind === 'Job') {
    return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: { backoffLimit: restart.backoffLimit, template } };
  }
  const update = (deploy.update_config ?? {}) as JsonObject;
  const parallelism = int(update.parallelism, 'deploy.update_config.parallelism') ?? 1;
  // compose's default order is stop-first: old replicas go before new ones start (which a ReadWriteOnce volume needs)
  const startFirst = update.order === 'start-first';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: int(deploy.replicas ?? svc.scale, 'deploy.replicas') ?? 1,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: startFirst ? 0 : parallelism || 1, maxSurge: startFirst ? parallelism || 1 : 0 } },
      template,
    },
  };
}

/** A container port, and the host port it is published on (`-p 8080:80`, compose's `ports`), if any. */
export interface PublishedPort { port: number; protocol: string; published?: number }

/**
 * The Service of a workload's ports, published the way docker publishes them: a published port in the NodePort
 * range keeps its number as the nodePort (type NodePort); any other published port becomes the Service's port on a
 * LoadBalancer (whose address is the nodes'), since a NodePort cannot take it; unpublished ports stay ClusterIP.
 * The choice is written in the `annotation` given. Shared by compose and `flotctl run -p`.
 */
export function publishedService(name: string, ports: PublishedPort[], labels: Record<string, string>, selector: Record<string, string>,
  annotation: string): KubeObject | undefined {
  if (!ports.length) return undefined;
  const notes: string[] = [];
  let type = 'ClusterIP';
  const published = ports.filter((p) => p.published !== undefined);
  if (published.length) type = published.every((p) => (p.published as number) >= NODE_PORT_MIN && (p.published as number) <= NODE_PORT_MAX) ? 'NodePort' : 'LoadBalancer';
  const seen = new Set<string>();
  const specPorts = ports.map((p) => {
    const inRange = p.published !== undefined && p.published >= NODE_PORT_MIN && p.published <= NODE_PORT_MAX;
    let port = p.port;
    if (p.published !== undefined) {
      if (inRange) notes.push(`${p.published}:${p.port}/${p.protocol.toLowerCase()} as nodePort ${p.published}`);
      else {
        port = p.published;
        notes.push(`${p.published}:${p.port}/${p.protocol.toLowerCase()} as LoadBalancer port ${p.published} (outside the NodePort range ${NODE_PORT_MIN}-${NODE_PORT_MAX})`);
      }
    }
    let pname = `${p.protocol.toLowerCase()}-${port}`;
    if (seen.has(pname)) pname = `${pname}-${p.port}`;
    seen.add(pname);
    return { name: pname, port, targetPort: p.port, protocol: p.protocol, ...(inRange ? { nodePort: p.published } : {}) };
  });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels, ...(notes.length ? { annotations: { [annotation]: notes.join('; ') } } : {}) },
    spec: { type, selector, ports: specPorts },
  };
}

/** The Service of a compose service with ports or expose, named after it, so `http://db:5432` works. */
export function serviceOf(name: string, svc: JsonObject, labels: Record<string, string>): KubeObject | undefined {
  const objName = k8sName(name);
  const selector = { 'com.docker.compose.project': labels['com.docker.compose.project'] as string, 'com.docker.compose.service': objName };
  return publishedService(objName, targetPorts(svc), labels, selector, 'flotilla.dev/compose-ports');
}
