// NetworkPolicy (networking.k8s.io/v1) semantics, independent of nftables: which pods a policy selects, for which
// directions, and each rule's peers and ports resolved to addresses and port numbers.
//   - A pod selected by a policy of a direction is isolated in that direction: only what one of those policies'
//     rules allows gets through (default deny). A pod no policy selects is not isolated.
//   - policyTypes defaults to Ingress, plus Egress when the policy has egress rules.
//   - A peer's podSelector alone means pods of the policy's namespace; namespaceSelector alone, every pod of the
//     matching namespaces; both, the matching pods of the matching namespaces; ipBlock, the CIDR minus its excepts.
//   - A rule with no peers allows every peer; with no ports, every port. Ports default to TCP; endPort makes a range;
//     a named port is resolved on the pod the traffic goes to (the selected pod for ingress, the peer for egress).
import { labelSelectorFromObject, matchesLabels, SelectorError, type LabelSelectorParsed } from '../../../lib/api/selectors/index.js';
import { canonicalIP, ipFamily, parseCidr } from '../ip.js';
import type { LabelSelectorModel, NetworkModel, NetworkPolicyModel, NetworkPolicyPeerModel, NetworkPolicyPortModel, PodModel, Protocol } from '../model.js';

export interface IpBlockPeer {
  cidr: string;
  except: string[];
}

/** One `ingress[]` / `egress[]` rule with its peers and ports resolved. */
export interface ResolvedRule {
  /** True when the rule names no peer: every source (ingress) or destination (egress). */
  anyPeer: boolean;
  /** Addresses of the pods its pod/namespace-selector peers pick (may be empty: then they allow nothing). */
  podIPs: string[];
  hasSelectorPeers: boolean;
  ipBlocks: IpBlockPeer[];
  /** True when the rule names no port. */
  anyPort: boolean;
  /** Numeric ports and ranges. */
  ports: { protocol: Protocol; from: number; to: number }[];
  /** Whole protocols (a port entry without a port). */
  protocols: Protocol[];
  /** Named ports resolved: (pod address, protocol, number) the traffic may go to. */
  named: { ip: string; protocol: Protocol; port: number }[];
}

export interface ResolvedPolicy {
  namespace: string;
  name: string;
  /** Pods of this node the policy selects (and so isolates). */
  localPods: PodModel[];
  ingress?: ResolvedRule[];
  egress?: ResolvedRule[];
  /** Why parts of the policy match nothing (an invalid selector, a bad CIDR): logged by the caller. */
  problems: string[];
}

function parse(sel: LabelSelectorModel | undefined, problems: string[], what: string): LabelSelectorParsed | undefined {
  if (!sel) return undefined;
  try {
    return labelSelectorFromObject(sel as Parameters<typeof labelSelectorFromObject>[0]);
  } catch (e) {
    if (e instanceof SelectorError) {
      problems.push(`${what}: ${e.message}`);
      return undefined;
    }
    throw e;
  }
}

/** Pods that take part in policy: with addresses, not on the host network (their address is the node's). */
function policyPods(model: Pick<NetworkModel, 'pods'>): PodModel[] {
  return model.pods.filter((p) => !p.hostNetwork && p.ips.some((ip) => ipFamily(ip)));
}

function namespaceLabels(model: Pick<NetworkModel, 'namespaces'>): Map<string, Record<string, string>> {
  const m = new Map<string, Record<string, string>>();
  for (const ns of model.namespaces) m.set(ns.name, { 'kubernetes.io/metadata.name': ns.name, ...ns.labels });
  return m;
}

function peerPods(peer: NetworkPolicyPeerModel, policyNs: string, pods: PodModel[], nsLabels: Map<string, Record<string, string>>, problems: string[],
  what: string): PodModel[] {
  // A selector that does not parse selects nothing (the API server refuses such policies; this is defence only).
  const podSel = peer.podSelector ? parse(peer.podSelector, problems, `${what}.podSelector`) : undefined;
  const nsSel = peer.namespaceSelector ? parse(peer.namespaceSelector, problems, `${what}.namespaceSelector`) : undefined;
  if ((peer.podSelector && !podSel) || (peer.namespaceSelector && !nsSel)) return [];
  return pods.filter((p) => {
    if (nsSel) {
      if (!matchesLabels(nsSel, nsLabels.get(p.namespace) ?? { 'kubernetes.io/metadata.name': p.namespace })) return false;
    } else if (p.namespace !== policyNs) return false;
    return podSel ? matchesLabels(podSel, p.labels) : true;
  });
}

function resolveRule(
  rule: { peers?: NetworkPolicyPeerModel[]; ports?: NetworkPolicyPortModel[] },
  policyNs: string,
  pods: PodModel[],
  namedPortPods: PodModel[],
  nsLabels: Map<string, Record<string, string>>,
  problems: string[],
  what: string,
): ResolvedRule {
  const peers = rule.peers ?? [];
  const r: ResolvedRule = { anyPeer: peers.length === 0, podIPs: [], hasSelectorPeers: false, ipBlocks: [], anyPort: !rule.ports?.length, ports: [],
    protocols: [], named: [] };
  const ips = new Set<string>();
  peers.forEach((peer, i) => {
    if (peer.ipBlock) {
      const cidr = parseCidr(peer.ipBlock.cidr);
      if (!cidr) {
        problems.push(`${what}[${i}].ipBlock.cidr: invalid CIDR ${JSON.stringify(peer.ipBlock.cidr)}`);
        return;
      }
      const except = (peer.ipBlock.except ?? []).map(parseCidr).filter((c) => c && c.family === cidr.family).map((c) => c?.text as string);
      r.ipBlocks.push({ cidr: cidr.text, except });
      return;
    }
    if (!peer.podSelector && !peer.namespaceSelector) return;
    r.hasSelectorPeers = true;
    for (const p of peerPods(peer, policyNs, pods, nsLabels, problems, `${what}[${i}]`)) for (const ip of p.ips) if (ipFamily(ip)) ips.add(canonicalIP(ip));
  });
  r.podIPs = [...ips].sort();
  for (const port of rule.ports ?? []) {
    const protocol = port.protocol ?? 'TCP';
    if (port.port === undefined) r.protocols.push(protocol);
    else if (typeof port.port === 'number') r.ports.push({ protocol, from: port.port, to: port.endPort && port.endPort > port.port ? port.endPort : port.port });
    else {
      const name = port.port;
      for (const p of namedPortPods) {
        const cp = p.ports?.find((c) => c.name === name && (c.protocol ?? 'TCP') === protocol);
        if (cp) for (const ip of p.ips) if (ipFamily(ip)) r.named.push({ ip: canonicalIP(ip), protocol, port: cp.containerPort });
      }
    }
  }
  return r;
}

/** Every policy that selects a pod on this node, resolved. */
export function resolvePolicies(model: Pick<NetworkModel, 'nodeName' | 'pods' | 'namespaces' | 'networkPolicies'>): ResolvedPolicy[] {
  const pods = policyPods(model);
  const nsLabels = namespaceLabels(model);
  const out: ResolvedPolicy[] = [];
  const policies = [...model.networkPolicies].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  for (const np of policies) {
    const problems: string[] = [];
    const sel = parse(np.spec.podSelector ?? {}, problems, 'spec.podSelector');
    const selected = sel ? pods.filter((p) => p.namespace === np.namespace && matchesLabels(sel, p.labels)) : [];
    const localPods = selected.filter((p) => p.nodeName === model.nodeName);
    if (!localPods.length) continue;
    const types = policyTypes(np);
    const res: ResolvedPolicy = { namespace: np.namespace, name: np.name, localPods, problems };
    if (types.includes('Ingress')) {
      res.ingress = (np.spec.ingress ?? []).map((rule, i) => resolveRule({ peers: rule.from, ports: rule.ports }, np.namespace, pods, selected, nsLabels, problems, `spec.ingress[${i}].from`));
    }
    if (types.includes('Egress')) {
      res.egress = (np.spec.egress ?? []).map((rule, i) => resolveRule({ peers: rule.to, ports: rule.ports }, np.namespace, pods, pods, nsLabels, problems, `spec.egress[${i}].to`));
    }
    out.push(res);
  }
  return out;
}

/** `spec.policyTypes`, or its default: Ingress, and Egress when there are egress rules. */
export function policyTypes(np: NetworkPolicyModel): ('Ingress' | 'Egress')[] {
  if (np.spec.policyTypes?.length) return np.spec.policyTypes;
  return np.spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
}
