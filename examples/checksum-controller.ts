// A third-party controller: stamps every ConfigMap with a checksum of its data, level-based and leader-elected.
// The informer's handlers only enqueue keys; the ReconcileLoop (the loop every Flotilla controller runs) calls
// reconcile(key) with one worker per key at a time and retries a failure with back-off.
import { createHash } from 'node:crypto';
import { Client, Informer, LeaderElector, ReconcileLoop, findByResource, keyOf, loadKubeConfig, splitKey } from '../lib/client/index.js';

const CONFIGMAPS = findByResource('', 'v1', 'configmaps')!;
const client = new Client(loadKubeConfig({ kubeconfig: process.env.KUBECONFIG }));
const informer = new Informer(client, CONFIGMAPS);

async function reconcile(key: string): Promise<void> {
  const [namespace, name] = splitKey(key);
  const cm = informer.get(name, namespace);
  if (!cm) return; // deleted: nothing to do
  const sum = createHash('sha256').update(JSON.stringify(cm.data ?? {})).digest('hex').slice(0, 16);
  if (cm.metadata.annotations?.['example.com/checksum'] === sum) return; // already converged
  await client.patch(CONFIGMAPS, name, { metadata: { annotations: { 'example.com/checksum': sum } } }, 'merge', { namespace });
}

const loop = new ReconcileLoop({ name: 'checksum-controller', reconcile });
informer.onAdd((cm) => loop.add(keyOf(cm))).onUpdate((_old, cm) => loop.add(keyOf(cm)));

new LeaderElector(client, { namespace: 'kube-system', name: 'checksum-controller', onStartedLeading: async (signal: AbortSignal) => {
  await informer.start();
  await loop.run(2, signal);
} }).start();
