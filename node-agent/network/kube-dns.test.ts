import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterDNSIP, withNodeLocalDNS } from './kube-dns.js';
import type { NetworkModel, ServiceModel } from './model.js';

const model = (services: ServiceModel[] = [], endpoints: NetworkModel['endpoints'] = []): NetworkModel => ({
  nodeName: 'n1', nodeIPs: ['192.0.2.10'], clusterCIDRs: ['10.88.0.0/16'], serviceCIDRs: ['10.96.0.0/12'], services, endpoints, pods: [], namespaces: [], networkPolicies: [],
});
const local = { address: '10.88.0.1', port: 53 };

test('the cluster DNS address is the tenth of the service range, as kubeadm picks it', () => {
  assert.equal(clusterDNSIP('10.96.0.0/12'), '10.96.0.10');
  assert.equal(clusterDNSIP('10.100.0.0/16'), '10.100.0.10');
  assert.equal(clusterDNSIP('fd00:10:96::/108'), 'fd00:10:96::a');
  assert.equal(clusterDNSIP('10.0.0.0/29'), undefined, 'a range too small to hold it');
  assert.equal(clusterDNSIP('nonsense'), undefined);
});

test('kube-dns from the API keeps its address and ports; its endpoints become the node-local server', () => {
  const svc: ServiceModel = { namespace: 'kube-system', name: 'kube-dns', type: 'ClusterIP', clusterIPs: ['10.96.0.10'],
    ports: [{ name: 'dns', protocol: 'UDP', port: 53 }, { name: 'dns-tcp', protocol: 'TCP', port: 53 }, { name: 'metrics', protocol: 'TCP', port: 9153 }] };
  const fromApi = { service: { namespace: 'kube-system', name: 'kube-dns' }, addresses: ['10.88.5.5'], ports: [], ready: true, serving: true, terminating: false };
  const m = withNodeLocalDNS(model([svc], [fromApi]), '10.96.0.10', { address: '10.88.0.1', port: 5353 });
  assert.deepEqual(m.services, [svc]);
  assert.deepEqual(m.endpoints, [{
    service: { namespace: 'kube-system', name: 'kube-dns' }, addresses: ['10.88.0.1'],
    ports: [{ name: 'dns', protocol: 'UDP', port: 5353 }, { name: 'dns-tcp', protocol: 'TCP', port: 5353 }],
    ready: true, serving: true, terminating: false, nodeName: 'n1',
  }]);
});

test('without the Service object the rule is there all the same, unless another Service holds the address', () => {
  const m = withNodeLocalDNS(model(), '10.96.0.10', local);
  assert.deepEqual(m.services.map((s) => [s.namespace, s.name, s.clusterIPs, s.ports.map((p) => `${p.name}/${p.protocol}/${p.port}`)]),
    [['kube-system', 'kube-dns', ['10.96.0.10'], ['dns/UDP/53', 'dns-tcp/TCP/53']]]);
  assert.equal(m.endpoints.length, 1);
  const other: ServiceModel = { namespace: 'default', name: 'mine', type: 'ClusterIP', clusterIPs: ['10.96.0.10'], ports: [{ name: '', protocol: 'TCP', port: 80 }] };
  const taken = model([other]);
  assert.equal(withNodeLocalDNS(taken, '10.96.0.10', local), taken);
});
