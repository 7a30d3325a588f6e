// Acceptance: @kubernetes/client-node, the official JavaScript client, as a second real client: create, list, and
// an informer that sees changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { TestCluster, waitFor } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.start();
});
after(async () => {
  await c?.stop();
});

test('client-node creates, lists, patches and deletes through typed APIs', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.apiserver.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-client-node', labels: { via: 'client-node' } }, data: { a: '1' } } });
  assert.equal(cm.metadata?.name, 'from-client-node');
  assert.ok(cm.metadata?.uid);
  const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'via=client-node' });
  assert.deepEqual(list.items.map((i) => i.metadata?.name), ['from-client-node']);
  const d = await apps.createNamespacedDeployment({
    namespace: 'default',
    body: { metadata: { name: 'cn' }, spec: { selector: { matchLabels: { app: 'cn' } }, template: { metadata: { labels: { app: 'cn' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } } },
  });
  assert.equal(d.spec?.replicas, 1, 'defaulted by the server');
  const scaled = await apps.replaceNamespacedDeploymentScale({ namespace: 'default', name: 'cn', body: { metadata: { name: 'cn' }, spec: { replicas: 4 } } });
  assert.equal(scaled.spec?.replicas, 4);
  const nsList = await core.listNamespace();
  assert.ok(nsList.items.some((n) => n.metadata?.name === 'kube-system'));
  await assert.rejects(core.readNamespacedConfigMap({ namespace: 'default', name: 'nope' }), (e: unknown) => (e as { code?: number }).code === 404);
});

test('a client-node informer sees adds, updates and deletes', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.apiserver.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
  const events: string[] = [];
  informer.on('add', (o) => events.push(`add ${o.metadata?.name}`));
  informer.on('update', (o) => events.push(`update ${o.metadata?.name} ${o.data?.v}`));
  informer.on('delete', (o) => events.push(`delete ${o.metadata?.name}`));
  await informer.start();
  try {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'informed' }, data: { v: '1' } } });
    await waitFor('add', async () => events.includes('add informed'));
    await core.patchNamespacedConfigMap({ namespace: 'default', name: 'informed', body: { data: { v: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await waitFor('update', async () => events.includes('update informed 2'));
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'informed' });
    await waitFor('delete', async () => events.includes('delete informed'));
    assert.ok(informer.list('default').every((o) => o.metadata?.name !== 'informed'));
  } finally {
    await informer.stop();
  }
});
