// compose up --wait's readiness rules, and the wait itself against the fake API server (list, then watch): each
// service printed as it becomes ready, a failed one-shot service and the timeout as errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { eventually, FakeApiServer } from '../../../lib/client/fake.js';
import { updateStatus } from '../../../lib/client/status.js';
import { Ctx } from '../context.js';
import { projectLabels, SERVICE_LABEL } from './convert.js';
import { readiness, waitForServices, waitTimeoutMs } from './wait.js';

const DEPLOY = findByKind('apps/v1', 'Deployment')!;
const JOB = findByKind('batch/v1', 'Job')!;

const deployment = (name: string, replicas: number, status: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, namespace: 'app', labels: { ...projectLabels('app'), [SERVICE_LABEL]: name } },
  spec: { replicas, selector: { matchLabels: { s: name } }, template: { metadata: { labels: { s: name } }, spec: { containers: [{ name, image: 'x' }] } } },
  status,
});
const rolledOut = (replicas: number) => ({ observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas });

test('readiness: a Deployment once rolled out and available, a Job once complete', () => {
  const d = (status: Record<string, unknown>) => ({ ...deployment('web', 2, status), metadata: { name: 'web', generation: 1 } });
  assert.deepEqual(readiness(d({})), { ready: false, detail: '0/2 available' });
  assert.deepEqual(readiness(d({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1 })), { ready: false, detail: '1/2 available' });
  assert.deepEqual(readiness(d(rolledOut(2))), { ready: true, detail: '2/2 available' });
  // an old replica still terminating: not yet
  assert.deepEqual(readiness(d({ ...rolledOut(2), replicas: 3 })).ready, false);
  assert.deepEqual(readiness(d({ ...rolledOut(2), observedGeneration: 0 })).ready, false, 'the new spec not yet observed');
  assert.deepEqual(readiness(d({ observedGeneration: 1, conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] })),
    { ready: false, detail: '0/2 available', failed: 'deployment "web" exceeded its progress deadline' });
  const job = (conditions: unknown[], active = 0) => ({ kind: 'Job', metadata: { name: 'migrate' }, status: { conditions, active } }) as KubeObject;
  assert.deepEqual(readiness(job([], 1)), { ready: false, detail: 'running' });
  assert.deepEqual(readiness(job([{ type: 'Complete', status: 'True' }])), { ready: true, detail: 'completed' });
  assert.deepEqual(readiness(job([{ type: 'Failed', status: 'True', message: 'Job has reached the specified backoff limit' }])),
    { ready: false, detail: 'failed', failed: 'Job has reached the specified backoff limit' });
});

test('--wait-timeout: seconds as docker compose takes them, or a duration', () => {
  assert.equal(waitTimeoutMs(undefined), 0);
  assert.equal(waitTimeoutMs('30'), 30_000);
  assert.equal(waitTimeoutMs('2m'), 120_000);
  assert.throws(() => waitTimeoutMs('soon'), /invalid --wait-timeout "soon"/);
});

function setup(): { api: FakeApiServer; ctx: Ctx; out: string[] } {
  const api = new FakeApiServer();
  const client = api.client();
  const ctx = new Ctx({ flags: new Map(), args: [] });
  Object.defineProperty(ctx, 'client', { get: () => client });
  const out: string[] = [];
  ctx.print = (s: string) => void out.push(...s.split('\n').filter(Boolean));
  return { api, ctx, out };
}

test('waits for every service, printing each as it becomes ready', async () => {
  const { api, ctx, out } = setup();
  const db = api.seed(DEPLOY, deployment('db', 1, rolledOut(1)));
  const web = api.seed(DEPLOY, deployment('web', 2));
  // another project's Deployment is none of this wait's business
  api.seed(DEPLOY, { ...deployment('other', 1), metadata: { name: 'other', namespace: 'app', labels: projectLabels('elsewhere') } });
  let done = false;
  const waiting = waitForServices(ctx, 'app', [db, web], 0).then(() => void (done = true));
  await eventually('db ready', () => out.length === 1);
  assert.deepEqual(out, ['service db ready (1/1 available)']);
  assert.equal(done, false);
  const client = api.client();
  await updateStatus(client, DEPLOY, web, (o) => void (o.status = { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }));
  await eventually('the watch to see the status', () => api.actions.some((a) => a.verb === 'watch'));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(done, false, 'one of two replicas available');
  await updateStatus(client, DEPLOY, api.get(DEPLOY, 'web', 'app') as KubeObject, (o) => void (o.status = rolledOut(2)));
  await waiting;
  assert.deepEqual(out, ['service db ready (1/1 available)', 'service web ready (2/2 available)']);
});

test('a one-shot service that fails, and the timeout, end the wait with an error naming the services', async () => {
  const { api, ctx } = setup();
  const job = api.seed(JOB, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'app', labels: { ...projectLabels('app'), [SERVICE_LABEL]: 'migrate' } },
    spec: { template: { spec: { containers: [{ name: 'm', image: 'x' }], restartPolicy: 'Never' } } } });
  const web = api.seed(DEPLOY, deployment('web', 1));
  const failing = waitForServices(ctx, 'app', [job, web], 0);
  await updateStatus(api.client(), JOB, job, (o) => void (o.status = { conditions: [{ type: 'Failed', status: 'True', message: 'Job has reached the specified backoff limit' }] }));
  await assert.rejects(failing, { message: 'error: service migrate: Job has reached the specified backoff limit' });
  await assert.rejects(waitForServices(ctx, 'app', [web], 200), { message: 'error: timed out after 0.2s waiting for web (0/1 available)' });
});
