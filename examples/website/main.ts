// The Website controller as its own process:
//   node dist/examples/website/main.js [--kubeconfig FILE] [--namespace NS] [--leader-elect] [--metrics-port N]
// SIGTERM or SIGINT stops it gracefully (reconciles in flight finish; a leader releases its Lease).
import { parseArgs } from 'node:util';
import { Client, Manager, loadKubeConfig } from '../../lib/client/index.js';
import { addWebsiteController } from './controller.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    namespace: { type: 'string' },
    'leader-elect': { type: 'boolean', default: false },
    'leader-elect-namespace': { type: 'string', default: 'kube-system' },
    'metrics-port': { type: 'string' },
  },
});

const client = new Client(loadKubeConfig({ kubeconfig: values.kubeconfig }));
const mgr = new Manager({
  client,
  name: 'website-controller',
  namespace: values.namespace,
  leaderElection: values['leader-elect'] ? { namespace: values['leader-elect-namespace'] as string } : undefined,
  metricsPort: values['metrics-port'] !== undefined ? Number(values['metrics-port']) : undefined,
});
addWebsiteController(mgr);

for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void mgr.stop());
mgr.start().then(() => {
  client.close();
  process.exit(0);
}, (e: Error) => {
  process.stderr.write(`website-controller: ${e.message}\n`);
  process.exit(1);
});
