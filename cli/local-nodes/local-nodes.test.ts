// The pieces of `flotilla up --nodes N` that need no root: every name one cluster's nodes use follows from its data
// dir (so down finds them), the join command `flotilla token create` prints is read back, and the serving certificate
// requests the supervisor approves are exactly its own nodes', for their own name and address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { createCSR, KUBELET_SERVING } from '../../lib/certificates/csr.js';
import { parseJoinCommand } from './join.js';
import { dataDirHash, localNodesPlan } from './plan.js';
import { servingRequestMismatch } from './serving-approver.js';
import { overlapping } from './start.js';

test('a cluster\'s local nodes: names, addresses, data dirs and cgroups from its data dir', () => {
  const p = localNodesPlan({ dataDir: '/var/lib/f', nodeName: 'box', count: 3, segment: '10.117.0.0/24', cgroupRoot: '/flotilla-e2e-x' });
  const h = dataDirHash('/var/lib/f');
  assert.match(h, /^[0-9a-f]{6}$/);
  assert.equal(p.hostIP, '10.117.0.1');
  assert.equal(p.bridge, `flnet${h}`);
  assert.equal(p.guardTable, `flotilla-nodes-${h}`);
  assert.deepEqual(p.nodes.map((n) => [n.name, n.ip, n.netns, n.veth, n.dataDir, n.cgroupRoot]), [
    ['box-2', '10.117.0.2', `flotilla-${h}-2`, `flv${h}n2`, '/var/lib/f/nodes/box-2', `/flotilla-e2e-x/flotilla-${h}/box-2`],
    ['box-3', '10.117.0.3', `flotilla-${h}-3`, `flv${h}n3`, '/var/lib/f/nodes/box-3', `/flotilla-e2e-x/flotilla-${h}/box-3`],
  ]);
  for (const n of p.nodes) assert.ok(n.veth.length <= 15 && p.bridge.length <= 15, 'Linux device names are at most 15 characters');
  assert.equal(localNodesPlan({ dataDir: '/var/lib/f', nodeName: 'box', count: 2, segment: '10.117.0.0/24' }).nodes[0]?.cgroupRoot, `/flotilla-${h}/box-2`);
  assert.notEqual(dataDirHash('/var/lib/g'), h, 'another cluster, other names');
  assert.throws(() => localNodesPlan({ dataDir: '/d', nodeName: 'n', count: 2, segment: '10.1.0.0/25' }), /at least a \/24/);
  assert.throws(() => localNodesPlan({ dataDir: '/d', nodeName: 'n', count: 0, segment: '10.1.0.0/24' }), /--nodes must be between 1 and 200/);
});

test('the join command token create prints is read back; anything else is not one', () => {
  const line = 'flotilla agent --server https://10.117.0.1:6443 --token abcdef.0123456789abcdef --ca-file /d/pki/ca.crt --ca-cert-hash sha256:00ff';
  assert.deepEqual(parseJoinCommand(line), { server: 'https://10.117.0.1:6443', token: 'abcdef.0123456789abcdef', caFile: '/d/pki/ca.crt', caCertHash: 'sha256:00ff' });
  assert.equal(parseJoinCommand('flotilla agent --server https://x:1 --ca-file /c'), undefined, 'no token');
  assert.equal(parseJoinCommand('error: forbidden'), undefined);
});

interface Ask { requester: string; groups?: string[]; cn?: string; ips?: string[]; dns?: string[]; usages?: string[]; signer?: string; approved?: boolean }

async function servingCSR(o: Ask): Promise<KubeObject> {
  const { csr } = await createCSR({ commonName: o.cn ?? o.requester, organizations: ['system:nodes'], ipAddresses: o.ips ?? [], dnsNames: o.dns ?? [] });
  return {
    metadata: { name: 'csr-x' },
    spec: { request: Buffer.from(csr).toString('base64'), signerName: o.signer ?? KUBELET_SERVING, usages: o.usages ?? ['digital signature', 'server auth'],
      username: o.requester, groups: o.groups ?? ['system:nodes', 'system:authenticated'] },
    status: o.approved ? { conditions: [{ type: 'Approved', status: 'True' }] } : {},
  };
}

test('the supervisor approves its own nodes\' serving certificates only, for their own name and address', async () => {
  const nodes = new Map([['box-2', '10.117.0.2']]);
  const own = { requester: 'system:node:box-2', ips: ['10.117.0.2'], dns: ['box-2'] };
  assert.equal(servingRequestMismatch(await servingCSR(own), nodes), undefined);
  assert.equal(servingRequestMismatch(await servingCSR({ ...own, dns: [] }), nodes), undefined, 'the address alone will do');
  const refused: Array<[Ask, RegExp]> = [
    [{ ...own, ips: ['10.117.0.3'] }, /not the node's address 10\.117\.0\.2/],
    [{ ...own, ips: ['10.117.0.2', '192.0.2.2'] }, /not the node's address/],
    [{ ...own, dns: ['kubernetes'] }, /not the node's name box-2/],
    [{ ...own, cn: 'system:node:box-3' }, /asks for system:node:box-3/],
    [{ ...own, requester: 'system:node:elsewhere', cn: 'system:node:elsewhere' }, /none of this cluster's local nodes/],
    [{ ...own, requester: 'alice' }, /none of this cluster's local nodes/],
    [{ ...own, groups: ['system:authenticated'] }, /not in system:nodes/],
    [{ ...own, usages: ['digital signature', 'client auth'] }, /key usage does not match/],
    [{ ...own, signer: 'kubernetes.io/kube-apiserver-client-kubelet' }, /not a kubelet-serving request/],
    [{ ...own, approved: true }, /already decided/],
  ];
  for (const [o, why] of refused) assert.match(servingRequestMismatch(await servingCSR(o), nodes) ?? '(approved)', why, JSON.stringify(o));
});

test('a segment inside the cluster CIDR (node IPAM could hand it to a node\'s pods) or over a route is recognised', () => {
  assert.equal(overlapping('10.117.0.0/24', '10.0.0.0/8'), true);
  assert.equal(overlapping('10.117.0.0/24', '10.117.0.128/25'), true);
  assert.equal(overlapping('10.117.0.0/24', '10.143.0.0/16'), false);
  assert.equal(overlapping('192.0.2.2/32', '192.0.2.0/24'), true);
  assert.equal(overlapping('0.0.0.0/0', '10.1.0.0/24'), true);
  assert.equal(overlapping('default', '10.1.0.0/24'), false, 'not a CIDR');
});
