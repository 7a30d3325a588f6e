// A joined node's two components under one supervisor (`flotilla agent` without --hollow), as `flotilla up` runs the
// local node's: the runtime (registry, demo images, containerd) and, once it answers, the node agent with the node's
// own kubeconfig. Each is its own process group, restarted with back-off if it exits; stopping stops the node agent
// first (its pods keep running), then the runtime, which drains them. State and logs live under the node's data dir
// (`flotilla status --data-dir DIR` shows them).
import { BIN, runtimeReady } from './cluster.js';
import { endLeftovers } from './supervisor/leftovers.js';
import { Supervisor, type ChildSpec } from './supervisor/supervisor.js';
import { removePid, writePid } from './supervisor/state.js';

export interface NodeOptions {
  /** Absolute. */
  dataDir: string;
  nodeName: string;
  /** The node's own kubeconfig (system:node:<name>). */
  kubeconfig: string;
  /** Resolves once the kubeconfig is there (the node has joined): the node agent starts only then. */
  credentials?: Promise<void>;
  /** The cluster CA, which the API server's client certificate must chain to. */
  caFile: string;
  nodeIP?: string;
  nodeAgentPort: number;
  registryPort: number;
  cgroupRoot: string;
  serviceCIDR: string;
  podCIDRFromNode: boolean;
}

/** The runtime and node agent of a joined node, as the supervisor runs them. */
export function nodeComponentSpecs(o: NodeOptions): ChildSpec[] {
  const flotilla = (...args: string[]) => [process.execPath, BIN, ...args];
  const fromNode = `--pod-cidr-from-node=${o.podCIDRFromNode}`;
  return [
    {
      name: 'runtime', command: flotilla('runtime', '--data-dir', o.dataDir, '--registry-port', String(o.registryPort), '--cgroup-root', o.cgroupRoot, fromNode),
      ready: () => runtimeReady(o.dataDir), stopGraceMs: 90_000,
    },
    {
      name: 'node-agent',
      command: flotilla('node-agent', '--kubeconfig', o.kubeconfig, '--data-dir', o.dataDir, '--node-name', o.nodeName, '--port', String(o.nodeAgentPort),
        '--client-ca-file', o.caFile, '--rotate-server-certificates', '--service-cluster-ip-range', o.serviceCIDR, '--cgroup-root', o.cgroupRoot, fromNode,
        ...(o.nodeIP ? ['--node-ip', o.nodeIP] : [])),
      after: ['runtime'],
      ...(o.credentials ? { prepare: () => o.credentials as Promise<void> } : {}),
    },
  ];
}

/** Starts the node's supervisor (after ending what an earlier, killed run left) and returns it running. */
export async function runNode(o: NodeOptions): Promise<{ stop(): Promise<void> }> {
  const ended = await endLeftovers(o.dataDir, [process.pid]);
  if (ended.length) process.stdout.write(`ended processes left by an earlier run: ${ended.join(', ')}\n`);
  const supervisor = new Supervisor({ dataDir: o.dataDir, children: nodeComponentSpecs(o), stopOrder: [['node-agent'], ['runtime']] });
  // `flotilla status --data-dir` finds this process as the node's supervisor
  writePid(o.dataDir, 'supervisor', process.pid);
  supervisor.start();
  return {
    async stop() {
      await supervisor.stop();
      removePid(o.dataDir, 'supervisor');
    },
  };
}
