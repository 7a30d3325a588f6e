// host-gw's plan: which other nodes get a route (a pod CIDR and an InternalIP on one of this node's links), which do
// not (another segment, no pod CIDR yet, this node, a CIDR that would shadow a local network), and the masquerade
// table (only what leaves the pod network).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { fullTransaction } from '../nft/ruleset.js';
import { clusterPodCIDRs, hostGatewayRoutes, masqueradeTableName, parseAddresses, podCIDRsOf, renderMasquerade, withoutNested } from './plan.js';

const node = (name: string, podCIDR: string | undefined, ip: string | undefined, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  metadata: { name, ...extra },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  status: { addresses: [...(ip ? [{ type: 'InternalIP', address: ip }] : []), { type: 'Hostname', address: name }] },
});

const links = [{ device: 'eth0', cidr: '10.162.0.2/24' }, { device: 'eth1', cidr: '192.168.7.5/24' }];

test('a route to every other node on one of this node\'s links, via its InternalIP', () => {
  const nodes = [
    node('self', '10.143.1.0/24', '10.162.0.2'),
    node('a', '10.143.0.0/24', '10.162.0.1'),
    node('b', '10.143.2.0/24', '192.168.7.9'),
    node('far', '10.143.3.0/24', '172.16.0.4'), // another segment: host-gw cannot reach it in one hop
    node('new', undefined, '10.162.0.3'), // no pod CIDR yet
    node('hollow', '10.143.4.0/24', undefined), // no InternalIP
    node('going', '10.143.5.0/24', '10.162.0.6', { deletionTimestamp: '2026-01-01T00:00:00Z' }),
  ];
  assert.deepEqual(hostGatewayRoutes('self', nodes, links, ['10.143.1.0/24']), [
    { dst: '10.143.0.0/24', via: '10.162.0.1', node: 'a' },
    { dst: '10.143.2.0/24', via: '192.168.7.9', node: 'b' },
  ]);
});

test('no route that would take a local network\'s traffic, go through this node, or be claimed twice', () => {
  const nodes = [
    node('mine', '10.162.0.0/25', '10.162.0.9'), // inside a link's subnet
    node('me-too', '10.143.7.0/24', '10.162.0.2'), // names this node's own address
    node('own', '10.143.1.0/24', '10.162.0.8'), // this node's own pod CIDR
    node('x', '10.143.8.0/24', '10.162.0.10'),
    node('y', '10.143.8.0/24', '10.162.0.11'), // the same CIDR again (a bad edit): the first keeps it
  ];
  assert.deepEqual(hostGatewayRoutes('self', nodes, links, ['10.143.1.0/24']), [{ dst: '10.143.8.0/24', via: '10.162.0.10', node: 'x' }]);
});

test('pod CIDRs: spec.podCIDRs (IPv4 only) else spec.podCIDR, canonical; the cluster\'s without duplicates or nesting', () => {
  assert.deepEqual(podCIDRsOf({ metadata: { name: 'd' }, spec: { podCIDRs: ['10.1.2.3/24', 'fd00::/64'] } }), ['10.1.2.0/24']);
  assert.deepEqual(podCIDRsOf({ metadata: { name: 'o' }, spec: { podCIDR: '10.1.3.0/24' } }), ['10.1.3.0/24']);
  assert.deepEqual(podCIDRsOf({ metadata: { name: 'n' }, spec: { podCIDR: 'nonsense' } }), []);
  assert.deepEqual(clusterPodCIDRs([node('a', '10.1.1.0/24', '1.1.1.1'), node('b', '10.1.0.0/24', '1.1.1.2')], ['10.1.0.0/24']), ['10.1.0.0/24', '10.1.1.0/24']);
  assert.deepEqual(withoutNested(['10.1.0.0/16', '10.1.5.0/24', '10.2.0.0/24', '10.1.0.0/16']), ['10.1.0.0/16', '10.2.0.0/24']);
});

test('parseAddresses reads `ip -4 -o addr show`', () => {
  const out = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever
7: veth1@if6    inet 10.9.0.1/30 scope global veth1\\       valid_lft forever preferred_lft forever
`;
  assert.deepEqual(parseAddresses(out), [{ device: 'lo', cidr: '127.0.0.1/8' }, { device: 'eth0', cidr: '192.0.2.2/24' }, { device: 'veth1', cidr: '10.9.0.1/30' }]);
});

test('the masquerade table: this node\'s pods going outside the pod network only, in one postrouting chain', () => {
  const rs = renderMasquerade('flotilla1a2b3c', ['10.143.1.0/24'], ['10.143.0.0/24', '10.143.1.0/24', '10.143.2.0/24']);
  assert.equal(rs.table, masqueradeTableName('flotilla1a2b3c'));
  assert.equal(rs.table, 'flotilla-hostgw-flotilla1a2b3c');
  assert.deepEqual([...(rs.sets.get('pod-cidrs')?.elements.keys() ?? [])], ['10.143.1.0/24']);
  assert.deepEqual([...(rs.sets.get('cluster-cidrs')?.elements.keys() ?? [])], ['10.143.0.0/24', '10.143.1.0/24', '10.143.2.0/24']);
  const script = fullTransaction(rs);
  assert.match(script, /add chain ip flotilla-hostgw-flotilla1a2b3c postrouting \{ type nat hook postrouting priority srcnat; policy accept; \}/);
  assert.deepEqual(rs.chains.get('postrouting')?.rules, ['ip saddr != @pod-cidrs return', 'ip daddr @cluster-cidrs return', 'ip daddr 224.0.0.0/4 return', 'masquerade']);
  assert.throws(() => masqueradeTableName('Bad Name'), /invalid node network instance name/);
});
