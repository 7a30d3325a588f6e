// Acceptance: deleting an owner cleans up what it owns as kubectl's --cascade asks (background, foreground,
// orphan), and deleting a namespace deletes everything in it, then the namespace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, waitFor } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.startWithHollowNodes({ count: 2 });
});
after(async () => {
  await c?.stop();
});

const app = (name: string, ns = 'default') => JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }] } } },
});

const count = async (path: string) => ((await c.request('GET', path)).body.items ?? []).length;

async function running(name: string, ns = 'default'): Promise<void> {
  await waitFor(`${name}'s 2 pods`, async () => {
    const r = await c.request('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${name}`);
    return r.body.items.length === 2 && r.body.items.every((p: { status?: { phase?: string } }) => p.status?.phase === 'Running');
  }, 60_000);
}

test('background cascade: deleting a Deployment deletes its ReplicaSet and pods', async () => {
  c.ok(['apply', '-f', '-'], { input: app('bg') });
  await running('bg');
  c.ok(['delete', 'deployment', 'bg']);
  await waitFor('the ReplicaSet and pods to go', async () => (await count('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dbg')) === 0 && (await count('/api/v1/namespaces/default/pods?labelSelector=app%3Dbg')) === 0, 30_000);
});

test('orphan cascade: the ReplicaSet and pods stay, without the owner reference', async () => {
  c.ok(['apply', '-f', '-'], { input: app('orph') });
  await running('orph');
  c.ok(['delete', 'deployment', 'orph', '--cascade=orphan']);
  await waitFor('the Deployment to go', async () => (await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/orph')).status === 404, 30_000);
  const sets = await waitFor('the ReplicaSet to be orphaned', async () => {
    const items = (await c.request('GET', '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dorph')).body.items;
    return items.length === 1 && !items[0].metadata.ownerReferences ? items : undefined;
  });
  assert.equal(sets[0].spec.replicas, 2);
  assert.equal(await count('/api/v1/namespaces/default/pods?labelSelector=app%3Dorph'), 2);
  c.ok(['delete', 'rs', '-l', 'app=orph']);
});

test('foreground cascade: the ReplicaSet waits (foregroundDeletion) until its pods are gone', async () => {
  // a ReplicaSet of its own: one owned by a Deployment would just be recreated by it
  c.ok(['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'fg' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'fg' } }, template: { metadata: { labels: { app: 'fg' } }, spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }] } } },
  }) });
  await running('fg');
  const del = c.kubectl(['delete', 'rs', 'fg', '--cascade=foreground', '--wait=true', '--timeout=60s']);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(await count('/api/v1/namespaces/default/pods?labelSelector=app%3Dfg'), 0, 'no pod outlives its foreground-deleted owner');
  assert.equal((await c.request('GET', '/apis/apps/v1/namespaces/default/replicasets/fg')).status, 404);
});

test('deleting a namespace deletes everything in it, then the namespace', async () => {
  c.ok(['create', 'namespace', 'doomed']);
  c.ok(['apply', '-f', '-'], { input: app('inns', 'doomed') });
  c.ok(['create', 'configmap', 'cfg', '-n', 'doomed', '--from-literal=a=b']);
  await running('inns', 'doomed');
  const del = c.kubectl(['delete', 'namespace', 'doomed', '--timeout=60s']);
  assert.equal(del.code, 0, del.stderr);
  assert.equal((await c.request('GET', '/api/v1/namespaces/doomed')).status, 404);
  assert.equal(await count('/api/v1/namespaces/doomed/pods'), 0);
  assert.equal(await count('/api/v1/namespaces/doomed/configmaps'), 0);
  assert.equal(await count('/apis/apps/v1/namespaces/doomed/deployments'), 0);
});
