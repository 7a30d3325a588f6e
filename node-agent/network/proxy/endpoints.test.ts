import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpoints, model, service } from '../testing/fixtures.js';
import { DEFAULT_AFFINITY_SECONDS, planServicePorts } from './endpoints.js';

test('ready endpoints are used; the serving-terminating ones only when none is ready; not-serving never', () => {
  const eps = [
    ...endpoints('web', ['10.0.0.1'], { ready: false, serving: true, terminating: true }),
    ...endpoints('web', ['10.0.0.2'], { ready: false, serving: false, terminating: true }),
    ...endpoints('web', ['10.0.0.3'], { ready: false, serving: false, terminating: false }),
  ];
  const only = planServicePorts(model({ services: [service('web', '10.96.0.1')], endpoints: eps }), 4);
  assert.deepEqual(only[0]?.clusterEndpoints.map((e) => e.ip), ['10.0.0.1']);
  const withReady = planServicePorts(model({ services: [service('web', '10.96.0.1')], endpoints: [...eps, ...endpoints('web', ['10.0.0.4'])] }), 4);
  assert.deepEqual(withReady[0]?.clusterEndpoints.map((e) => e.ip), ['10.0.0.4']);
});

test('endpoint ports are matched by name and protocol; an address in two slices counts once, the ready copy winning', () => {
  const svc = service('web', '10.96.0.1', { ports: [{ name: 'http', protocol: 'TCP', port: 80 }, { name: 'dns', protocol: 'UDP', port: 53 }] });
  const eps = [
    ...endpoints('web', ['10.0.0.1'], { ports: [{ name: 'http', protocol: 'TCP', port: 8080 }, { name: 'dns', protocol: 'UDP', port: 5353 }] }),
    ...endpoints('web', ['10.0.0.1'], { ready: false, ports: [{ name: 'http', protocol: 'TCP', port: 8080 }] }),
    ...endpoints('web', ['10.0.0.2'], { ports: [{ name: 'dns', protocol: 'TCP', port: 5353 }] }),
    ...endpoints('other', ['10.0.0.9']),
  ];
  const plans = planServicePorts(model({ services: [svc], endpoints: eps }), 4);
  assert.deepEqual(plans.map((p) => [p.key, p.clusterEndpoints.map((e) => `${e.ip}:${e.port}`)]), [
    ['default/web/tcp/http', ['10.0.0.1:8080']],
    ['default/web/udp/dns', ['10.0.0.1:5353']],
  ]);
});

test('families are programmed apart; headless and ExternalName Services are not proxied', () => {
  const m = model({
    services: [
      service('dual', '10.96.0.1', { clusterIPs: ['10.96.0.1', 'FD00:0:0::1'] }),
      service('headless', 'None'),
      service('ext', '', { type: 'ExternalName', clusterIPs: [], externalName: 'example.org' }),
    ],
    endpoints: [...endpoints('dual', ['10.0.0.1', 'fd01::0001'])],
  });
  const v4 = planServicePorts(m, 4);
  const v6 = planServicePorts(m, 6);
  assert.deepEqual(v4.map((p) => [p.clusterIPs, p.clusterEndpoints.map((e) => e.ip)]), [[['10.96.0.1'], ['10.0.0.1']]]);
  assert.deepEqual(v6.map((p) => [p.clusterIPs, p.clusterEndpoints.map((e) => e.ip)]), [[['fd00::1'], ['fd01::1']]]);
});

test('local endpoints, node ports only for NodePort/LoadBalancer, LB IPs only for LoadBalancer, affinity defaults', () => {
  const m = model({
    services: [
      service('np', '10.96.0.1', { type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30000 }], loadBalancerIngressIPs: ['1.2.3.4'] }),
      service('cip', '10.96.0.2', { ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30001 }], internalTrafficPolicy: 'Local' }),
      service('lb', '10.96.0.3', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerIngressIPs: ['1.2.3.4'], sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 30 }),
    ],
    endpoints: [...endpoints('np', ['10.0.0.1']), ...endpoints('cip', ['10.0.0.2']), ...endpoints('cip', ['10.0.0.3'], { nodeName: 'node-2' })],
  });
  const [cip, lb, np] = planServicePorts(m, 4);
  assert.equal(np?.nodePort, 30000);
  assert.deepEqual(np?.loadBalancerIPs, []);
  assert.equal(np?.affinitySeconds, DEFAULT_AFFINITY_SECONDS);
  assert.equal(cip?.nodePort, undefined);
  assert.equal(cip?.internalLocal, true);
  assert.deepEqual(cip?.localEndpoints.map((e) => e.ip), ['10.0.0.2']);
  assert.deepEqual(cip?.clusterEndpoints.map((e) => e.ip), ['10.0.0.2', '10.0.0.3']);
  assert.deepEqual(lb?.loadBalancerIPs, ['1.2.3.4']);
  assert.equal(lb?.externalLocal, true);
  assert.equal(lb?.affinitySeconds, 30);
});
