// The supervisor's part for `flotilla up --nodes N` before any component starts: the pod network and the nodes'
// segment (chosen once, recorded in cluster.json, and claimed for the supervisor's life so that another cluster
// starting on this machine meanwhile picks other ones), what a killed run left cleaned away, and the segment and
// namespaces made. Stopping is the reverse (cleanup.ts).
import { claimSubnet, pickFreeSubnet } from '../../node-agent/runtime/cni.js';
import { parseCidr } from '../../node-agent/network/ip.js';
import { run } from '../../node-agent/runtime/proc.js';
import { podNetworkFor } from '../commands/runtime.js';
import type { ClusterConfig } from '../cluster.js';
import { localNodesOf } from '../cluster.js';
import { cleanUpLocalNodes } from './cleanup.js';
import { setUpLocalNodes } from './network.js';
import type { LocalNodesPlan } from './plan.js';

/** Claims a range given or recorded earlier; throws when a live process of another cluster holds it. */
function claimRange(cidr: string, what: string): void {
  const c = parseCidr(cidr);
  if (!c || c.family !== 4) throw new Error(`${what} ${cidr} is not an IPv4 CIDR`);
  if (!claimSubnet(c.bytes.join('.'))) throw new Error(`${what} ${cidr} is in use by another cluster on this machine (give another one)`);
}

/** Whether two IPv4 CIDRs share an address. */
export function overlapping(a: string, b: string): boolean {
  const [x, y] = [parseCidr(a), parseCidr(b)];
  if (!x || !y || x.family !== 4 || y.family !== 4) return false;
  const bits = Math.min(x.prefix, y.prefix);
  const n = (c: number[]) => c.reduce((v, o) => v * 256 + o, 0);
  return bits === 0 || Math.floor(n(x.bytes) / 2 ** (32 - bits)) === Math.floor(n(y.bytes) / 2 ** (32 - bits));
}

/** A route of this machine that overlaps `cidr` (a segment there would take that network's traffic), if any. */
async function routeOverlaps(cidr: string): Promise<string | undefined> {
  const routes = (await run('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout.split('\n');
  for (const line of routes) {
    const words = line.trim().split(/\s+/);
    // typed routes (`unreachable 10.0.0.0/8`) name their destination second; the host's own addresses don't count
    if (words[0] === 'local' || words[0] === 'broadcast' || words[0] === 'multicast') continue;
    const dst = (/^[a-z]+$/.test(words[0] ?? '') && words[0] !== 'default' ? words[1] : words[0]) ?? '';
    if (overlapping(dst.includes('/') ? dst : `${dst}/32`, cidr)) return line.trim();
  }
  return undefined;
}

/**
 * The cluster's node IPAM range and nodes' segment (picked when not given or recorded), claimed; the local nodes'
 * leftovers cleaned; the segment and namespaces made. Returns the config to record (with the ranges) and the plan.
 */
export async function startLocalNodes(config: ClusterConfig): Promise<{ config: ClusterConfig; plan: LocalNodesPlan }> {
  const c = { ...config };
  if (c.clusterCIDR) claimRange(c.clusterCIDR, 'the cluster CIDR');
  else c.clusterCIDR = await pickFreeSubnet();
  await cleanUpLocalNodes(c.dataDir, { nodeName: c.nodeName, cgroupRoot: c.cgroupRoot });
  if (c.nodeNetwork) {
    claimRange(c.nodeNetwork, 'the node network');
  } else {
    // a /24 of a free 10.X.0.0/16 (the claim and the segment's route keep X from being picked by anyone else)
    c.nodeNetwork = (await pickFreeSubnet()).replace(/\.0\.0\/16$/, '.0.0/24');
  }
  if (overlapping(c.nodeNetwork, c.clusterCIDR)) {
    throw new Error(`the node network ${c.nodeNetwork} is inside the cluster CIDR ${c.clusterCIDR}: node IPAM could give it to a node's pods (give --node-network or --cluster-cidr)`);
  }
  const overlap = await routeOverlaps(c.nodeNetwork);
  if (overlap) throw new Error(`the node network ${c.nodeNetwork} overlaps this machine's route "${overlap}": give --node-network`);
  const plan = localNodesOf(c);
  if (!plan) throw new Error('no local nodes to start');
  await setUpLocalNodes(plan, podNetworkFor(c.dataDir).bridge);
  return { config: c, plan };
}
