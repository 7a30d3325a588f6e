import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeCondition, StatusResponse, VersionResponse } from '../cri/types.js';
import { aggregate, RuntimeHealth } from './runtime-health.js';
import { nodeStatus } from './node.js';

const VERSION: VersionResponse = { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20', runtimeApiVersion: 'v1' };
const ok = (type: string): RuntimeCondition => ({ type, status: true, reason: '', message: '' });

/** A CRI whose answers the test sets; `down` makes every call fail as an unreachable socket does. */
class FakeCri {
  down = false;
  conditions: RuntimeCondition[] = [ok('RuntimeReady'), ok('NetworkReady')];
  timeouts: number[] = [];
  async version(o?: { timeoutMs?: number }): Promise<VersionResponse> {
    this.timeouts.push(o?.timeoutMs ?? -1);
    if (this.down) throw new Error('CRI Version: UNAVAILABLE: connect ECONNREFUSED');
    return VERSION;
  }
  async status(_verbose?: boolean, o?: { timeoutMs?: number }): Promise<StatusResponse> {
    this.timeouts.push(o?.timeoutMs ?? -1);
    if (this.down) throw new Error('CRI Status: UNAVAILABLE: connect ECONNREFUSED');
    return { status: { conditions: this.conditions }, info: {} };
  }
}

function setup() {
  let now = 1_000_000;
  const changes: boolean[] = [];
  const cri = new FakeCri();
  const h = new RuntimeHealth(cri, { thresholdMs: 30_000, timeoutMs: 5000, now: () => now, onChange: (r) => changes.push(r) });
  return { cri, h, changes, advance: (ms: number) => (now += ms) };
}

test('before the first check the node is not ready, in the kubelet\'s words', () => {
  const { h } = setup();
  assert.deepEqual(h.ready(), { status: 'False', reason: 'KubeletNotReady', message: 'container runtime status check may not have completed yet' });
});

test('a healthy runtime: Ready True, the version kept, every check with a deadline', async () => {
  const { h, cri } = setup();
  await h.check();
  assert.deepEqual(h.ready(), { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
  assert.equal(h.version?.runtimeVersion, '1.6.20');
  assert.deepEqual(cri.timeouts, [5000, 5000]);
});

test('a runtime that stops answering is "down" once 30 s have passed without a good check, and Ready again after one', async () => {
  const { h, cri, changes, advance } = setup();
  await h.check();
  cri.down = true;
  advance(5000);
  await h.check();
  assert.equal(h.ready().status, 'True', 'a short outage is not reported');
  assert.deepEqual(changes, []);
  advance(25_000);
  await h.check();
  assert.deepEqual(h.ready(), { status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down' });
  assert.deepEqual(changes, [false], 'the change is reported at once');
  assert.equal(h.version?.runtimeVersion, '1.6.20', 'the last known version stays');
  advance(5000);
  await h.check();
  assert.deepEqual(changes, [false], 'reported once');
  cri.down = false;
  await h.check();
  assert.equal(h.ready().status, 'True');
  assert.deepEqual(changes, [false, true]);
});

test('conditions the runtime reports false are in the message, several in brackets', async () => {
  const { h, cri } = setup();
  const network = (message: string): RuntimeCondition => ({ type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message });
  cri.conditions = [ok('RuntimeReady'), network('cni plugin not initialized')];
  await h.check();
  assert.deepEqual(h.ready(), {
    status: 'False', reason: 'KubeletNotReady',
    message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized',
  });
  cri.conditions = [{ type: 'RuntimeReady', status: false, reason: 'Broken', message: 'x' }, network('y')];
  await h.check();
  assert.equal(h.ready().message, '[container runtime not ready: RuntimeReady=false reason:Broken message:x, '
    + 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:y]');
});

test('aggregate: one message as is, duplicates once', () => {
  assert.equal(aggregate(['a']), 'a');
  assert.equal(aggregate(['a', 'b', 'a']), '[a, b]');
});

test('the node status carries the Ready condition and keeps its transition time while it holds', () => {
  const ready = { status: 'False' as const, reason: 'KubeletNotReady', message: 'container runtime is down' };
  const base = { dataDir: '/', hostIP: '10.0.0.1', hostname: 'n', port: 10250 };
  const s = nodeStatus(undefined, { ...base, version: undefined, ready });
  const cond = (st: Record<string, unknown>) => (st.conditions as Array<Record<string, string>>).find((c) => c.type === 'Ready') as Record<string, string>;
  assert.deepEqual({ status: cond(s).status, reason: cond(s).reason, message: cond(s).message }, ready);
  assert.equal((s.nodeInfo as Record<string, string>).containerRuntimeVersion, 'containerd://Unknown');
  const conditions = [{ ...cond(s), lastTransitionTime: '2020-01-01T00:00:00Z' }];
  const prev = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { conditions } };
  assert.equal(cond(nodeStatus(prev, { ...base, version: VERSION, ready })).lastTransitionTime, '2020-01-01T00:00:00Z');
  const readyAgain = { status: 'True' as const, reason: 'KubeletReady', message: 'kubelet is posting ready status' };
  assert.notEqual(cond(nodeStatus(prev, { ...base, version: VERSION, ready: readyAgain })).lastTransitionTime, '2020-01-01T00:00:00Z');
});
