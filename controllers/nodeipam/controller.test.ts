import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { apiError, eventually, FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext, DEFAULT_OPTIONS } from '../context.js';
import { NodeIpamController, podCIDRsOf } from './controller.js';
import type { NodeIpamConfig } from './config.js';

const NODE = findByKind('v1', 'Node')!;
const EVENT = findByKind('v1', 'Event')!;
const node = (name: string, podCIDR?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });
const RANGE: NodeIpamConfig = { clusterCIDRs: ['10.244.0.0/22'], nodeCIDRMaskSizes: [24] };

/** Runs a controller-manager's IPAM over api until the test ends (or stop() is called: a restart). */
function start(t: TestContext, api: FakeApiServer, config = RANGE) {
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const ctx = new ControllerContext(client, informers, DEFAULT_OPTIONS);
  const ipam = new NodeIpamController(ctx, config);
  const abort = new AbortController();
  const done = ipam.run(2, abort.signal);
  const stop = async () => {
    abort.abort();
    await done;
    informers.stop();
    await ctx.flushEvents();
  };
  t.after(stop);
  return { stop };
}

const cidrOf = (api: FakeApiServer, name: string) => podCIDRsOf(api.get(NODE, name) as KubeObject)[0];
const waitCIDR = (api: FakeApiServer, name: string) => eventually(`${name} gets a podCIDR`, () => cidrOf(api, name) !== undefined);

test('nodes get distinct subnets, podCIDR and podCIDRs; a deleted node\'s subnet goes to a later node; a full range gives CIDRNotAvailable', async (t) => {
  const api = new FakeApiServer();
  start(t, api);
  for (const n of ['a', 'b', 'c']) api.seed(NODE, node(n));
  for (const n of ['a', 'b', 'c']) await waitCIDR(api, n);
  const got = ['a', 'b', 'c'].map((n) => cidrOf(api, n));
  assert.deepEqual([...got].sort(), ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
  assert.equal(api.get(NODE, 'a')?.spec?.podCIDR, cidrOf(api, 'a'));
  await api.client().create(NODE, node('d'));
  await waitCIDR(api, 'd');
  assert.equal(cidrOf(api, 'd'), '10.244.3.0/24');
  await api.client().create(NODE, node('e'));
  await eventually('a CIDRNotAvailable event for e', () => api.list(EVENT, 'default').some((e) => e.reason === 'CIDRNotAvailable' && (e.involvedObject as { name?: string } | undefined)?.name === 'e'));
  const ev = api.list(EVENT, 'default').find((e) => e.reason === 'CIDRNotAvailable');
  assert.equal(ev?.type, 'Warning');
  assert.equal(ev?.message, 'Node e status is now: CIDRNotAvailable');
  assert.equal((ev?.source as { component?: string } | undefined)?.component, 'cidrAllocator');
  assert.equal(cidrOf(api, 'e'), undefined);
  const freed = cidrOf(api, 'b');
  await api.client().delete(NODE, 'b');
  await waitCIDR(api, 'e');
  assert.equal(cidrOf(api, 'e'), freed, 'the deleted node\'s subnet, at once (not after the backoff)');
});

test('a restarted allocator rebuilds from the nodes: no subnet twice; pre-set CIDRs in range are kept and skipped, outside left alone', async (t) => {
  const api = new FakeApiServer();
  api.seed(NODE, node('old-0', '10.244.0.0/24'));
  api.seed(NODE, node('old-2', '10.244.2.0/24'));
  api.seed(NODE, node('foreign', '192.168.7.0/24'));
  const first = start(t, api);
  api.seed(NODE, node('x'));
  await waitCIDR(api, 'x');
  assert.equal(cidrOf(api, 'x'), '10.244.1.0/24');
  await first.stop();
  api.seed(NODE, node('y'));
  start(t, api);
  await waitCIDR(api, 'y');
  // a fresh allocator that forgot the others would have handed out 10.244.0.0/24 again
  assert.equal(cidrOf(api, 'y'), '10.244.3.0/24');
  assert.equal(cidrOf(api, 'foreign'), '192.168.7.0/24');
  assert.equal(api.count('patch', 'nodes'), 2, 'only x and y were written');
});

test('dual-stack: one subnet from each cluster CIDR, IPv4 first', async (t) => {
  const api = new FakeApiServer();
  start(t, api, { clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'], nodeCIDRMaskSizes: [24, 64] });
  api.seed(NODE, node('a'));
  await waitCIDR(api, 'a');
  assert.deepEqual(api.get(NODE, 'a')?.spec?.podCIDRs, ['10.244.0.0/24', 'fd00:10:244::/64']);
  assert.equal(api.get(NODE, 'a')?.spec?.podCIDR, '10.244.0.0/24');
});

test('a node given CIDRs by another writer meanwhile keeps them (422 from the API server): ours are given back', async (t) => {
  const api = new FakeApiServer();
  let refusals = 1;
  api.reactors.push((a) => (a.verb === 'patch' && a.resource === 'nodes' && refusals-- > 0
    ? apiError(422, 'Invalid', 'Node "a" is invalid: spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid') : undefined));
  api.seed(NODE, node('a'));
  start(t, api);
  await eventually('the refused write', () => refusals < 0);
  api.seed(NODE, node('b'));
  for (const n of ['a', 'b', 'c', 'd']) {
    if (n === 'c' || n === 'd') api.seed(NODE, node(n));
    await waitCIDR(api, n);
  }
  assert.deepEqual(['a', 'b', 'c', 'd'].map((n) => cidrOf(api, n)).sort(), ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24'],
    'the subnet first tried for a was given back: four nodes fit the four subnets');
});

test('the write does not depend on the version the controller saw: a node whose status changed meanwhile still gets its CIDRs', async (t) => {
  const api = new FakeApiServer();
  api.seed(NODE, node('a'));
  start(t, api);
  await waitCIDR(api, 'a');
  const patch = api.actions.find((a) => a.verb === 'patch' && a.resource === 'nodes')?.body as { metadata?: unknown; spec: unknown };
  assert.equal(patch.metadata, undefined, 'no resourceVersion precondition');
  assert.deepEqual(patch.spec, { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] });
});
