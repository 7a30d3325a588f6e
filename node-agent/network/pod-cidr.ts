// The node's pod subnet from its Node object, as the kubelet takes spec.podCIDR (node IPAM in the controller-manager)
// and hands it to the runtime's network: the agent waits until the Node has one, then writes the CNI bridge conflist
// with it into the runtime's conf dir (containerd picks it up; until then it reports NetworkReady=false and the node is
// NotReady). The bridge does not masquerade: host-gw's table masquerades only what leaves the cluster's pod network.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { Client } from '../../lib/client/index.js';
import { logger } from '../../lib/util/log.js';
import { nodePodSubnet, writeCniConfig, type CniNetwork } from '../runtime/cni.js';
import { podCIDRsOf } from './hostgw/plan.js';
import { readPodNetwork, type PodNetwork } from './pod-network.js';
import { sleep } from '../../lib/util/sleep.js';

const NODE = findByKind('v1', 'Node')!;
const log = logger('node-agent');

/** Where the runtime reads its pod network, and the network's name and bridge (cli/commands/runtime.ts podNetworkFor). */
export interface PodCIDRFromNode {
  /** The runtime's CNI conf dir (`<data-dir>/containerd/cni/net.d`). */
  confDir: string;
  /** host-local's allocations (`<data-dir>/containerd/cni/ipam`). */
  ipamDataDir: string;
  name: string;
  bridge: string;
  /** Where host-gw records the routes it installed. */
  routesStateFile: string;
}

/** Waits until the Node has an IPv4 pod CIDR and returns its pod CIDRs (IPv4 ones; the first is the bridge's subnet). */
export async function waitForPodCIDR(client: Client, nodeName: string, signal?: AbortSignal, everyMs = 500): Promise<string[]> {
  let nextNote = Date.now() + 30_000;
  for (;;) {
    if (signal?.aborted) throw new Error('stopped while waiting for the node\'s pod CIDR');
    let node: KubeObject | undefined;
    try {
      node = await client.get(NODE, nodeName);
    } catch (e) {
      log.warn('cannot read the node for its pod CIDR', { node: nodeName, error: (e as Error).message });
    }
    if (node && nodePodSubnet(node)) return podCIDRsOf(node);
    if (Date.now() > nextNote) {
      nextNote = Date.now() + 30_000;
      log.warn('still waiting for the node\'s spec.podCIDR (is the controller-manager run with --allocate-node-cidrs and --cluster-cidr?)', { node: nodeName });
    }
    await sleep(everyMs, signal);
  }
}

/** Writes the bridge conflist for `subnet` (unless it already says so) and returns the pod network as the agent reads it. */
export async function writePodNetwork(o: PodCIDRFromNode, subnet: string): Promise<{ network: PodNetwork; written?: CniNetwork }> {
  const current = readPodNetwork(o.confDir);
  if (current && current.subnet === subnet && current.bridge === o.bridge) return { network: current };
  const written = await writeCniConfig({ confDir: o.confDir, ipamDataDir: o.ipamDataDir, name: o.name, bridge: o.bridge, subnet, ipMasq: false });
  const network = readPodNetwork(o.confDir);
  if (!network) throw new Error(`the pod network written to ${written.file} cannot be read back`);
  log.info('pod network configured from the node\'s podCIDR', { subnet, bridge: o.bridge, conflist: written.file });
  return { network, written };
}
