// Acceptance (batch/v1 on the real stack: etcd, the API server, controller-manager, scheduler, hollow nodes, the real
// kubectl): kubectl create job and its columns; the generated selector; Kubernetes' refusals; an Indexed Job of 5
// completions with parallelism 2 runs each index once and `kubectl wait --for=condition=complete` returns; a Job
// whose pods exit 1 fails after backoffLimit with growing delays between its pods; CronJobs every minute create
// Jobs and keep their history limit, Forbid skips while one runs; kubectl create job --from=cronjob/x.
// Hollow pods finish with the exit code of their hollow.flotilla.dev/exit-code annotation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, waitFor } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.startWithHollowNodes({ count: 2, prefix: 'hn', heartbeatSeconds: 2 });
});
after(async () => {
  await c?.stop();
});

interface Pod { metadata: { name: string; creationTimestamp: string; annotations?: Record<string, string> }; status?: { phase?: string } }

async function podsOf(job: string): Promise<Pod[]> {
  return (await c.request('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(`job-name=${job}`)}`)).body.items as Pod[];
}

function jobManifest(name: string, spec: Record<string, unknown>, exitCode?: number): string {
  const annotations = exitCode === undefined ? {} : { 'hollow.flotilla.dev/exit-code': String(exitCode) };
  return JSON.stringify({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
    spec: { ...spec, template: { metadata: { annotations }, spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'registry.example/work:v1' }] } } },
  });
}

test('kubectl create job: generated selector and labels, kubectl 1.32 columns, refusals as Kubernetes words them', async () => {
  c.ok(['create', 'job', 'sleeper', '--image=registry.example/work:v1']);
  const job = JSON.parse(c.ok(['get', 'job', 'sleeper', '-o', 'json']));
  const uid = job.metadata.uid;
  assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
  assert.equal(job.spec.template.metadata.labels['job-name'], 'sleeper');
  assert.equal(job.spec.template.metadata.labels['batch.kubernetes.io/job-name'], 'sleeper');
  assert.equal(job.spec.template.metadata.labels['controller-uid'], uid);
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.completionMode, 'NonIndexed');
  await waitFor('the pod running', async () => (await podsOf('sleeper')).some((p) => p.status?.phase === 'Running'), 60_000);
  const table = await waitFor('the Job active', async () => {
    const out = c.ok(['get', 'jobs', 'sleeper']);
    return /sleeper\s+Running\s+0\/1\s+\d+s\s+\d+s/.test(out) ? out : undefined;
  });
  assert.match(table.split('\n')[0], /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
  assert.match(c.ok(['get', 'jobs', 'sleeper', '-o', 'wide']).split('\n')[0], /AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);

  const always = c.kubectl(['apply', '-f', '-'], { input: jobManifest('bad', {}).replace('"Never"', '"Always"') });
  assert.notEqual(always.code, 0);
  assert.match(always.stderr, /spec\.template\.spec\.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/);
  const image = c.kubectl(['set', 'image', 'job/sleeper', 'sleeper=registry.example/work:v2']);
  assert.notEqual(image.code, 0);
  assert.match(image.stderr, /spec\.template: Invalid value: .*field is immutable/);
  c.ok(['delete', 'job', 'sleeper', '--wait=true']);
});

test('an Indexed Job of 5 completions, parallelism 2, runs each index once; kubectl wait --for=condition=complete returns', async () => {
  c.ok(['apply', '-f', '-'], { input: jobManifest('idx', { completions: 5, parallelism: 2, completionMode: 'Indexed' }, 0) });
  const wait = c.kubectl(['wait', '--for=condition=complete', 'job/idx', '--timeout=90s']);
  assert.equal(wait.code, 0, wait.stderr);
  assert.match(wait.stdout, /job\.batch\/idx condition met/);
  const indexes = (await podsOf('idx')).map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
  assert.deepEqual(indexes, ['0', '1', '2', '3', '4']);
  const job = JSON.parse(c.ok(['get', 'job', 'idx', '-o', 'json']));
  assert.equal(job.status.completedIndexes, '0-4');
  assert.equal(job.status.succeeded, 5);
  assert.ok(job.status.completionTime);
  assert.match(c.ok(['get', 'job', 'idx']), /idx\s+Complete\s+5\/5/);
  const described = c.ok(['describe', 'job', 'idx']);
  assert.match(described, /Completion Mode:\s+Indexed/);
  assert.match(described, /Pods Statuses:\s+0 Active \(0 Ready\) \/ 5 Succeeded \/ 0 Failed/);
  assert.match(described, /Completed Indexes:\s+0-4/);
  assert.match(c.ok(['explain', 'job.spec.completionMode']), /JOB_COMPLETION_INDEX/);
});

test('a Job whose pods exit 1 fails after backoffLimit, each replacement later than the last', async () => {
  c.ok(['apply', '-f', '-'], { input: jobManifest('flaky', { backoffLimit: 2 }, 1) });
  const wait = c.kubectl(['wait', '--for=condition=failed', 'job/flaky', '--timeout=120s']);
  assert.equal(wait.code, 0, wait.stderr);
  const job = JSON.parse(c.ok(['get', 'job', 'flaky', '-o', 'json']));
  const failed = job.status.conditions.find((x: { type: string }) => x.type === 'Failed');
  assert.equal(failed.reason, 'BackoffLimitExceeded');
  assert.equal(job.status.failed, 3);
  const created = (await podsOf('flaky')).map((p) => Date.parse(p.metadata.creationTimestamp)).sort((a, b) => a - b);
  assert.equal(created.length, 3, 'backoffLimit 2: three pods in all');
  const gaps = [created[1] - created[0], created[2] - created[1]];
  // the back-off is 10 s, then 20 s (creation times have second precision)
  assert.ok(gaps[0] >= 9_000, `first replacement after the 10 s back-off (gaps ${gaps})`);
  assert.ok(gaps[1] >= 19_000 && gaps[1] > gaps[0], `second after the doubled back-off (gaps ${gaps})`);
  assert.match(c.ok(['get', 'job', 'flaky']), /flaky\s+Failed\s+0\/1/);
});

function cronJobManifest(name: string, spec: Record<string, unknown>, exitCode?: number): string {
  const annotations = exitCode === undefined ? {} : { 'hollow.flotilla.dev/exit-code': String(exitCode) };
  return JSON.stringify({
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name },
    spec: { schedule: '* * * * *', ...spec, jobTemplate: { spec: { template: { metadata: { annotations },
      spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'registry.example/work:v1' }] } } } } },
  });
}

interface Job { metadata: { name: string; ownerReferences?: Array<{ name: string }> } }
async function jobsOf(cronjob: string): Promise<Job[]> {
  const items = (await c.request('GET', '/apis/batch/v1/namespaces/default/jobs')).body.items as Job[];
  return items.filter((j) => j.metadata.ownerReferences?.some((r) => r.name === cronjob));
}

test('CronJobs every minute: Jobs made and the history limit kept; Forbid skips while one runs; create job --from=cronjob', async () => {
  c.ok(['apply', '-f', '-'], { input: cronJobManifest('tick', { successfulJobsHistoryLimit: 1 }, 0) });
  c.ok(['apply', '-f', '-'], { input: cronJobManifest('hold', { concurrencyPolicy: 'Forbid' }) });
  const table = c.ok(['get', 'cronjobs']);
  assert.match(table.split('\n')[0], /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
  // created just before a minute's turn, the first run may already be scheduled by the time kubectl lists them
  assert.match(table, /tick\s+\* \* \* \* \*\s+<none>\s+False\s+[01]\s+(<none>|\d+s)\s/);

  const seen = new Set<string>();
  await waitFor('two runs of tick, one Job kept', async () => {
    for (const j of await jobsOf('tick')) seen.add(j.metadata.name);
    const kept = await jobsOf('tick');
    return seen.size >= 2 && kept.length === 1 && kept[0].metadata.name === [...seen].sort().at(-1);
  }, 200_000, 1000);
  // hold's second run is due at the same minute as tick's: the controller may come to it a moment later
  await waitFor('hold\'s skipped run reported (event JobAlreadyActive)', async () => {
    const events = (await c.request('GET', '/api/v1/namespaces/default/events')).body.items as Array<{ reason: string; involvedObject: { name: string } }>;
    return events.some((e) => e.reason === 'JobAlreadyActive' && e.involvedObject.name === 'hold');
  }, 60_000, 1000);
  assert.equal((await jobsOf('hold')).length, 1, 'Forbid: the still-running first Job blocks the second run');
  assert.match(c.ok(['get', 'cronjob', 'hold']), /hold\s+\* \* \* \* \*\s+<none>\s+False\s+1\s+\d+s/);

  assert.match(c.ok(['describe', 'cronjob', 'hold']), /Concurrency Policy:\s+Forbid/);
  assert.match(c.ok(['explain', 'cronjob.spec.schedule']), /cron format/);
  c.ok(['create', 'job', 'manual', '--from=cronjob/hold']);
  const manual = JSON.parse(c.ok(['get', 'job', 'manual', '-o', 'json']));
  assert.equal(manual.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
  assert.equal(manual.metadata.ownerReferences[0].kind, 'CronJob');
  c.ok(['delete', 'cronjob', 'tick', 'hold']);
});
