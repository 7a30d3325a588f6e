// One container's prober on a fake clock: periods and initial delays, thresholds, startup holding the others back,
// liveness failures putting it on hold, Unhealthy events, and a change callback only when a result changes.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import type { CriClient } from '../../cri/client.js';
import type { ContainerSpec, Probe } from '../spec.js';
import type { ActionOutcome } from './actions.js';
import { ContainerProber, type ProbeKind } from './prober.js';

const T0 = 1_700_000_000_000;
const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', uid: 'u1' }, spec: {} };

function prober(t: TestContext, spec: ContainerSpec, outcome: (kind: string, n: number) => ActionOutcome['result']) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 });
  const runs: Array<{ kind: string; at: number }> = [];
  const events: string[] = [];
  let changes = 0;
  const kindOf = (p: Probe): ProbeKind => (p === spec.startupProbe ? 'startup' : p === spec.livenessProbe ? 'liveness' : 'readiness');
  const count = new Map<string, number>();
  const p = new ContainerProber({ pod, spec, containerId: 'c1', startedAtMs: T0, podIP: '10.0.0.1' }, {
    cri: {} as CriClient,
    agentStartMs: 0,
    onChange: () => void changes++,
    record: (_p, type, reason, message) => void events.push(`${type} ${reason} ${message}`),
    run: async (_t, probe) => {
      const kind = kindOf(probe);
      const n = (count.get(kind) ?? 0) + 1;
      count.set(kind, n);
      runs.push({ kind, at: (Date.now() - T0) / 1000 });
      const result = outcome(kind, n);
      return { result, output: result === 'failure' ? `${kind} says no` : '' };
    },
  });
  t.after(() => p.stop());
  p.start();
  const advance = async (seconds: number) => {
    for (let i = 0; i < seconds * 10; i++) {
      t.mock.timers.tick(100);
      for (let j = 0; j < 5; j++) await new Promise((r) => setImmediate(r));
    }
  };
  return { p, runs, events, advance, changes: () => changes };
}

const spec = (probes: Partial<Record<'livenessProbe' | 'readinessProbe' | 'startupProbe', Probe>>): ContainerSpec => ({ name: 'web', image: 'x', ...probes });
const exec: Probe = { exec: { command: ['true'] }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };

test('readiness: not ready until a probe passes; unready only after failureThreshold failures in a row; every failure is an Unhealthy event', async (t) => {
  // passes twice, then fails
  const h = prober(t, spec({ readinessProbe: { ...exec, initialDelaySeconds: 5 } }), (_k, n) => (n <= 2 ? 'success' : 'failure'));
  assert.equal(h.p.state().ready, false);
  await h.advance(4);
  assert.equal(h.runs.length, 0, 'nothing before initialDelaySeconds');
  await h.advance(2);
  assert.deepEqual(h.runs.map((r) => r.at), [5]);
  assert.equal(h.p.state().ready, true);
  assert.equal(h.changes(), 1);
  await h.advance(30);
  assert.deepEqual(h.runs.map((r) => r.at), [5, 15, 25, 35]);
  assert.equal(h.p.state().ready, true, 'two failures are not enough');
  await h.advance(10);
  assert.equal(h.p.state().ready, false);
  assert.equal(h.changes(), 2);
  assert.deepEqual(h.events, ['Warning Unhealthy Readiness probe failed: readiness says no', 'Warning Unhealthy Readiness probe failed: readiness says no', 'Warning Unhealthy Readiness probe failed: readiness says no']);
});

test('successThreshold: that many passes in a row before ready', async (t) => {
  const h = prober(t, spec({ readinessProbe: { ...exec, periodSeconds: 1, successThreshold: 3 } }), () => 'success');
  await h.advance(1.5);
  assert.equal(h.p.state().ready, false);
  await h.advance(1);
  assert.equal(h.p.state().ready, true);
});

test('startup holds liveness and readiness back; once it passes readiness runs at once; liveness failing puts the prober on hold', async (t) => {
  const h = prober(t, spec({
    startupProbe: { ...exec, periodSeconds: 2, failureThreshold: 30 },
    livenessProbe: { ...exec, periodSeconds: 3, failureThreshold: 2 },
    readinessProbe: { ...exec, periodSeconds: 5 },
  }), (kind, n) => (kind === 'startup' ? (n < 4 ? 'failure' : 'success') : kind === 'liveness' ? (n <= 1 ? 'success' : 'failure') : 'success'));
  assert.deepEqual(h.p.state(), { started: false, ready: false, livenessFailed: false, startupFailed: false });
  await h.advance(5);
  assert.deepEqual(h.runs.map((r) => r.kind), ['startup', 'startup', 'startup'], 'only startup while it fails');
  await h.advance(1.2);
  assert.equal(h.p.state().started, true);
  const [startup, readiness] = h.runs.slice(3);
  assert.deepEqual([startup?.kind, readiness?.kind], ['startup', 'readiness']);
  assert.ok((readiness?.at ?? 99) - (startup?.at ?? 0) < 0.15, 'readiness right when startup passed, not a period later');
  assert.equal(h.p.state().ready, true);
  await h.advance(20);
  assert.equal(h.runs.filter((r) => r.kind === 'startup').length, 4, 'startup runs no more once passed');
  assert.equal(h.p.state().livenessFailed, true);
  const liveness = h.runs.filter((r) => r.kind === 'liveness').length;
  assert.equal(liveness, 3, 'one pass, then two failures');
  await h.advance(30);
  assert.equal(h.runs.filter((r) => r.kind === 'liveness').length, liveness, 'on hold until the container is replaced');
  assert.ok(h.events.includes('Warning Unhealthy Liveness probe failed: liveness says no'));
  assert.ok(h.events.includes('Warning Unhealthy Startup probe failed: startup says no'));
});

test('a startup probe that fails failureThreshold times marks the container for a restart', async (t) => {
  const h = prober(t, spec({ startupProbe: { ...exec, periodSeconds: 1, failureThreshold: 3 }, livenessProbe: exec }), () => 'failure');
  await h.advance(3.5);
  assert.deepEqual(h.p.state(), { started: false, ready: false, livenessFailed: false, startupFailed: true });
  assert.equal(h.runs.filter((r) => r.kind === 'liveness').length, 0);
  assert.equal(h.changes(), 1);
});

test('an error of the prober itself changes no result', async (t) => {
  const h = prober(t, spec({ livenessProbe: { ...exec, periodSeconds: 1, failureThreshold: 1 } }), () => 'unknown');
  await h.advance(3.5);
  assert.equal(h.p.state().livenessFailed, false);
  assert.match(h.events[0] as string, /^Warning Unhealthy Liveness probe errored and resulted in unknown state/);
});

test('after an agent restart, a container the status already shows started and ready stays so until a probe says otherwise', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 });
  const s = spec({ startupProbe: exec, readinessProbe: exec });
  const deps = { cri: {} as CriClient, agentStartMs: T0, onChange: () => undefined, record: () => undefined, run: async () => ({ result: 'failure' as const, output: 'no' }) };
  const known = new ContainerProber({ pod, spec: s, containerId: 'c1', startedAtMs: T0 - 60_000 }, deps, { started: true, ready: true });
  assert.deepEqual(known.state(), { started: true, ready: true, livenessFailed: false, startupFailed: false });
  const fresh = new ContainerProber({ pod, spec: s, containerId: 'c2', startedAtMs: T0 }, deps);
  assert.deepEqual(fresh.state(), { started: false, ready: false, livenessFailed: false, startupFailed: false });
});
