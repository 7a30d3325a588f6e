// Pod traffic between nodes the way flannel's host-gw backend carries it: no overlay, one route per other node,
// `PODCIDR via NODEIP`, so the kernel hands a packet for a pod elsewhere straight to that pod's node. This works only
// when the other node is on one of this node's links (a next hop must be directly reachable): a node whose address is
// in none of this node's subnets gets no route (it is on another L2 segment, where host-gw cannot reach it). And
// since no overlay hides the pods' addresses, pod traffic stays unmasqueraded inside the cluster: only what leaves
// the pod network (for the node's own network or beyond) is masqueraded behind the node's address.
//
// Everything here is pure: the routes and the masquerade table follow from the Nodes and this node's addresses.
import type { KubeObject } from '../../../lib/api/types.js';
import { cidrContains, ipFamily, parseCidr, type Cidr } from '../ip.js';
import { chain, emptyRuleset, set, type Ruleset } from '../nft/ruleset.js';
import { validInstanceName } from '../proxy/proxier.js';

/** One route this node wants: DST (another node's pod CIDR) via GATEWAY (that node's InternalIP). */
export interface HostRoute {
  dst: string;
  via: string;
  /** The node it leads to (for logs). */
  node: string;
}

/** An address of this node with its prefix (`192.168.1.5/24`): its subnet is a link the node is on. */
export interface LocalAddress {
  device: string;
  /** `a.b.c.d/n` */
  cidr: string;
}

type Address = { type?: string; address?: string };

/** The IPv4 pod CIDRs of a Node (spec.podCIDRs, else spec.podCIDR), canonical. */
export function podCIDRsOf(node: KubeObject): string[] {
  const spec = node.spec ?? {};
  const list = Array.isArray(spec.podCIDRs) && spec.podCIDRs.length ? (spec.podCIDRs as unknown[]) : [spec.podCIDR];
  return list.map((c) => (typeof c === 'string' ? parseCidr(c) : undefined)).filter((c): c is Cidr => c?.family === 4).map((c) => c.text);
}

/** A Node's first IPv4 InternalIP. */
export function internalIPv4(node: KubeObject): string | undefined {
  const addrs = (node.status?.addresses ?? []) as Address[];
  return addrs.find((a) => a.type === 'InternalIP' && typeof a.address === 'string' && ipFamily(a.address) === 4)?.address;
}

/** Parses `ip -4 -o addr show` (`2: eth0    inet 192.168.1.5/24 brd ... scope global eth0`). */
export function parseAddresses(text: string): LocalAddress[] {
  const out: LocalAddress[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+\/\d+)/.exec(line);
    if (m) out.push({ device: (m[1] as string).replace(/@.*$/, ''), cidr: m[2] as string });
  }
  return out;
}

const overlaps = (a: Cidr, b: Cidr): boolean => {
  const shorter = a.prefix <= b.prefix ? a : b;
  const longer = shorter === a ? b : a;
  return cidrContains(shorter, longer.text.split('/')[0] as string);
};

/**
 * The routes to the other nodes' pod CIDRs. `self` is this node's name; `links` its addresses on the links other
 * nodes may share (the pod bridge and loopback left out). A node gets a route when it has a pod CIDR and an IPv4
 * InternalIP, is not this node, and its InternalIP lies in one of `links`' subnets (host-gw's one-hop rule) without
 * being one of this node's own addresses. A pod CIDR that overlaps a subnet this node is on (its own pod bridge, a
 * link) or this node's own pod CIDRs is never routed elsewhere: that would take traffic from a local link.
 */
export function hostGatewayRoutes(self: string, nodes: KubeObject[], links: LocalAddress[], ownPodCIDRs: string[] = []): HostRoute[] {
  const subnets = links.map((l) => parseCidr(l.cidr)).filter((c): c is Cidr => c?.family === 4);
  const own = new Set(links.map((l) => l.cidr.split('/')[0]));
  const taken = [...subnets, ...ownPodCIDRs.map(parseCidr).filter((c): c is Cidr => !!c)];
  const routes: HostRoute[] = [];
  for (const n of nodes) {
    const name = n.metadata.name as string;
    if (name === self || n.metadata.deletionTimestamp) continue;
    const via = internalIPv4(n);
    if (!via || own.has(via) || !subnets.some((s) => cidrContains(s, via))) continue;
    for (const dst of podCIDRsOf(n)) {
      const d = parseCidr(dst) as Cidr;
      if (taken.some((t) => overlaps(t, d))) continue;
      // a pod CIDR claimed by two nodes (a bad edit): the first one keeps it, the route is never flapping between them
      if (routes.some((r) => overlaps(parseCidr(r.dst) as Cidr, d))) continue;
      routes.push({ dst, via, node: name });
    }
  }
  return routes.sort((a, b) => a.dst.localeCompare(b.dst));
}

/**
 * The pod network as the cluster knows it: every node's pod CIDR (this node's too), sorted, a CIDR inside another
 * left out (an nftables interval set refuses overlapping elements).
 */
export function clusterPodCIDRs(nodes: KubeObject[], ownPodCIDRs: string[]): string[] {
  return withoutNested([...ownPodCIDRs, ...nodes.flatMap(podCIDRsOf)]);
}

/** Canonical CIDRs, sorted, each once, none inside another. */
export function withoutNested(cidrs: string[]): string[] {
  const parsed = [...new Map(cidrs.map(parseCidr).filter((c): c is Cidr => !!c).map((c) => [c.text, c])).values()];
  return parsed.filter((c) => !parsed.some((o) => o !== c && o.family === c.family && o.prefix < c.prefix && overlaps(o, c))).map((c) => c.text).sort();
}

export function masqueradeTableName(instance: string): string {
  if (!validInstanceName(instance)) throw new Error(`invalid node network instance name ${JSON.stringify(instance)}`);
  return `flotilla-hostgw-${instance}`;
}

/**
 * The node's masquerade table: traffic from this node's pods to anything outside the pod network (`clusterCIDRs`:
 * every node's pod CIDR) leaves with the node's address, as the CNI bridge's ipMasq would do; traffic to another
 * node's pods keeps the pod's own address (the other node routes the reply back through host-gw).
 */
export function renderMasquerade(instance: string, ownPodCIDRs: string[], clusterCIDRs: string[]): Ruleset {
  const rs = emptyRuleset('ip', masqueradeTableName(instance), 'flotilla pod network: masquerade traffic leaving the cluster');
  const pods = set(rs, 'pod-cidrs', ['type ipv4_addr', 'flags interval']);
  for (const c of withoutNested(ownPodCIDRs)) pods.set(c, '');
  const cluster = set(rs, 'cluster-cidrs', ['type ipv4_addr', 'flags interval']);
  for (const c of withoutNested([...ownPodCIDRs, ...clusterCIDRs])) cluster.set(c, '');
  chain(rs, 'postrouting', { type: 'nat', hook: 'postrouting', priority: 'srcnat' }).push(
    'ip saddr != @pod-cidrs return',
    'ip daddr @cluster-cidrs return',
    // multicast stays on its link, as the bridge plugin's own rule leaves it
    'ip daddr 224.0.0.0/4 return',
    'masquerade',
  );
  return rs;
}
