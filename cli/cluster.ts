// One local cluster under one data dir: its settings (ports, node name, hollow nodes), recorded in
// <data-dir>/cluster.json by the supervisor so that `status`, `down`, scripts and the next `up` find them, and the
// components the supervisor runs for it, in the order they need each other.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { primaryIPv4 } from '../node-agent/node/node.js';
import { clusterFiles } from './credentials.js';
import { packageRoot } from '../lib/util/package-root.js';
import type { ChildSpec } from './supervisor/supervisor.js';
import { localNodeSpec } from './local-nodes/join.js';
import { localNodesPlan, type LocalNodesPlan } from './local-nodes/plan.js';

/** bin/flotilla.js of this installation. */
export const BIN = join(packageRoot(import.meta.url), 'bin', 'flotilla.js');
/** flotctl beside it (what `flotilla node remove` drains a node with). */
export const FLOTCTL_BIN = join(packageRoot(import.meta.url), 'bin', 'flotctl.js');

export interface ClusterConfig {
  /** Absolute. */
  dataDir: string;
  apiserverPort: number;
  registryPort: number;
  nodeAgentPort: number;
  nodeName: string;
  hollowNodes: number;
  /** The embedded etcd's ports, when chosen on the command line (else the API server's defaults). */
  etcdClientPort?: number;
  etcdPeerPort?: number;
  /** --service-cluster-ip-range of the API server and the node agent (10.96.0.0/12 when unset). */
  serviceCIDR?: string;
  /**
   * The API server's --bind-address (0.0.0.0 when unset, as kube-apiserver's: pods reach it through the `kubernetes`
   * Service, whose endpoint is on the node's address) and --advertise-address (the node's address when unset).
   */
  bindAddress?: string;
  advertiseAddress?: string;
  /** The node agent's --cgroup-root (`/` when unset), which the runtime also gets to remove <root>/kubepods when it stops. */
  cgroupRoot?: string;
  /** The controller-manager's --horizontal-pod-autoscaler-sync-period (15 s when unset), as given. */
  hpaSyncPeriod?: string;
  /** The controller-manager's --node-monitor-grace-period (40 s when unset), as given. */
  nodeMonitorGracePeriod?: string;
  /** The controller-manager's --cluster-cidr (set: --allocate-node-cidrs, every node gets a subnet) and --node-cidr-mask-size. */
  clusterCIDR?: string;
  nodeCIDRMaskSize?: number;
  /** The supervisor's --etcd-snapshot-schedule-cron and --etcd-snapshot-retention (etcd-snapshot-schedule.ts). */
  etcdSnapshotScheduleCron?: string;
  etcdSnapshotRetention?: number;
  /** Real nodes (--nodes): this machine's plus nodes-1 in network namespaces (local-nodes/); 1 when unset. */
  nodes?: number;
  /** The namespaces' segment (--node-network), once chosen. */
  nodeNetwork?: string;
}

/** The plan of nodes 2..N (undefined for a one-node cluster). */
export function localNodesOf(c: ClusterConfig): LocalNodesPlan | undefined {
  if ((c.nodes ?? 1) < 2 || !c.nodeNetwork) return undefined;
  return localNodesPlan({ dataDir: c.dataDir, nodeName: c.nodeName, count: c.nodes as number, segment: c.nodeNetwork, cgroupRoot: c.cgroupRoot });
}

/** The controller-manager's node IPAM flags of a cluster (none without a cluster CIDR). */
export function nodeIpamArgs(c: Pick<ClusterConfig, 'clusterCIDR' | 'nodeCIDRMaskSize'>): string[] {
  if (!c.clusterCIDR) return [];
  return ['--allocate-node-cidrs=true', '--cluster-cidr', c.clusterCIDR, ...(c.nodeCIDRMaskSize !== undefined ? ['--node-cidr-mask-size', String(c.nodeCIDRMaskSize)] : [])];
}

/** The API server's listening address of a cluster. */
export const bindAddressOf = (c: Pick<ClusterConfig, 'bindAddress'>): string => c.bindAddress ?? '0.0.0.0';

/**
 * The address the `kubernetes` Service's endpoints name: --advertise-address, else the node's address when the API
 * server listens on every address, else the address it listens on.
 */
export function advertisedAddress(c: Pick<ClusterConfig, 'bindAddress' | 'advertiseAddress'>, nodeIP: string): string {
  if (c.advertiseAddress) return c.advertiseAddress;
  const b = bindAddressOf(c);
  return b === '0.0.0.0' || b === '::' ? nodeIP : b;
}

/** Where this machine's clients (kubeconfigs, readiness checks) dial the API server: loopback unless bound elsewhere. */
export function apiserverHost(c: Pick<ClusterConfig, 'bindAddress'>): string {
  const b = bindAddressOf(c);
  return b === '0.0.0.0' || b === '::' ? '127.0.0.1' : b;
}

export const configFile = (dataDir: string) => join(dataDir, 'cluster.json');

export function readClusterConfig(dataDir: string): ClusterConfig | undefined {
  const f = configFile(resolve(dataDir));
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as ClusterConfig;
  } catch {
    return undefined;
  }
}

export function writeClusterConfig(c: ClusterConfig): void {
  writeFileSync(configFile(c.dataDir), JSON.stringify(c, null, 2) + '\n');
}

/** The flags of `flotilla supervise` that run this cluster (what `up` starts and `install` writes into the unit). */
export function superviseArgs(c: ClusterConfig): string[] {
  const args = ['supervise', '--data-dir', c.dataDir, '--port', String(c.apiserverPort), '--registry-port', String(c.registryPort),
    '--node-agent-port', String(c.nodeAgentPort), '--node-name', c.nodeName, '--hollow-nodes', String(c.hollowNodes)];
  if (c.etcdClientPort !== undefined) args.push('--etcd-client-port', String(c.etcdClientPort));
  if (c.etcdPeerPort !== undefined) args.push('--etcd-peer-port', String(c.etcdPeerPort));
  if (c.serviceCIDR !== undefined) args.push('--service-cluster-ip-range', c.serviceCIDR);
  if (c.bindAddress !== undefined) args.push('--bind-address', c.bindAddress);
  if (c.advertiseAddress !== undefined) args.push('--advertise-address', c.advertiseAddress);
  if (c.hpaSyncPeriod !== undefined) args.push('--horizontal-pod-autoscaler-sync-period', c.hpaSyncPeriod);
  if (c.nodeMonitorGracePeriod !== undefined) args.push('--node-monitor-grace-period', c.nodeMonitorGracePeriod);
  if (c.clusterCIDR) args.push('--cluster-cidr', c.clusterCIDR);
  if (c.nodeCIDRMaskSize !== undefined) args.push('--node-cidr-mask-size', String(c.nodeCIDRMaskSize));
  if (c.etcdSnapshotScheduleCron) args.push('--etcd-snapshot-schedule-cron', c.etcdSnapshotScheduleCron);
  if (c.etcdSnapshotRetention !== undefined) args.push('--etcd-snapshot-retention', String(c.etcdSnapshotRetention));
  if (c.cgroupRoot !== undefined) args.push('--cgroup-root', c.cgroupRoot);
  if ((c.nodes ?? 1) > 1) args.push('--nodes', String(c.nodes));
  if (c.nodeNetwork) args.push('--node-network', c.nodeNetwork);
  return args;
}

/** Stopped first to last: the API's clients together, then the runtime (which drains the pods), then the API server. */
export const STOP_ORDER = [['hollow-nodes', 'node-agent', 'scheduler', 'controller-manager'], ['runtime'], ['apiserver']];

/** STOP_ORDER with the local nodes 2..N (each stops its own node agent and runtime) among the API's clients. */
export function stopOrderOf(c: ClusterConfig): string[][] {
  const nodes = localNodesOf(c)?.nodes.map((n) => n.name) ?? [];
  return [[...(STOP_ORDER[0] as string[]), ...nodes], ...STOP_ORDER.slice(1)];
}

/** GET /readyz over HTTPS (anonymous), trusting the cluster CA: true when the API server is ready. */
export async function apiserverReady(port: number, dataDir: string, host = '127.0.0.1'): Promise<boolean> {
  const caFile = clusterFiles(dataDir).caFile;
  if (!existsSync(caFile)) return false;
  const { get } = await import('node:https');
  return new Promise((resolve) => {
    const req = get({ host, port, path: '/readyz', ca: readFileSync(caFile), agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}

/** Whether the runtime of dataDir answers on its containerd socket (the node agent's dependency). */
export async function runtimeReady(dataDir: string): Promise<boolean> {
  const socket = join(dataDir, 'containerd/containerd.sock');
  if (!existsSync(socket)) return false;
  const { CriClient } = await import('../node-agent/cri/client.js');
  const cri = new CriClient({ endpoint: socket, timeoutMs: 2000 });
  try {
    await cri.version();
    return true;
  } finally {
    cri.close();
  }
}

/**
 * The components of the cluster, as the supervisor runs them. `caCertHash`: the cluster CA's, which the local nodes'
 * agents check the CA file against (when the CA exists).
 */
export function componentSpecs(c: ClusterConfig, o: { caCertHash?: string } = {}): ChildSpec[] {
  const flotilla = (...args: string[]) => [process.execPath, BIN, ...args];
  const files = clusterFiles(c.dataDir);
  const etcd: string[] = [];
  if (c.etcdClientPort !== undefined) etcd.push('--etcd-client-port', String(c.etcdClientPort));
  if (c.etcdPeerPort !== undefined) etcd.push('--etcd-peer-port', String(c.etcdPeerPort));
  const serviceCIDR = ['--service-cluster-ip-range', c.serviceCIDR ?? '10.96.0.0/12'];
  const cgroupRoot = c.cgroupRoot !== undefined ? ['--cgroup-root', c.cgroupRoot] : [];
  // node IPAM: the node's pod bridge takes the subnet the controller-manager gives the Node (the node agent writes it)
  const fromNode = c.clusterCIDR ? ['--pod-cidr-from-node'] : [];
  const local = localNodesOf(c);
  // with local nodes, this one is on their segment too (its InternalIP there), as machines on one LAN
  const nodeIP = local ? ['--node-ip', local.hostIP] : [];
  const specs: ChildSpec[] = [
    {
      name: 'apiserver',
      command: flotilla('apiserver', '--data-dir', c.dataDir, '--bind-address', bindAddressOf(c), '--port', String(c.apiserverPort),
        '--advertise-address', advertisedAddress(c, primaryIPv4()), ...etcd, '--encryption-provider-config', files.encryptionConfig,
        '--audit-policy-file', files.auditPolicy, '--audit-log-path', files.auditLog,
        '--service-account-signing-key-file', files.serviceAccountKey, '--service-account-key-file', files.serviceAccountPub, ...(existsSync(files.tokenAuthFile) ? ['--token-auth-file', files.tokenAuthFile] : []), '--enable-bootstrap-token-auth=true', ...serviceCIDR),
      ready: () => apiserverReady(c.apiserverPort, c.dataDir, apiserverHost(c)), stopGraceMs: 30_000,
    },
    {
      name: 'runtime', command: flotilla('runtime', '--data-dir', c.dataDir, '--registry-port', String(c.registryPort), ...cgroupRoot, ...fromNode),
      ready: () => runtimeReady(c.dataDir), stopGraceMs: 90_000,
    },
    { name: 'controller-manager', command: flotilla('controller-manager', '--kubeconfig', files.kubeconfig('kube-controller-manager'),
      '--service-account-private-key-file', files.serviceAccountKey, '--cluster-signing-cert-file', files.caFile, '--cluster-signing-key-file', files.caKeyFile,
      ...(c.hpaSyncPeriod !== undefined ? ['--horizontal-pod-autoscaler-sync-period', c.hpaSyncPeriod] : []),
      ...(c.nodeMonitorGracePeriod !== undefined ? ['--node-monitor-grace-period', c.nodeMonitorGracePeriod] : []), ...nodeIpamArgs(c)), after: ['apiserver'] },
    { name: 'scheduler', command: flotilla('scheduler', '--kubeconfig', files.kubeconfig('kube-scheduler')), after: ['apiserver'] },
    {
      name: 'node-agent',
      command: flotilla('node-agent', '--kubeconfig', files.kubeconfig('node-agent'), '--data-dir', c.dataDir, '--node-name', c.nodeName, '--port', String(c.nodeAgentPort),
        '--tls-cert-file', files.agentCert, '--tls-private-key-file', files.agentKey, '--client-ca-file', files.caFile, ...serviceCIDR, ...cgroupRoot,
        ...fromNode, ...nodeIP),
      after: ['apiserver', 'runtime'],
    },
  ];
  for (const n of local?.nodes ?? []) specs.push(localNodeSpec(c, local as LocalNodesPlan, n, o.caCertHash));
  if (c.hollowNodes > 0) {
    specs.push({
      name: 'hollow-nodes',
      command: flotilla('hollow-nodes', '--kubeconfig', files.kubeconfig('hollow-nodes'), '--count', String(c.hollowNodes), '--node-credentials-dir', files.hollowNodeCredentials),
      after: ['apiserver'],
    });
  }
  return specs;
}
