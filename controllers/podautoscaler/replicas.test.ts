// The replica calculator against upstream's cases: utilization over requests with the 10% tolerance, missing
// samples (target on a scale-down, idle on a scale-up), unready pods, average values, and the errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { resourceReplicas, type PodSample } from './replicas.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

type PodOpts = { request?: string; phase?: string; ready?: boolean; startedAgo?: number; readyAgo?: number; deleting?: boolean };

function pod(name: string, o: PodOpts = {}): KubeObject {
  return {
    metadata: { name, namespace: 'ns', ...(o.deleting ? { deletionTimestamp: ago(1) } : {}) },
    spec: { containers: [{ name: 'app', resources: o.request === undefined ? {} : { requests: { cpu: o.request } } }] },
    status: {
      phase: o.phase ?? 'Running', startTime: ago(o.startedAgo ?? 600),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: ago(o.readyAgo ?? 590) }],
    },
  };
}

const samples = (m: Record<string, number>, takenAgo = 5): Map<string, PodSample> =>
  new Map(Object.entries(m).map(([k, v]) => [k, { milli: v, timestamp: NOW - takenAgo * 1000, windowMs: 10_000 }]));
const cpu50 = { resource: 'cpu', utilization: 50 };

test('usage over requests scales up in proportion: 3 pods at 100% of a 50% target ask for 6', () => {
  const pods = ['a', 'b', 'c'].map((n) => pod(n, { request: '100m' }));
  const r = resourceReplicas(3, cpu50, pods, samples({ a: 100, b: 100, c: 100 }), NOW);
  assert.deepEqual({ replicas: r.replicas, utilization: r.utilization, avg: r.averageMilli }, { replicas: 6, utilization: 100, avg: 100 });
});

test('within the 10% tolerance nothing changes; just past it, it does', () => {
  const pods = ['a', 'b'].map((n) => pod(n, { request: '100m' }));
  assert.equal(resourceReplicas(2, cpu50, pods, samples({ a: 54, b: 54 }), NOW).replicas, 2);
  assert.equal(resourceReplicas(2, cpu50, pods, samples({ a: 60, b: 60 }), NOW).replicas, 3);
  assert.equal(resourceReplicas(2, cpu50, pods, samples({ a: 20, b: 20 }), NOW).replicas, 1);
});

test('a pod without a sample counts as at its request on a scale-down (damping it) and as idle on a scale-up', () => {
  const pods = ['a', 'b', 'c'].map((n) => pod(n, { request: '100m' }));
  // down: a and b idle, c missing as 100%: (0+0+100)/300 = 33% of 50% -> ceil(0.66*3) = 2 (not 1)
  assert.equal(resourceReplicas(3, cpu50, pods, samples({ a: 0, b: 0 }), NOW).replicas, 2);
  // up: a and b at 150% (3x the target), c missing as 0: (150+150+0)/300 = 100%, 2x -> 6 rather than 3x
  assert.equal(resourceReplicas(3, cpu50, pods, samples({ a: 150, b: 150 }), NOW).replicas, 6);
  // up, but with the missing pod idle the ratio falls within tolerance: no change
  assert.equal(resourceReplicas(3, cpu50, pods, samples({ a: 80, b: 80 }), NOW).replicas, 3);
});

test('unready pods and CPU samples taken before a window of readiness count as idle on a scale-up only', () => {
  const pods = [pod('a', { request: '100m' }), pod('b', { request: '100m', ready: false, startedAgo: 20, readyAgo: 20 }),
    pod('c', { request: '100m', startedAgo: 12, readyAgo: 8 })];
  // a at 200% (4x); b unready, c's sample is older than ready+window: both 0 -> (200+0+0)/300 = 66% -> ceil(1.33*3) = 4
  assert.equal(resourceReplicas(3, cpu50, pods, samples({ a: 200, b: 200, c: 200 }), NOW).replicas, 4);
  // on a scale-down they are simply left out: a alone at 10% -> ceil(0.2*1) = 1
  assert.equal(resourceReplicas(3, cpu50, pods, samples({ a: 10, b: 200, c: 200 }), NOW).replicas, 1);
  // a pending pod is unready too
  assert.equal(resourceReplicas(2, cpu50, [pod('a', { request: '100m' }), pod('p', { request: '100m', phase: 'Pending' })], samples({ a: 100 }), NOW).replicas, 2);
});

test('pods going away and failed pods are ignored', () => {
  const pods = [pod('a', { request: '100m' }), pod('gone', { request: '100m', deleting: true }), pod('f', { request: '100m', phase: 'Failed' })];
  assert.equal(resourceReplicas(3, cpu50, pods, samples({ a: 100, gone: 0, f: 0 }), NOW).replicas, 2);
});

test('an average value target compares the mean usage per pod', () => {
  const pods = ['a', 'b'].map((n) => pod(n));
  const r = resourceReplicas(2, { resource: 'cpu', averageMilli: 100 }, pods, samples({ a: 300, b: 100 }), NOW);
  assert.deepEqual({ replicas: r.replicas, utilization: r.utilization, avg: r.averageMilli }, { replicas: 4, utilization: undefined, avg: 200 });
});

test('upstream\'s errors: no pods, no ready samples, a container without a request', () => {
  assert.throws(() => resourceReplicas(1, cpu50, [], samples({}), NOW), /^Error: no pods returned by selector while calculating replica count$/);
  assert.throws(() => resourceReplicas(1, cpu50, [pod('a', { request: '100m', phase: 'Pending' })], samples({ a: 1 }), NOW), /did not receive metrics for any ready pods/);
  assert.throws(() => resourceReplicas(1, cpu50, [pod('a')], samples({ a: 1 }), NOW), /^Error: missing request for cpu in container app of Pod a$/);
});
