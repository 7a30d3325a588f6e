import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { eventually, FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { EndpointSliceController } from './controller.js';
import type { Endpoint } from './endpoints.js';

const SERVICE = findByKind('v1', 'Service')!;
const POD = findByKind('v1', 'Pod')!;
const SLICE = findByKind('discovery.k8s.io/v1', 'EndpointSlice')!;
const ENDPOINTS = findByKind('v1', 'Endpoints')!;

function pod(name: string, ip: string, ready: boolean): KubeObject {
  return {
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

async function start(t: { after: (fn: () => void) => void }): Promise<FakeApiServer> {
  const api = new FakeApiServer();
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const controller = new EndpointSliceController(new ControllerContext(client, informers));
  const abort = new AbortController();
  const running = controller.run(1, abort.signal);
  t.after(async () => {
    abort.abort();
    await running;
    informers.stop();
  });
  return api;
}

type Subset = { addresses?: { ip: string }[]; notReadyAddresses?: { ip: string }[] };
const subsetsOf = (api: FakeApiServer, name: string): Subset[] => (api.get(ENDPOINTS, name, 'default')?.subsets ?? []) as Subset[];

/** name -> ready, over every slice of the Service. */
function sliceView(api: FakeApiServer): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const s of api.list(SLICE, 'default')) {
    if (s.metadata.labels?.['kubernetes.io/service-name'] !== 'web') continue;
    for (const e of (s.endpoints ?? []) as Endpoint[]) out[e.targetRef.name] = e.conditions.ready;
  }
  return out;
}

function terminating(api: FakeApiServer, name: string): boolean {
  const eps = api.list(SLICE, 'default').flatMap((s) => (s.endpoints ?? []) as Endpoint[]);
  const e = eps.find((x) => x.targetRef.name === name);
  return !!e && e.conditions.terminating && e.conditions.serving && !e.conditions.ready;
}

test('a Service gets an EndpointSlice and Endpoints that follow its pods and their readiness', async (t) => {
  const api = await start(t);
  api.seed(SERVICE, { metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' }, spec: { selector: { app: 'web' }, clusterIP: '10.96.0.20', ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }] } });
  api.seed(POD, pod('a', '10.88.0.2', true));
  api.seed(POD, pod('b', '10.88.0.3', false));
  api.seed(POD, { ...pod('other', '10.88.0.4', true), metadata: { name: 'other', namespace: 'default', labels: { app: 'db' } } });
  await eventually('a slice with both pods', () => JSON.stringify(sliceView(api)) === JSON.stringify({ a: true, b: false }));
  const [slice] = api.list(SLICE, 'default');
  assert.equal(slice?.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.deepEqual(slice?.ports, [{ name: '', port: 8080, protocol: 'TCP' }]);
  await eventually('Endpoints', () => subsetsOf(api, 'web')[0]?.notReadyAddresses?.[0]?.ip === '10.88.0.3');

  // b turns ready: it moves into the ready set of the slice and of Endpoints
  const b = api.get(POD, 'b', 'default') as KubeObject;
  await api.client().updateStatus(POD, { ...b, status: { ...b.status, conditions: [{ type: 'Ready', status: 'True' }] } });
  await eventually('b ready in the slice', () => sliceView(api).b === true);
  await eventually('b ready in Endpoints', () => (subsetsOf(api, 'web')[0]?.addresses ?? []).length === 2);

  // a is deleted: terminating first (no longer ready, still serving), then gone
  await api.client().delete(POD, 'a', { namespace: 'default' });
  await eventually('a terminating in the slice', () => terminating(api, 'a'));
  assert.equal(sliceView(api).a, false);
  await api.client().delete(POD, 'a', { namespace: 'default', gracePeriodSeconds: 0 });
  await eventually('a gone from the slice', () => JSON.stringify(sliceView(api)) === JSON.stringify({ b: true }));

  // a slice deleted by someone else comes back
  const current = api.list(SLICE, 'default')[0] as KubeObject;
  await api.client().delete(SLICE, current.metadata.name as string, { namespace: 'default' });
  await eventually('the slice recreated', () => JSON.stringify(sliceView(api)) === JSON.stringify({ b: true }) && api.list(SLICE, 'default')[0]?.metadata.name !== current.metadata.name);

  // the Service goes: its Endpoints go too (its slices go with the garbage collector, by owner reference)
  await api.client().delete(SERVICE, 'web', { namespace: 'default' });
  await eventually('Endpoints deleted', () => !api.get(ENDPOINTS, 'web', 'default'));
});

test('a Service without a selector is left to whoever manages its endpoints', async (t) => {
  const api = await start(t);
  api.seed(SERVICE, { metadata: { name: 'manual', namespace: 'default', uid: 'm' }, spec: { clusterIP: '10.96.0.21', ports: [{ port: 80, protocol: 'TCP' }] } });
  api.seed(ENDPOINTS, { metadata: { name: 'manual', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] }] });
  // a selector Service seeded after it is handled, so the controller has looked at both by then
  api.seed(SERVICE, { metadata: { name: 'web', namespace: 'default', uid: 'w' }, spec: { selector: { app: 'web' }, clusterIP: '10.96.0.22', ports: [{ port: 80, protocol: 'TCP' }] } });
  await eventually('the placeholder slice of web', () => api.list(SLICE, 'default').length === 1);
  assert.equal(api.list(SLICE, 'default')[0]?.metadata.labels?.['kubernetes.io/service-name'], 'web');
  assert.equal(subsetsOf(api, 'manual')[0]?.addresses?.[0]?.ip, '192.0.2.1');
});

test('a sync never plans from a slice cache that has not seen its own last writes (no second slice for the same pods)', async (t) => {
  const api = await start(t);
  // the controller's slice watch lags: what it creates is not in its cache yet
  api.holdWatches('endpointslices');
  api.seed(SERVICE, { metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' }, spec: { selector: { app: 'web' }, clusterIP: '10.96.0.20', ports: [{ port: 80, protocol: 'TCP' }] } });
  api.seed(POD, pod('a', '10.88.0.2', true));
  await eventually('the first slice created', () => api.list(SLICE, 'default').length === 1);
  // more pods arrive while the cache still shows no slice: syncs wait for it instead of creating another
  api.seed(POD, pod('b', '10.88.0.3', true));
  api.seed(POD, pod('c', '10.88.0.4', true));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(api.list(SLICE, 'default').length, 1);
  api.releaseWatches('endpointslices');
  await eventually('one slice with the three pods', () => JSON.stringify(sliceView(api)) === JSON.stringify({ a: true, b: true, c: true }));
  assert.equal(api.list(SLICE, 'default').length, 1);
});
