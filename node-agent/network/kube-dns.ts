// The cluster DNS Service (kube-system/kube-dns, the service range's tenth address, 10.96.0.10, as kubeadm picks it)
// answered node-locally, the way NodeLocal DNSCache does: every node agent sends the Service's port 53 to its own DNS
// server (on the pod bridge's gateway) instead of to endpoints elsewhere. The rule does not wait for the Service
// object: pods' resolv.conf names this address, and a query to a ClusterIP without a rule would leave the machine by
// the default route.
import { bytesToIP, cidrContains, parseCidr } from './ip.js';
import type { EndpointModel, NetworkModel, ServiceModel } from './model.js';

export const KUBE_DNS = { namespace: 'kube-system', name: 'kube-dns' } as const;

/** The tenth address of the service range (10.96.0.0/12 -> 10.96.0.10), IPv4 or IPv6; undefined for a malformed one. */
export function clusterDNSIP(serviceCIDR: string): string | undefined {
  const c = parseCidr(serviceCIDR);
  if (!c) return undefined;
  const bytes = [...c.bytes];
  let carry = 10;
  for (let i = bytes.length - 1; i >= 0 && carry; i--) {
    const v = (bytes[i] as number) + carry;
    bytes[i] = v & 0xff;
    carry = v >> 8;
  }
  const ip = bytesToIP(c.family, bytes);
  return cidrContains(c, ip) ? ip : undefined;
}

/**
 * `model` with kube-dns answered by the node-local DNS server at `local`: its endpoints from the API (if a selector
 * gave it any) replaced by that one address, and the Service itself (at `ip`, dns/53 UDP and dns-tcp/53 TCP) added
 * while the API has none, unless another Service holds that address.
 */
export function withNodeLocalDNS(model: NetworkModel, ip: string | undefined, local: { address: string; port: number }): NetworkModel {
  const isDns = (r: { namespace: string; name: string }) => r.namespace === KUBE_DNS.namespace && r.name === KUBE_DNS.name;
  let services = model.services;
  let svc = services.find(isDns);
  if (!svc && ip && !services.some((s) => s.clusterIPs.includes(ip))) {
    svc = {
      ...KUBE_DNS, type: 'ClusterIP', clusterIPs: [ip],
      ports: [{ name: 'dns', protocol: 'UDP', port: 53 }, { name: 'dns-tcp', protocol: 'TCP', port: 53 }],
    } satisfies ServiceModel;
    services = [...services, svc];
  }
  if (!svc) return model;
  const endpoint: EndpointModel = {
    service: { ...KUBE_DNS },
    addresses: [local.address],
    // every UDP or TCP port 53 of the Service goes to the local server's port
    ports: svc.ports.filter((p) => p.port === 53 && p.protocol !== 'SCTP').map((p) => ({ name: p.name, protocol: p.protocol, port: local.port })),
    ready: true, serving: true, terminating: false, nodeName: model.nodeName,
  };
  return { ...model, services, endpoints: [...model.endpoints.filter((e) => !isDns(e.service)), endpoint] };
}

/**
 * The nameserver ClusterFirst pods get when the agent runs the data plane: the kube-dns address, as Kubernetes users
 * expect in /etc/resolv.conf (the proxy sends it to the node-local server), else the bridge's gateway where the
 * server listens. No data plane: none (pods use the node's resolv.conf).
 */
export function podClusterDNS(network: { podNetwork?: { gateway: string }; serviceCIDRs: string[] } | undefined): string[] {
  if (!network) return [];
  const cidr = network.serviceCIDRs[0];
  const ip = (cidr && clusterDNSIP(cidr)) || network.podNetwork?.gateway;
  return ip ? [ip] : [];
}
