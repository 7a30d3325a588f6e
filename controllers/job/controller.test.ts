import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { eventually, FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { JobController } from './controller.js';
import { backoffDelay, COMPLETION_INDEX, formatIntervals } from './pods.js';

const JOB = findByKind('batch/v1', 'Job')!;
const POD = findByKind('v1', 'Pod')!;
const KEY = 'default/pi';

function job(spec: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name: 'pi', namespace: 'default', uid: 'job-uid-1' },
    spec: {
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid-1' } },
      template: {
        metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'job-uid-1', 'job-name': 'pi' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'busybox' }] },
      },
      ...spec,
    },
  };
}

interface Harness {
  api: FakeApiServer;
  jc: JobController;
  clock: { now: number };
  /** Waits until the informers hold what the API holds, then reconciles once. */
  sync(): Promise<{ requeueAfter?: number } | void>;
  pods(): KubeObject[];
  job(): KubeObject;
  /** Finishes a pod as a node agent would report it. */
  finish(pod: KubeObject, exitCode: number): Promise<void>;
}

async function start(t: { after: (fn: () => void) => void }, j: KubeObject): Promise<Harness> {
  const api = new FakeApiServer();
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const jc = new JobController(new ControllerContext(client, informers), () => clock.now);
  t.after(() => informers.stop());
  await informers.start();
  api.seed(JOB, j);
  const caughtUp = (): boolean => {
    const inf = informers.informerFor(JOB).get('pi', 'default');
    const pods = informers.informerFor(POD).list();
    const apiPods = api.list(POD, 'default');
    return inf?.metadata.resourceVersion === api.get(JOB, 'pi', 'default')?.metadata.resourceVersion && pods.length === apiPods.length
      && apiPods.every((p) => pods.some((q) => q.metadata.uid === p.metadata.uid && q.metadata.resourceVersion === p.metadata.resourceVersion));
  };
  const h: Harness = {
    api, jc, clock,
    async sync() {
      await eventually('the informers caught up', caughtUp);
      return jc.reconcile(KEY);
    },
    pods: () => api.list(POD, 'default'),
    job: () => api.get(JOB, 'pi', 'default') as KubeObject,
    async finish(pod, exitCode) {
      const finishedAt = new Date(clock.now).toISOString();
      await client.updateStatus(POD, { ...pod, status: {
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        containerStatuses: [{ name: 'pi', state: { terminated: { exitCode, finishedAt } } }],
      } });
    },
  };
  return h;
}

const cond = (j: KubeObject, type: string): { status: string; reason?: string; message?: string } | undefined =>
  (j.status?.conditions as Array<{ type: string; status: string; reason?: string; message?: string }> | undefined)?.find((c) => c.type === type);
const live = (pods: KubeObject[]): KubeObject[] => pods.filter((p) => !p.status?.phase);

test('backoff: 10 s doubling per failure, capped at 6 minutes; completedIndexes as intervals', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(backoffDelay), [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 360_000, 360_000]);
  assert.equal(formatIntervals([7, 1, 3, 4, 5]), '1,3-5,7');
});

test('a Job runs parallelism pods from its template, owned by it, and completes after completions successes', async (t) => {
  const h = await start(t, job({ completions: 3, parallelism: 2 }));
  await h.sync();
  let pods = h.pods();
  assert.equal(pods.length, 2);
  for (const p of pods) {
    assert.equal(p.metadata.ownerReferences?.[0]?.kind, 'Job');
    assert.equal(p.metadata.ownerReferences?.[0]?.controller, true);
    assert.equal(p.metadata.labels?.['job-name'], 'pi');
    assert.match(p.metadata.name as string, /^pi-/);
  }
  assert.equal(h.job().status?.active, 2);
  assert.ok(h.job().status?.startTime);
  await h.finish(pods[0], 0);
  await h.sync();
  pods = h.pods();
  assert.equal(live(pods).length, 2, 'one more pod: 1 succeeded, 2 to go, parallelism 2');
  assert.equal(h.job().status?.succeeded, 1);
  for (const p of live(pods)) await h.finish(p, 0);
  await h.sync();
  const j = h.job();
  assert.equal(j.status?.succeeded, 3);
  assert.equal(cond(j, 'SuccessCriteriaMet')?.status, 'True');
  assert.equal(cond(j, 'Complete')?.status, 'True');
  assert.ok(j.status?.completionTime);
  assert.equal(j.status?.active, 0);
  await h.sync();
  assert.equal(h.pods().length, 3, 'a complete Job creates nothing more');
});

test('an Indexed Job runs each index once, with the index in an annotation and JOB_COMPLETION_INDEX', async (t) => {
  const h = await start(t, job({ completions: 5, parallelism: 2, completionMode: 'Indexed' }));
  const seen: string[] = [];
  for (let round = 0; round < 3; round++) {
    await h.sync();
    const running = live(h.pods());
    assert.ok(running.length <= 2, 'never more than parallelism');
    for (const p of running) {
      const i = p.metadata.annotations?.[COMPLETION_INDEX] as string;
      seen.push(i);
      assert.equal(p.metadata.labels?.[COMPLETION_INDEX], i);
      assert.equal(p.spec?.hostname, `pi-${i}`);
      const env = (p.spec?.containers?.[0]?.env ?? []) as Array<{ name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
      assert.equal(env.find((e) => e.name === 'JOB_COMPLETION_INDEX')?.valueFrom?.fieldRef?.fieldPath, `metadata.annotations['${COMPLETION_INDEX}']`);
      await h.finish(p, 0);
    }
  }
  await h.sync();
  assert.deepEqual(seen.sort(), ['0', '1', '2', '3', '4']);
  const j = h.job();
  assert.equal(j.status?.completedIndexes, '0-4');
  assert.equal(j.status?.succeeded, 5);
  assert.equal(cond(j, 'Complete')?.status, 'True');
});

test('failed pods are replaced after a growing back-off until backoffLimit, then the Job fails', async (t) => {
  const h = await start(t, job({ backoffLimit: 2 }));
  await h.sync();
  const waits: number[] = [];
  for (let failures = 1; failures <= 3; failures++) {
    const [p] = live(h.pods());
    assert.ok(p, `pod ${failures} created`);
    await h.finish(p, 1);
    const r = await h.sync();
    if (failures === 3) break;
    assert.equal(live(h.pods()).length, 0, 'no replacement before the back-off');
    waits.push((r as { requeueAfter: number }).requeueAfter);
    h.clock.now += (r as { requeueAfter: number }).requeueAfter;
    await h.sync();
  }
  assert.deepEqual(waits.map((w) => Math.round(w / 1000)), [10, 20]);
  const j = h.job();
  assert.equal(j.status?.failed, 3);
  assert.equal(cond(j, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
  assert.equal(cond(j, 'Failed')?.reason, 'BackoffLimitExceeded');
  assert.equal(cond(j, 'Failed')?.message, 'Job has reached the specified backoff limit');
});

test('activeDeadlineSeconds: the Job fails with DeadlineExceeded and its running pods are deleted', async (t) => {
  const h = await start(t, job({ activeDeadlineSeconds: 30 }));
  const r = await h.sync();
  assert.equal(h.pods().length, 1);
  assert.ok((r as { requeueAfter: number }).requeueAfter >= 30_000, 'looked at again at the deadline');
  h.clock.now += 30_000;
  await h.sync();
  assert.equal(h.pods().length, 0, 'the running pod is deleted');
  assert.equal(cond(h.job(), 'FailureTarget')?.reason, 'DeadlineExceeded');
  await h.sync();
  assert.equal(cond(h.job(), 'Failed')?.reason, 'DeadlineExceeded');
  assert.equal(cond(h.job(), 'Failed')?.message, 'Job was active longer than specified deadline');
});

test('suspend deletes the active pods and says Suspended; resuming creates them again', async (t) => {
  const h = await start(t, job({ parallelism: 2, completions: 4 }));
  await h.sync();
  assert.equal(h.pods().length, 2);
  await h.api.client().update(JOB, { ...h.job(), spec: { ...h.job().spec, suspend: true } });
  await h.sync();
  assert.equal(h.pods().length, 0);
  assert.equal(cond(h.job(), 'Suspended')?.status, 'True');
  assert.equal(h.job().status?.active, 0);
  await h.api.client().update(JOB, { ...h.job(), spec: { ...h.job().spec, suspend: false } });
  await h.sync();
  assert.equal(h.pods().length, 2);
  assert.equal(cond(h.job(), 'Suspended')?.status, 'False');
  assert.equal(cond(h.job(), 'Suspended')?.reason, 'JobResumed');
});

test('podFailurePolicy: FailJob on an exit code fails the Job at once; Ignore does not count', async (t) => {
  const rules = [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }, { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }];
  const h = await start(t, job({ podFailurePolicy: { rules } }));
  await h.sync();
  await h.finish(live(h.pods())[0], 3);
  await h.sync();
  assert.equal(h.job().status?.failed, 0, 'an ignored failure is not counted');
  assert.equal(live(h.pods()).length, 1, 'and is replaced without back-off');
  await h.finish(live(h.pods())[0], 42);
  await h.sync();
  await h.sync();
  const failed = cond(h.job(), 'Failed');
  assert.equal(failed?.reason, 'PodFailurePolicy');
  assert.match(failed?.message ?? '', /^Container pi for pod default\/pi-\w+ failed with exit code 42 matching FailJob rule at index 1$/);
});

test('ttlSecondsAfterFinished deletes the finished Job that long after it finished', async (t) => {
  const h = await start(t, job({ ttlSecondsAfterFinished: 100 }));
  await h.sync();
  await h.finish(h.pods()[0], 0);
  const r = await h.sync();
  assert.equal(cond(h.job(), 'Complete')?.status, 'True');
  assert.ok((r as { requeueAfter: number }).requeueAfter >= 100_000);
  h.clock.now += 50_000;
  await h.sync();
  assert.ok(h.api.get(JOB, 'pi', 'default'), 'kept before the TTL');
  h.clock.now += 50_000;
  await h.sync();
  const gone = h.api.get(JOB, 'pi', 'default');
  assert.ok(!gone || gone.metadata.deletionTimestamp, 'deleted after the TTL');
});
