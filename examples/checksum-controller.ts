// A third-party controller: stamps every ConfigMap with a checksum of its data, level-based and leader-elected.
import { createHash } from 'node:crypto';
import { Client, Informer, LeaderElector, WorkQueue, findByResource, isNotFound, loadKubeConfig } from '../lib/client/index.js';

const CONFIGMAPS = findByResource('', 'v1', 'configmaps')!;
const client = new Client(loadKubeConfig({ kubeconfig: process.env.KUBECONFIG }));
const informer = new Informer(client, CONFIGMAPS);
const queue = new WorkQueue<string>();
const enqueue = (o: { metadata: { namespace?: string; name?: string } }) => queue.add(`${o.metadata.namespace}/${o.metadata.name}`);
informer.onAdd(enqueue).onUpdate((_old, cur) => enqueue(cur));

async function reconcile(key: string): Promise<void> {
  const [namespace, name] = key.split('/') as [string, string];
  const cm = informer.get(name, namespace);
  if (!cm) return; // deleted: nothing to do
  const sum = createHash('sha256').update(JSON.stringify(cm.data ?? {})).digest('hex').slice(0, 16);
  if (cm.metadata.annotations?.['example.com/checksum'] === sum) return; // already converged
  await client.patch(CONFIGMAPS, name, { metadata: { annotations: { 'example.com/checksum': sum } } }, 'merge', { namespace });
}

new LeaderElector(client, { namespace: 'kube-system', name: 'checksum-controller', onStartedLeading: async () => {
  await informer.start();
  for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
    try { await reconcile(key); queue.forget(key); } catch (e) { if (!isNotFound(e)) queue.addRateLimited(key); }
    queue.done(key);
  }
} }).start();
