// NetworkPolicy as an nftables table of its own (`flotilla-policy-NAME`, beside the proxy's), for one family.
//
//   egress  (forward, priority -1) ┐  ct state established,related accept   (stateful: replies always pass)
//   egress-to-node (input)         ├─ ip saddr vmap @egress-pods  -> pod-egress-…:  jump pol-…-egress …; drop
//   ingress (forward, priority 0)  ┘  ip daddr vmap @ingress-pods -> pod-ingress-…: jump pol-…-ingress …; drop
//
// A pod no policy isolates is in neither map, so its packets cost one failed lookup. A policy chain holds one rule
// per (peer kind x port kind) of each policy rule, matching sets of addresses and ports, so the rule count follows
// the policies' text, not the number of pods they select. `accept` in a policy chain ends that base chain only:
// egress and ingress are separate base chains, so a packet between two isolated pods must pass both.
// Filtering is after the proxy's DNAT (prerouting), so policies see pod addresses as Kubernetes requires. Egress to
// the node itself (the node-local DNS, node IPs) goes through the input hook and is filtered like any other; traffic
// from the node's own processes to its pods (kubelet probes) is not.
import { createHash } from 'node:crypto';
import { ipFamily, parseCidr, type IPFamily } from '../ip.js';
import type { NetworkModel } from '../model.js';
import { chain, emptyRuleset, set, type Ruleset } from '../nft/ruleset.js';
import { resolvePolicies, type ResolvedPolicy, type ResolvedRule } from './select.js';

const PROTO: Record<string, string> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8);
}

function objName(prefix: string, key: string): string {
  return `${prefix}-${hash(key)}-${key.replace(/[^a-zA-Z0-9_./-]/g, '_').slice(0, 180)}`;
}

export interface PolicyRender {
  ruleset: Ruleset;
  policies: ResolvedPolicy[];
}

export function renderPolicy(model: NetworkModel, opts: { table: string; family: IPFamily }): PolicyRender {
  const { family } = opts;
  const ip = family === 4 ? 'ip' : 'ip6';
  const addrType = family === 4 ? 'ipv4_addr' : 'ipv6_addr';
  const rs = emptyRuleset(ip, opts.table, 'flotilla network policy');
  const policies = resolvePolicies(model);
  const ingressPods = set(rs, 'ingress-pods', [`type ${addrType} : verdict`]);
  const egressPods = set(rs, 'egress-pods', [`type ${addrType} : verdict`]);
  const established = 'ct state established,related accept';
  chain(rs, 'egress', { type: 'filter', hook: 'forward', priority: '-1' }).push(established, `${ip} saddr vmap @egress-pods`);
  chain(rs, 'egress-to-node', { type: 'filter', hook: 'input', priority: '0' }).push(
    established,
    // IPv6 neighbour discovery with the node is link plumbing, not traffic a policy speaks of (ARP, its IPv4
    // counterpart, never reaches these hooks); without it an isolated pod could not reach even what is allowed.
    ...(family === 6 ? ['icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } accept'] : []),
    `${ip} saddr vmap @egress-pods`,
  );
  chain(rs, 'ingress', { type: 'filter', hook: 'forward', priority: '0' }).push(established, `${ip} daddr vmap @ingress-pods`);

  const ofFamily = (ips: string[]) => ips.filter((a) => ipFamily(a) === family);
  // pod key -> the policy chains that apply, per direction
  const podChains = new Map<string, { ips: string[]; ingress: string[]; egress: string[] }>();

  for (const pol of policies) {
    const key = `${pol.namespace}/${pol.name}`;
    for (const dir of ['ingress', 'egress'] as const) {
      const rules = pol[dir];
      if (!rules) continue;
      const chainName = objName(`pol-${dir}`, key);
      const out = chain(rs, chainName);
      rules.forEach((rule, i) => out.push(...ruleLines(rs, rule, { dir, family, ip, addrType, setPrefix: objName(`pol-${dir}`, `${key}/${i}`) })));
      for (const p of pol.localPods) {
        const podKey = `${p.namespace}/${p.name}`;
        const entry = podChains.get(podKey) ?? { ips: ofFamily(p.ips), ingress: [], egress: [] };
        entry[dir].push(chainName);
        podChains.set(podKey, entry);
      }
    }
  }

  for (const [podKey, entry] of podChains) {
    if (!entry.ips.length) continue;
    for (const dir of ['ingress', 'egress'] as const) {
      if (!entry[dir].length) continue;
      const name = objName(`pod-${dir}`, podKey);
      // Isolated: allowed only if one of the policies' chains accepts; otherwise dropped.
      chain(rs, name).push(...entry[dir].map((c) => `jump ${c}`), 'drop');
      for (const a of entry.ips) (dir === 'ingress' ? ingressPods : egressPods).set(a, `goto ${name}`);
    }
  }
  return { ruleset: rs, policies };
}

interface RuleContext {
  dir: 'ingress' | 'egress';
  family: IPFamily;
  ip: string;
  addrType: string;
  setPrefix: string;
}

/** The accept rules of one policy rule: (each kind of peer) x (each kind of port). */
function ruleLines(rs: Ruleset, rule: ResolvedRule, c: RuleContext): string[] {
  const peerField = c.dir === 'ingress' ? 'saddr' : 'daddr';
  const peers: string[] = [];
  if (rule.anyPeer) peers.push('');
  if (rule.hasSelectorPeers) {
    const ips = rule.podIPs.filter((a) => ipFamily(a) === c.family);
    if (ips.length) {
      const name = `${c.setPrefix}-peers`;
      const s = set(rs, name, [`type ${c.addrType}`]);
      for (const a of ips) s.set(a, '');
      peers.push(`${c.ip} ${peerField} @${name} `);
    }
  }
  for (const b of rule.ipBlocks) {
    if (parseCidr(b.cidr)?.family !== c.family) continue;
    peers.push(`${c.ip} ${peerField} ${b.cidr} ${b.except.length ? `${c.ip} ${peerField} != { ${b.except.join(', ')} } ` : ''}`);
  }

  const ports: string[] = [];
  if (rule.anyPort) ports.push('');
  if (rule.ports.length) {
    const items = rule.ports.map((p) => `${PROTO[p.protocol]} . ${p.from === p.to ? p.from : `${p.from}-${p.to}`}`);
    ports.push(`meta l4proto . th dport { ${[...new Set(items)].join(', ')} } `);
  }
  if (rule.protocols.length) ports.push(`meta l4proto { ${[...new Set(rule.protocols.map((p) => PROTO[p]))].join(', ')} } `);
  const named = rule.named.filter((n) => ipFamily(n.ip) === c.family);
  if (named.length) {
    // The destination address decides which pod's port number the name means.
    const name = `${c.setPrefix}-named-ports`;
    const s = set(rs, name, [`type ${c.addrType} . inet_proto . inet_service`]);
    for (const n of named) s.set(`${n.ip} . ${PROTO[n.protocol]} . ${n.port}`, '');
    ports.push(`${c.ip} daddr . meta l4proto . th dport @${name} `);
  }
  const out: string[] = [];
  for (const peer of peers) for (const port of ports) out.push(`${peer}${port}accept`);
  return out;
}
