// kube-controller-manager's node IPAM flags, checked: --allocate-node-cidrs, --cluster-cidr (one CIDR, or an IPv4 and
// an IPv6 one separated by a comma for dual-stack), --node-cidr-mask-size (single-stack; 24 for IPv4, 64 for IPv6 when
// unset) and --node-cidr-mask-size-ipv4/-ipv6 (dual-stack). Every mistake is an Error naming the flag.
import { parseCidr } from '../../node-agent/network/ip.js';
import { CidrSet } from './cidrset.js';

export interface NodeIpamFlags {
  allocateNodeCIDRs: boolean;
  clusterCIDR?: string;
  nodeCIDRMaskSize?: number;
  nodeCIDRMaskSizeIPv4?: number;
  nodeCIDRMaskSizeIPv6?: number;
}

/** The allocator's settings: one cluster CIDR per IP family (the first is the primary: spec.podCIDR) and its mask size. */
export interface NodeIpamConfig {
  clusterCIDRs: string[];
  nodeCIDRMaskSizes: number[];
}

export const DEFAULT_MASK = { 4: 24, 6: 64 } as const;

/** undefined when CIDR allocation is off; throws on flags that do not make a working allocator. */
export function nodeIpamConfig(f: NodeIpamFlags): NodeIpamConfig | undefined {
  if (!f.allocateNodeCIDRs) return undefined;
  const raw = (f.clusterCIDR ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!raw.length) throw new Error('--cluster-cidr is required with --allocate-node-cidrs');
  const cidrs = raw.map((c) => {
    const p = parseCidr(c);
    if (!p) throw new Error(`--cluster-cidr: invalid CIDR ${JSON.stringify(c)}`);
    return p;
  });
  if (cidrs.length > 2) throw new Error('--cluster-cidr: at most two CIDRs (one IPv4, one IPv6)');
  const dual = cidrs.length === 2;
  if (dual && cidrs[0]?.family === cidrs[1]?.family) throw new Error('--cluster-cidr: a dual-stack cluster needs one IPv4 and one IPv6 CIDR');
  if (dual && f.nodeCIDRMaskSize !== undefined) throw new Error('--node-cidr-mask-size is not allowed with a dual-stack --cluster-cidr: use --node-cidr-mask-size-ipv4 and --node-cidr-mask-size-ipv6');
  if (!dual && f.nodeCIDRMaskSize !== undefined && (f.nodeCIDRMaskSizeIPv4 !== undefined || f.nodeCIDRMaskSizeIPv6 !== undefined)) {
    throw new Error('--node-cidr-mask-size and --node-cidr-mask-size-ipv4/-ipv6 cannot be given together');
  }
  const masks = cidrs.map((c) => {
    const perFamily = c.family === 4 ? f.nodeCIDRMaskSizeIPv4 : f.nodeCIDRMaskSizeIPv6;
    return (dual ? undefined : f.nodeCIDRMaskSize) ?? perFamily ?? DEFAULT_MASK[c.family];
  });
  cidrs.forEach((c, i) => {
    try {
      new CidrSet(c.text, masks[i] as number); // checks that the mask fits the range
    } catch (e) {
      throw new Error(`--cluster-cidr ${c.text} with node mask size ${masks[i]}: ${(e as Error).message}`);
    }
  });
  return { clusterCIDRs: cidrs.map((c) => c.text), nodeCIDRMaskSizes: masks };
}
