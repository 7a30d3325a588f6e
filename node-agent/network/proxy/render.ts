// The service proxy's nftables table for one address family, computed from the model: the shape of kube-proxy's
// nftables mode. Per packet, one verdict-map lookup keyed by `daddr . protocol . dport` picks the Service port's
// chain, so the cost does not grow with the number of Services; that chain picks an endpoint with
// `numgen random mod N vmap`, and the endpoint's chain DNATs to it.
//
//   nat-prerouting (pods, other hosts) ─┐
//   nat-output (this host's processes) ─┴─> services: @service-ips / @service-nodeports
//        -> svc-… (cluster endpoints) | ext-… (NodePort/LB: masquerade, or keep the client IP for Local)
//        -> ep-…: hairpin masquerade mark, DNAT
//   filter input/forward/output: Services with no endpoints are rejected (connection refused, not a hang);
//     traffic to a ClusterIP port nobody serves is rejected, and to an unallocated service IP dropped.
//   nat-postrouting: masquerade what was marked (hairpin, NodePort/LB from outside, ClusterIP from off-cluster).
import { canonicalIP, ipFamily, parseCidr, type IPFamily } from '../ip.js';
import type { NetworkModel } from '../model.js';
import { chain, emptyRuleset, set, type Chain, type NamedSet, type Ruleset } from '../nft/ruleset.js';
import { planServicePorts, type ProxyEndpoint, type ServicePortPlan } from './endpoints.js';

/** The packet mark bit meaning "masquerade this" (the same bit kube-proxy uses, with the same meaning). */
export const MASQUERADE_MARK = 0x4000;

export interface ProxyRenderOptions {
  table: string;
  family: IPFamily;
  masqueradeMark?: number;
  /** Fragments of the previous render, by signature: reused when a Service port's inputs did not change. */
  cache?: Map<string, PlanFragment>;
}

/** What the render decided, beside the ruleset: the endpoints each UDP destination uses (for conntrack cleanup). */
export interface ProxyRender {
  ruleset: Ruleset;
  plans: ServicePortPlan[];
}

/** FNV-1a, 32 bits, as 8 hex digits: names only need it to tell apart identities that read alike once cut short. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** A chain or set name: a short hash of the identity (uniqueness) plus the readable identity (for people). */
function objName(prefix: string, key: string): string {
  const readable = key.replace(/[^a-zA-Z0-9_./-]/g, '_').slice(0, 180);
  return `${prefix}-${hash(key)}-${readable}`;
}

const PROTO: Record<string, string> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

export function renderProxy(model: NetworkModel, opts: ProxyRenderOptions): ProxyRender {
  const { family, table } = opts;
  const mark = `0x${(opts.masqueradeMark ?? MASQUERADE_MARK).toString(16)}`;
  const ip = family === 4 ? 'ip' : 'ip6';
  const addrType = family === 4 ? 'ipv4_addr' : 'ipv6_addr';
  const rs = emptyRuleset(family === 4 ? 'ip' : 'ip6', table, 'flotilla service proxy');
  const plans = planServicePorts(model, family);

  const serviceIPs = set(rs, 'service-ips', [`type ${addrType} . inet_proto . inet_service : verdict`]);
  const serviceNodePorts = set(rs, 'service-nodeports', ['type inet_proto . inet_service : verdict']);
  const noEndpointServices = set(rs, 'no-endpoint-services', [`type ${addrType} . inet_proto . inet_service : verdict`]);
  const noEndpointNodePorts = set(rs, 'no-endpoint-nodeports', ['type inet_proto . inet_service : verdict']);
  const clusterIPSet = set(rs, 'cluster-ips', [`type ${addrType}`]);
  const nodePortIPs = set(rs, 'nodeport-ips', [`type ${addrType}`]);
  for (const a of model.nodeIPs) if (ipFamily(a) === family) nodePortIPs.set(canonicalIP(a), '');
  const clusterCIDRs = model.clusterCIDRs.map(parseCidr).filter((c) => c?.family === family).map((c) => c?.text as string);
  const serviceCIDRs = model.serviceCIDRs.map(parseCidr).filter((c) => c?.family === family).map((c) => c?.text as string);

  // Base chains. DNAT at dstnat in prerouting (pods, other hosts) and output (this host); the endpoint checks at
  // priority filter, after DNAT, so they only ever see what no Service rule took.
  chain(rs, 'nat-prerouting', { type: 'nat', hook: 'prerouting', priority: 'dstnat' }).push(
    // A ClusterIP reached from outside the pod network (another host routing the service CIDR to us) is
    // masqueraded, so the endpoint's reply comes back through this node to be un-DNATed.
    ...(clusterCIDRs.length ? [`${ip} daddr @cluster-ips ${ip} saddr != { ${clusterCIDRs.join(', ')} } jump mark-for-masquerade`] : []),
    'jump services',
  );
  chain(rs, 'nat-output', { type: 'nat', hook: 'output', priority: '-100' }).push('jump services');
  chain(rs, 'nat-postrouting', { type: 'nat', hook: 'postrouting', priority: 'srcnat' }).push('jump masquerading');
  chain(rs, 'filter-input', { type: 'filter', hook: 'input', priority: 'filter' }).push(
    'ct state new jump nodeport-endpoints-check',
    'ct state new jump service-endpoints-check',
  );
  chain(rs, 'filter-forward', { type: 'filter', hook: 'forward', priority: 'filter' }).push(
    'ct state new jump service-endpoints-check',
    'ct state new jump cluster-ips-check',
  );
  chain(rs, 'filter-output', { type: 'filter', hook: 'output', priority: 'filter' }).push(
    'ct state new jump nodeport-endpoints-check',
    'ct state new jump service-endpoints-check',
    'ct state new jump cluster-ips-check',
  );

  chain(rs, 'mark-for-masquerade').push(`meta mark set meta mark | ${mark}`);
  chain(rs, 'masquerading').push(`meta mark & ${mark} == 0 return`, `meta mark set meta mark ^ ${mark}`, 'masquerade fully-random');
  chain(rs, 'services').push(
    `${ip} daddr . meta l4proto . th dport vmap @service-ips`,
    `${ip} daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports`,
  );
  chain(rs, 'service-endpoints-check').push(`${ip} daddr . meta l4proto . th dport vmap @no-endpoint-services`);
  chain(rs, 'nodeport-endpoints-check').push(`${ip} daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports`);
  chain(rs, 'cluster-ips-check').push(
    // A ClusterIP on a port it does not serve: refused, as kube-proxy does.
    `${ip} daddr @cluster-ips reject`,
    // An address of the service network nobody has: dropped here rather than sent out of the default route.
    ...(serviceCIDRs.length ? [`${ip} daddr { ${serviceCIDRs.join(', ')} } drop`] : []),
  );
  chain(rs, 'reject-chain').push('meta l4proto tcp reject with tcp reset', 'reject');

  const ctx: PlanContext = { family, ip, addrType, clusterCIDRs };
  const cache = opts.cache;
  const used = new Map<string, PlanFragment>();
  for (const plan of plans) {
    // A plan renders to the same fragment whenever its inputs are the same: reuse it, so a one-endpoint change at
    // thousands of Services recomputes one Service's chains (and the diff compares them by identity).
    const sig = planSignature(plan, ctx);
    const frag = cache?.get(sig) ?? renderPlan(plan, ctx);
    used.set(sig, frag);
    for (const [name, c] of frag.chains) rs.chains.set(name, c);
    for (const [name, st] of frag.sets) rs.sets.set(name, st);
    for (const cip of plan.clusterIPs) clusterIPSet.set(cip, '');
    for (const [k, v] of frag.serviceIPs) serviceIPs.set(k, v);
    for (const [k, v] of frag.noEndpointServices) noEndpointServices.set(k, v);
    for (const [k, v] of frag.serviceNodePorts) serviceNodePorts.set(k, v);
    for (const [k, v] of frag.noEndpointNodePorts) noEndpointNodePorts.set(k, v);
  }
  if (cache) {
    cache.clear();
    for (const [k, v] of used) cache.set(k, v);
  }
  return { ruleset: rs, plans };
}

interface PlanContext {
  family: IPFamily;
  ip: string;
  addrType: string;
  clusterCIDRs: string[];
}

/** What one Service port contributes to the table. Immutable once made (it may be reused by later renders). */
export interface PlanFragment {
  chains: [string, Chain][];
  sets: [string, NamedSet][];
  serviceIPs: [string, string][];
  noEndpointServices: [string, string][];
  serviceNodePorts: [string, string][];
  noEndpointNodePorts: [string, string][];
}

/** Everything a plan's fragment depends on. */
function planSignature(plan: ServicePortPlan, ctx: PlanContext): string {
  return JSON.stringify([
    ctx.family, ctx.clusterCIDRs, plan.key, plan.port.port, plan.clusterIPs, plan.loadBalancerIPs, plan.nodePort ?? 0, plan.internalLocal, plan.externalLocal,
    plan.affinitySeconds ?? 0, plan.clusterEndpoints, plan.localEndpoints,
  ]);
}

function renderPlan(plan: ServicePortPlan, ctx: PlanContext): PlanFragment {
  const { ip, addrType, family, clusterCIDRs } = ctx;
  const f: PlanFragment = { chains: [], sets: [], serviceIPs: [], noEndpointServices: [], serviceNodePorts: [], noEndpointNodePorts: [] };
  const addChain = (name: string, rules: string[]): void => {
    f.chains.push([name, { rules }]);
  };
  const proto = PROTO[plan.protocol] as string;
  const names = new Map<string, { chain: string; affinity: string }>();
  const nameOf = (ep: ProxyEndpoint) => {
    const id = `${ep.ip}/${ep.port}`;
    let n = names.get(id);
    if (!n) {
      const key = `${plan.key}__${id}`;
      n = { chain: objName('ep', key), affinity: objName('affinity', `${key}/${plan.affinitySeconds}`) };
      names.set(id, n);
    }
    return n;
  };

  // One chain per endpoint, shared by the cluster and local chains that pick it.
  const seen = new Set<string>();
  for (const ep of [...plan.clusterEndpoints, ...plan.localEndpoints]) {
    const n = nameOf(ep);
    if (seen.has(n.chain)) continue;
    seen.add(n.chain);
    // Hairpin: a pod reaching its own Service gets the reply only if it comes back through us.
    const rules = [`${ip} saddr ${ep.ip} jump mark-for-masquerade`];
    if (plan.affinitySeconds !== undefined) {
      f.sets.push([n.affinity, { spec: [`type ${addrType}`, 'flags dynamic,timeout', `timeout ${plan.affinitySeconds}s`], elements: new Map(), dynamic: true }]);
      rules.push(`update @${n.affinity} { ${ip} saddr }`);
    }
    rules.push(`meta l4proto ${proto} dnat to ${family === 4 ? ep.ip : `[${ep.ip}]`}:${ep.port}`);
    addChain(n.chain, rules);
  }

  const balance = (name: string, eps: ProxyEndpoint[]): void => {
    if (!eps.length) return addChain(name, ['drop']);
    const rules: string[] = [];
    if (plan.affinitySeconds !== undefined) for (const ep of eps) rules.push(`${ip} saddr @${nameOf(ep).affinity} goto ${nameOf(ep).chain}`);
    if (eps.length === 1) rules.push(`goto ${nameOf(eps[0] as ProxyEndpoint).chain}`);
    else rules.push(`numgen random mod ${eps.length} vmap { ${eps.map((ep, i) => `${i} : goto ${nameOf(ep).chain}`).join(', ')} }`);
    addChain(name, rules);
  };

  const hasAny = plan.clusterEndpoints.length > 0;
  const clusterChain = objName('svc', plan.key);
  const localChain = objName('local', plan.key);
  if (hasAny) balance(clusterChain, plan.clusterEndpoints);
  if (hasAny && (plan.internalLocal || plan.externalLocal)) balance(localChain, plan.localEndpoints);

  // Internal traffic: the ClusterIPs.
  const internalEps = plan.internalLocal ? plan.localEndpoints : plan.clusterEndpoints;
  for (const cip of plan.clusterIPs) {
    const key = `${cip} . ${proto} . ${plan.port.port}`;
    if (internalEps.length) f.serviceIPs.push([key, `goto ${plan.internalLocal ? localChain : clusterChain}`]);
    // No endpoint anywhere: refuse at once. Endpoints only on other nodes under the Local policy: drop (kube-proxy).
    else f.noEndpointServices.push([key, hasAny ? 'drop' : 'goto reject-chain']);
  }

  // External traffic: load balancer IPs and the node port.
  if (!plan.loadBalancerIPs.length && plan.nodePort === undefined) return f;
  if (!hasAny) {
    for (const lb of plan.loadBalancerIPs) f.noEndpointServices.push([`${lb} . ${proto} . ${plan.port.port}`, 'goto reject-chain']);
    if (plan.nodePort !== undefined) f.noEndpointNodePorts.push([`${proto} . ${plan.nodePort}`, 'goto reject-chain']);
    return f;
  }
  const extChain = objName('ext', plan.key);
  if (plan.externalLocal) {
    // Local: the client's address is kept (no masquerade), so only this node's endpoints can be used. Pods and
    // this host itself are not "external" and may use any endpoint.
    addChain(extChain, [
      ...(clusterCIDRs.length ? [`${ip} saddr { ${clusterCIDRs.join(', ')} } goto ${clusterChain}`] : []),
      'fib saddr type local jump mark-for-masquerade', `fib saddr type local goto ${clusterChain}`, `goto ${localChain}`,
    ]);
  } else {
    addChain(extChain, ['jump mark-for-masquerade', `goto ${clusterChain}`]);
  }
  for (const lb of plan.loadBalancerIPs) f.serviceIPs.push([`${lb} . ${proto} . ${plan.port.port}`, `goto ${extChain}`]);
  if (plan.nodePort !== undefined) f.serviceNodePorts.push([`${proto} . ${plan.nodePort}`, `goto ${extChain}`]);
  return f;
}
