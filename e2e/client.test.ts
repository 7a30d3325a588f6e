// Acceptance for Flotilla's own client (lib/client) on the real stack: REST verbs, informers that survive an API
// server restart and a 410 re-list, and Lease-based leader election handing over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Client, Informer, LeaderElector, findByResource, isConflict, isNotFound, loadKubeConfig, retryOnConflict } from '../lib/client/index.js';
import type { KubeObject } from '../lib/api/types.js';
import { TestCluster, waitFor } from './harness.js';

const CM = findByResource('', 'v1', 'configmaps') as NonNullable<ReturnType<typeof findByResource>>;
const DEPLOY = findByResource('apps', 'v1', 'deployments') as NonNullable<ReturnType<typeof findByResource>>;
let c: TestCluster;
let client: Client;

before(async () => {
  c = await TestCluster.start();
  client = new Client(loadKubeConfig({ kubeconfig: c.apiserver.kubeconfig }));
});
after(async () => {
  client?.close();
  await c?.stop();
});

test('REST verbs, typed errors, pagination and retryOnConflict', async () => {
  for (let i = 0; i < 7; i++) await client.create(CM, { metadata: { name: `page-${i}`, labels: { set: 'paged' } }, data: { i: String(i) } });
  const all = await client.listAll(CM, { labelSelector: 'set=paged', limit: 2 });
  assert.equal(all.items.length, 7);
  const one = await client.list(CM, { labelSelector: 'set=paged', limit: 3 });
  assert.equal(one.items.length, 3);
  assert.ok(one.metadata.continue);
  await assert.rejects(client.get(CM, 'nope'), isNotFound);
  const cur = await client.get(CM, 'page-0');
  await client.update(CM, { ...cur, data: { i: 'changed' } });
  await assert.rejects(client.update(CM, { ...cur, data: { i: 'stale' } }), isConflict);
  await retryOnConflict(async () => {
    const fresh = await client.get(CM, 'page-0');
    return client.update(CM, { ...fresh, data: { i: 'retried' } });
  });
  assert.deepEqual((await client.get(CM, 'page-0') as KubeObject & { data: unknown }).data, { i: 'retried' });
  await client.create(DEPLOY, { metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
  await client.updateScale(DEPLOY, 'd', 3);
  assert.equal((await client.getScale(DEPLOY, 'd')).spec.replicas, 3);
  await client.patch(DEPLOY, 'd', { metadata: { labels: { p: 'q' } } }, 'strategic');
  assert.equal((await client.get(DEPLOY, 'd')).metadata.labels?.p, 'q');
  await client.deleteCollection(CM, { labelSelector: 'set=paged' });
  assert.equal((await client.list(CM, { labelSelector: 'set=paged' })).items.length, 0);
});

test('an informer sees changes, survives an API server restart, and re-lists after 410 with the right deletes', async () => {
  const inf = new Informer(client, CM, { namespace: 'default', labelSelector: 'inf=yes' });
  const events: string[] = [];
  inf.onAdd((o) => events.push(`add ${o.metadata.name}`));
  inf.onUpdate((_o, n) => events.push(`update ${n.metadata.name}`));
  inf.onDelete((o) => events.push(`delete ${o.metadata.name}`));
  await client.create(CM, { metadata: { name: 'i1', labels: { inf: 'yes' } } });
  await inf.start();
  try {
    assert.deepEqual(events, ['add i1']);
    await client.create(CM, { metadata: { name: 'i2', labels: { inf: 'yes' } } });
    await waitFor('add i2', async () => events.includes('add i2'));
    await c.apiserver.stop();
    await c.apiserver.start();
    await client.patch(CM, 'i2', { data: { x: '1' } });
    await waitFor('update i2 after the restart', async () => events.includes('update i2'));
    // Change etcd behind the API server's back while it is down: the informer's resourceVersion is then older
    // than the new watch cache, the server answers 410, and the informer re-lists.
    await c.apiserver.stop();
    const etcdctl = (...args: string[]) => spawnSync('etcdctl', ['--endpoints', c.etcd.endpoint, ...args], { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' });
    assert.equal(etcdctl('del', '/registry/core/configmaps/default/i1').status, 0);
    assert.equal(etcdctl('put', '/registry/core/configmaps/default/i3', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'i3', namespace: 'default', uid: 'u3', labels: { inf: 'yes' }, creationTimestamp: '2026-01-01T00:00:00Z' } })).status, 0);
    await c.apiserver.start();
    await waitFor('the re-list to deliver the delete and the add', async () => events.includes('delete i1') && events.includes('add i3'), 30_000);
    assert.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['i2', 'i3']);
    assert.equal(events.filter((e) => e === 'add i2').length, 1, 'nothing delivered twice');
  } finally {
    inf.stop();
  }
});

test('leader election: one leader at a time; a stopped leader hands over to the standby', async () => {
  const leading: string[] = [];
  const mk = (id: string) => new LeaderElector(client, { namespace: 'kube-system', name: 'test-lock', identity: id, leaseDurationSeconds: 3, renewDeadlineMs: 2000, retryPeriodMs: 300, onStartedLeading: () => leading.push(id) });
  const a = mk('a');
  const b = mk('b');
  // stopped whatever happens: an elector left running retries forever and keeps the test process alive
  try {
    a.start();
    await waitFor('a to lead', async () => a.isLeader());
    b.start();
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(b.isLeader(), false, 'the standby waits while the leader renews');
    await a.stop();
    await waitFor('b to take over', async () => b.isLeader(), 10_000);
    assert.deepEqual(leading, ['a', 'b']);
    const leases = findByResource('coordination.k8s.io', 'v1', 'leases') as NonNullable<ReturnType<typeof findByResource>>;
    const lease = await client.get(leases, 'test-lock', { namespace: 'kube-system' });
    assert.equal(lease.spec.holderIdentity, 'b');
    assert.equal(lease.spec.leaseTransitions, 1);
  } finally {
    await a.stop();
    await b.stop();
  }
});
