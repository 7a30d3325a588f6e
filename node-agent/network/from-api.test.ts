import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, endpointModels, serviceModel } from './from-api.js';
import { readPodNetwork, upstreamsOf } from './pod-network.js';

test('Services and EndpointSlices become the data plane model, with the API\'s nil readings', () => {
  const svc = serviceModel({
    metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'NodePort', clusterIP: '10.96.3.4', clusterIPs: ['10.96.3.4'], ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 'bad' }], sessionAffinity: 'ClientIP', externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Cluster' },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.7' }] } },
  });
  assert.deepEqual(svc, {
    namespace: 'default', name: 'web', type: 'NodePort', clusterIPs: ['10.96.3.4'], ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30080 }],
    sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 10800, externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Cluster', loadBalancerIngressIPs: ['192.0.2.7'],
  });
  const eps = endpointModels({
    metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.88.0.2'], conditions: {}, nodeName: 'n1' },
      { addresses: ['10.88.0.3'], conditions: { ready: false, serving: true, terminating: true } },
      { addresses: [] },
    ],
  });
  assert.deepEqual(eps.map((e) => [e.addresses[0], e.ready, e.serving, e.terminating]), [['10.88.0.2', true, true, false], ['10.88.0.3', false, true, true]]);
  assert.deepEqual(eps[0]?.service, { namespace: 'default', name: 'web' });
  // a slice naming no Service, or of FQDNs, is nothing to the proxy
  assert.deepEqual(endpointModels({ metadata: { name: 'x', namespace: 'default' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }] }), []);
  const model = buildModel({ nodeName: 'n1', nodeIPs: ['192.0.2.1'], clusterCIDRs: ['10.88.0.0/16'], serviceCIDRs: ['10.96.0.0/12'] }, {
    services: [], endpointSlices: [], namespaces: [{ metadata: { name: 'default', labels: { a: 'b' } } }], networkPolicies: [],
    pods: [{ metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1' }, status: { podIP: '10.88.0.9' } }, { metadata: { name: 'pending', namespace: 'default' }, spec: {} }],
  });
  assert.deepEqual(model.pods.map((p) => [p.name, p.ips]), [['p', ['10.88.0.9']]]);
  assert.deepEqual(model.namespaces, [{ name: 'default', labels: { a: 'b' } }]);
});

test('the pod network is read from the runtime\'s CNI conflist; upstreams from resolv.conf', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(readPodNetwork(join(dir, 'missing')), undefined);
  writeFileSync(join(dir, '10-flotilla-abc.conflist'), JSON.stringify({ plugins: [{ type: 'bridge', bridge: 'flotillaabc', ipam: { ranges: [[{ subnet: '10.123.0.0/16' }]] } }, { type: 'portmap' }] }));
  assert.deepEqual(readPodNetwork(dir), { bridge: 'flotillaabc', subnet: '10.123.0.0/16', gateway: '10.123.0.1', prefixLength: 16 });
  assert.deepEqual(upstreamsOf('# x\nnameserver 192.0.2.53\nsearch a\nnameserver fe80::1%eth0\n'), [{ address: '192.0.2.53', port: 53 }, { address: 'fe80::1', port: 53 }]);
});
