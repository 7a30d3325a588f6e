// `flotilla controller-manager`: the controllers (deployments, replica sets, garbage collection, nodes, namespaces).
import { UsageError, type Flags } from '../flags.js';
import { nodeIpamConfig, type NodeIpamConfig } from '../../controllers/nodeipam/config.js';
import { leaderFlags, type Command } from './command.js';

/** The node IPAM flags checked (undefined: --allocate-node-cidrs is off); a mistake is a UsageError. */
export function nodeIpamFromFlags(f: Flags): NodeIpamConfig | undefined {
  const size = (name: string) => (f.given(name) ? f.int(name) : undefined);
  try {
    return nodeIpamConfig({ allocateNodeCIDRs: f.bool('allocate-node-cidrs'), clusterCIDR: f.string('cluster-cidr'), nodeCIDRMaskSize: size('node-cidr-mask-size'),
      nodeCIDRMaskSizeIPv4: size('node-cidr-mask-size-ipv4'), nodeCIDRMaskSizeIPv6: size('node-cidr-mask-size-ipv6') });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export const controllerManager: Command = {
  spec: {
    name: 'controller-manager',
    summary: 'Run the controllers (deployments, replica sets, jobs, garbage collection, nodes, namespaces, service accounts)',
    flags: [
      ...leaderFlags,
      { name: 'node-monitor-grace-period', type: 'seconds', value: 'S', help: 'time without a heartbeat before a node is Unknown', default: 40 },
      { name: 'node-monitor-period', type: 'seconds', value: 'S', help: 'time between node health checks', default: 5 },
      { name: 'default-toleration-seconds', type: 'int', value: 'S', help: 'how long pods stay on a not-ready or unreachable node', default: 300 },
      { name: 'root-ca-file', type: 'string', value: 'FILE', help: 'the CA published to every namespace as the kube-root-ca.crt ConfigMap', defaultText: 'the kubeconfig\'s CA' },
      { name: 'service-account-private-key-file', type: 'string', value: 'FILE', help: 'PEM key that signs the tokens of legacy ServiceAccount token Secrets (kubernetes.io/service-account-token)', defaultText: 'none: such Secrets get no token' },
      { name: 'cluster-signing-cert-file', type: 'string', value: 'FILE', help: 'PEM CA certificate that issues the approved CertificateSigningRequests of the kubernetes.io signers', defaultText: 'none: requests are not signed' },
      { name: 'cluster-signing-key-file', type: 'string', value: 'FILE', help: 'the PEM key of --cluster-signing-cert-file', defaultText: 'none' },
      { name: 'cluster-signing-duration', type: 'seconds', value: 'S', help: 'the longest validity of a signed certificate (a request\'s spec.expirationSeconds may ask for less)', default: 365 * 24 * 3600 },
      { name: 'horizontal-pod-autoscaler-sync-period', type: 'seconds', value: 'S', help: 'how often each HorizontalPodAutoscaler is looked at', default: 15 },
      { name: 'horizontal-pod-autoscaler-downscale-stabilization', type: 'seconds', value: 'S', help: 'the scale-down stabilization window of HPAs that set none', default: 300 },
      { name: 'allocate-node-cidrs', type: 'bool', help: 'give every node a pod subnet (spec.podCIDR) from --cluster-cidr', default: false },
      { name: 'cluster-cidr', type: 'string', value: 'CIDR', help: 'the pods\' range, cut into node subnets (IPv4, IPv6, or both comma-separated)' },
      { name: 'node-cidr-mask-size', type: 'int', value: 'N', help: 'prefix length of each node\'s subnet (single-stack)', defaultText: '24 for IPv4, 64 for IPv6' },
      { name: 'node-cidr-mask-size-ipv4', type: 'int', value: 'N', help: 'prefix length of each node\'s IPv4 subnet', defaultText: '24' },
      { name: 'node-cidr-mask-size-ipv6', type: 'int', value: 'N', help: 'prefix length of each node\'s IPv6 subnet', defaultText: '64' },
      { name: 'concurrent-syncs', type: 'int', value: 'N', help: 'workers per controller', default: 5, min: 1 },
    ],
  },
  async run(f) {
    const { readFileSync } = await import('node:fs');
    if (!!f.string('cluster-signing-cert-file') !== !!f.string('cluster-signing-key-file')) {
      throw new Error('--cluster-signing-cert-file and --cluster-signing-key-file go together');
    }
    const nodeIpam = nodeIpamFromFlags(f);
    const options = {
      nodeIpam,
      nodeMonitorGracePeriodMs: f.ms('node-monitor-grace-period'),
      nodeMonitorPeriodMs: Math.max(1000, f.ms('node-monitor-period')),
      defaultTolerationSeconds: f.int('default-toleration-seconds'),
      workers: f.int('concurrent-syncs'),
      horizontalPodAutoscalerSyncPeriodMs: Math.max(100, f.ms('horizontal-pod-autoscaler-sync-period')),
      horizontalPodAutoscalerDownscaleStabilizationMs: f.ms('horizontal-pod-autoscaler-downscale-stabilization'),
      rootCA: f.string('root-ca-file') ? (await import('node:fs')).readFileSync(f.string('root-ca-file') as string, 'utf8') : undefined,
      clusterSigning: f.string('cluster-signing-cert-file') && f.string('cluster-signing-key-file')
        ? { cert: readFileSync(f.string('cluster-signing-cert-file') as string, 'utf8'), key: readFileSync(f.string('cluster-signing-key-file') as string, 'utf8') } : undefined,
      clusterSigningDurationMs: Math.max(600_000, f.ms('cluster-signing-duration')),
      serviceAccountPrivateKey: f.string('service-account-private-key-file') ? (await import('node:fs')).readFileSync(f.string('service-account-private-key-file') as string, 'utf8') : undefined,
    };
    const { runControllers } = await import('../../controllers/manager.js');
    const { runComponent } = await import('../component.js');
    await runComponent({
      name: 'kube-controller-manager',
      kubeconfig: f.string('kubeconfig') as string,
      leaderElect: f.bool('leader-elect'),
      metricsAddress: f.string('metrics-bind-address'),
      run: (client, signal) => runControllers(client, signal, options),
    });
  },
};
