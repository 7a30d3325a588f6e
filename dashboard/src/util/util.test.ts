import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/types.js';
import { age, formatBytes, formatCpu, humanDuration, parseQuantity } from './format.js';
import { nodeRoles, nodeStatus } from './nodes.js';
import { podRequests, podStatus, readyText, restarts } from './pods.js';

const pod = (status: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status, ...extra });

test('the STATUS column reads as kubectl\'s', () => {
  assert.equal(podStatus(pod({ phase: 'Pending' })), 'Pending');
  assert.equal(podStatus(pod({ phase: 'Pending', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ContainerCreating' } } }] })), 'ContainerCreating');
  assert.equal(podStatus(pod({ phase: 'Running', containerStatuses: [{ name: 'a', ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } }, { name: 'b', ready: true, state: { running: {} } }] })), 'CrashLoopBackOff');
  assert.equal(podStatus(pod({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] })), 'OOMKilled');
  assert.equal(podStatus(pod({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 3 } } }] })), 'ExitCode:3');
  assert.equal(podStatus(pod({ phase: 'Running' }, { metadata: { name: 'p', deletionTimestamp: '2024-01-01T00:00:00Z' } })), 'Terminating');
  assert.equal(podStatus(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'PodInitializing' } } }] }, { spec: { initContainers: [{ name: 'i' }], containers: [] } })), 'Init:0/1');
  assert.equal(podStatus(pod({ phase: 'Evicted', reason: 'Evicted' })), 'Evicted');
});

test('READY, RESTARTS and the requests a pod makes of its node', () => {
  const p = pod({ containerStatuses: [{ name: 'a', ready: true, restartCount: 2 }, { name: 'b', ready: false, restartCount: 1 }] });
  assert.equal(readyText(p), '1/2');
  assert.equal(restarts(p), 3);
  assert.deepEqual(podRequests({ metadata: { name: 'x' }, spec: { containers: [{ resources: { requests: { cpu: '250m', memory: '64Mi' } } }, { resources: { requests: { cpu: '1' } } }, {}] } }), { cpu: 1.25, memory: 64 * 2 ** 20 });
});

test('quantities, durations and sizes', () => {
  assert.equal(parseQuantity('100m'), 0.1);
  assert.equal(parseQuantity('2'), 2);
  assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('128M'), 128e6);
  assert.ok(Number.isNaN(parseQuantity('12 apples')));
  assert.ok(Number.isNaN(parseQuantity(undefined)));
  assert.equal(humanDuration(45_000), '45s');
  assert.equal(humanDuration(303_000), '5m3s');
  assert.equal(humanDuration(65 * 60_000), '65m');
  assert.equal(humanDuration(5 * 3600_000 + 20 * 60_000), '5h20m');
  assert.equal(humanDuration(30 * 3600_000), '30h');
  assert.equal(humanDuration(3 * 86400_000 + 4 * 3600_000), '3d4h');
  assert.equal(humanDuration(400 * 86400_000), '400d');
  assert.equal(age('2024-01-01T00:00:00Z', Date.parse('2024-01-01T00:01:00Z')), '60s');
  assert.equal(age(undefined), '<unknown>');
  assert.equal(formatCpu(0.25), '250m');
  assert.equal(formatCpu(32), '32');
  assert.equal(formatBytes(64 * 2 ** 20), '64Mi');
  assert.equal(formatBytes(1.5 * 2 ** 30), '1.5Gi');
});

test('node status and roles', () => {
  const n: KubeObject = { metadata: { name: 'n', labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': '' } }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  assert.equal(nodeStatus(n), 'Ready,SchedulingDisabled');
  assert.equal(nodeRoles(n), 'control-plane,worker');
  assert.equal(nodeStatus({ metadata: { name: 'x' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }), 'Unknown');
  assert.equal(nodeRoles({ metadata: { name: 'x' } }), '<none>');
});
