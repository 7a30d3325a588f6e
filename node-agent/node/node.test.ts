// The node's status report: written when a reported field changed, else once every five minutes (the Lease is the
// heartbeat), as the kubelet does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { nodeStatus, STATUS_REPORT_EVERY_MS, statusToReport, type NodeFacts } from './node.js';

const facts: NodeFacts = { dataDir: '/', hostIP: '10.0.0.2', hostname: 'n1', port: 10250, version: undefined, ready: { status: 'True', reason: 'KubeletReady', message: 'ready' } };
const node = (status: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status });

test('a new node, or one with no status yet, is reported', () => {
  assert.equal(statusToReport(undefined, nodeStatus(undefined, facts)), true);
  assert.equal(statusToReport(node({}), nodeStatus(undefined, facts)), true);
});

test('the same status with newer heartbeat times is not written again until five minutes have passed', () => {
  const written = node(nodeStatus(undefined, facts));
  const at = Date.parse((written.status?.conditions as Array<{ lastHeartbeatTime: string }>)[0]?.lastHeartbeatTime as string);
  const again = nodeStatus(written, facts);
  assert.equal(statusToReport(written, again, at + 10_000), false);
  assert.equal(statusToReport(written, again, at + STATUS_REPORT_EVERY_MS - 1000), false);
  assert.equal(statusToReport(written, again, at + STATUS_REPORT_EVERY_MS), true);
});

test('a changed condition, address or capacity is written at once; fields others set are not compared', () => {
  const written = node({ ...nodeStatus(undefined, facts), images: [{ names: ['x'] }] });
  const at = Date.now();
  assert.equal(statusToReport(written, nodeStatus(written, { ...facts, ready: { status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down' } }), at), true);
  assert.equal(statusToReport(written, nodeStatus(written, { ...facts, hostIP: '10.0.0.3' }), at), true);
  assert.equal(statusToReport(written, nodeStatus(written, { ...facts, version: { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20', runtimeApiVersion: 'v1' } }), at), true);
  // the node lifecycle controller marked it Unknown: the agent's True goes back
  const unknown = node({ ...written.status, conditions: (written.status?.conditions as Array<Record<string, string>>).map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown' } : c)) });
  assert.equal(statusToReport(unknown, nodeStatus(unknown, facts), at), true);
  assert.equal(statusToReport(written, nodeStatus(written, facts), at), false);
});
