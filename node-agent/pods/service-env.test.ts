import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { containerEnv } from './env.js';
import { serviceEnv } from './service-env.js';

const svc = (namespace: string, name: string, clusterIP: string, ports: Array<{ name?: string; port: number; protocol?: string }>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: { clusterIP, ports } });
const pod = (namespace: string, spec: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name: 'p', uid: 'u' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } });
const kubernetes = svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]);

test('every pod gets the kubernetes Service\'s variables, as the kubelet sets them', () => {
  const env = serviceEnv(pod('team'), [kubernetes]);
  assert.deepEqual(Object.fromEntries(env), {
    KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443', KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443', KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443', KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
  });
  // with enableServiceLinks false too: only the namespace's Services go
  assert.equal(serviceEnv(pod('team', { enableServiceLinks: false }), [kubernetes]).get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
});

test('the namespace\'s Services with a cluster IP get theirs unless enableServiceLinks is false; other namespaces\' and headless ones do not', () => {
  const services = [kubernetes, svc('team', 'my-db', '10.96.0.9', [{ port: 5432 }, { name: 'metrics', port: 9187, protocol: 'UDP' }]),
    svc('team', 'headless', 'None', [{ port: 80 }]), svc('other', 'web', '10.96.0.7', [{ port: 80 }])];
  const env = serviceEnv(pod('team'), services);
  assert.equal(env.get('MY_DB_SERVICE_HOST'), '10.96.0.9');
  assert.equal(env.get('MY_DB_SERVICE_PORT'), '5432');
  assert.equal(env.get('MY_DB_SERVICE_PORT_METRICS'), '9187');
  assert.equal(env.get('MY_DB_PORT'), 'tcp://10.96.0.9:5432');
  assert.equal(env.get('MY_DB_PORT_9187_UDP'), 'udp://10.96.0.9:9187');
  assert.equal(env.get('MY_DB_PORT_9187_UDP_PROTO'), 'udp');
  assert.ok(![...env.keys()].some((k) => k.startsWith('HEADLESS_') || k.startsWith('WEB_')));
  const off = serviceEnv(pod('team', { enableServiceLinks: false }), services);
  assert.ok(!off.has('MY_DB_SERVICE_HOST'));
  assert.ok(off.has('KUBERNETES_SERVICE_HOST'));
});

test('a container\'s own env overrides a Service variable and may refer to one with $(VAR)', async () => {
  const p = pod('default');
  const c = { name: 'c', image: 'i', env: [{ name: 'KUBERNETES_SERVICE_PORT', value: '6443' }, { name: 'URL', value: 'https://$(KUBERNETES_SERVICE_HOST)' }] };
  const none = async () => undefined;
  const { env } = await containerEnv(p, c, { nodeName: 'n', hostIP: '192.0.2.1', services: [kubernetes] }, { configMap: none, secret: none, serviceAccount: none });
  const m = new Map(env.map((e) => [e.key, e.value]));
  assert.equal(m.get('KUBERNETES_SERVICE_PORT'), '6443');
  assert.equal(m.get('URL'), 'https://10.96.0.1');
  assert.equal(m.get('KUBERNETES_PORT_443_TCP_ADDR'), '10.96.0.1');
});
