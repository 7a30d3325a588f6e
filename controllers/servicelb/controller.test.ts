import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { eventually, FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { readyNodeAddresses, ServiceLBController } from './controller.js';

const SERVICE = findByKind('v1', 'Service')!;
const NODE = findByKind('v1', 'Node')!;

function node(name: string, ip: string, ready = true): KubeObject {
  return {
    metadata: { name },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown' }], addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
  };
}

function service(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name, namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...spec }, status: { loadBalancer: {} } };
}

async function start(t: { after: (fn: () => void | Promise<void>) => void }): Promise<FakeApiServer> {
  const api = new FakeApiServer();
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const controller = new ServiceLBController(new ControllerContext(client, informers));
  const abort = new AbortController();
  const running = controller.run(1, abort.signal);
  t.after(async () => {
    abort.abort();
    await running;
    informers.stop();
  });
  return api;
}

const ingress = (api: FakeApiServer, name: string): unknown => api.get(SERVICE, name, 'default')?.status?.loadBalancer?.ingress;

test('Ready nodes\' InternalIPs only, sorted', () => {
  assert.deepEqual(readyNodeAddresses([node('b', '10.0.0.12'), node('a', '10.0.0.2'), node('c', '10.0.0.3', false), node('d', 'fd00::1')]), ['10.0.0.2', '10.0.0.12', 'fd00::1']);
});

test('a LoadBalancer Service gets the Ready nodes as ingress (ipMode VIP), following nodes as they come, go and turn NotReady', async (t) => {
  const api = await start(t);
  api.seed(NODE, node('n1', '192.0.2.1'));
  api.seed(NODE, node('n2', '192.0.2.2', false));
  api.seed(SERVICE, service('web'));
  api.seed(SERVICE, service('plain', { type: 'ClusterIP' }));
  api.seed(SERVICE, service('other-class', { loadBalancerClass: 'example.com/lb' }));
  await eventually('ingress of web', () => JSON.stringify(ingress(api, 'web')) === JSON.stringify([{ ip: '192.0.2.1', ipMode: 'VIP' }]));
  const client = api.client();
  await client.updateStatus(NODE, node('n2', '192.0.2.2', true));
  await eventually('ingress of web', () => JSON.stringify(ingress(api, 'web')) === JSON.stringify([{ ip: '192.0.2.1', ipMode: 'VIP' }, { ip: '192.0.2.2', ipMode: 'VIP' }]));
  await client.delete(NODE, 'n1');
  await eventually('ingress of web', () => JSON.stringify(ingress(api, 'web')) === JSON.stringify([{ ip: '192.0.2.2', ipMode: 'VIP' }]));
  assert.equal(ingress(api, 'plain'), undefined, 'a ClusterIP Service is left alone');
  assert.equal(ingress(api, 'other-class'), undefined, 'a Service of another load balancer class is that one\'s');

  // turned into a ClusterIP Service, it loses its ingress
  const web = api.get(SERVICE, 'web', 'default') as KubeObject;
  await client.update(SERVICE, { ...web, spec: { ...web.spec, type: 'ClusterIP' } });
  await eventually('web without ingress', () => ingress(api, 'web') === undefined);
});
