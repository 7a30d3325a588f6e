import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { daemonTolerations, nodeEligibility, nodeOfPod, podForNode, withDaemonTolerations } from './placement.js';

const node = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []): KubeObject => ({ metadata: { name, labels }, spec: { taints } });
const ds = (spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'agent', namespace: 'kube-system', generation: 4 },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'x' }], ...spec } } },
});

test('every node is eligible for a plain DaemonSet', () => {
  assert.deepEqual(nodeEligibility(ds(), node('n1')), { shouldRun: true, shouldContinueRunning: true });
});

test('nodeSelector and required node affinity decide eligibility, both ways', () => {
  const sel = ds({ nodeSelector: { disk: 'ssd' } });
  assert.equal(nodeEligibility(sel, node('n1', { disk: 'ssd' })).shouldRun, true);
  assert.deepEqual(nodeEligibility(sel, node('n2', { disk: 'hdd' })), { shouldRun: false, shouldContinueRunning: false });
  const aff = ds({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } } } });
  assert.equal(nodeEligibility(aff, node('n1', { zone: 'b' })).shouldRun, true);
  assert.deepEqual(nodeEligibility(aff, node('n2', { zone: 'c' })), { shouldRun: false, shouldContinueRunning: false });
  assert.equal(nodeEligibility(ds({ nodeName: 'n1' }), node('n2')).shouldRun, false);
});

test('an untolerated NoSchedule taint keeps new pods off but the running one may stay; NoExecute evicts it', () => {
  const noSchedule = node('n1', {}, [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]);
  assert.deepEqual(nodeEligibility(ds(), noSchedule), { shouldRun: false, shouldContinueRunning: true });
  const noExecute = node('n1', {}, [{ key: 'dedicated', value: 'infra', effect: 'NoExecute' }]);
  assert.deepEqual(nodeEligibility(ds(), noExecute), { shouldRun: false, shouldContinueRunning: false });
  const tolerating = ds({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoExecute' }] });
  assert.deepEqual(nodeEligibility(tolerating, noExecute), { shouldRun: true, shouldContinueRunning: true });
  assert.equal(nodeEligibility(ds(), node('n1', {}, [{ key: 'x', effect: 'PreferNoSchedule' }])).shouldRun, true);
});

test('the node.kubernetes.io taints daemon pods tolerate by default do not keep them off', () => {
  for (const [key, effect] of [['node.kubernetes.io/not-ready', 'NoExecute'], ['node.kubernetes.io/unreachable', 'NoExecute'], ['node.kubernetes.io/disk-pressure', 'NoSchedule'],
    ['node.kubernetes.io/memory-pressure', 'NoSchedule'], ['node.kubernetes.io/pid-pressure', 'NoSchedule'], ['node.kubernetes.io/unschedulable', 'NoSchedule']]) {
    assert.equal(nodeEligibility(ds(), node('n1', {}, [{ key, effect }])).shouldRun, true, key);
  }
  const netDown = node('n1', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]);
  assert.equal(nodeEligibility(ds(), netDown).shouldRun, false, 'only host-network pods tolerate network-unavailable');
  assert.equal(nodeEligibility(ds({ hostNetwork: true }), netDown).shouldRun, true);
  assert.equal(daemonTolerations(false).length, 6);
  assert.equal(daemonTolerations(true).length, 7);
});

test('a template toleration of the same key and effect is not added twice', () => {
  const own = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }];
  const all = withDaemonTolerations(own, false);
  assert.equal(all.filter((t) => t.key === 'node.kubernetes.io/not-ready').length, 1);
  assert.equal(all[0], own[0]);
});

test('the pod for a node is pinned by metadata.name affinity, labelled with the revision, and found again by it', () => {
  const d = ds({ affinity: { nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }] },
    preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'fast', operator: 'Exists' }] } }],
  } } });
  const pod = podForNode(d, 'n7', 'abc123');
  assert.deepEqual(pod.spec?.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n7'] }] }] });
  assert.equal(pod.spec?.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.length, 1, 'preferred terms are kept');
  assert.deepEqual(pod.metadata.labels, { app: 'agent', 'controller-revision-hash': 'abc123', 'pod-template-generation': '4' });
  assert.equal(pod.metadata.generateName, 'agent-');
  assert.equal(nodeOfPod(pod), 'n7');
  assert.equal(nodeOfPod({ ...pod, spec: { ...pod.spec, nodeName: 'n8' } }), 'n8');
  assert.equal(d.spec?.template.spec.tolerations, undefined, 'the DaemonSet itself is not changed');
});
