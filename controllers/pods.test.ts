import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../lib/api/types.js';
import { deletionOrder, isPodAvailable } from './pods.js';

const pod = (name: string,
  o: { node?: string; phase?: string; ready?: boolean; created?: number; readySince?: number; restarts?: number } = {}): KubeObject => ({
  metadata: { name, creationTimestamp: new Date(o.created ?? 0).toISOString() },
  spec: { nodeName: o.node },
  status: {
    phase: o.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: new Date(o.readySince ?? 0).toISOString() }],
    containerStatuses: [{ restartCount: o.restarts ?? 0 }],
  },
});

test('scale-down removes unscheduled, then pending, then not-ready pods before running ready ones', () => {
  const order = deletionOrder([
    pod('ready', { node: 'a' }),
    pod('notready', { node: 'b', ready: false }),
    pod('pending', { node: 'c', phase: 'Pending', ready: false }),
    pod('unscheduled', { phase: 'Pending', ready: false }),
  ]).map((p) => p.metadata.name);
  assert.deepEqual(order, ['unscheduled', 'pending', 'notready', 'ready']);
});

test('among ready pods: crowded nodes first, then the most recently ready, then more restarts, then newer', () => {
  const order = deletionOrder([
    pod('alone', { node: 'x' }),
    pod('crowd1', { node: 'y', readySince: 1000 }),
    pod('crowd2', { node: 'y', readySince: 5000 }),
  ]).map((p) => p.metadata.name);
  assert.deepEqual(order, ['crowd2', 'crowd1', 'alone']);
  const byRestarts = deletionOrder([pod('calm', { node: 'a' }), pod('flappy', { node: 'b', restarts: 3 })]).map((p) => p.metadata.name);
  assert.deepEqual(byRestarts, ['flappy', 'calm']);
});

test('a pod is available only after being ready for minReadySeconds', () => {
  const p = pod('p', { node: 'a', readySince: 10_000 });
  assert.equal(isPodAvailable(p, 5, 14_000), false);
  assert.equal(isPodAvailable(p, 5, 15_000), true);
  assert.equal(isPodAvailable(p, 0, 10_000), true);
});
