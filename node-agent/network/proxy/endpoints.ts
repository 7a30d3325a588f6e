// Which endpoints each Service port sends traffic to, per address family: the pure part of the proxy, following
// kube-proxy's rules. Ready endpoints are used; only when none is ready are the ones still serving while terminating
// used (so a rolling update's last pod keeps answering until its replacement is Ready). Traffic policy `Local`
// narrows a destination to the endpoints on this node, chosen by the same rule among themselves.
import { canonicalIP, ipFamily, type IPFamily } from '../ip.js';
import { isHeadless, serviceKey, type EndpointModel, type NetworkModel, type Protocol, type ServiceModel, type ServicePortModel } from '../model.js';

/** One address:port an endpoint chain DNATs to. */
export interface ProxyEndpoint {
  ip: string;
  port: number;
  local: boolean;
}

/** A Service port as the proxy programs it for one address family. */
export interface ServicePortPlan {
  service: ServiceModel;
  port: ServicePortModel;
  family: IPFamily;
  /** `namespace/name/protocol/portName`, the identity of the port's chains. */
  key: string;
  protocol: Protocol;
  clusterIPs: string[];
  loadBalancerIPs: string[];
  /** The node port, or undefined when the Service has none. */
  nodePort?: number;
  /** Endpoints for traffic under the `Cluster` policy: every usable endpoint. */
  clusterEndpoints: ProxyEndpoint[];
  /** Endpoints for traffic under the `Local` policy: the usable endpoints on this node. */
  localEndpoints: ProxyEndpoint[];
  internalLocal: boolean;
  externalLocal: boolean;
  /** Session affinity timeout in seconds, or undefined without affinity. */
  affinitySeconds?: number;
}

/** Kubernetes' default `sessionAffinityConfig.clientIP.timeoutSeconds`. */
export const DEFAULT_AFFINITY_SECONDS = 10800;

interface Candidate extends ProxyEndpoint {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/** Ready endpoints; failing those, the ones serving while terminating (kube-proxy's fallback). */
function usable(list: Candidate[]): ProxyEndpoint[] {
  const ready = list.filter((e) => e.ready);
  const chosen = ready.length ? ready : list.filter((e) => e.serving && e.terminating);
  return chosen.map(({ ip, port, local }) => ({ ip, port, local }));
}

function sameFamily(ips: string[] | undefined, family: IPFamily): string[] {
  return [...new Set((ips ?? []).filter((ip) => ipFamily(ip) === family).map(canonicalIP))];
}

/** The endpoints of one Service port: the slice ports of the same name and protocol, each address once. */
function candidates(eps: EndpointModel[], port: ServicePortModel, family: IPFamily, nodeName: string): Candidate[] {
  const seen = new Map<string, Candidate>();
  for (const ep of eps) {
    const p = ep.ports.find((x) => x.name === port.name && x.protocol === port.protocol);
    if (!p || !(p.port > 0 && p.port < 65536)) continue;
    for (const raw of ep.addresses) {
      if (ipFamily(raw) !== family) continue;
      const ip = canonicalIP(raw);
      const id = `${ip}:${p.port}`;
      const c: Candidate = { ip, port: p.port, local: !!nodeName && ep.nodeName === nodeName, ready: ep.ready, serving: ep.serving,
        terminating: ep.terminating };
      const had = seen.get(id);
      // The same address in two slices (a pod moving between slices): the better condition wins.
      if (!had || (c.ready && !had.ready)) seen.set(id, c);
    }
  }
  return [...seen.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/** Every Service port the proxy programs for `family`, in a stable order. */
export function planServicePorts(model: Pick<NetworkModel, 'nodeName' | 'services' | 'endpoints'>, family: IPFamily): ServicePortPlan[] {
  const bySvc = new Map<string, EndpointModel[]>();
  for (const ep of model.endpoints) {
    const k = serviceKey(ep.service);
    const list = bySvc.get(k);
    if (list) list.push(ep);
    else bySvc.set(k, [ep]);
  }
  const out: ServicePortPlan[] = [];
  const services = [...model.services].sort((a, b) => serviceKey(a).localeCompare(serviceKey(b)));
  for (const svc of services) {
    if (svc.type === 'ExternalName' || isHeadless(svc)) continue;
    const clusterIPs = sameFamily(svc.clusterIPs, family);
    const loadBalancerIPs = svc.type === 'LoadBalancer' ? sameFamily(svc.loadBalancerIngressIPs, family) : [];
    if (!clusterIPs.length && !loadBalancerIPs.length) continue;
    const eps = bySvc.get(serviceKey(svc)) ?? [];
    for (const port of svc.ports) {
      if (!(port.port > 0 && port.port < 65536)) continue;
      const all = candidates(eps, port, family, model.nodeName);
      const nodePort = (svc.type === 'NodePort' || svc.type === 'LoadBalancer') && port.nodePort && port.nodePort > 0 && port.nodePort < 65536 ? port.nodePort : undefined;
      const affinity = svc.sessionAffinity === 'ClientIP';
      const timeout = svc.sessionAffinityTimeoutSeconds;
      out.push({
        service: svc,
        port,
        family,
        key: `${serviceKey(svc)}/${port.protocol.toLowerCase()}/${port.name}`,
        protocol: port.protocol,
        clusterIPs,
        loadBalancerIPs,
        nodePort,
        clusterEndpoints: usable(all),
        localEndpoints: usable(all.filter((e) => e.local)),
        internalLocal: svc.internalTrafficPolicy === 'Local',
        externalLocal: svc.externalTrafficPolicy === 'Local',
        affinitySeconds: affinity ? (timeout && timeout > 0 ? Math.min(timeout, 86400) : DEFAULT_AFFINITY_SECONDS) : undefined,
      });
    }
  }
  return out;
}
