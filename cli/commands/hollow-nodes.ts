// `flotilla hollow-nodes`: N simulated nodes whose pods report Running without containers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
      { name: 'node-credentials-dir', type: 'string', value: 'DIR', help: 'each node acts as itself (system:node:NAME): DIR/NAME.crt and the shared DIR/nodes.key', defaultText: 'every node uses --kubeconfig' },
    ],
  },
  async run(f) {
    const [{ HollowNodes }, { Client, loadKubeConfig }] = await Promise.all([import('../../node-agent/hollow/nodes.js'), import('../../lib/client/index.js')]);
    const config = loadKubeConfig({ kubeconfig: f.string('kubeconfig') });
    const client = new Client(config);
    const credentials = f.string('node-credentials-dir');
    const own = new Map<string, InstanceType<typeof Client>>();
    // the node's own identity, from the directory flotilla up fills; the node's client is made when first needed
    const clientFor = credentials
      ? (node: string) => {
          let c = own.get(node);
          if (!c) {
            c = new Client({ ...config, token: undefined, certData: readFileSync(join(credentials, `${node}.crt`)), keyData: readFileSync(join(credentials, 'nodes.key')) });
            own.set(node, c);
          }
          return c;
        }
      : undefined;
    const nodes = new HollowNodes(client, {
      clientFor,
      count: f.int('count'), prefix: f.string('name-prefix'), cpu: f.string('cpu'), memory: f.string('memory'), pods: f.int('max-pods'),
      heartbeatMs: Math.max(1000, f.ms('heartbeat-interval')),
    });
    onSignals(async () => {
      nodes.stop();
      client.close();
      for (const c of own.values()) c.close();
    });
    await nodes.start();
  },
};
