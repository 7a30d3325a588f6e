// The pod network for our containerd: a CNI bridge conflist (bridge with a gateway and masquerading, host-local IPAM,
// portmap for hostPort) written into the conf dir containerd watches, and the teardown of what the plugins leave on
// the host (the bridge device, iptables chains) when pods were not torn down through the CRI.
import { cleanupNodeNetwork } from '../network/index.js';
import { nodeNetworkName } from '../network/pod-network.js';
import { parseCidr } from '../network/ip.js';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './proc.js';

/** Options for writeCniConfig. */
export interface CniNetworkOptions {
  /** The conf dir containerd reads (`conf_dir`); the conflist is written there as `10-NAME.conflist`. */
  confDir: string;
  /** Where host-local keeps its IP allocations (default: `confDir/../ipam`), so nothing lands in /var/lib/cni. */
  ipamDataDir?: string;
  /** CNI network name; also written in the comments of the iptables rules the plugins add. Default `flotilla`. */
  name?: string;
  /** Linux bridge device name, at most 15 characters. Default `flotilla0`. */
  bridge?: string;
  /** Pod subnet, e.g. `10.88.0.0/16`. Default: a free 10.X.0.0/16 (see pickFreeSubnet). */
  subnet?: string;
  /**
   * The bridge plugin masquerades everything the pods send outside their subnet (default). False when the node
   * agent masquerades only what leaves the cluster's pod network (a subnet from node IPAM, host-gw routes).
   */
  ipMasq?: boolean;
}

/** A CNI network as written. */
export interface CniNetwork {
  name: string;
  bridge: string;
  subnet: string;
  /** Path of the conflist file. */
  file: string;
  confDir: string;
  ipamDataDir: string;
}

/**
 * A 10.X.0.0/16 (X in 112..250, randomly: above the default service range 10.96.0.0/12, whose addresses the proxy
 * drops when no Service holds them) that no route on this host overlaps, so that several node runtimes (or
 * parallel test runs) on one machine each get their own pod subnet. The bridge's route appears only once the node
 * is up, so a pick is also claimed (a file named after the subnet, holding the picking process's pid, under
 * SUBNET_CLAIMS): two runtimes starting at once cannot both take one; a claim whose process is gone is free again.
 */
export async function pickFreeSubnet(): Promise<string> {
  const FIRST_X = 112;
  const routes = (await run('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout;
  const used = new Set<number>();
  for (const m of routes.matchAll(/(?:^|\s)10\.(\d+)\.\d+\.\d+/gm)) used.add(Number(m[1]));
  if (/(?:^|\s)10\.0\.0\.0\/8/m.test(routes)) throw new Error('a 10.0.0.0/8 route exists; pass a subnet explicitly');
  const start = randomInt(FIRST_X, 251);
  for (let i = 0; i < 251 - FIRST_X; i++) {
    const x = FIRST_X + ((start - FIRST_X + i) % (251 - FIRST_X));
    if (!used.has(x) && claimSubnet(`10.${x}.0.0`)) return `10.${x}.0.0/16`;
  }
  throw new Error('no free 10.X.0.0/16 subnet found for the pod network');
}

/** Where subnet claims live (machine-wide: every runtime on this host picks from the same range). */
export const SUBNET_CLAIMS = join(tmpdir(), 'flotilla-subnet-claims');

/** Claims a subnet (or any network named `net`) for this process: false when a live process holds it. */
export function claimSubnet(net: string): boolean {
  mkdirSync(SUBNET_CLAIMS, { recursive: true });
  const file = join(SUBNET_CLAIMS, net);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = NaN;
      try {
        holder = Number(readFileSync(file, 'utf8'));
      } catch {
        continue; // gone meanwhile: try again
      }
      // held by a live process (this one included: one process's two networks get two subnets)
      if (alive(holder)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The subnet an earlier start wrote for this network into confDir, when it can be used again: no route of another
 * device covers it. Reusing it keeps the pods that survived a runtime restart (containers outlive containerd) in the
 * same subnet as the pods started after it.
 */
export async function previousSubnet(confDir: string, name: string, bridge: string): Promise<string | undefined> {
  let subnet: string | undefined;
  try {
    type Conflist = { plugins?: { type?: string; bridge?: string; ipam?: { ranges?: { subnet?: string }[][] } }[] };
    const conf = JSON.parse(readFileSync(join(confDir, `10-${name}.conflist`), 'utf8')) as Conflist;
    const b = conf.plugins?.find((p) => p.type === 'bridge' && p.bridge === bridge);
    subnet = b?.ipam?.ranges?.[0]?.[0]?.subnet;
  } catch {
    return undefined;
  }
  if (!subnet || !/^10\.\d+\.0\.0\/16$/.test(subnet)) return undefined;
  const prefix = subnet.split('.').slice(0, 2).join('.') + '.';
  const routes = (await run('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout.split('\n');
  const others = routes.filter((l) => l.split(/\s+/).some((w) => w.startsWith(prefix)) && !new RegExp(`\\bdev ${bridge}\\b`).test(l));
  return others.length ? undefined : subnet;
}

/**
 * The pod subnet a node's object gives it (node IPAM in the controller-manager: spec.podCIDRs' IPv4 entry, else
 * spec.podCIDR), or undefined when it has none yet: the network then keeps a subnet of its own (pickFreeSubnet).
 */
export function nodePodSubnet(node: { spec?: { podCIDR?: unknown; podCIDRs?: unknown } } | undefined): string | undefined {
  const list = Array.isArray(node?.spec?.podCIDRs) ? (node.spec.podCIDRs as unknown[]) : [node?.spec?.podCIDR];
  for (const c of list) {
    const p = typeof c === 'string' ? parseCidr(c) : undefined;
    // host-local needs room for the gateway and at least one pod
    if (p?.family === 4 && p.prefix <= 30) return p.text;
  }
  return undefined;
}

/** The bridge conflist for one pod subnet (what writeCniConfig writes; pure, so a node's podCIDR can be rendered and checked). */
export function renderCniConfig(o: { name: string; bridge: string; subnet: string; ipamDataDir: string; ipMasq?: boolean }): Record<string, unknown> {
  return {
    cniVersion: '1.0.0',
    name: o.name,
    plugins: [
      {
        type: 'bridge',
        bridge: o.bridge,
        isGateway: true,
        ipMasq: o.ipMasq ?? true,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: o.subnet }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: o.ipamDataDir,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  };
}

/** Writes the bridge conflist into `confDir` and returns what was written. */
export async function writeCniConfig(opts: CniNetworkOptions): Promise<CniNetwork> {
  const name = opts.name ?? 'flotilla';
  const bridge = opts.bridge ?? 'flotilla0';
  if (bridge.length > 15) throw new Error(`bridge name ${bridge} is longer than 15 characters`);
  const subnet = opts.subnet ?? (await pickFreeSubnet());
  const ipamDataDir = opts.ipamDataDir ?? join(opts.confDir, '..', 'ipam');
  mkdirSync(opts.confDir, { recursive: true });
  mkdirSync(ipamDataDir, { recursive: true });
  const conflist = renderCniConfig({ name, bridge, subnet, ipamDataDir, ipMasq: opts.ipMasq });
  const file = join(opts.confDir, `10-${name}.conflist`);
  // containerd loads the first file of the dir (max_conf_num = 1): a conflist left by an earlier name must go
  for (const f of readdirSync(opts.confDir)) if (/\.conf(list)?$/.test(f) && join(opts.confDir, f) !== file) rmSync(join(opts.confDir, f), { force: true });
  writeFileSync(file, JSON.stringify(conflist, null, 2) + '\n');
  return { name, bridge, subnet, file, confDir: opts.confDir, ipamDataDir };
}

/** Names of veth devices attached to the network's bridge (one per pod still wired up). */
export async function bridgePorts(net: Pick<CniNetwork, 'bridge'>): Promise<string[]> {
  const r = await run('ip', ['-o', 'link', 'show', 'master', net.bridge]);
  if (r.code !== 0) return [];
  return r.stdout.split('\n').map((l) => /^\d+:\s+([^@:\s]+)/.exec(l)?.[1]).filter((n): n is string => !!n);
}

/**
 * Removes what the plugins leave on the host for this network: the NAT rules and per-pod chains whose comments name
 * the network (left only when pods were not torn down with CNI DEL) and the bridge device. Idempotent; other
 * networks' rules are untouched.
 */
export async function teardownCniNetwork(net: Pick<CniNetwork, 'name' | 'bridge'>): Promise<void> {
  await removeNatRules(net.name);
  // the service proxy and network policy tables the node agent keeps for this bridge's pods (left when it was killed)
  await cleanupNodeNetwork(nodeNetworkName(net.bridge)).catch(() => undefined);
  const exists = await run('ip', ['link', 'show', net.bridge]);
  if (exists.code === 0) await run('ip', ['link', 'delete', net.bridge]);
}

async function removeNatRules(network: string): Promise<void> {
  const save = await run('iptables-save', ['-t', 'nat']);
  if (save.code !== 0) return;
  const marker = `name: \\"${network}\\" id:`;
  const ours = save.stdout.split('\n').filter((l) => l.startsWith('-A ') && l.includes(marker));
  if (!ours.length) return;
  const chains = new Set<string>();
  const perChain = new Map<string, number>();
  for (const line of ours) {
    const chain = line.split(' ')[1] as string;
    perChain.set(chain, (perChain.get(chain) ?? 0) + 1);
    const target = / -j (CNI-[A-Za-z0-9-]+)/.exec(line)?.[1];
    if (target && /^CNI-(DN-)?[0-9a-f]{16,}$/.test(target)) chains.add(target);
  }
  // delete our rules from shared chains by line number, highest first so numbers stay valid
  for (const chain of perChain.keys()) {
    if (chains.has(chain)) continue;
    const list = await run('iptables', ['-t', 'nat', '-L', chain, '-n', '--line-numbers']);
    const lines = list.stdout.split('\n')
      .filter((l) => l.includes(`name: "${network}" id:`))
      .map((l) => Number(l.split(/\s+/)[0]))
      .filter((n) => Number.isInteger(n) && n > 0)
      .sort((a, b) => b - a);
    for (const n of lines) await run('iptables', ['-t', 'nat', '-D', chain, String(n)]);
  }
  for (const chain of chains) {
    await run('iptables', ['-t', 'nat', '-F', chain]);
    await run('iptables', ['-t', 'nat', '-X', chain]);
  }
}
