import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatResolvConf, parseResolvConf, podDnsConfig, type NodeDnsSettings } from './resolvconf.js';

const NODE: NodeDnsSettings = {
  clusterDNS: ['10.96.0.10'],
  clusterDomain: 'cluster.local',
  hostResolvConf: '# the node\nnameserver 192.168.1.1\nnameserver 192.168.1.2\nsearch corp.example. lab.example\noptions rotate timeout:2\n',
};

test('ClusterFirst: the cluster DNS, the cluster search path then the node\'s, ndots:5', () => {
  const c = podDnsConfig({ namespace: 'shop' }, NODE);
  assert.deepEqual(c, { servers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'], options: ['ndots:5'], warnings: [] });
  assert.equal(formatResolvConf(c), 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n');
});

test('hostNetwork: ClusterFirst falls back to Default; ClusterFirstWithHostNet keeps the cluster DNS', () => {
  assert.deepEqual(podDnsConfig({ namespace: 'a', hostNetwork: true }, NODE).servers, ['192.168.1.1', '192.168.1.2']);
  assert.deepEqual(podDnsConfig({ namespace: 'a', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, NODE).servers, ['10.96.0.10']);
});

test('Default: the node\'s resolv.conf as it is; without one, the node\'s loopback', () => {
  assert.deepEqual(podDnsConfig({ namespace: 'a', dnsPolicy: 'Default' }, NODE), { servers: ['192.168.1.1', '192.168.1.2'], searches: ['corp.example', 'lab.example'], options: ['rotate', 'timeout:2'], warnings: [] });
  assert.deepEqual(podDnsConfig({ namespace: 'a', dnsPolicy: 'Default' }, { ...NODE, hostResolvConf: undefined }), { servers: ['127.0.0.1'], searches: ['.'], options: [], warnings: [] });
});

test('None: only dnsConfig; dnsConfig merges into the others (appended, deduplicated, options by name)', () => {
  const none = podDnsConfig({ namespace: 'a', dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }, NODE);
  assert.deepEqual(none, { servers: ['1.1.1.1'], searches: ['x.example'], options: ['ndots:2', 'edns0'], warnings: [] });
  const merged = podDnsConfig({ namespace: 'a', dnsConfig: { nameservers: ['10.96.0.10', '9.9.9.9'], searches: ['cluster.local', 'extra.example'], options: [{ name: 'ndots', value: '1' }, { name: 'single-request-reopen' }] } }, NODE);
  assert.deepEqual(merged.servers, ['10.96.0.10', '9.9.9.9']);
  assert.deepEqual(merged.searches, ['a.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example', 'extra.example']);
  assert.deepEqual(merged.options, ['ndots:1', 'single-request-reopen']);
});

test('the kubelet\'s limits: 3 nameservers, 32 search domains of at most 253 characters, with a warning', () => {
  const c = podDnsConfig({ namespace: 'a', dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'], searches: [...Array.from({ length: 40 }, (_, i) => `d${i}.example`), 'x'.repeat(300)] } }, NODE);
  assert.deepEqual(c.servers, ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
  assert.equal(c.searches.length, 32);
  assert.equal(c.warnings.length, 2);
  assert.match(c.warnings[0] ?? '', /^Nameserver limits were exceeded/);
  assert.match(c.warnings[1] ?? '', /^Search Line limits were exceeded/);
});

test('no cluster DNS configured: ClusterFirst falls back to Default with the kubelet\'s warning', () => {
  const c = podDnsConfig({ namespace: 'a' }, { ...NODE, clusterDNS: [] });
  assert.deepEqual(c.servers, ['192.168.1.1', '192.168.1.2']);
  assert.match(c.warnings[0] ?? '', /does not have ClusterDNS IP configured/);
});

test('resolv.conf parsing: nameservers accumulate, the last search and options lines win', () => {
  assert.deepEqual(parseResolvConf('search a\nnameserver 1.1.1.1\nsearch b c.\n# x\noptions ndots:1\noptions attempts:3\nnameserver 2.2.2.2'), { nameservers: ['1.1.1.1', '2.2.2.2'], searches: ['b', 'c'], options: ['attempts:3'] });
});
