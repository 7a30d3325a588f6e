// Acceptance (issue 10, node isolation) on the real stack: real etcd, the real API server process over HTTPS. A node
// agent's credentials (a client certificate system:node:<name> in system:nodes, from the cluster CA) read the Secrets
// and ConfigMaps of the pods bound to that node - one at a time, and by a single-object watch as the agent does - and
// nothing else: not a Secret used only by a pod on another node, not the list of all Secrets; they update their own
// Node's status and not another's, and delete their own pods and not another node's. Each refusal is 403 and changes
// nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, type UserClient } from './harness.js';

let c: TestCluster;
let n1: UserClient;
let n2: UserClient;

const pod = (name: string, node: string, secret: string, configMap: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
  spec: {
    nodeName: node,
    containers: [{ name: 'c', image: 'example/app:1', envFrom: [{ configMapRef: { name: configMap } }] }],
    volumes: [{ name: 's', secret: { secretName: secret } }],
  },
});

async function ok(method: string, path: string, body?: unknown): Promise<void> {
  const r = await c.request(method, path, body);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
}

before(async () => {
  c = await TestCluster.start();
  for (const n of ['n1', 'n2']) await ok('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: n } });
  for (const [s, cm] of [['s1', 'cm1'], ['s2', 'cm2']]) {
    await ok('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: s }, stringData: { k: `${s}-value` } });
    await ok('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cm }, data: { k: 'v' } });
  }
  await ok('POST', '/api/v1/namespaces/default/pods', pod('on-n1', 'n1', 's1', 'cm1'));
  await ok('POST', '/api/v1/namespaces/default/pods', pod('on-n2', 'n2', 's2', 'cm2'));
  n1 = await c.as('system:node:n1', ['system:nodes']);
  n2 = await c.as('system:node:n2', ['system:nodes']);
});

after(async () => {
  await c?.stop();
});

test('a node reads the Secrets and ConfigMaps its pods use, one at a time or by a single-object watch, and no other', async () => {
  const s1 = await n1.request('GET', '/api/v1/namespaces/default/secrets/s1');
  assert.equal(s1.status, 200, s1.text);
  assert.equal(Buffer.from(s1.body.data.k, 'base64').toString(), 's1-value');
  assert.equal((await n1.request('GET', '/api/v1/namespaces/default/configmaps/cm1')).status, 200);
  const one = await n1.request('GET', '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Ds1');
  assert.equal(one.status, 200, one.text);
  assert.deepEqual(one.body.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['s1']);

  const other = await n1.request('GET', '/api/v1/namespaces/default/secrets/s2');
  assert.equal(other.status, 403);
  assert.equal(other.body.message,
    'secrets "s2" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'n1\' and this object');
  assert.equal((await n1.request('GET', '/api/v1/namespaces/default/configmaps/cm2')).status, 403);
  assert.equal((await n1.request('GET', '/api/v1/namespaces/default/secrets')).status, 403, 'no list of every Secret');
  assert.equal((await n1.request('GET', '/api/v1/secrets?fieldSelector=metadata.name%3Ds1')).status, 403, 'no cross-namespace list');
  assert.equal((await n1.request('GET', '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Ds2')).status, 403);
  // and the other node, the other way round
  assert.equal((await n2.request('GET', '/api/v1/namespaces/default/secrets/s2')).status, 200);
  assert.equal((await n2.request('GET', '/api/v1/namespaces/default/secrets/s1')).status, 403);
});

test('once the pod moves away (deleted), its node no longer reads its Secret', async () => {
  await ok('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'brief' }, stringData: { k: 'v' } });
  await ok('POST', '/api/v1/namespaces/default/pods', pod('brief', 'n1', 'brief', 'cm1'));
  assert.equal((await n1.request('GET', '/api/v1/namespaces/default/secrets/brief')).status, 200);
  await ok('DELETE', '/api/v1/namespaces/default/pods/brief?gracePeriodSeconds=0');
  const after = await c.request('GET', '/api/v1/namespaces/default/pods/brief');
  assert.equal(after.status, 404);
  assert.equal((await n1.request('GET', '/api/v1/namespaces/default/secrets/brief')).status, 403);
});

test('a node updates its own Node\'s status, not another\'s; deletes its own pods, not another node\'s; nothing changes on a refusal', async () => {
  const patch = { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] } };
  const mine = await n1.request('PATCH', '/api/v1/nodes/n1/status', patch, { 'content-type': 'application/merge-patch+json' });
  assert.equal(mine.status, 200, mine.text);
  const before = (await c.request('GET', '/api/v1/nodes/n2')).body;
  const theirs = await n1.request('PATCH', '/api/v1/nodes/n2/status', patch, { 'content-type': 'application/merge-patch+json' });
  assert.equal(theirs.status, 403);
  assert.match(theirs.body.message, /^nodes "n2" is forbidden: User "system:node:n1" cannot patch resource "nodes\/status" in API group "" at the cluster scope: node "n1" is not allowed to modify node "n2"$/);
  assert.equal((await n1.request('DELETE', '/api/v1/nodes/n2')).status, 403);
  assert.equal((await c.request('GET', '/api/v1/nodes/n2')).body.metadata.resourceVersion, before.metadata.resourceVersion, 'n2 untouched');

  const del = await n1.request('DELETE', '/api/v1/namespaces/default/pods/on-n2');
  assert.equal(del.status, 403);
  assert.match(del.body.message, /node "n1" can only delete pods with spec.nodeName set to itself/);
  const still = (await c.request('GET', '/api/v1/namespaces/default/pods/on-n2')).body;
  assert.equal(still.metadata.deletionTimestamp, undefined, 'on-n2 untouched');
  const status = await n1.request('PATCH', '/api/v1/namespaces/default/pods/on-n2/status', { status: { phase: 'Failed' } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(status.status, 403);
  // (202: a graceful deletion has begun)
  assert.equal((await n1.request('DELETE', '/api/v1/namespaces/default/pods/on-n1')).status, 202);
  // not a Secret's writer, and no other node's lease
  assert.equal((await n1.request('PUT', '/api/v1/namespaces/default/secrets/s1', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' } })).status, 403);
  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n2', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1' } };
  assert.equal((await n1.request('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2', lease)).status, 403);
});

test('NodeRestriction on the body: a node creates no other Node nor lease, and cannot label itself into another place', async () => {
  const created = await n1.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3' } });
  assert.equal(created.status, 403);
  assert.equal(created.body.message, 'nodes "n3" is forbidden: node "n1" is not allowed to modify node "n3"');
  assert.equal((await c.request('GET', '/api/v1/nodes/n3')).status, 404, 'no n3');
  const label = await n1.request('PATCH', '/api/v1/nodes/n1', { metadata: { labels: { 'node-restriction.kubernetes.io/secure-zone': 'true' } } },
    { 'content-type': 'application/merge-patch+json' });
  assert.equal(label.status, 403);
  assert.equal(label.body.message, 'nodes "n1" is forbidden: node "n1" is not allowed to modify labels: node-restriction.kubernetes.io/secure-zone');
  assert.equal((await c.request('GET', '/api/v1/nodes/n1')).body.metadata.labels?.['node-restriction.kubernetes.io/secure-zone'], undefined);
  // a label of its own is fine
  const own = await n1.request('PATCH', '/api/v1/nodes/n1', { metadata: { labels: { 'example.com/rack': 'r1' } } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(own.status, 200, own.text);
  const lease = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1' } });
  const theirs = await n1.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease('n2'));
  assert.equal(theirs.status, 403);
  assert.match(theirs.body.message, /can only access node lease with the same name as the requesting node/);
  const mine = await n1.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease('n1'));
  assert.ok(mine.status === 201 || mine.status === 409, mine.text);
});
