// The node's pod network as the runtime wrote it (the CNI bridge conflist under the data dir): its bridge, subnet
// and gateway address. The cluster DNS listens on the gateway, which every pod on the bridge reaches directly; the
// agent puts that address on the bridge itself when no pod has made the CNI plugin do it yet, so the DNS server can
// start before the first pod (the plugin finds the address there and keeps it).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../../lib/util/log.js';
import type { CommandRunner } from './exec.js';

export interface PodNetwork {
  bridge: string;
  /** e.g. 10.123.0.0/16 */
  subnet: string;
  /** The bridge's address, the subnet's first (host-local's default gateway), e.g. 10.123.0.1 */
  gateway: string;
  prefixLength: number;
}

/** The bridge network of the CNI conf dir (`DATA/containerd/cni/net.d` under the node's data dir), if there is one. */
export function readPodNetwork(confDir: string): PodNetwork | undefined {
  let files: string[];
  try {
    files = readdirSync(confDir).filter((f) => f.endsWith('.conflist')).sort();
  } catch {
    return undefined;
  }
  for (const f of files) {
    try {
      type Conflist = { plugins?: { type?: string; bridge?: string; ipam?: { ranges?: { subnet?: string; gateway?: string }[][] } }[] };
      const conf = JSON.parse(readFileSync(join(confDir, f), 'utf8')) as Conflist;
      const b = conf.plugins?.find((p) => p.type === 'bridge');
      const range = b?.ipam?.ranges?.[0]?.[0];
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(range?.subnet ?? '');
      if (!b?.bridge || !m) continue;
      const gateway = range?.gateway ?? `${m[1]}.${m[2]}.${m[3]}.${Number(m[4]) + 1}`;
      return { bridge: b.bridge, subnet: range?.subnet as string, gateway, prefixLength: Number(m[5]) };
    } catch {
      continue;
    }
  }
  return undefined;
}

/** Makes sure the bridge exists, is up and holds the gateway address (what the CNI bridge plugin would do). */
export async function ensureBridgeGateway(net: PodNetwork, run: CommandRunner): Promise<void> {
  const show = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', net.bridge]);
  if (show.code !== 0) {
    const add = await run('ip', ['link', 'add', net.bridge, 'type', 'bridge']);
    if (add.code !== 0 && !/exists/i.test(add.stderr)) throw new Error(`cannot create bridge ${net.bridge}: ${add.stderr.trim()}`);
  }
  if (!new RegExp(`\\sinet ${net.gateway.replace(/\./g, '\\.')}/`).test(show.stdout)) {
    const addr = await run('ip', ['addr', 'add', `${net.gateway}/${net.prefixLength}`, 'dev', net.bridge]);
    if (addr.code !== 0 && !/exists/i.test(addr.stderr)) throw new Error(`cannot put ${net.gateway} on ${net.bridge}: ${addr.stderr.trim()}`);
  }
  await pinBridgeAddress(net.bridge, run);
  const up = await run('ip', ['link', 'set', net.bridge, 'up']);
  if (up.code !== 0) throw new Error(`cannot bring ${net.bridge} up: ${up.stderr.trim()}`);
  await ensureBridgeNetfilter(run);
}

/**
 * Fixes the bridge's MAC address at the one it has now. A Linux bridge whose address was never set takes the lowest
 * MAC of its ports, so it changes whenever the pod owning that veth goes. Every pod keeps the gateway's old MAC in
 * its ARP cache for half a minute: its packets to the node (replies to probes and to the node's Service clients) are
 * flooded to the other ports instead of reaching the node, and connections hang. The CNI bridge plugin fixes the
 * address the same way when it creates the bridge; the agent creates it first (for the DNS server), so it must too.
 * Setting the address it already has changes nothing for running pods and makes the kernel keep it (NET_ADDR_SET).
 */
export async function pinBridgeAddress(bridge: string, run: CommandRunner): Promise<void> {
  const show = await run('ip', ['-o', 'link', 'show', 'dev', bridge]);
  const mac = /\slink\/ether\s+([0-9a-f:]{17})\s/.exec(show.stdout)?.[1];
  if (show.code !== 0 || !mac) throw new Error(`cannot read ${bridge}'s MAC address: ${(show.stderr || show.stdout).trim()}`);
  const set = await run('ip', ['link', 'set', 'dev', bridge, 'address', mac]);
  if (set.code !== 0) throw new Error(`cannot fix ${bridge}'s MAC address at ${mac}: ${set.stderr.trim()}`);
}

/**
 * Traffic between two pods of the bridge is switched, not routed: only with br_netfilter and bridge-nf-call-iptables
 * does it pass the inet hooks, where NetworkPolicy filters it and the proxy's DNAT of a Service reply is undone (as
 * every bridge-based Kubernetes network needs). Best effort: a kernel without the module is reported, not fatal.
 */
export async function ensureBridgeNetfilter(run: CommandRunner): Promise<void> {
  // the tools live in /usr/sbin, which a service's PATH may lack; a missing tool is a failure like any other
  const tryRun = (cmd: string, args: string[]) => run(cmd, args).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
  await tryRun('/usr/sbin/modprobe', ['br_netfilter']);
  const set = await tryRun('/usr/sbin/sysctl', ['-q', '-w', 'net.bridge.bridge-nf-call-iptables=1', 'net.bridge.bridge-nf-call-ip6tables=1']);
  if (set.code !== 0) logger('node-network').warn('bridged pod traffic does not pass netfilter: NetworkPolicy between pods of this node is not enforced', { error: set.stderr.trim() });
}

/** The nameservers of a resolv.conf, as DNS upstreams (port 53). */
export function upstreamsOf(resolvConf: string): { address: string; port: number }[] {
  const out: { address: string; port: number }[] = [];
  for (const line of resolvConf.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m) out.push({ address: (m[1] as string).replace(/%.*$/, ''), port: 53 });
  }
  return out;
}

/**
 * The node network instance (nftables tables flotilla-proxy-NAME, flotilla-policy-NAME) of the cluster owning this
 * bridge: the bridge is its cluster's own on the machine (cli/commands/runtime.ts), so the tables are too, and the
 * runtime's teardown of the bridge removes them even when the agent could not (SIGKILL).
 */
export function nodeNetworkName(bridge: string): string {
  return bridge.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
}
