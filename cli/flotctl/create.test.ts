import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import type { Ctx } from './context.js';
import { jobFromCronJob } from './create.js';

test('create job --from=cronjob copies the jobTemplate, marks it manual and is owned by the CronJob', () => {
  const cj = {
    metadata: { name: 'nightly', namespace: 'ops', uid: 'cj-uid' },
    spec: { schedule: '0 3 * * *', jobTemplate: { metadata: { labels: { team: 'a' }, annotations: { note: 'x' } }, spec: { backoffLimit: 2, template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } } } } },
  } as unknown as KubeObject;
  const ctx = { explicitNs: true, namespace: 'ops' } as unknown as Ctx;
  assert.deepEqual(jobFromCronJob(ctx, 'manual', cj), {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      annotations: { 'cronjob.kubernetes.io/instantiate': 'manual', note: 'x' }, creationTimestamp: null, labels: { team: 'a' }, name: 'manual', namespace: 'ops',
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cj-uid', controller: true }],
    },
    spec: { backoffLimit: 2, template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } } },
    status: {},
  });
  const bare = jobFromCronJob({ explicitNs: false, namespace: 'ops' } as unknown as Ctx, 'm', { ...cj, spec: { jobTemplate: { spec: {} } } } as unknown as KubeObject);
  assert.equal(bare.metadata.labels, undefined);
  assert.equal(bare.metadata.namespace, undefined, 'the namespace only when -n was given');
});
