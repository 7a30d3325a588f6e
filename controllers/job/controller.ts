// The Job controller: runs a Job's pods to completion. It keeps up to spec.parallelism pods active until
// spec.completions have succeeded (in Indexed mode one success per index 0..completions-1), replaces failed pods
// after an exponential back-off (10 s doubling, at most 6 minutes) until more than spec.backoffLimit have failed,
// fails the Job past activeDeadlineSeconds or on a podFailurePolicy FailJob rule, deletes the active pods while
// suspended, deletes a finished Job ttlSecondsAfterFinished later, and writes the Job's status and conditions
// (SuccessCriteriaMet / FailureTarget first, Complete / Failed once no pod is left running, as Kubernetes 1.31+).
// Counts come from the Job's pods; a finished pod deleted by hand is not forgotten (counts never go down).
import { findByKind } from '../../lib/api/kinds.js';
import { labelSelectorFromObject, matchesLabels } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types.js';
import { claim, controllerRef, isNotFound, keyOf, Reconciler, soonest, splitKey, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { ControllerContext } from '../context.js';
import { Expectations } from '../expectations.js';
import { deletionOrder, isPodActive, isPodReady } from '../pods.js';
import { conditionsOf, hasTrue, isFinished, setCondition, type JobCondition } from './conditions.js';
import { matchFailurePolicy, type PolicyMatch } from './failurepolicy.js';
import { backoffDelay, finishedAt, formatIntervals, indexOf, isFailed, isIndexed, isSucceeded, podFromTemplate } from './pods.js';

const JOB = findByKind('batch/v1', 'Job')!;
const POD = findByKind('v1', 'Pod')!;

/** What one look at the Job's pods says. */
interface Observed {
  active: KubeObject[];
  succeeded: number;
  failed: number;
  succeededIndexes: Set<number>;
  /** A failed pod that matched a FailJob rule. */
  failJob?: PolicyMatch;
  /** When the latest counted failure happened. */
  lastFailure: number;
}

export class JobController extends Reconciler {
  private readonly jobs: Informer;
  private readonly pods: Informer;
  readonly expectations = new Expectations();
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext, private readonly now: () => number = Date.now) {
    super('job-controller');
    this.recorder = ctx.recorder('job-controller');
    this.jobs = ctx.informers.informerFor(JOB);
    this.pods = ctx.informers.informerFor(POD);
    this.pods.indexByNamespace();
    this.jobs.onAdd((j) => this.enqueue(keyOf(j))).onUpdate((_o, j) => this.enqueue(keyOf(j))).onDelete((j) => {
      this.expectations.delete(keyOf(j));
    });
    const podEvent = (p: KubeObject, created = false): void => {
      const job = this.ownerOf(p);
      if (!job) return;
      if (created) this.expectations.creationObserved(keyOf(job));
      this.enqueue(keyOf(job));
    };
    this.pods.onAdd((p) => podEvent(p, !p.metadata.deletionTimestamp)).onUpdate((old, p) => {
      podEvent(old);
      podEvent(p);
    }).onDelete((p) => podEvent(p));
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.jobs.start(), this.pods.start()]);
  }

  private ownerOf(p: KubeObject): KubeObject | undefined {
    const ref = controllerRef(p);
    if (!ref || ref.kind !== 'Job') return undefined;
    const job = this.jobs.get(ref.name, p.metadata.namespace);
    return job?.metadata.uid === ref.uid ? job : undefined;
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [namespace, name] = splitKey(key);
    const job = this.jobs.get(name, namespace);
    if (!job || job.metadata.deletionTimestamp) return;
    if (isFinished(job)) return this.afterFinished(job);
    const needsSync = this.expectations.satisfied(key);
    const sel = labelSelectorFromObject(job.spec?.selector ?? {});
    const candidates = this.pods.byIndex('namespace', namespace as string);
    const match = (p: KubeObject): boolean => matchesLabels(sel, p.metadata.labels);
    const pods = await claim({ client: this.ctx.client, owner: job, ownerKind: JOB, kind: POD, match, candidates });
    const seen = this.observe(job, pods);
    const now = this.now();
    const stamp = new Date(now).toISOString();
    const spec = job.spec ?? {};
    let conds = conditionsOf(job);
    let startTime = job.status?.startTime as string | undefined;
    let requeue: number | undefined;
    let created = 0;

    if (spec.suspend === true) {
      if (!hasTrue(conds, 'Suspended')) {
        conds = setCondition(conds, 'Suspended', 'True', 'JobSuspended', 'Job suspended', stamp);
        this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      }
      await this.deletePods(job, seen.active);
      return this.writeStatus(job, { ...seen, active: [] }, conds, undefined);
    }
    if (hasTrue(conds, 'Suspended')) {
      conds = setCondition(conds, 'Suspended', 'False', 'JobResumed', 'Job resumed', stamp);
      this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
      startTime = undefined;
    }
    startTime ??= stamp;

    const failure = this.failureOf(job, seen, Date.parse(startTime), now);
    const success = !failure && this.succeeded(job, seen);
    if (failure && !hasTrue(conds, 'FailureTarget')) conds = setCondition(conds, 'FailureTarget', 'True', failure.reason, failure.message, stamp);
    if (success && !hasTrue(conds, 'SuccessCriteriaMet')) {
      conds = setCondition(conds, 'SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', stamp);
    }
    const active = seen.active;
    if (failure || success) {
      // the outcome is decided: stop what still runs, and finish once nothing does
      await this.deletePods(job, active);
      const stillTerminating = active.length > 0 || pods.some((p) => p.metadata.deletionTimestamp && !isSucceeded(p) && !isFailed(p));
      if (!stillTerminating) {
        if (failure) {
          conds = setCondition(conds, 'Failed', 'True', failure.reason, failure.message, stamp);
          this.recorder.event(job, 'Warning', failure.reason, failure.message);
        } else {
          conds = setCondition(conds, 'Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', stamp);
          this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
        }
      }
    } else if (needsSync) {
      const m = await this.manage(job, key, seen, now);
      requeue = m.requeue;
      created = m.created;
    }
    const ads = spec.activeDeadlineSeconds as number | undefined;
    if (!failure && !success && ads !== undefined) requeue = soonest(requeue, Math.max(0, Date.parse(startTime) + ads * 1000 - now) + 10);
    const complete = hasTrue(conds, 'Complete') ? stamp : undefined;
    await this.writeStatus(job, { ...seen, active: failure || success ? [] : active }, conds, startTime, complete, created);
    if (isFinishedConds(conds)) return this.ttlRequeue(job, now, stamp);
    return requeue === undefined ? undefined : { requeueAfter: requeue };
  }

  private observe(job: KubeObject, pods: KubeObject[]): Observed {
    const succeededIndexes = new Set<number>();
    let succeeded = 0;
    let failed = 0;
    let failJob: PolicyMatch | undefined;
    let lastFailure = 0;
    const completions = job.spec?.completions as number | undefined;
    for (const p of pods) {
      if (isSucceeded(p)) {
        const i = indexOf(p);
        if (isIndexed(job)) {
          if (i !== undefined && i < (completions ?? 0)) succeededIndexes.add(i);
        } else succeeded++;
      } else if (isFailed(p)) {
        const match = matchFailurePolicy(job, p);
        if (match?.action === 'Ignore') continue;
        if (match?.action === 'FailJob') failJob ??= match;
        failed++;
        lastFailure = Math.max(lastFailure, finishedAt(p));
      }
    }
    if (isIndexed(job)) succeeded = succeededIndexes.size;
    // counts never go down: a finished pod deleted by hand (or by the garbage collector) stays counted
    return {
      active: pods.filter(isPodActive), succeededIndexes, failJob, lastFailure,
      succeeded: Math.max(succeeded, job.status?.succeeded ?? 0), failed: Math.max(failed, job.status?.failed ?? 0),
    };
  }

  private failureOf(job: KubeObject, seen: Observed, start: number, now: number): { reason: string; message: string } | undefined {
    const target = hasTrue(conditionsOf(job), 'FailureTarget');
    if (target) return { reason: target.reason ?? '', message: target.message ?? '' };
    if (seen.failJob) return { reason: 'PodFailurePolicy', message: seen.failJob.message };
    if (seen.failed > (job.spec?.backoffLimit ?? 6)) return { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    const ads = job.spec?.activeDeadlineSeconds as number | undefined;
    if (ads !== undefined && now - start >= ads * 1000) return { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    return undefined;
  }

  private succeeded(job: KubeObject, seen: Observed): boolean {
    if (hasTrue(conditionsOf(job), 'SuccessCriteriaMet')) return true;
    const completions = job.spec?.completions as number | undefined;
    if (completions === undefined) return seen.succeeded > 0 && seen.active.length === 0;
    return seen.succeeded >= completions;
  }

  /** Creates or deletes pods toward the wanted number of active ones; returns when to look again (a back-off). */
  private async manage(job: KubeObject, key: string, seen: Observed, now: number): Promise<{ requeue?: number; created: number }> {
    const spec = job.spec ?? {};
    const parallelism = (spec.parallelism ?? 1) as number;
    const completions = spec.completions as number | undefined;
    let todo: Array<number | undefined>;
    if (isIndexed(job)) {
      const busy = new Set([...seen.succeededIndexes, ...seen.active.map(indexOf).filter((i): i is number => i !== undefined)]);
      const free = Array.from({ length: completions ?? 0 }, (_, i) => i).filter((i) => !busy.has(i));
      todo = free.slice(0, Math.max(0, parallelism - seen.active.length));
    } else {
      const want = completions === undefined ? (seen.succeeded > 0 ? 0 : parallelism) : Math.min(parallelism, completions - seen.succeeded);
      const diff = want - seen.active.length;
      if (diff < 0) {
        await this.deletePods(job, deletionOrder(seen.active).slice(0, -diff));
        return { created: 0 };
      }
      todo = Array.from({ length: diff }, () => undefined);
    }
    if (!todo.length) return { created: 0 };
    const wait = seen.failed ? seen.lastFailure + backoffDelay(seen.failed) - now : 0;
    if (wait > 0) return { requeue: wait + 10, created: 0 };
    this.expectations.expectCreations(key, todo.length);
    const results = await Promise.allSettled(todo.map(async (index) => {
      try {
        const pod = await this.ctx.client.create(POD, podFromTemplate(job, index));
        this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      } catch (e) {
        this.expectations.creationFailed(key);
        this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
        throw e;
      }
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return { created: todo.length };
  }

  private async deletePods(job: KubeObject, pods: KubeObject[]): Promise<void> {
    await Promise.all(pods.filter((p) => !p.metadata.deletionTimestamp).map(async (p) => {
      try {
        await this.ctx.client.delete(POD, p.metadata.name as string, { namespace: p.metadata.namespace, preconditions: { uid: p.metadata.uid } });
        this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }));
  }

  private async writeStatus(job: KubeObject, seen: Observed, conds: JobCondition[], startTime?: string, completionTime?: string, created = 0): Promise<void> {
    const status: Record<string, unknown> = {
      ...(job.status ?? {}),
      // pods created in this sync are active already, as Kubernetes counts them
      active: seen.active.length + created,
      ready: seen.active.filter(isPodReady).length,
      succeeded: seen.succeeded,
      failed: seen.failed,
      terminating: 0,
      conditions: conds.length ? conds : undefined,
      startTime,
      completionTime: completionTime ?? job.status?.completionTime,
      uncountedTerminatedPods: {},
    };
    if (isIndexed(job)) status.completedIndexes = formatIntervals(seen.succeededIndexes);
    for (const k of Object.keys(status)) if (status[k] === undefined) delete status[k];
    if (JSON.stringify(status) === JSON.stringify(job.status ?? {})) return;
    try {
      await this.ctx.client.updateStatus(JOB, { ...job, status });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** A finished Job: deleted ttlSecondsAfterFinished after it finished (what Kubernetes' TTL-after-finished controller does). */
  private async afterFinished(job: KubeObject): Promise<ReconcileResult | void> {
    const now = this.now();
    return this.ttlRequeue(job, now, new Date(now).toISOString());
  }

  private async ttlRequeue(job: KubeObject, now: number, stamp: string): Promise<ReconcileResult | void> {
    const ttl = job.spec?.ttlSecondsAfterFinished as number | undefined;
    if (ttl === undefined) return;
    const done = conditionsOf(job).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const finished = Date.parse(done?.lastTransitionTime ?? stamp);
    const left = finished + ttl * 1000 - now;
    if (left > 0) return { requeueAfter: left + 10 };
    try {
      await this.ctx.client.delete(JOB, job.metadata.name as string, { namespace: job.metadata.namespace, propagationPolicy: 'Foreground',
        preconditions: { uid: job.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

const isFinishedConds = (conds: JobCondition[]): boolean => !!(hasTrue(conds, 'Complete') ?? hasTrue(conds, 'Failed'));
