// The CronJob controller: creates a Job from spec.jobTemplate at each scheduled time (spec.schedule read in
// spec.timeZone, croner's arithmetic), named <cronjob>-<minutes since the epoch> so a run is never created twice.
// As Kubernetes' cronjob controller v2: after downtime only the most recent missed time runs (more than 100 missed
// ones are reported as TooManyMissedTimes), and not if it is older than startingDeadlineSeconds (MissSchedule);
// concurrencyPolicy Forbid skips a run while a Job is active, Replace deletes the active ones first; suspend stops new
// runs; finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted, oldest first; status
// keeps the active Jobs, lastScheduleTime and lastSuccessfulTime.
import { parseSchedule, type Schedule } from '../../lib/api/cron.js';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { controllerRef, isAlreadyExists, isNotFound, keyOf, newControllerRef, Reconciler, splitKey, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { ControllerContext } from '../context.js';
import { conditionsOf, hasTrue } from '../job/conditions.js';

const CRONJOB = findByKind('batch/v1', 'CronJob')!;
const JOB = findByKind('batch/v1', 'Job')!;
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Missed start times beyond which Kubernetes warns (TooManyMissedTimes). */
export const MAX_MISSED = 100;

interface ObjectRef { apiVersion: string; kind: string; name: string; namespace: string; uid: string; resourceVersion?: string }

const finishedAs = (j: KubeObject): 'Complete' | 'Failed' | undefined =>
  hasTrue(conditionsOf(j), 'Complete') ? 'Complete' : hasTrue(conditionsOf(j), 'Failed') ? 'Failed' : undefined;

/** The scheduled time a Job of ours was made for (its name's minutes), for ordering and history. */
const startOf = (j: KubeObject): number => Date.parse((j.status?.startTime as string | undefined) ?? j.metadata.creationTimestamp ?? '') || 0;

export class CronJobController extends Reconciler {
  private readonly cronjobs: Informer;
  private readonly jobs: Informer;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext, private readonly now: () => number = Date.now) {
    super('cronjob-controller');
    this.recorder = ctx.recorder('cronjob-controller');
    this.cronjobs = ctx.informers.informerFor(CRONJOB);
    this.jobs = ctx.informers.informerFor(JOB);
    this.jobs.indexByNamespace();
    this.cronjobs.onAdd((c) => this.enqueue(keyOf(c))).onUpdate((_o, c) => this.enqueue(keyOf(c)));
    const jobEvent = (j: KubeObject): void => {
      const ref = controllerRef(j);
      if (ref?.kind === 'CronJob') this.enqueue(`${j.metadata.namespace}/${ref.name}`);
    };
    this.jobs.onAdd(jobEvent).onUpdate((_o, j) => jobEvent(j)).onDelete(jobEvent);
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.cronjobs.start(), this.jobs.start()]);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [namespace, name] = splitKey(key);
    const cj = this.cronjobs.get(name, namespace);
    if (!cj) return;
    const uid = cj.metadata.uid;
    const owned = this.jobs.byIndex('namespace', namespace as string).filter((j) => controllerRef(j)?.uid === uid);
    const status: Record<string, unknown> = { ...(cj.status ?? {}) };
    let active = this.reconcileActive(cj, owned, status);
    if (cj.metadata.deletionTimestamp) return this.writeStatus(cj, { ...status, active });
    await this.cleanUpHistory(cj, owned);

    let schedule: Schedule;
    try {
      schedule = parseSchedule(cj.spec?.schedule ?? '', cj.spec?.timeZone as string | undefined);
    } catch (e) {
      const reason = /time zone/.test((e as Error).message) ? 'UnknownTimeZone' : 'UnparseableSchedule';
      this.recorder.event(cj, 'Warning', reason, `invalid schedule: ${cj.spec?.schedule} : ${(e as Error).message}`);
      return this.writeStatus(cj, { ...status, active });
    }
    const now = new Date(this.now());
    const nextIn = (): ReconcileResult | undefined => {
      const next = schedule.next(now);
      return next ? { requeueAfter: next.getTime() - now.getTime() + 100 } : undefined;
    };
    if (cj.spec?.suspend === true) {
      await this.writeStatus(cj, { ...status, active });
      return;
    }
    const scheduled = this.mostRecentMissed(cj, schedule, now);
    if (!scheduled) {
      await this.writeStatus(cj, { ...status, active });
      return nextIn();
    }
    const sds = cj.spec?.startingDeadlineSeconds as number | undefined;
    if (sds !== undefined && scheduled.getTime() + sds * 1000 < now.getTime()) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${scheduled.toISOString().replace('.000Z', 'Z')}`);
      await this.writeStatus(cj, { ...status, active });
      return nextIn();
    }
    const jobName = `${cj.metadata.name}-${Math.floor(scheduled.getTime() / 60_000)}`;
    if (active.some((r) => r.name === jobName) || owned.some((j) => j.metadata.name === jobName)) {
      // this run was made already (we may have crashed before writing the status)
      await this.writeStatus(cj, { ...status, active, lastScheduleTime: iso(scheduled) });
      return nextIn();
    }
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && active.length) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      await this.writeStatus(cj, { ...status, active });
      return nextIn();
    }
    if (policy === 'Replace') {
      for (const ref of active) await this.deleteJob(cj, ref.name);
      active = [];
    }
    const job = await this.createJob(cj, jobName, scheduled);
    if (job) active = [...active, refOf(job)];
    await this.writeStatus(cj, { ...status, active, lastScheduleTime: iso(scheduled) });
    return nextIn();
  }

  /** status.active made true to the Jobs: finished and vanished ones out (lastSuccessfulTime updated), running ones in. */
  private reconcileActive(cj: KubeObject, owned: KubeObject[], status: Record<string, unknown>): ObjectRef[] {
    const before = (cj.status?.active ?? []) as ObjectRef[];
    const out: ObjectRef[] = [];
    for (const ref of before) {
      const j = owned.find((x) => x.metadata.uid === ref.uid);
      if (!j) {
        this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        continue;
      }
      const done = finishedAs(j);
      if (!done) {
        out.push(ref);
        continue;
      }
      this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${done}`);
      const at = j.status?.completionTime as string | undefined;
      if (done === 'Complete' && at && (!status.lastSuccessfulTime || Date.parse(at) > Date.parse(status.lastSuccessfulTime as string))) {
        status.lastSuccessfulTime = at;
      }
    }
    for (const j of owned) {
      if (finishedAs(j) || j.metadata.deletionTimestamp || out.some((r) => r.uid === j.metadata.uid) || before.some((r) => r.uid === j.metadata.uid)) continue;
      // ours but not in active: made by `kubectl create job --from=cronjob/x`, or we stopped before writing the status
      this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      out.push(refOf(j));
    }
    return out;
  }

  /** The latest scheduled time not yet run (after lastScheduleTime, or the creation), or undefined. */
  private mostRecentMissed(cj: KubeObject, schedule: Schedule, now: Date): Date | undefined {
    let earliest = Date.parse((cj.status?.lastScheduleTime as string | undefined) ?? cj.metadata.creationTimestamp ?? '') || now.getTime();
    const sds = cj.spec?.startingDeadlineSeconds as number | undefined;
    if (sds !== undefined) earliest = Math.max(earliest, now.getTime() - sds * 1000);
    const latest = schedule.latest(now);
    if (!latest || latest.getTime() <= earliest) return undefined;
    let missed = 0;
    for (let t = schedule.next(new Date(earliest)); t && t.getTime() <= now.getTime() && missed <= MAX_MISSED; t = schedule.next(t)) missed++;
    if (missed > MAX_MISSED) {
      this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    return latest;
  }

  private async createJob(cj: KubeObject, name: string, scheduled: Date): Promise<KubeObject | undefined> {
    const tpl = structuredClone(cj.spec?.jobTemplate ?? {});
    const job: KubeObject = {
      metadata: {
        name,
        namespace: cj.metadata.namespace,
        labels: tpl.metadata?.labels,
        annotations: { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: iso(scheduled) },
        ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
      },
      spec: tpl.spec,
    };
    try {
      const created = await this.ctx.client.create(JOB, job);
      this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
      return created;
    } catch (e) {
      if (isAlreadyExists(e)) return undefined;
      this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
      throw e;
    }
  }

  private async deleteJob(cj: KubeObject, name: string): Promise<void> {
    try {
      await this.ctx.client.delete(JOB, name, { namespace: cj.metadata.namespace, propagationPolicy: 'Background' });
      this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Deletes the oldest finished Jobs beyond the history limits. */
  private async cleanUpHistory(cj: KubeObject, owned: KubeObject[]): Promise<void> {
    const limits: Array<['Complete' | 'Failed', number | undefined]> = [
      ['Complete', cj.spec?.successfulJobsHistoryLimit as number | undefined], ['Failed', cj.spec?.failedJobsHistoryLimit as number | undefined]];
    for (const [kind, limit] of limits) {
      if (limit === undefined) continue;
      const finished = owned.filter((j) => finishedAs(j) === kind && !j.metadata.deletionTimestamp).sort((a, b) => startOf(a) - startOf(b));
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) await this.deleteJob(cj, j.metadata.name as string);
    }
  }

  private async writeStatus(cj: KubeObject, status: Record<string, unknown>): Promise<void> {
    if (!(status.active as unknown[] | undefined)?.length) delete status.active;
    if (JSON.stringify(status) === JSON.stringify(cj.status ?? {})) return;
    try {
      await this.ctx.client.updateStatus(CRONJOB, { ...cj, status });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function refOf(j: KubeObject): ObjectRef {
  return { apiVersion: 'batch/v1', kind: 'Job', name: j.metadata.name as string, namespace: j.metadata.namespace as string, uid: j.metadata.uid as string,
    resourceVersion: j.metadata.resourceVersion };
}
