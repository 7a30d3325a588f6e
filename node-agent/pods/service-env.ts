// The Docker-link style variables the kubelet gives every container about Services: the `kubernetes` Service of the
// `default` namespace always (that is how in-cluster clients find the API server: KUBERNETES_SERVICE_HOST/PORT), and,
// with spec.enableServiceLinks (true unless set false), every Service of the pod's namespace that has a cluster IP.
// For a Service named my-svc: MY_SVC_SERVICE_HOST, MY_SVC_SERVICE_PORT (its first port), MY_SVC_SERVICE_PORT_<NAME>
// for each named port, MY_SVC_PORT=tcp://IP:PORT and MY_SVC_PORT_<PORT>_<PROTO>{,_PROTO,_PORT,_ADDR}. The
// container's own env and envFrom win over these (they are the base the rest is laid on).
import type { KubeObject } from '../../lib/api/types.js';

interface ServicePort { name?: string; port: number; protocol?: string }

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

function hasClusterIP(svc: KubeObject): boolean {
  const ip = svc.spec?.clusterIP as string | undefined;
  return !!ip && ip !== 'None';
}

/** The variables of one Service with a cluster IP, in the kubelet's order. */
export function serviceVars(svc: KubeObject): Array<[string, string]> {
  const name = envName(svc.metadata.name as string);
  const ip = svc.spec?.clusterIP as string;
  const ports = (svc.spec?.ports ?? []) as ServicePort[];
  const first = ports[0];
  if (!first) return [];
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const out: Array<[string, string]> = [[`${name}_SERVICE_HOST`, ip], [`${name}_SERVICE_PORT`, String(first.port)]];
  for (const p of ports) if (p.name) out.push([`${name}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  out.push([`${name}_PORT`, `${(first.protocol ?? 'TCP').toLowerCase()}://${host}:${first.port}`]);
  for (const p of ports) {
    const proto = (p.protocol ?? 'TCP');
    const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push([prefix, `${proto.toLowerCase()}://${host}:${p.port}`], [`${prefix}_PROTO`, proto.toLowerCase()], [`${prefix}_PORT`, String(p.port)], [`${prefix}_ADDR`, ip]);
  }
  return out;
}

/** The Service variables of a pod, given the Services the agent knows (any namespaces). */
export function serviceEnv(pod: KubeObject, services: readonly KubeObject[]): Map<string, string> {
  const ns = pod.metadata.namespace as string;
  const links = pod.spec?.enableServiceLinks !== false;
  const chosen = new Map<string, KubeObject>();
  for (const s of services) {
    if (!hasClusterIP(s)) continue;
    const sns = s.metadata.namespace as string;
    const name = s.metadata.name as string;
    // the pod's own namespace's Services first; the API server's Service in default is added unless one of the
    // pod's namespace already took the name (the kubelet lets the namespace's win)
    if (links && sns === ns) chosen.set(name, s);
  }
  const master = services.find((s) => s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes' && hasClusterIP(s));
  if (master && !chosen.has('kubernetes')) chosen.set('kubernetes', master);
  const out = new Map<string, string>();
  for (const s of [...chosen.values()].sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)))) {
    for (const [k, v] of serviceVars(s)) out.set(k, v);
  }
  return out;
}
