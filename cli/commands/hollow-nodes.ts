// `flotilla hollow-nodes`: N simulated nodes whose pods report Running without containers.
import { onSignals } from '../signals.js';
import { kubeconfigFlag, type Command } from './command.js';

export const hollowNodes: Command = {
  spec: {
    name: 'hollow-nodes',
    summary: 'Run N simulated nodes that report their pods Running without containers',
    flags: [
      kubeconfigFlag,
      { name: 'count', type: 'int', value: 'N', help: 'how many nodes', default: 3 },
      { name: 'name-prefix', type: 'string', value: 'P', help: 'node names are P-0, P-1, ...', default: 'hollow-node' },
      { name: 'cpu', type: 'string', value: 'Q', help: "each node's CPU capacity", default: '32' },
      { name: 'memory', type: 'string', value: 'Q', help: "each node's memory capacity", default: '256Gi' },
      { name: 'max-pods', type: 'int', value: 'N', help: 'pods each node accepts', default: 110 },
      { name: 'heartbeat-interval', type: 'seconds', value: 'S', help: 'time between Lease renewals', default: 10 },
    ],
  },
  async run(f) {
    const [{ HollowNodes }, { Client, loadKubeConfig }] = await Promise.all([import('../../node-agent/hollow/nodes.js'), import('../../lib/client/index.js')]);
    const client = new Client(loadKubeConfig({ kubeconfig: f.string('kubeconfig') }));
    const nodes = new HollowNodes(client, {
      count: f.int('count'), prefix: f.string('name-prefix'), cpu: f.string('cpu'), memory: f.string('memory'), pods: f.int('max-pods'),
      heartbeatMs: Math.max(1000, f.ms('heartbeat-interval')),
    });
    onSignals(async () => {
      nodes.stop();
      client.close();
    });
    await nodes.start();
  },
};
