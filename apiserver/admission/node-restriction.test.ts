import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import type { WriteContext } from '../registry/types.js';
import type { AccessContext } from '../auth/rbac/escalation.js';
import { nodeMaySetLabel, restrictLeaseWrite, restrictNodeWrite } from './node-restriction.js';

const as = (username: string, groups: string[]): WriteContext => ({
  dryRun: false, fieldValidation: 'Strict', warnings: [],
  access: { user: { username, groups }, authorizer: { authorize: async () => ({ decision: 'allow', reason: '' }) } } as AccessContext,
});
const n1 = as('system:node:n1', ['system:nodes']);
const node = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { taints } });

test('the labels a node may set on itself: its own namespace and the kubelet set, not node-restriction nor node-role', () => {
  for (const ok of ['app', 'example.com/rack', 'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'node.kubernetes.io/instance-type', 'kubelet.kubernetes.io/x']) {
    assert.equal(nodeMaySetLabel(ok), true, ok);
  }
  for (const no of ['node-restriction.kubernetes.io/pci', 'a.node-restriction.kubernetes.io/x', 'node-role.kubernetes.io/control-plane', 'kubernetes.io/role', 'k8s.io/x', 'x.k8s.io/y']) {
    assert.equal(nodeMaySetLabel(no), false, no);
  }
});

test('a node writes only itself; labels and taints as NodeRestriction allows; others are not restricted', async () => {
  await restrictNodeWrite(node('n1', { 'kubernetes.io/hostname': 'n1' }), undefined, n1);
  await assert.rejects(restrictNodeWrite(node('n2'), undefined, n1), /nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"/);
  await assert.rejects(restrictNodeWrite(node('n1', { 'node-restriction.kubernetes.io/gpu': 'yes' }), undefined, n1), /is not allowed to set the following labels: node-restriction.kubernetes.io\/gpu/);
  const old = node('n1', { 'node-role.kubernetes.io/worker': '' });
  // keeping a label it may not set is fine; changing or removing it is not
  await restrictNodeWrite(node('n1', { 'node-role.kubernetes.io/worker': '', team: 'a' }), old, n1);
  await assert.rejects(restrictNodeWrite(node('n1', {}), old, n1), /is not allowed to modify labels: node-role.kubernetes.io\/worker/);
  await assert.rejects(restrictNodeWrite(node('n1', old.metadata.labels as Record<string, string>, [{ key: 'k', effect: 'NoSchedule' }]), old, n1), /is not allowed to modify taints/);
  // an admin, or the server's own write, is not a node
  await restrictNodeWrite(node('n2', { 'node-restriction.kubernetes.io/gpu': 'yes' }), undefined, as('admin', ['system:masters']));
  await restrictNodeWrite(node('n2'), undefined, { dryRun: false, fieldValidation: 'Strict', warnings: [] });
});

test('a node creates and updates only its own lease in kube-node-lease', async () => {
  const lease = (ns: string, name: string): KubeObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: ns, name } });
  await restrictLeaseWrite(lease('kube-node-lease', 'n1'), undefined, n1);
  await assert.rejects(restrictLeaseWrite(lease('kube-node-lease', 'n2'), undefined, n1), /can only access node lease with the same name as the requesting node/);
  await assert.rejects(restrictLeaseWrite(lease('kube-system', 'n1'), undefined, n1), /can only access node lease/);
});
