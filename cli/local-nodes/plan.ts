// `flotilla up --nodes N`: nodes 2..N of a local cluster are network namespaces, each a "machine" of its own on one
// L2 segment with this host (a bridge, one veth per node), running `flotilla agent` inside, joined with a bootstrap
// token exactly as a real machine joins. This file names everything one cluster makes for them, from its data dir
// alone, so that `down` (or an `up` after a crash) finds every piece again: the segment's bridge `flnet<h>`, the
// namespaces `flotilla-<h>-<i>`, their host-side veths `flv<h>n<i>`, the guard table `flotilla-nodes-<h>`, each
// node's data dir `<data-dir>/nodes/<name>` and cgroup parent. <h> is the data dir's hash, the one its pod bridge is
// named with (cli/commands/runtime.ts podNetworkFor).
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseCidr } from '../../node-agent/network/ip.js';

export interface LocalNode {
  /** 2..N */
  index: number;
  name: string;
  netns: string;
  /** The host side of its veth (the namespace side is eth0). */
  veth: string;
  /** Its address on the segment: its InternalIP. */
  ip: string;
  dataDir: string;
  cgroupRoot: string;
}

export interface LocalNodesPlan {
  /** The segment, a /24, e.g. 10.117.0.0/24. */
  segment: string;
  prefixLength: number;
  /** The host's address on it (.1): node 1's InternalIP, and where the nodes reach the API server. */
  hostIP: string;
  bridge: string;
  /** nftables table (ip family) keeping the namespaces' traffic on this machine. */
  guardTable: string;
  /** Prefix of every namespace of this cluster. */
  netnsPrefix: string;
  /** Where the nodes' cgroup roots live (removed whole by down). */
  cgroupParent: string;
  nodes: LocalNode[];
}

/** The 6 hex characters naming a data dir's network objects. */
export const dataDirHash = (dataDir: string): string => createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 6);

/** The name of local node `index` (2..N) of a cluster whose own node is `nodeName`. */
export const localNodeName = (nodeName: string, index: number): string => `${nodeName}-${index}`;

/**
 * Everything for nodes 2..count of the cluster in dataDir, on `segment` (a /24 or larger IPv4 network: the host takes
 * its first address, node i the i-th).
 */
export function localNodesPlan(o: { dataDir: string; nodeName: string; count: number; segment: string; cgroupRoot?: string }): LocalNodesPlan {
  const c = parseCidr(o.segment);
  if (!c || c.family !== 4 || c.prefix > 24) throw new Error(`the node network ${o.segment} must be an IPv4 network of at least a /24`);
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 200) throw new Error('--nodes must be between 1 and 200');
  const h = dataDirHash(o.dataDir);
  const base = c.bytes;
  const addr = (n: number) => [base[0], base[1], base[2], (base[3] as number) + n].join('.');
  const root = o.cgroupRoot ?? '/';
  const cgroupParent = join(root, `flotilla-${h}`);
  const nodes: LocalNode[] = [];
  for (let i = 2; i <= o.count; i++) {
    const name = localNodeName(o.nodeName, i);
    nodes.push({ index: i, name, netns: `flotilla-${h}-${i}`, veth: `flv${h}n${i}`, ip: addr(i), dataDir: join(resolve(o.dataDir), 'nodes', name), cgroupRoot: join(cgroupParent, name) });
  }
  return { segment: c.text, prefixLength: c.prefix, hostIP: addr(1), bridge: `flnet${h}`, guardTable: `flotilla-nodes-${h}`, netnsPrefix: `flotilla-${h}-`, cgroupParent, nodes };
}
