import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule, scheduleError, timeZoneError } from '../../lib/api/cron.js';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { eventually, FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { CronJobController, SCHEDULED_TIMESTAMP } from './controller.js';

const CRONJOB = findByKind('batch/v1', 'CronJob')!;
const JOB = findByKind('batch/v1', 'Job')!;
const EVENT = findByKind('v1', 'Event')!;
const KEY = 'default/backup';
const T0 = Date.parse('2026-01-01T00:00:30Z');

/**
 * A CronJob last scheduled at `since` (the fake API stamps creationTimestamp with the real clock, so the test's
 * starting point is the last schedule time, which the controller reads before the creation time).
 */
function cronJob(spec: Record<string, unknown> = {}, since = '2026-01-01T00:00:00Z'): KubeObject {
  return {
    metadata: { name: 'backup', namespace: 'default' },
    status: { lastScheduleTime: since },
    spec: {
      schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'backup' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'b', image: 'busybox' }] } } } },
      ...spec,
    },
  };
}

async function start(t: { after: (fn: () => void) => void }, cj: KubeObject, now = T0) {
  const api = new FakeApiServer();
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const clock = { now };
  const ctx = new ControllerContext(client, informers);
  const cc = new CronJobController(ctx, () => clock.now);
  t.after(() => informers.stop());
  await informers.start();
  api.seed(CRONJOB, cj);
  const caughtUp = (): boolean => {
    const c = informers.informerFor(CRONJOB).get('backup', 'default');
    const jobs = informers.informerFor(JOB).list();
    const apiJobs = api.list(JOB, 'default');
    return c?.metadata.resourceVersion === api.get(CRONJOB, 'backup', 'default')?.metadata.resourceVersion && jobs.length === apiJobs.length
      && apiJobs.every((j) => jobs.some((x) => x.metadata.uid === j.metadata.uid && x.metadata.resourceVersion === j.metadata.resourceVersion));
  };
  return {
    api, clock, cc,
    async sync() {
      await eventually('the informers caught up', caughtUp);
      const r = await cc.reconcile(KEY);
      await ctx.flushEvents();
      return r;
    },
    jobs: () => api.list(JOB, 'default').sort((a, b) => (a.metadata.name as string).localeCompare(b.metadata.name as string)),
    cj: () => api.get(CRONJOB, 'backup', 'default') as KubeObject,
    events: (reason: string) => api.list(EVENT, 'default').filter((e) => e.reason === reason),
    async finish(job: KubeObject, type: 'Complete' | 'Failed', at: number) {
      const t = new Date(at).toISOString();
      await client.updateStatus(JOB, { ...job, status: { startTime: t, completionTime: type === 'Complete' ? t : undefined,
        conditions: [{ type, status: 'True', lastTransitionTime: t }] } });
    },
  };
}

const minutes = (iso: string): number => Math.floor(Date.parse(iso) / 60_000);

test('schedules: five fields or @names, time zones, Kubernetes wording for bad ones', () => {
  assert.equal(scheduleError('@hourly'), '');
  assert.equal(scheduleError('0 9 * * MON-FRI'), '');
  assert.equal(scheduleError('* * * *'), 'expected exactly 5 fields, found 4: [* * * *]');
  assert.equal(scheduleError('* * * * * *'), 'expected exactly 5 fields, found 6: [* * * * * *]');
  assert.notEqual(scheduleError('61 * * * *'), '');
  assert.equal(timeZoneError('Europe/Paris'), '');
  assert.equal(timeZoneError('Mars/Olympus'), 'unknown time zone Mars/Olympus');
  const hourly = parseSchedule('@hourly');
  assert.equal(hourly.next(new Date('2026-01-01T00:00:30Z'))?.toISOString(), '2026-01-01T01:00:00.000Z');
  const paris = parseSchedule('0 9 * * *', 'Europe/Paris');
  assert.equal(paris.next(new Date('2026-01-01T00:00:00Z'))?.toISOString(), '2026-01-01T08:00:00.000Z', '09:00 in Paris is 08:00 UTC in winter');
  assert.equal(paris.latest(new Date('2026-01-02T08:00:00Z'))?.toISOString(), '2026-01-02T08:00:00.000Z', 'a time exactly now counts');
});

test('at each scheduled time a Job named <cronjob>-<minutes> is created from the template; lastScheduleTime and active follow', async (t) => {
  const h = await start(t, cronJob());
  const first = await h.sync();
  assert.equal(h.jobs().length, 0, 'nothing before the first time');
  assert.equal(Math.round((first as { requeueAfter: number }).requeueAfter / 1000), 270, 'looked at again at 00:05');
  h.clock.now = Date.parse('2026-01-01T00:05:00Z');
  await h.sync();
  const [job] = h.jobs();
  assert.equal(job?.metadata.name, `backup-${minutes('2026-01-01T00:05:00Z')}`);
  assert.equal(job?.metadata.labels?.app, 'backup');
  assert.equal(job?.metadata.annotations?.[SCHEDULED_TIMESTAMP], '2026-01-01T00:05:00Z');
  assert.equal(job?.metadata.ownerReferences?.[0]?.kind, 'CronJob');
  assert.equal(h.cj().status?.lastScheduleTime, '2026-01-01T00:05:00Z');
  assert.deepEqual((h.cj().status?.active as Array<{ name: string }>).map((r) => r.name), [job?.metadata.name]);
  await h.sync();
  assert.equal(h.jobs().length, 1, 'the same time is never run twice');
  await h.finish(job as KubeObject, 'Complete', Date.parse('2026-01-01T00:06:00Z'));
  await h.sync();
  assert.equal(h.cj().status?.active, undefined, 'a finished Job leaves active');
  assert.equal(h.cj().status?.lastSuccessfulTime, '2026-01-01T00:06:00.000Z');
});

test('concurrencyPolicy Forbid skips a run while one is active; Replace deletes the active Job first', async (t) => {
  const h = await start(t, cronJob({ concurrencyPolicy: 'Forbid' }));
  h.clock.now = Date.parse('2026-01-01T00:05:00Z');
  await h.sync();
  h.clock.now = Date.parse('2026-01-01T00:10:00Z');
  await h.sync();
  assert.equal(h.jobs().length, 1, 'Forbid: no second Job');
  assert.equal(h.events('JobAlreadyActive').length, 1);
  await h.api.client().update(CRONJOB, { ...h.cj(), spec: { ...h.cj().spec, concurrencyPolicy: 'Replace' } });
  await h.sync();
  const names = h.jobs().map((j) => j.metadata.name);
  assert.deepEqual(names, [`backup-${minutes('2026-01-01T00:10:00Z')}`], 'Replace: the old Job deleted, the new one made');
});

test('history limits keep the newest finished Jobs; suspend stops new runs', async (t) => {
  const h = await start(t, cronJob({ schedule: '* * * * *', successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 }));
  for (let m = 1; m <= 5; m++) {
    h.clock.now = Date.parse(`2026-01-01T00:0${m}:00Z`);
    await h.sync();
    const newest = h.jobs().at(-1) as KubeObject;
    await h.finish(newest, m === 2 || m === 3 ? 'Failed' : 'Complete', h.clock.now + 10_000);
  }
  h.clock.now = Date.parse('2026-01-01T00:05:30Z');
  await h.sync();
  const left = h.jobs().map((j) => minutes(j.metadata.annotations?.[SCHEDULED_TIMESTAMP] as string) % 60);
  assert.deepEqual(left, [3, 4, 5], 'successful 4 and 5 kept, failed 3 kept; 1 and 2 deleted');
  await h.api.client().update(CRONJOB, { ...h.cj(), spec: { ...h.cj().spec, suspend: true } });
  h.clock.now = Date.parse('2026-01-01T00:07:00Z');
  await h.sync();
  assert.equal(h.jobs().length, 3, 'suspended: no new Job');
});

test('after downtime only the most recent missed time runs; over 100 missed: TooManyMissedTimes; startingDeadlineSeconds', async (t) => {
  const h = await start(t, cronJob({ schedule: '* * * * *' }), Date.parse('2026-01-01T03:00:30Z'));
  await h.sync();
  assert.deepEqual(h.jobs().map((j) => j.metadata.annotations?.[SCHEDULED_TIMESTAMP]), ['2026-01-01T03:00:00Z'], 'one Job, for the latest time');
  assert.equal(h.events('TooManyMissedTimes').length, 1, '180 missed times');

  const h2 = await start(t, cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 60 }), Date.parse('2026-01-01T02:30:00Z'));
  await h2.sync();
  assert.equal(h2.jobs().length, 0, 'the 02:00 run is past its 60 s deadline');
  assert.equal(h2.events('TooManyMissedTimes').length, 0);
  h2.clock.now = Date.parse('2026-01-01T03:00:45Z');
  await h2.sync();
  assert.equal(h2.jobs().length, 1, 'the 03:00 run, 45 s late, still starts');
});

test('a missed time older than startingDeadlineSeconds does not run', async (t) => {
  const h = await start(t, cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 600 }), Date.parse('2026-01-01T01:00:00Z'));
  await h.api.client().updateStatus(CRONJOB, { ...h.cj(), status: { lastScheduleTime: '2026-01-01T00:00:00Z' } });
  h.clock.now = Date.parse('2026-01-01T01:09:00Z');
  await h.sync();
  assert.equal(h.jobs().length, 1, 'within the deadline');
  h.clock.now = Date.parse('2026-01-01T02:30:00Z');
  await h.sync();
  assert.equal(h.jobs().length, 1, 'the 02:00 run is 30 min late: skipped');
});
