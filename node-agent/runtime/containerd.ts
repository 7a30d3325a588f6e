// Our own containerd for a node: everything (root, state, socket, runc state, CNI config, registry hosts) under one
// data dir, the CRI plugin configured for this machine (cgroupfs, restrict_oom_score_adj, our pause image, a plain
// HTTP loopback registry), and a stop() that leaves no process, mount, network namespace or veth behind.
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CriClient } from '../cri/client.js';
import { killProcesses, unmountAllUnder } from './cleanup.js';
import { teardownCniNetwork, writeCniConfig, type CniNetwork, type CniNetworkOptions } from './cni.js';
import { isRunning, run, spawnLogged, stopChild, waitFor } from './proc.js';
import { tail } from './registry.js';
import type { Exit } from './restart.js';

/** The containerd namespace the CRI plugin works in. */
export const CRI_NAMESPACE = 'k8s.io';

/** Options for startContainerd. */
export interface ContainerdOptions {
  /** Everything lives below it: `root/`, `state/`, `containerd.sock`, `runc/`, `certs.d/`, `cni/net.d`, `cni/ipam`. */
  dataDir: string;
  /** Registries reached over plain HTTP (`127.0.0.1:PORT`); each gets `certs.d/HOST/hosts.toml`. */
  insecureRegistries?: string[];
  /** The pause image for sandboxes, e.g. `127.0.0.1:PORT/pause:3.9`. */
  sandboxImage: string;
  /** Pod network to write into `cni/net.d` (confDir is filled in); false to write none (bring your own). */
  cni?: Omit<CniNetworkOptions, 'confDir'> | false;
  /** containerd binary. Default `/usr/bin/containerd`. */
  binary?: string;
  /** CNI plugin directory. Default `/usr/lib/cni` (Debian's containernetworking-plugins). */
  cniBinDir?: string;
  /** containerd log level. Default `info`. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for the CRI to answer. Default 30 s. */
  startTimeoutMs?: number;
  /**
   * When the start fails, only stop the new containerd process: leave the containers of earlier runs (and their
   * mounts and network) alone. For restarts of a containerd whose pods live on; a first start cleans up instead.
   */
  keepPodsOnFailure?: boolean;
}

/** Options for Containerd.stop(). */
export interface ContainerdStopOptions {
  /** Stop and remove every pod sandbox through the CRI first (CNI DEL, clean shim exit). Default true. */
  drain?: boolean;
}

/** A running containerd. */
export interface Containerd {
  readonly dataDir: string;
  /** Absolute path of the gRPC socket. */
  readonly socket: string;
  /** `unix://` endpoint for CriClient. */
  readonly endpoint: string;
  readonly root: string;
  readonly state: string;
  readonly logFile: string;
  readonly pid: number | undefined;
  /** Resolves when the containerd process has exited (crashed, killed or stopped). */
  readonly exited: Promise<Exit>;
  /** The pod network written, if any. */
  readonly cni: CniNetwork | undefined;
  /** A new CriClient on this containerd's socket (the caller closes it). */
  client(timeoutMs?: number): CriClient;
  /**
   * Stops containerd and removes what it leaves on the host: drains pods through the CRI (unless `drain: false`),
   * SIGTERM (SIGKILL after 10 s), then force-deletes leftover runc containers, kills leftover shims, unmounts
   * everything under the data dir (rootfs, shm, netns bind mounts, so the namespaces and their veths go), and removes
   * the CNI bridge and NAT rules. Idempotent. The data dir itself stays for the caller to delete.
   */
  stop(opts?: ContainerdStopOptions): Promise<void>;
}

function q(s: string): string {
  return JSON.stringify(s);
}

/** The config.toml (version 2) for a containerd rooted at `dataDir`. */
export function containerdConfig(p: {
  root: string; state: string; socket: string; runcRoot: string; opt: string; certsDir: string; cniConfDir: string; cniBinDir: string; sandboxImage: string;
}): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = ${q(p.root)}
state = ${q(p.state)}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = ${q(p.socket)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(p.opt)}

[${cri}]
  sandbox_image = ${q(p.sandboxImage)}
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true

  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [${cri}.containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = ${q(p.runcRoot)}

  [${cri}.cni]
    bin_dir = ${q(p.cniBinDir)}
    conf_dir = ${q(p.cniConfDir)}
    max_conf_num = 1

  [${cri}.registry]
    config_path = ${q(p.certsDir)}
`;
}

/** Writes `certs.d/HOST/hosts.toml` so containerd pulls from HOST over plain HTTP. */
export function writeInsecureRegistry(certsDir: string, host: string): void {
  const dir = join(certsDir, host);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hosts.toml'), `server = "http://${host}"\n\n[host."http://${host}"]\n  capabilities = ["pull", "resolve"]\n  skip_verify = true\n`);
}

/** Starts containerd with its own config under `dataDir` and resolves once the CRI answers Version. */
export async function startContainerd(opts: ContainerdOptions): Promise<Containerd> {
  const dataDir = resolve(opts.dataDir);
  const root = join(dataDir, 'root');
  const state = join(dataDir, 'state');
  const socket = join(dataDir, 'containerd.sock');
  const runcRoot = join(dataDir, 'runc');
  const certsDir = join(dataDir, 'certs.d');
  const cniConfDir = join(dataDir, 'cni', 'net.d');
  for (const d of [root, state, runcRoot, certsDir, cniConfDir]) mkdirSync(d, { recursive: true });
  if (socket.length > 100) throw new Error(`containerd socket path too long for a unix socket: ${socket}`);
  for (const host of opts.insecureRegistries ?? []) writeInsecureRegistry(certsDir, host);
  const cni = opts.cni === false ? undefined : await writeCniConfig({ ...(opts.cni ?? {}), confDir: cniConfDir, ipamDataDir: join(dataDir, 'cni', 'ipam') });
  const configFile = join(dataDir, 'config.toml');
  writeFileSync(configFile, containerdConfig({
    root, state, socket, runcRoot, opt: join(dataDir, 'opt'), certsDir, cniConfDir,
    cniBinDir: opts.cniBinDir ?? '/usr/lib/cni', sandboxImage: opts.sandboxImage,
  }));
  const logFile = join(dataDir, 'containerd.log');
  const child: ChildProcess = spawnLogged(opts.binary ?? '/usr/bin/containerd', ['--config', configFile, '--log-level', opts.logLevel ?? 'info'], logFile);
  let spawnError: Error | undefined;
  child.once('error', (e) => { spawnError = e; });
  const exited = new Promise<Exit>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const endpoint = `unix://${socket}`;
  let stopped: Promise<void> | undefined;

  const self: Containerd = {
    dataDir, socket, endpoint, root, state, logFile, pid: child.pid, exited, cni,
    client: (timeoutMs?: number) => new CriClient({ endpoint, timeoutMs }),
    stop(stopOpts?: ContainerdStopOptions): Promise<void> {
      stopped ??= stopAndClean(child, self, stopOpts?.drain ?? true);
      return stopped;
    },
  };

  const probe = new CriClient({ endpoint, timeoutMs: 2000 });
  try {
    await waitFor('containerd CRI', async () => {
      if (spawnError) throw spawnError;
      if (!isRunning(child)) throw new Error(`containerd exited: ${tail(logFile)}`);
      await probe.version();
      return true;
    }, opts.startTimeoutMs ?? 30_000, 100);
  } catch (e) {
    if (opts.keepPodsOnFailure) await stopChild(child, 'SIGTERM', 10_000);
    else await self.stop({ drain: false });
    throw e;
  } finally {
    probe.close();
  }
  return self;
}

async function drainPods(c: Containerd): Promise<void> {
  const cri = c.client(30_000);
  try {
    const sandboxes = await cri.listPodSandbox();
    await Promise.all(sandboxes.map(async (s) => {
      try {
        await cri.stopPodSandbox(s.id);
        await cri.removePodSandbox(s.id);
      } catch {
        // the forceful cleanup below takes over
      }
    }));
  } catch {
    // containerd not answering: forceful cleanup only
  } finally {
    cri.close();
  }
}

async function stopAndClean(child: ChildProcess, c: Containerd, drain: boolean): Promise<void> {
  if (drain && isRunning(child)) await drainPods(c);
  await stopChild(child, 'SIGTERM', 10_000);
  await forceCleanup(c);
}

/** Where containerd-shim-runc-v2 puts its socket (`/run/containerd/s/HASH`, fixed in containerd 1.6). */
const SHIM_SOCKET_DIR = '/run/containerd/s';
/** Where libcni caches ADD results (`NETWORK-ID-IFNAME`); CNI DEL removes them, a crash leaves them. */
const CNI_RESULTS_DIR = '/var/lib/cni/results';

/** Socket paths the shims of these sandbox/container ids listen on (recorded `address` files, else the hash). */
function shimSockets(c: Pick<Containerd, 'dataDir' | 'socket'>, taskDir: string, ids: string[]): string[] {
  const out = new Set<string>();
  for (const id of ids) {
    try {
      out.add(readFileSync(join(taskDir, id, 'address'), 'utf8').trim().replace(/^unix:\/\//, ''));
    } catch { /* not a shim's bundle */ }
    for (const key of [join(c.socket, CRI_NAMESPACE, id), join(c.socket, CRI_NAMESPACE, id, 'debug')]) {
      out.add(join(SHIM_SOCKET_DIR, createHash('sha256').update(key).digest('hex')));
    }
  }
  return [...out].filter((p) => p.startsWith(SHIM_SOCKET_DIR + '/'));
}

/**
 * Removes what a containerd rooted at `c.dataDir` left behind, whether or not it is still running: runc containers
 * of its namespace (killed and deleted), its shims (and their sockets in /run/containerd/s) and any process started
 * from its config, mounts below the data dir, libcni's cached results of its pods, and the CNI bridge and NAT rules.
 * Safe to call again.
 */
export async function forceCleanup(c: Pick<Containerd, 'dataDir' | 'socket' | 'cni'>): Promise<void> {
  const runcNs = join(c.dataDir, 'runc', CRI_NAMESPACE);
  const taskDir = join(c.dataDir, 'state', 'io.containerd.runtime.v2.task', CRI_NAMESPACE);
  const list = (d: string) => { try { return readdirSync(d); } catch { return []; } };
  const configFile = join(c.dataDir, 'config.toml');
  const exeName = (argv: string[]) => argv[0]?.split('/').pop() ?? '';
  // containerd first (so nothing recreates what follows), then the containers, then their shims
  await killProcesses((p) => exeName(p.argv) === 'containerd' && p.argv.includes(configFile));
  for (const id of list(runcNs)) await run('runc', ['--root', runcNs, 'delete', '--force', id], { timeoutMs: 20_000 });
  const shimIds = new Set(list(taskDir));
  await killProcesses((p) => {
    if (!exeName(p.argv).startsWith('containerd-shim') || !p.argv.includes(c.socket)) return false;
    const id = p.argv[p.argv.indexOf('-id') + 1];
    if (id) shimIds.add(id);
    return true;
  });
  for (const sock of shimSockets(c, taskDir, [...shimIds])) rmSync(sock, { force: true });
  const cached = list(CNI_RESULTS_DIR).filter((f) => [...shimIds].some((id) =>
    f === `cni-loopback-${id}-lo` || (c.cni && f.startsWith(`${c.cni.name}-${id}-`))));
  for (const f of cached) rmSync(join(CNI_RESULTS_DIR, f), { force: true });
  await unmountAllUnder(c.dataDir);
  // a pod network written by someone else (the node agent, from its Node's podCIDR) is read back from the conf dir
  const cni = c.cni ?? readCniNetwork(c.dataDir);
  if (cni) await teardownCniNetwork(cni);
}

/** The bridge network of the conflist in `<dataDir>/cni/net.d`, if there is one. */
export function readCniNetwork(dataDir: string): CniNetwork | undefined {
  const dir = resolve(dataDir);
  const confDir = join(dir, 'cni', 'net.d');
  let cni: CniNetwork | undefined;
  for (const f of (() => { try { return readdirSync(confDir); } catch { return []; } })()) {
    if (!f.endsWith('.conflist')) continue;
    try {
      const conf = JSON.parse(readFileSync(join(confDir, f), 'utf8')) as { name?: string; plugins?: { type?: string; bridge?: string; ipam?: { ranges?: { subnet?: string }[][] } }[] };
      const bridge = conf.plugins?.find((p) => p.type === 'bridge');
      if (conf.name && bridge?.bridge) {
        cni = { name: conf.name, bridge: bridge.bridge, subnet: bridge.ipam?.ranges?.[0]?.[0]?.subnet ?? '', file: join(confDir, f), confDir, ipamDataDir: join(dir, 'cni', 'ipam') };
      }
    } catch { /* not ours */ }
  }
  return cni;
}

/**
 * forceCleanup for a data dir whose Containerd object is gone (e.g. a test process that was killed): the socket and
 * the CNI network are read back from the files startContainerd wrote there.
 */
export async function forceCleanupDataDir(dataDir: string): Promise<void> {
  const dir = resolve(dataDir);
  await forceCleanup({ dataDir: dir, socket: join(dir, 'containerd.sock'), cni: readCniNetwork(dir) });
}
