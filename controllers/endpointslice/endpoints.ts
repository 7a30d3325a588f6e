// What a Service's endpoints are, from its pods: one endpoint per pod with an IP that is not finished, with Kubernetes'
// conditions (ready, serving, terminating), its node, zone, target reference and hostname, and the ports its Service
// ports resolve to on that pod (a named targetPort is looked up in each pod's container ports, so two pods may
// serve one Service port on different numbers and end up in different slices).
import type { KubeObject } from '../../lib/api/types.js';
import { isPodReady } from '../pods.js';

export type AddressType = 'IPv4' | 'IPv6';

export interface EndpointPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface Endpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  nodeName?: string;
  zone?: string;
  hostname?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

/** Endpoints sharing one set of resolved ports (what one slice holds). */
export interface EndpointGroup {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
  targetPort?: number | string;
}

interface ContainerPort {
  name?: string;
  containerPort?: number;
  protocol?: string;
}

const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** The port `sp` reaches on `pod`, or undefined when a named targetPort has no container port of that name. */
export function resolveTargetPort(sp: ServicePort, pod: KubeObject): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && /^\d+$/.test(target)) return Number(target);
  const proto = sp.protocol ?? 'TCP';
  const containers = [...((pod.spec?.initContainers ?? []) as Array<{ ports?: ContainerPort[]; restartPolicy?: string }>).filter((c) => c.restartPolicy === 'Always'), ...((pod.spec?.containers ?? []) as Array<{ ports?: ContainerPort[] }>)];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === proto && p.containerPort) return p.containerPort;
  }
  return undefined;
}

/** Whether a pod stands behind a Service at all: it has an address of the family and has not finished. */
function podAddress(pod: KubeObject, family: AddressType): string | undefined {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return undefined;
  const ips = ((pod.status?.podIPs as Array<{ ip?: string }> | undefined) ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
  if (!ips.length && typeof pod.status?.podIP === 'string') ips.push(pod.status.podIP);
  return ips.find((ip) => ip.includes(':') === (family === 'IPv6'));
}

/** The address family of the Service's endpoints (its first ipFamily; IPv4 when unset, as for a headless Service). */
export function addressTypeOf(svc: KubeObject): AddressType {
  return ((svc.spec?.ipFamilies as string[] | undefined)?.[0] ?? 'IPv4') === 'IPv6' ? 'IPv6' : 'IPv4';
}

/**
 * Endpoints of `svc` from the pods its selector matches (the caller selects them), grouped by resolved ports and in
 * a stable order (by pod name). `nodeZone` gives a node's zone label, when known.
 */
export function desiredEndpoints(svc: KubeObject, pods: KubeObject[], nodeZone: (node: string) => string | undefined = () => undefined): EndpointGroup[] {
  const family = addressTypeOf(svc);
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const ports = (svc.spec?.ports ?? []) as ServicePort[];
  const groups = new Map<string, EndpointGroup>();
  const sorted = [...pods].sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
  for (const pod of sorted) {
    const address = podAddress(pod, family);
    if (!address) continue;
    const resolved: EndpointPort[] = [];
    for (const sp of ports) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue; // this pod does not serve that port: it is left out of it, not out of the Service
      const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      resolved.push(ep);
    }
    const podReady = isPodReady(pod);
    const terminating = !!pod.metadata.deletionTimestamp;
    // a terminating pod is never ready (unless the Service publishes not-ready addresses); serving says whether it
    // still passes its readiness probe, so proxies can use it while no ready endpoint is left
    const endpoint: Endpoint = {
      addresses: [address],
      conditions: { ready: publishNotReady || (podReady && !terminating), serving: podReady, terminating },
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
    };
    const node = pod.spec?.nodeName as string | undefined;
    if (node) {
      endpoint.nodeName = node;
      const zone = nodeZone(node);
      if (zone) endpoint.zone = zone;
    }
    if (pod.spec?.hostname && pod.spec?.subdomain === svc.metadata.name) endpoint.hostname = pod.spec.hostname as string;
    const key = portsKey(resolved);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: resolved, endpoints: [] }));
    g.endpoints.push(endpoint);
  }
  return [...groups.values()];
}

/** Identifies a set of ports regardless of order. */
export function portsKey(ports: EndpointPort[]): string {
  return ports.map((p) => `${p.name}/${p.protocol}/${p.port}/${p.appProtocol ?? ''}`).sort().join(',');
}

/** For a node informer: the zone label of a node. */
export function zoneOf(node: KubeObject | undefined): string | undefined {
  return node?.metadata.labels?.[ZONE_LABEL];
}
