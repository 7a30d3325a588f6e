// Acceptance (node IPAM in the controller-manager, on the real API server and etcd, the real kubectl): with
// --allocate-node-cidrs --cluster-cidr 10.244.0.0/22 (four /24s), three nodes get distinct /24s; a node's podCIDR
// cannot be changed (422, Kubernetes' wording); a controller-manager restarted with the nodes in place gives the next
// node the one free /24, not one already held; a deleted node's /24 goes to the next node; a node that finds the
// range full gets the CIDRNotAvailable event.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, waitFor, type ComponentProcess } from './harness.js';

const RANGE = ['--allocate-node-cidrs', '--cluster-cidr', '10.244.0.0/22', '--node-cidr-mask-size', '24'];
const IMMUTABLE = 'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid';

let c: TestCluster;
before(async () => {
  c = await TestCluster.start();
});
after(async () => {
  await c?.stop();
});

const controllerManager = (): ComponentProcess => c.component('controller-manager', ['--leader-elect=false', ...RANGE]);
const createNode = async (name: string) => assert.equal((await c.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name } })).status, 201);
const podCIDRs = async (name: string): Promise<string[]> => (await c.request('GET', `/api/v1/nodes/${name}`)).body.spec?.podCIDRs ?? [];
const waitCIDR = (name: string) => waitFor(`${name}'s podCIDR`, async () => {
  const cidrs = await podCIDRs(name);
  return cidrs.length ? cidrs[0] : undefined;
});

test('nodes get distinct /24s, immutable; a restart gives no duplicate; a deleted node\'s /24 is reused; a full range gives CIDRNotAvailable', async () => {
  const first = controllerManager();
  for (const n of ['ipam-a', 'ipam-b', 'ipam-c']) await createNode(n);
  const given = new Map<string, string>();
  for (const n of ['ipam-a', 'ipam-b', 'ipam-c']) given.set(n, await waitCIDR(n));
  assert.deepEqual([...given.values()].sort(), ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
  const a = (await c.request('GET', '/api/v1/nodes/ipam-a')).body;
  assert.equal(a.spec.podCIDR, given.get('ipam-a'), 'podCIDR is podCIDRs[0]');

  // immutable, through kubectl and a plain update
  const patched = c.kubectl(['patch', 'node', 'ipam-a', '-p', '{"spec":{"podCIDR":"10.244.3.0/24","podCIDRs":["10.244.3.0/24"]}}']);
  assert.notEqual(patched.code, 0);
  assert.ok(patched.stderr.includes(IMMUTABLE), patched.stderr);
  // unconditional (no resourceVersion): the node lifecycle controller may have tainted the node since it was read,
  // and a stale resourceVersion is a 409 before the update is validated
  const { resourceVersion: _rv, ...meta } = a.metadata;
  const put = await c.request('PUT', '/api/v1/nodes/ipam-a', { ...a, metadata: meta, spec: { ...a.spec, podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24'] } });
  assert.equal(put.status, 422);
  assert.equal(put.body.reason, 'Invalid');
  assert.ok(put.body.details.causes.some((x: { field: string; message: string }) => `${x.field}: ${x.message}` === IMMUTABLE), put.text);
  assert.deepEqual(await podCIDRs('ipam-a'), [given.get('ipam-a')]);

  // restart with the nodes in place: a new node arriving while it is down gets the one free /24
  await first.stop();
  await createNode('ipam-d');
  controllerManager();
  const d = await waitCIDR('ipam-d');
  assert.equal(d, '10.244.3.0/24', `no /24 given twice (had ${[...given.values()].join(', ')})`);

  // the range is full now: a deleted node's /24 goes to the next one
  const freed = given.get('ipam-b');
  assert.equal((await c.request('DELETE', '/api/v1/nodes/ipam-b')).status, 200);
  await createNode('ipam-e');
  assert.equal(await waitCIDR('ipam-e'), freed);

  // and one more finds it full
  await createNode('ipam-f');
  type Event = { reason: string; type: string; message: string; source?: { component?: string } };
  const ev = await waitFor('the CIDRNotAvailable event', async () => {
    const items: Event[] = (await c.request('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dipam-f')).body.items ?? [];
    return items.find((e) => e.reason === 'CIDRNotAvailable');
  });
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.message, 'Node ipam-f status is now: CIDRNotAvailable');
  assert.equal(ev.source?.component, 'cidrAllocator');
  assert.deepEqual(await podCIDRs('ipam-f'), []);
  const described = c.ok(['describe', 'node', 'ipam-f']);
  assert.match(described, /Warning\s+CIDRNotAvailable/);
});
