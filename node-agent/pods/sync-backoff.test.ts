// syncPod against a fake runtime and a fake clock: a container whose start fails (StartError, as containerd reports
// `exec: "/nonexistent"`) backs off like one that crashes, and its status reads as the kubelet's.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import type { Client } from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { ImagePuller } from './images.js';
import { syncPod, type SyncDeps } from './sync.js';
import { testDeps } from './testing/deps.js';
import { FakeRuntime } from './testing/fake-runtime.js';

const START_ERROR = 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory: unknown';

interface Harness {
  runtime: FakeRuntime & { readonly starts: number };
  deps: SyncDeps;
  statuses: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  events: string[];
}

/** The shared fake runtime; `fail` decides whether a start fails (StartError) or runs. */
function harness(t: TestContext, fail: () => boolean): Harness {
  const rt = new FakeRuntime();
  rt.failStart = () => (fail() ? START_ERROR : undefined);
  const runtime = Object.defineProperty(rt, 'starts', { get: () => rt.calls.filter((c) => c.startsWith('StartContainer')).length }) as Harness['runtime'];
  const statuses: Harness['statuses'] = [];
  const events: string[] = [];
  const client = { patchStatus: async (_k: unknown, _n: string, body: { status: Record<string,
    unknown> }) => { statuses.push(structuredClone(body.status)); } };
  const h = testDeps({
    client: client as unknown as Client,
    cri: rt.client(),
    images: { ensure: async () => ({ ok: true, imageRef: 'sha256:1' }), imageID: async (_i: string, r: string) => r, forget: () => undefined } as unknown as ImagePuller,
    recorder: { event: (_o: unknown, type: string, reason: string, message: string) => events.push(`${type} ${reason} ${message}`) } as unknown as EventRecorder,
  });
  t.after(() => h.cleanup());
  return { runtime, deps: h.deps, statuses, events };
}

const pod: KubeObject = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'bad-1', namespace: 'default', uid: 'uid-1' },
  spec: { nodeName: 'n1', restartPolicy: 'Always', containers: [{ name: 'web', image: 'web:v1', command: ['/nonexistent'] }] },
  status: {},
};

/** Syncs the pod every `everyMs` of fake time for `forMs` (more often than the agent would: the back-off must hold anyway). */
async function run(t: TestContext, h: Harness, forMs: number, everyMs = 200): Promise<void> {
  const end = Date.now() + forMs;
  while (Date.now() <= end) {
    await syncPod(h.deps, 'uid-1', pod);
    t.mock.timers.tick(everyMs);
  }
}

const container = (s: Record<string, any>) => s.containerStatuses[0]; // eslint-disable-line @typescript-eslint/no-explicit-any

test('a container that fails to start backs off like a crash: 4 starts in 40 s (0, 0, 10 s, 30 s), not one a second', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
  const h = harness(t, () => true);
  await run(t, h, 40_000);
  assert.equal(h.runtime.starts, 4);
  const last = container(h.statuses.at(-1) as Record<string, unknown>);
  assert.equal(last.restartCount, 3);

  const waiting = h.statuses.map((s) => container(s).state.waiting).filter(Boolean);
  const reasons = [...new Set(waiting.map((w) => w.reason))];
  assert.deepEqual(reasons, ['RunContainerError', 'CrashLoopBackOff']);
  assert.equal(waiting.find((w) => w.reason === 'RunContainerError').message, START_ERROR);
  const messages = [...new Set(waiting.filter((w) => w.reason === 'CrashLoopBackOff').map((w) => w.message))];
  assert.deepEqual(messages, [
    'back-off 10s restarting failed container=web pod=bad-1_default(uid-1)',
    'back-off 20s restarting failed container=web pod=bad-1_default(uid-1)',
    'back-off 40s restarting failed container=web pod=bad-1_default(uid-1)',
  ]);
  assert.ok(h.events.includes(`Warning Failed Error: ${START_ERROR}`));
  assert.ok(h.events.includes('Warning BackOff Back-off restarting failed container web in pod bad-1_default(uid-1)'));

  // the container never started: its terminated state has no startedAt (no zero time), only when it finished
  const term = last.lastState.terminated;
  assert.equal(term.reason, 'StartError');
  assert.equal(term.exitCode, 128);
  assert.equal('startedAt' in term, false);
  assert.match(term.finishedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(h.statuses.at(-1)?.phase, 'Running', 'restarting, as the kubelet counts it');
  for (const s of h.statuses) assert.doesNotMatch(JSON.stringify(s), /0001-01-01|1970-01-01|"startedAt":null/);
});

test('the delay keeps doubling to 5 min, and a failed start counts the same as a crash', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
  let n = 0;
  // alternate: fail to start, then run and crash, then fail to start...
  const h = harness(t, () => n++ % 2 === 0);
  const startsAt: number[] = [];
  const start = Date.now();
  for (let i = 0; i < 4000 && startsAt.length < 9; i++) {
    const before = h.runtime.starts;
    await syncPod(h.deps, 'uid-1', pod);
    if (h.runtime.starts > before) startsAt.push(Math.round((Date.now() - start) / 1000));
    h.runtime.crash();
    t.mock.timers.tick(1000);
  }
  assert.deepEqual(startsAt.slice(1).map((x, i) => x - (startsAt[i] as number)), [1, 10, 20, 40, 80, 160, 300, 300]);
});

test('a container that runs fine is not held back, and a running container reports its start time', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
  const h = harness(t, () => false);
  await run(t, h, 5_000);
  assert.equal(h.runtime.starts, 1);
  const s = container(h.statuses.at(-1) as Record<string, unknown>);
  assert.match(s.state.running.startedAt, /^\d{4}-/);
  assert.deepEqual(s.lastState, {});
});

test('with restartPolicy Never a failed start is final: terminated StartError, phase Failed, no restart', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
  const h = harness(t, () => true);
  const never: KubeObject = { ...pod, spec: { ...pod.spec, restartPolicy: 'Never' } };
  for (let i = 0; i < 50; i++) {
    await syncPod(h.deps, 'uid-1', never);
    t.mock.timers.tick(1000);
  }
  assert.equal(h.runtime.starts, 1);
  for (const s of h.statuses) assert.equal(container(s).state.waiting, undefined, 'never shown as waiting to restart');
  const last = h.statuses.at(-1) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(container(last).state.terminated.reason, 'StartError');
  assert.equal('startedAt' in container(last).state.terminated, false);
  assert.equal(last.phase, 'Failed');
});
