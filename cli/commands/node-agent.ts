// `flotilla node-agent`: registers this node and runs its pods through containerd's CRI.
import { join, resolve } from 'node:path';
import { onSignals } from '../signals.js';
import { dataDirFlag, kubeconfigFlag, type Command } from './command.js';

export const nodeAgent: Command = {
  spec: {
    name: 'node-agent',
    summary: 'Run the node agent: registers this node and runs its pods through containerd\'s CRI',
    flags: [
      kubeconfigFlag,
      { name: 'containerd', type: 'string', value: 'SOCKET', help: "containerd's socket", defaultText: '<data-dir>/containerd/containerd.sock' },
      dataDirFlag('where pod logs live'),
      { name: 'node-name', type: 'string', value: 'NAME', help: 'the Node to register', defaultText: 'the host name' },
      { name: 'port', type: 'int', value: 'N', help: 'port of the log/exec server the API server calls', default: 10250 },
      { name: 'runtime-request-timeout', type: 'seconds', value: 'S', help: 'deadline of each CRI call (image pulls excepted)', default: 30 },
    ],
  },
  async run(f) {
    const [{ NodeAgent }, { CriClient }, { AgentServer }, { Client, loadKubeConfig }] = await Promise.all([
      import('../../node-agent/agent.js'), import('../../node-agent/cri/client.js'),
      import('../../node-agent/server/server.js'), import('../../lib/client/index.js'),
    ]);
    const dataDir = resolve(f.string('data-dir') as string);
    // Fail fast while the runtime is down (no waitForReady): exec, logs and pod syncs get an error at once instead
    // of hanging until the deadline, and the runtime health check reports the node NotReady.
    const cri = new CriClient({ endpoint: f.string('containerd') ?? join(dataDir, 'containerd/containerd.sock'), timeoutMs: f.ms('runtime-request-timeout') });
    const client = new Client(loadKubeConfig({ kubeconfig: f.string('kubeconfig') }));
    const port = f.int('port');
    const agent = new NodeAgent(client, cri, { nodeName: f.string('node-name'), dataDir, logRoot: join(dataDir, 'pod-logs'), port });
    const server = new AgentServer(agent, cri);
    await server.listen(port, agent.hostIP);
    onSignals(async () => {
      agent.stop();
      await server.close();
      client.close();
    });
    await agent.start();
  },
};
