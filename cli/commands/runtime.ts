// `flotilla runtime`: a node's container runtime, kept running (see node-agent/runtime/stack.ts).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { logger } from '../../lib/util/log.js';
import { onSignals } from '../signals.js';
import { dataDirFlag, type Command } from './command.js';

const log = logger('flotilla');

/**
 * The pod network of the runtime under dataDir: its own CNI network name and bridge, so that two clusters on one
 * machine (or a cluster and a test) never share a bridge, and one's teardown never removes the other's.
 */
export function podNetworkFor(dataDir: string): { name: string; bridge: string } {
  const h = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 6);
  return { name: `flotilla-${h}`, bridge: `flotilla${h}` };
}

export const runtime: Command = {
  spec: {
    name: 'runtime',
    summary: 'Run a node\'s container runtime: a local registry with the demo images, and containerd (restarted if it dies)',
    flags: [
      dataDirFlag('registry storage and containerd state'),
      { name: 'registry-port', type: 'int', value: 'N', help: 'the registry listens on 127.0.0.1:N', default: 5000 },
      { name: 'cgroup-root', type: 'string', value: 'PATH', help: "the node agent's --cgroup-root: its pods' cgroups (<PATH>/kubepods) are removed when the runtime stops", default: '/' },
      { name: 'pod-cidr-from-node', type: 'bool', default: false,
        help: "write no pod network: the node agent (--pod-cidr-from-node) writes the CNI conflist from its Node's spec.podCIDR; the runtime removes it when it stops" },
    ],
  },
  async run(f) {
    const { startNodeRuntime } = await import('../../node-agent/runtime/stack.js');
    const dataDir = resolve(f.string('data-dir') as string);
    const rt = await startNodeRuntime({ dataDir, registryPort: f.int('registry-port'), cni: f.bool('pod-cidr-from-node') ? false : podNetworkFor(dataDir), cgroupRoot: f.string('cgroup-root') });
    onSignals(() => rt.stop());
    log.info('runtime ready', { registry: rt.registry.host, containerd: rt.containerd.socket, images: rt.images, network: rt.containerd.cni });
  },
};
