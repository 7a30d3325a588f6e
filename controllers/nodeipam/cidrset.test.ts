import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet, NO_CIDRS_REMAINING } from './cidrset.js';
import { nodeIpamConfig } from './config.js';

test('a /22 cut into /24s: four subnets in order, then the range is full', () => {
  const s = new CidrSet('10.244.0.0/22', 24);
  assert.equal(s.size, 4);
  assert.deepEqual([s.allocateNext(), s.allocateNext(), s.allocateNext(), s.allocateNext()], ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24']);
  assert.throws(() => s.allocateNext(), { message: NO_CIDRS_REMAINING });
  assert.equal(s.usedCount, 4);
});

test('a released subnet is handed out again, after the never-used ones (round the range)', () => {
  const s = new CidrSet('10.244.0.0/22', 24);
  s.allocateNext();
  s.allocateNext();
  assert.equal(s.release('10.244.0.0/24'), true);
  assert.equal(s.allocateNext(), '10.244.2.0/24');
  assert.equal(s.allocateNext(), '10.244.3.0/24');
  assert.equal(s.allocateNext(), '10.244.0.0/24');
  assert.throws(() => s.allocateNext(), { message: NO_CIDRS_REMAINING });
});

test('occupy: what existing nodes hold is skipped (a restart rebuilds the set from them); outside the range is refused', () => {
  const s = new CidrSet('10.244.0.0/16', 24);
  assert.equal(s.occupy('10.244.0.0/24'), true);
  assert.equal(s.occupy('10.244.1.0/24'), true);
  assert.equal(s.occupy('10.244.1.0/24'), true, 'occupying twice is harmless');
  assert.equal(s.usedCount, 2);
  assert.equal(s.allocateNext(), '10.244.2.0/24');
  assert.equal(s.occupy('10.99.0.0/24'), false);
  assert.equal(s.occupy('10.0.0.0/8'), false, 'a CIDR larger than the range is outside it');
  assert.equal(s.occupy('fd00::/64'), false);
  assert.equal(s.occupy('garbage'), false);
  assert.equal(s.contains('10.244.200.0/24'), true);
  // a larger CIDR covers several subnets, a smaller one the subnet it lies in
  assert.equal(s.occupy('10.244.4.0/23'), true);
  assert.equal(s.occupy('10.244.6.128/25'), true);
  assert.deepEqual([s.isUsed('10.244.4.0/24'), s.isUsed('10.244.5.0/24'), s.isUsed('10.244.6.0/24'), s.isUsed('10.244.7.0/24')], [true, true, true, false]);
  assert.equal(s.allocateNext(), '10.244.3.0/24');
  assert.equal(s.allocateNext(), '10.244.7.0/24');
});

test('IPv6: a /56 cut into /64s', () => {
  const s = new CidrSet('fd00:10:244::/56', 64);
  assert.equal(s.size, 256);
  assert.equal(s.allocateNext(), 'fd00:10:244::/64');
  assert.equal(s.allocateNext(), 'fd00:10:244:1::/64');
  assert.equal(s.occupy('fd00:10:244:ff::/64'), true);
});

test('bad ranges are refused: mask shorter than the range, longer than the family, 2^17 subnets', () => {
  assert.throws(() => new CidrSet('10.244.0.0/16', 15), /between the cluster CIDR's prefix length \(16\) and 32/);
  assert.throws(() => new CidrSet('10.244.0.0/16', 33), /between/);
  assert.throws(() => new CidrSet('10.0.0.0/8', 25), /the node CIDR size is too big/);
  assert.throws(() => new CidrSet('10.0.0.300/8', 24), /invalid CIDR address/);
});

test('flags: off without --allocate-node-cidrs; 24 (IPv4) and 64 (IPv6) by default; dual-stack; mistakes named', () => {
  assert.equal(nodeIpamConfig({ allocateNodeCIDRs: false, clusterCIDR: '10.244.0.0/16' }), undefined);
  assert.deepEqual(nodeIpamConfig({ allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/16' }), { clusterCIDRs: ['10.244.0.0/16'], nodeCIDRMaskSizes: [24] });
  assert.deepEqual(nodeIpamConfig({ allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 26 }), { clusterCIDRs: ['10.244.0.0/16'], nodeCIDRMaskSizes: [26] });
  assert.deepEqual(nodeIpamConfig({ allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/16,fd00:10:244::/56' }), { clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'], nodeCIDRMaskSizes: [24, 64] });
  assert.deepEqual(nodeIpamConfig({ allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/16,fd00:10:244::/56', nodeCIDRMaskSizeIPv4: 25, nodeCIDRMaskSizeIPv6: 60 })?.nodeCIDRMaskSizes, [25, 60]);
  assert.throws(() => nodeIpamConfig({ allocateNodeCIDRs: true }), /--cluster-cidr is required/);
  assert.throws(() => nodeIpamConfig({ allocateNodeCIDRs: true, clusterCIDR: 'nope' }), /--cluster-cidr: invalid CIDR "nope"/);
  assert.throws(() => nodeIpamConfig({ allocateNodeCIDRs: true, clusterCIDR: '10.1.0.0/16,10.2.0.0/16' }), /one IPv4 and one IPv6/);
  assert.throws(() => nodeIpamConfig({ allocateNodeCIDRs: true, clusterCIDR: '10.1.0.0/16,fd00::/56', nodeCIDRMaskSize: 24 }), /not allowed with a dual-stack/);
  assert.deepEqual(nodeIpamConfig({ allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/24' })?.nodeCIDRMaskSizes, [24], 'a /24 range with /24 subnets: one node');
  assert.throws(() => nodeIpamConfig({ allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/25' }), /--cluster-cidr 10.244.0.0\/25 with node mask size 24: node CIDR mask size 24 must be between/);
});
