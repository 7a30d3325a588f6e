// Acceptance (Jobs with real containers): on a whole local cluster (`flotilla up` in a temp dir: real containerd,
// registry, API server, controllers, scheduler, node agent), driven with the real kubectl, a Job computes a sum and
// `kubectl logs job/x` prints it; an Indexed Job's pods read JOB_COMPLETION_INDEX (the downward API on the
// batch.kubernetes.io/job-completion-index annotation) and compute from it. `flotilla down` leaves no process. Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upCluster } from './up-cluster.js';

const c = upCluster({ name: 'jobs', nodeName: 'jobs-node' });
const { skip } = c;
const ok = (args: string[], input?: string) => c.ok(args, input);

test('a Job computes a sum in a real container; kubectl wait and kubectl logs job/x', { skip }, () => {
  ok(['create', 'job', 'sum', `--image=${c.tools}`, '--', 'sh', '-c', 'i=0; s=0; while [ $i -lt 100 ]; do i=$((i+1)); s=$((s+i)); done; echo sum=$s']);
  ok(['wait', '--for=condition=complete', 'job/sum', '--timeout=180s']);
  assert.equal(ok(['logs', 'job/sum']).trim(), 'sum=5050');
  const job = JSON.parse(ok(['get', 'job', 'sum', '-o', 'json']));
  assert.equal(job.status.succeeded, 1);
  assert.match(ok(['get', 'job', 'sum']), /sum\s+Complete\s+1\/1/);
});

test('an Indexed Job: each pod reads JOB_COMPLETION_INDEX and squares it', { skip }, () => {
  ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'squares' },
    spec: { completions: 3, parallelism: 3, completionMode: 'Indexed', template: { spec: { restartPolicy: 'Never',
      containers: [{ name: 'sq', image: c.tools, command: ['sh', '-c', 'echo "$JOB_COMPLETION_INDEX^2=$((JOB_COMPLETION_INDEX * JOB_COMPLETION_INDEX))"'] }] } } },
  }));
  ok(['wait', '--for=condition=complete', 'job/squares', '--timeout=180s']);
  const pods = JSON.parse(ok(['get', 'pods', '-l', 'job-name=squares', '-o', 'json'])).items as Array<{ metadata: { name: string } }>;
  const lines = pods.map((p) => ok(['logs', p.metadata.name]).trim()).sort();
  assert.deepEqual(lines, ['0^2=0', '1^2=1', '2^2=4']);
});
