// The STATUS, READY and RESTARTS columns of a pod row, case by case, as kubectl 1.32 prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { podReadyRestartsStatus } from './pods.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const running = { running: { startedAt: '2024-05-01T11:00:00Z' } };
const done = { terminated: { exitCode: 0, reason: 'Completed' } };
const waiting = (reason: string) => ({ waiting: { reason } });

function pod(o: { init?: Array<{ name: string; restartPolicy?: string }>; initStatuses?: unknown[]; statuses?: unknown[]; conditions?: unknown[];
  phase?: string; deleting?: boolean; reason?: string }): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', ...(o.deleting ? { deletionTimestamp: '2024-05-01T11:59:00Z' } : {}) },
    spec: { initContainers: o.init ?? [], containers: [{ name: 'app' }] },
    status: { phase: o.phase ?? 'Pending', ...(o.reason ? { reason: o.reason } : {}), conditions: o.conditions ?? [], initContainerStatuses: o.initStatuses ?? [], containerStatuses: o.statuses ?? [{ name: 'app', state: waiting('PodInitializing'), ready: false, restartCount: 0 }] },
  };
}
const col = (p: KubeObject) => podReadyRestartsStatus(p, NOW);
const two = [{ name: 'a' }, { name: 'b' }];

test('init containers: Init:N/M, Init:<waiting reason>, Init:<terminated reason>, Init:ExitCode, Init:Signal, then PodInitializing', () => {
  assert.equal(col(pod({ init: two, initStatuses: [{ name: 'a', state: running }, { name: 'b', state: waiting('PodInitializing') }] })).status, 'Init:0/2');
  assert.equal(col(pod({ init: two, initStatuses: [{ name: 'a', state: done }, { name: 'b', state: running }] })).status, 'Init:1/2');
  assert.equal(col(pod({ init: two, initStatuses: [{ name: 'a', state: { terminated: { exitCode: 1, reason: 'Error' } } }, { name: 'b', state: waiting('PodInitializing') }] })).status, 'Init:Error');
  assert.deepEqual(col(pod({ init: two, initStatuses: [{ name: 'a', state: waiting('CrashLoopBackOff'), restartCount: 3, lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:58:00Z' } } }, { name: 'b', state: waiting('PodInitializing') }] })), { ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '3 (2m ago)' });
  assert.equal(col(pod({ init: two, initStatuses: [{ name: 'a', state: { terminated: { exitCode: 3 } } }] })).status, 'Init:ExitCode:3');
  assert.equal(col(pod({ init: two, initStatuses: [{ name: 'a', state: { terminated: { exitCode: 137, signal: 9 } } }] })).status, 'Init:Signal:9');
  assert.equal(col(pod({ init: two, initStatuses: [{ name: 'a', state: done }, { name: 'b', state: done }] })).status, 'PodInitializing');
});

test('a started sidecar counts in READY and lets the next init container be the one shown; its restarts still count once initialized', () => {
  const init = [{ name: 'side', restartPolicy: 'Always' }, { name: 'b' }];
  assert.deepEqual(col(pod({ init, initStatuses: [{ name: 'side', state: running, started: true, ready: true }, { name: 'b', state: running }] })), { ready: '1/2', status: 'Init:1/2', restarts: '0' });
  assert.deepEqual(col(pod({ init, initStatuses: [{ name: 'side', state: running, started: false }, { name: 'b', state: waiting('PodInitializing') }] })).status, 'Init:0/2');
  const initialized = pod({
    init, phase: 'Running',
    conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
    initStatuses: [{ name: 'side', state: running, started: true, ready: true, restartCount: 2 }, { name: 'b', state: done, restartCount: 5 }],
    statuses: [{ name: 'app', state: running, ready: true, restartCount: 1 }],
  });
  assert.deepEqual(col(initialized), { ready: '2/2', status: 'Running', restarts: '3' });
});

test('app containers: waiting and terminated reasons, NotReady when a container completed beside a running one, Terminating, SchedulingGated', () => {
  const two = (a: unknown, b: unknown, conditions: unknown[] = []) => ({ ...pod({ statuses: [{ name: 'a', ...(a as object) }, { name: 'b', ...(b as object) }], conditions, phase: 'Running' }), spec: { containers: [{ name: 'a' }, { name: 'b' }] } });
  assert.equal(col(two({ state: done }, { state: running, ready: true })).status, 'NotReady');
  assert.equal(col(two({ state: done }, { state: running, ready: true }, [{ type: 'Ready', status: 'True' }])).status, 'Running');
  assert.equal(col(two({ state: running, ready: true }, { state: waiting('CrashLoopBackOff') })).status, 'CrashLoopBackOff');
  assert.equal(col(pod({ phase: 'Running', statuses: [{ name: 'app', state: running, ready: true }], deleting: true })).status, 'Terminating');
  assert.equal(col(pod({ phase: 'Succeeded', statuses: [{ name: 'app', state: done }], deleting: true })).status, 'Completed');
  assert.equal(col(pod({ phase: 'Failed', reason: 'Evicted', statuses: [{ name: 'app', state: { terminated: { exitCode: 137, reason: 'Error' } } }] })).status, 'Error');
  assert.equal(col(pod({ conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }], statuses: [] })).status, 'SchedulingGated');
});
