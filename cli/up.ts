// `flotilla up` / `flotilla down`: a whole local cluster under one data dir, run by one supervisor process
// (`flotilla supervise`, started in the background with its log in <data-dir>/logs/supervisor.log) that starts every
// component as its own process and restarts any that exits. State lives in the embedded etcd under the data dir, so
// `up` after `down` comes back with every object intact.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findByKind } from '../lib/api/kinds.js';
import { primaryIPv4 } from '../node-agent/node/node.js';
import { BIN, apiserverHost, apiserverReady, bindAddressOf, localNodesOf, readClusterConfig, superviseArgs, type ClusterConfig } from './cluster.js';
import { choosePorts, type PortClaim } from './ports.js';
import { endLeftovers } from './supervisor/leftovers.js';
import { alive, cmdline, until } from './supervisor/procfs.js';
import { pidFile, readPid, runDir } from './supervisor/state.js';

const NODE = findByKind('v1', 'Node')!;

export interface UpOptions {
  dataDir: string;
  /** Each port: a number given on the command line (must be free), or undefined for "the usual one, else any". */
  port?: number;
  registryPort?: number;
  agentPort?: number;
  etcdClientPort?: number;
  etcdPeerPort?: number;
  serviceCIDR?: string;
  /** The API server's --bind-address and --advertise-address (cluster.ts: 0.0.0.0 and the node's address when unset). */
  bindAddress?: string;
  advertiseAddress?: string;
  hpaSyncPeriod?: string;
  nodeMonitorGracePeriod?: string;
  /** The controller-manager's --cluster-cidr (node IPAM on when set) and --node-cidr-mask-size. */
  clusterCIDR?: string;
  nodeCIDRMaskSize?: number;
  /** The supervisor's scheduled etcd snapshots (cron) and how many it keeps. */
  etcdSnapshotScheduleCron?: string;
  etcdSnapshotRetention?: number;
  /** The node agent's --cgroup-root; unset: what this data dir used last time, else `/`. */
  cgroupRoot?: string;
  hollowNodes: number;
  /** Real nodes: this machine's plus nodes-1 network namespaces joined with `flotilla agent`; unset: as last time, else 1. */
  nodes?: number;
  /** Their segment (--node-network); unset: what this data dir used last time, else a free one. */
  nodeNetwork?: string;
  nodeName: string;
  /** How long to wait for the cluster to be ready. Default 5 min (the first start builds the images). */
  timeoutMs?: number;
}

const say = (s: string) => process.stdout.write(`${s}\n`);

/** Where a node agent with --pod-cidr-from-node records its host-gw routes (cli/commands/node-agent.ts). */
export const hostGatewayStateFile = (dataDir: string): string => join(dataDir, 'network/host-gw-routes.json');

/** The pid of the live supervisor of dataDir, if any. */
export function runningSupervisor(dataDir: string): number | undefined {
  const pid = readPid(pidFile(dataDir, 'supervisor'));
  // `flotilla agent` supervises a joined node's runtime and node agent the same way
  return pid && alive(pid) && (cmdline(pid).includes('supervise') || cmdline(pid).includes('agent')) ? pid : undefined;
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The end of every component log, for a failed start. */
function logTails(dataDir: string): string {
  let files: string[] = [];
  try {
    files = readdirSync(join(dataDir, 'logs')).filter((f) => f.endsWith('.log'));
  } catch {
    return '';
  }
  return files.map((f) => `--- ${join(dataDir, 'logs', f)} (last lines)\n${tail(join(dataDir, 'logs', f), 8)}`).join('\n');
}

export async function up(o: UpOptions): Promise<void> {
  // a bad --cgroup-root fails before anything starts
  if (o.cgroupRoot !== undefined) (await import('../node-agent/pods/cgroups.js')).normalizeCgroupRoot(o.cgroupRoot);
  if (o.etcdSnapshotScheduleCron !== undefined) (await import('../lib/api/cron.js')).parseSchedule(o.etcdSnapshotScheduleCron);
  // and a --cluster-cidr the controller-manager would refuse
  if (o.clusterCIDR !== undefined || o.nodeCIDRMaskSize !== undefined) {
    (await import('../controllers/nodeipam/config.js')).nodeIpamConfig({ allocateNodeCIDRs: true, clusterCIDR: o.clusterCIDR, nodeCIDRMaskSize: o.nodeCIDRMaskSize });
  }
  const dataDir = resolve(o.dataDir);
  const recorded = readClusterConfig(dataDir);
  // as many nodes as last time unless told otherwise
  const nodes = o.nodes ?? recorded?.nodes ?? 1;
  const bind = o.bindAddress ?? recorded?.bindAddress;
  if (nodes > 1 && bind !== undefined && bind !== '0.0.0.0' && bind !== '::') {
    throw new Error(`--nodes needs the API server on every address (--bind-address 0.0.0.0), not ${bind}: the nodes reach it on their segment`);
  }
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const running = runningSupervisor(dataDir);
  if (running) {
    const url = recorded ? `https://${apiserverHost(recorded)}:${recorded.apiserverPort}` : 'unknown';
    say(`Flotilla is already running in ${dataDir} (supervisor pid ${running}, API server ${url}); nothing was changed.`);
    const asked: Array<[number | undefined, number | undefined]> = [
      [o.port, recorded?.apiserverPort], [o.registryPort, recorded?.registryPort], [o.agentPort, recorded?.nodeAgentPort],
    ];
    if (asked.some(([given, now]) => given !== undefined && given !== 0 && given !== now)) {
      say('The ports given differ from the running cluster\'s; run "flotilla down" first to change them.');
    }
    say(`See: flotilla status --data-dir ${o.dataDir}`);
    return;
  }
  // A supervisor that died by SIGKILL may have left components behind for a moment: they go first.
  await endLeftovers(dataDir);

  // Ports given on the command line must be free; the others prefer what this data dir used last time (so its
  // kubeconfig stays valid), then the defaults, and move to a free port when taken (a second cluster on one machine).
  const claim = (flag: string, what: string, host: string, given: number | undefined, last: number | undefined, dflt: number): PortClaim =>
    ({ flag, what, host, port: given ?? last ?? dflt, explicit: given !== undefined });
  const claims = [
    claim('port', 'the API server', bindAddressOf({ bindAddress: o.bindAddress ?? recorded?.bindAddress }), o.port, recorded?.apiserverPort, 6443),
    claim('registry-port', 'the image registry', '127.0.0.1', o.registryPort, recorded?.registryPort, 5000),
    claim('node-agent-port', 'the node agent', primaryIPv4(), o.agentPort, recorded?.nodeAgentPort, 10250),
  ];
  const etcdClient = o.etcdClientPort ?? recorded?.etcdClientPort;
  const etcdPeer = o.etcdPeerPort ?? recorded?.etcdPeerPort;
  if (etcdClient !== undefined) claims.push(claim('etcd-client-port', 'the embedded etcd', '127.0.0.1', o.etcdClientPort, undefined, etcdClient));
  if (etcdPeer !== undefined) claims.push(claim('etcd-peer-port', "the embedded etcd's peers", '127.0.0.1', o.etcdPeerPort, undefined, etcdPeer));
  const { ports, notes } = await choosePorts(claims);
  const config: ClusterConfig = {
    dataDir, apiserverPort: ports.port as number, registryPort: ports['registry-port'] as number, nodeAgentPort: ports['node-agent-port'] as number,
    nodeName: o.nodeName, hollowNodes: o.hollowNodes, etcdClientPort: ports['etcd-client-port'], etcdPeerPort: ports['etcd-peer-port'],
    serviceCIDR: o.serviceCIDR ?? recorded?.serviceCIDR, hpaSyncPeriod: o.hpaSyncPeriod ?? recorded?.hpaSyncPeriod,
    nodeMonitorGracePeriod: o.nodeMonitorGracePeriod ?? recorded?.nodeMonitorGracePeriod,
    clusterCIDR: o.clusterCIDR ?? recorded?.clusterCIDR, nodeCIDRMaskSize: o.nodeCIDRMaskSize ?? recorded?.nodeCIDRMaskSize,
    etcdSnapshotScheduleCron: o.etcdSnapshotScheduleCron ?? recorded?.etcdSnapshotScheduleCron,
    etcdSnapshotRetention: o.etcdSnapshotRetention ?? recorded?.etcdSnapshotRetention,
    cgroupRoot: o.cgroupRoot ?? recorded?.cgroupRoot,
    bindAddress: o.bindAddress ?? recorded?.bindAddress, advertiseAddress: o.advertiseAddress ?? recorded?.advertiseAddress,
    nodes: nodes > 1 ? nodes : undefined,
    // the segment the nodes had last time, so their Nodes' addresses stay valid
    nodeNetwork: nodes > 1 ? o.nodeNetwork ?? recorded?.nodeNetwork : undefined,
  };
  for (const n of notes) say(`note: ${n}`);

  say(`starting the supervisor (log: ${join(dataDir, 'logs/supervisor.log')})`);
  const out = openSync(join(dataDir, 'logs/supervisor.log'), 'a');
  let sup: ChildProcess;
  try {
    const env = { ...process.env, FLOTILLA_LOG_LEVEL: process.env.FLOTILLA_LOG_LEVEL ?? 'info' };
    sup = spawn(process.execPath, [BIN, ...superviseArgs(config)], { detached: true, stdio: ['ignore', out, out], env });
  } finally {
    closeSync(out);
  }
  sup.unref();
  let exited: string | undefined;
  sup.once('exit', (code, signal) => (exited = signal ? `was killed by ${signal}` : `exited with code ${code}`));
  try {
    await waitReady(config, () => exited, o.timeoutMs ?? 300_000);
  } catch (e) {
    const tails = logTails(dataDir);
    if (!exited && sup.pid) await stopSupervisor(sup.pid);
    await cleanUp(dataDir);
    throw new Error(`${(e as Error).message}; everything started was stopped again\n${tails}`);
  }
  const kubeconfig = join(dataDir, 'kubeconfig');
  const registry = `127.0.0.1:${config.registryPort}`;
  // as the supervisor recorded it: with local nodes, this node's address is its address on their segment
  const live = readClusterConfig(dataDir);
  const nodeIP = (live && localNodesOf(live)?.hostIP) ?? primaryIPv4();
  say(`
Flotilla is up in ${dataDir}
  API server    https://${apiserverHost(config)}:${config.apiserverPort}   (kubeconfig: ${kubeconfig}, user kubernetes-admin)
  registry      ${registry}   (images: ${registry}/flotilla/web:v1, :v2)
  node agent    ${nodeIP}:${config.nodeAgentPort}   (node ${config.nodeName}${config.hollowNodes ? `, plus ${config.hollowNodes} hollow nodes` : ''})${localNodesText(dataDir)}

Try:
  export KUBECONFIG=${kubeconfig}
  kubectl get nodes
  kubectl apply -f manifests/demo/${config.registryPort !== 5000 ? `   (its images name 127.0.0.1:5000: use ${registry})` : ''}
  kubectl set image deployment/web web=${registry}/flotilla/web:v2 && kubectl rollout status deployment/web
  flotilla status --data-dir ${o.dataDir}

Stop it with: flotilla down --data-dir ${o.dataDir}`);
}

/** The local nodes' lines of the summary (their names, addresses and namespaces), as recorded by the supervisor. */
function localNodesText(dataDir: string): string {
  const c = readClusterConfig(dataDir);
  const plan = c && localNodesOf(c);
  if (!plan) return '';
  return `\n  nodes 2..${(c.nodes as number)}   on ${plan.segment} (this host ${plan.hostIP}), pods in ${c.clusterCIDR}:\n` +
    plan.nodes.map((n) => `    ${n.name.padEnd(20)} ${n.ip.padEnd(15)} ip netns exec ${n.netns} ...   (logs: ${join(n.dataDir, 'logs')})`).join('\n');
}

async function waitReady(c: ClusterConfig, exited: () => string | undefined, timeoutMs: number): Promise<void> {
  const { Client, loadKubeConfig } = await import('../lib/client/index.js');
  const deadline = Date.now() + timeoutMs;
  const want = c.hollowNodes + (c.nodes ?? 1);
  let client: InstanceType<typeof Client> | undefined;
  let stage = 'the API server';
  try {
    for (;;) {
      const why = exited();
      if (why) throw new Error(`the supervisor ${why} before the cluster was ready`);
      if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${stage}`);
      try {
        if (!client) {
          if ((await apiserverReady(c.apiserverPort, c.dataDir, apiserverHost(c))) && existsSync(join(c.dataDir, 'kubeconfig'))) {
            client = new Client(loadKubeConfig({ kubeconfig: join(c.dataDir, 'kubeconfig') }));
            stage = `${want} Ready node(s)`;
          }
        }
        if (client) {
          const nodes = await client.list(NODE);
          const conditions = (n: (typeof nodes.items)[number]) => (n.status?.conditions as Array<{ type: string; status: string }> | undefined) ?? [];
          const ready = nodes.items.filter((n) => conditions(n).some((x) => x.type === 'Ready' && x.status === 'True'));
          if (ready.length >= want) return;
        }
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    client?.close();
  }
}

/** SIGTERM to the supervisor, which stops every component; SIGKILL if it takes longer than graceMs. */
async function stopSupervisor(pid: number, graceMs = 150_000): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return true;
  }
  if (await until(() => !alive(pid), graceMs, 100)) return true;
  process.kill(pid, 'SIGKILL');
  await until(() => !alive(pid), 5000, 50);
  return false;
}

/** Stops the supervisor of dataDir (and so every component), then anything left, and removes the pid files. */
export async function down(dataDirArg: string): Promise<void> {
  const dataDir = resolve(dataDirArg);
  const pid = runningSupervisor(dataDir);
  if (pid) {
    say(`stopping the supervisor (pid ${pid}) and every component`);
    if (!(await stopSupervisor(pid))) say('the supervisor did not stop in time and was killed; ending what it left');
  }
  const ended = await cleanUp(dataDir);
  for (const e of ended) say(`ended leftover ${e}`);
  say(pid || ended.length ? 'Flotilla is down' : 'nothing is running');
}

/**
 * After the supervisor: processes of the data dir that outlived it, the containers, mounts and pod network of a
 * runtime that could not drain (killed, crashed), and the pid files.
 */
async function cleanUp(dataDir: string): Promise<string[]> {
  const ended = await endLeftovers(dataDir);
  if (existsSync(join(dataDir, 'containerd/config.toml'))) {
    const { forceCleanupDataDir } = await import('../node-agent/runtime/containerd.js');
    await forceCleanupDataDir(join(dataDir, 'containerd'));
  }
  // the node is going away: the tmpfs volumes (Secrets, emptyDir Memory) the node agent left mounted for its pods go
  // too, as they would with the machine; the agent removes the directories on its next start
  if (existsSync(join(dataDir, 'pods'))) {
    const { unmountAllUnder } = await import('../node-agent/runtime/cleanup.js');
    await unmountAllUnder(join(dataDir, 'pods'));
  }
  // the pods' cgroups, which a runtime that could not drain (killed) left (the runtime removes them when it stops)
  const config = readClusterConfig(dataDir);
  if (config && existsSync(join(dataDir, 'containerd/config.toml'))) {
    const [{ removeCgroupTree }, { kubepodsOf }] = await Promise.all([import('../node-agent/runtime/cleanup.js'), import('../node-agent/pods/cgroups.js')]);
    try {
      removeCgroupTree(kubepodsOf(config.cgroupRoot ?? '/'));
    } catch {
      // a cluster.json edited by hand with a bad root: nothing of ours can be under it
    }
  }
  // the local nodes (namespaces, segment, their containers and mounts) and this node's routes to them
  if (config && (existsSync(join(dataDir, 'nodes')) || config.nodes)) {
    const { cleanUpLocalNodes } = await import('./local-nodes/cleanup.js');
    ended.push(...(await cleanUpLocalNodes(dataDir, { nodeName: config.nodeName, cgroupRoot: config.cgroupRoot })));
  }
  const { removeRecordedRoutes } = await import('../node-agent/network/hostgw/routes.js');
  ended.push(...(await removeRecordedRoutes(hostGatewayStateFile(dataDir))).map((r) => `route ${r}`));
  if (existsSync(runDir(dataDir))) for (const f of readdirSync(runDir(dataDir))) if (f.endsWith('.pid')) rmSync(join(runDir(dataDir), f), { force: true });
  return ended;
}
