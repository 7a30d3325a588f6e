// The scheduler without HTTP: informer events in, decisions out through a SchedulerApi (bind, mark unschedulable,
// record events). One cycle (pop -> filter -> score -> assume) runs synchronously; the bind call then runs in the
// background, at most `maxInFlightBinds` at a time, while the next cycle already counts the assumed pod.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { KubeObject } from '../lib/api/types.js';
import { isConflict, isNotFound } from '../lib/client/rest.js';
import { logger } from '../lib/util/log.js';
import { Algorithm, FitError } from './algorithm.js';
import { SchedulerCache } from './cache.js';
import { DEFAULT_SCHEDULER_NAME, type ClusterEvent, type Framework } from './framework.js';
import { SchedulerMetrics, type AttemptResult } from './metrics.js';
import { SchedulingQueue, type QueueOptions, type QueuedPod } from './queue.js';
import { findPreemption, priorityOf } from './preemption.js';

const log = logger('scheduler');

/** What the scheduler asks of the API server; the real one is a Client, tests pass a fake. */
export interface SchedulerApi {
  bind(pod: KubeObject, node: string): Promise<void>;
  /** Sets the PodScheduled=False condition, reason Unschedulable, with this message. */
  setUnschedulable(pod: KubeObject, message: string): Promise<void>;
  event(pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Preemption: deletes a victim of a higher-priority pod (with the Preempted event). Unset: no preemption. */
  preempt?(victim: KubeObject, preemptor: KubeObject, node: string): Promise<void>;
  /** Sets the pod's status.nominatedNodeName. */
  nominate?(pod: KubeObject, node: string): Promise<void>;
}

export interface CoreOptions {
  frameworks: Framework[];
  api: SchedulerApi;
  now?: () => number;
  random?: () => number;
  maxInFlightBinds?: number;
  queue?: Omit<QueueOptions, 'now' | 'pluginsFor'>;
  /** The PodDisruptionBudgets preemption tries not to break. */
  budgets?: () => readonly KubeObject[];
}

const schedulerNameOf = (pod: KubeObject): string => (pod.spec?.schedulerName as string | undefined) || DEFAULT_SCHEDULER_NAME;
const isTerminal = (pod: KubeObject): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Which cluster events a node update amounts to (heartbeats amount to none). */
export function nodeChanges(old: KubeObject, cur: KubeObject): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (!same(old.status?.allocatable, cur.status?.allocatable)) out.push('NodeAllocatableChange');
  if (!same(old.metadata.labels, cur.metadata.labels)) out.push('NodeLabelChange');
  if (!same(old.spec?.taints, cur.spec?.taints)) out.push('NodeTaintChange');
  if (!!old.spec?.unschedulable !== !!cur.spec?.unschedulable) out.push('NodeUnschedulableChange');
  const ready = (n: KubeObject): unknown => (n.status?.conditions as Array<{ type: string; status: string }> | undefined)?.find((c) => c.type === 'Ready')?.status;
  if (ready(old) !== ready(cur)) out.push('NodeConditionChange');
  return out;
}

export class SchedulerCore {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly metrics: SchedulerMetrics;
  private readonly algorithm: Algorithm;
  private readonly profiles = new Map<string, Framework>();
  private readonly api: SchedulerApi;
  private readonly budgets: () => readonly KubeObject[];
  private readonly maxInFlight: number;
  private inFlight = 0;
  private slotWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(opts: CoreOptions) {
    const now = opts.now ?? Date.now;
    for (const fw of opts.frameworks) this.profiles.set(fw.schedulerName, fw);
    const interested = new Map<ClusterEvent, Set<string>>();
    for (const fw of opts.frameworks) {
      for (const p of [...fw.filters, ...fw.scores.map((s) => s.plugin)]) {
        for (const ev of p.events) (interested.get(ev) ?? interested.set(ev, new Set()).get(ev))?.add(p.name);
      }
    }
    const none = new Set<string>();
    this.queue = new SchedulingQueue({ ...opts.queue, now, pluginsFor: (ev) => interested.get(ev) ?? none });
    this.cache = new SchedulerCache(now);
    this.algorithm = new Algorithm(opts.random);
    this.api = opts.api;
    this.budgets = opts.budgets ?? (() => []);
    this.maxInFlight = opts.maxInFlightBinds ?? 32;
    this.metrics = new SchedulerMetrics(() => this.queue.counts());
  }

  /** A pod this scheduler should place: unbound, ours, alive. */
  needsScheduling(pod: KubeObject): boolean {
    return !pod.spec?.nodeName && !pod.metadata.deletionTimestamp && !isTerminal(pod) && this.profiles.has(schedulerNameOf(pod));
  }

  // ---- informer handlers ----

  onPodAdd(pod: KubeObject): void {
    if (pod.spec?.nodeName) {
      if (isTerminal(pod)) return;
      const confirmsAssumed = this.cache.isAssumed(pod);
      this.cache.addPod(pod);
      if (!confirmsAssumed) this.queue.moveAllToActive('AssignedPodAdd');
    } else if (this.needsScheduling(pod)) this.queue.add(pod);
  }

  onPodUpdate(old: KubeObject, pod: KubeObject): void {
    if (pod.spec?.nodeName) {
      this.queue.delete(pod);
      if (isTerminal(pod)) {
        // a finished pod no longer holds its resources
        if (this.cache.hasPod(pod)) {
          this.cache.removePod(pod);
          this.queue.moveAllToActive('AssignedPodDelete');
        }
        return;
      }
      const known = this.cache.hasPod(pod) && !!old.spec?.nodeName;
      this.onPodAdd(pod);
      if (known && !same(old.metadata.labels, pod.metadata.labels)) this.queue.moveAllToActive('AssignedPodLabelChange');
      return;
    }
    if (this.cache.isAssumed(pod)) return; // decided already; the bind is in flight
    if (this.needsScheduling(pod)) this.queue.update(old, pod);
    else this.queue.delete(pod);
  }

  onPodDelete(pod: KubeObject): void {
    this.queue.delete(pod);
    if (this.cache.hasPod(pod)) {
      this.cache.removePod(pod);
      this.queue.moveAllToActive('AssignedPodDelete');
    }
  }

  onNodeAdd(node: KubeObject): void {
    this.cache.addNode(node);
    this.queue.moveAllToActive('NodeAdd');
  }

  onNodeUpdate(old: KubeObject, node: KubeObject): void {
    this.cache.updateNode(node);
    for (const ev of nodeChanges(old, node)) this.queue.moveAllToActive(ev);
  }

  onNodeDelete(node: KubeObject): void {
    this.cache.removeNode(node);
  }

  // ---- scheduling ----

  /** One cycle for one popped pod. The bind, if any, continues in the background. */
  scheduleOne(q: QueuedPod): AttemptResult | undefined {
    const pod = q.pod;
    if (!this.needsScheduling(pod) || this.cache.isAssumed(pod)) return undefined;
    const fw = this.profiles.get(schedulerNameOf(pod)) as Framework;
    const start = performance.now();
    let node: string;
    try {
      node = this.algorithm.schedule(fw, this.cache, pod).node;
    } catch (e) {
      const seconds = (performance.now() - start) / 1000;
      if (e instanceof FitError) {
        this.metrics.observe('unschedulable', fw.schedulerName, seconds);
        this.queue.addUnschedulable(q, e.plugins);
        this.reportUnschedulable(pod, e.message);
        this.tryPreemption(fw, pod);
        return 'unschedulable';
      }
      log.error('scheduling failed', { pod: q.key, error: e as Error });
      this.metrics.observe('error', fw.schedulerName, seconds);
      this.queue.addBackoff(q);
      return 'error';
    }
    this.cache.assume(pod, node);
    this.bind(q, node, fw.schedulerName, start);
    return 'scheduled';
  }

  /**
   * PostFilter: evicts lower-priority pods to make room (preemption.ts), nominating the node; the pod is tried again
   * when they are gone. A pod whose nominated node still has its victims terminating preempts nobody else.
   */
  private tryPreemption(fw: Framework, pod: KubeObject): void {
    const api = this.api;
    if (!api.preempt) return;
    const nominated = pod.status?.nominatedNodeName as string | undefined;
    if (nominated) {
      const info = this.cache.get(nominated);
      if (info && [...info.pods.values()].some((p) => p.metadata.deletionTimestamp && priorityOf(p) < priorityOf(pod))) return;
    }
    const c = findPreemption(fw, this.cache, pod, this.budgets(), new Set());
    if (!c) return;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    log.info('preempting', { pod: key, node: c.node, victims: c.victims.map((v) => `${v.metadata.namespace}/${v.metadata.name}`), pdbViolations: c.pdbViolations });
    void api.nominate?.(pod, c.node).catch((e) => log.warn('could not nominate a node', { pod: key, error: e as Error }));
    for (const v of c.victims) {
      api.preempt(v, pod, c.node).catch((e) => {
        if (!isNotFound(e)) log.warn('could not preempt a pod', { pod: `${v.metadata.namespace}/${v.metadata.name}`, error: e as Error });
      });
    }
  }

  private reportUnschedulable(pod: KubeObject, message: string): void {
    this.api.event(pod, 'Warning', 'FailedScheduling', message);
    const cond = (pod.status?.conditions as Array<Record<string, unknown>> | undefined)?.find((c) => c.type === 'PodScheduled');
    if (cond?.status === 'False' && cond.reason === 'Unschedulable' && cond.message === message) return; // already says so
    this.api.setUnschedulable(pod, message).catch((e) => {
      if (!isNotFound(e)) log.warn('could not update pod status', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, error: e as Error });
    });
  }

  private bind(q: QueuedPod, node: string, profile: string, start: number): void {
    const pod = q.pod;
    this.inFlight++;
    this.api.bind(pod, node).then(
      () => {
        this.cache.finishBinding(pod);
        this.metrics.observe('scheduled', profile, (performance.now() - start) / 1000);
        this.api.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`);
      },
      (e: unknown) => {
        this.cache.forget(pod);
        this.queue.moveAllToActive('AssignedPodDelete'); // the resources we had assumed are free again
        // gone, or bound by someone else meanwhile: the informer will tell us; nothing to retry
        if (isNotFound(e) || isConflict(e)) return;
        this.metrics.observe('error', profile, (performance.now() - start) / 1000);
        log.warn('binding failed; will retry', { pod: q.key, node, error: e as Error });
        this.api.event(pod, 'Warning', 'FailedScheduling', `Binding rejected: ${(e as Error).message}`);
        this.queue.addBackoff(q);
      },
    ).finally(() => {
      this.inFlight--;
      this.slotWaiters.shift()?.();
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  get bindsInFlight(): number {
    return this.inFlight;
  }

  /** Resolves once no bind is in flight. */
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }

  /** Schedules until the signal aborts, then waits for in-flight binds. */
  async run(signal: AbortSignal): Promise<void> {
    const backoffTimer = setInterval(() => this.queue.flushBackoffCompleted(), 200);
    const leftoverTimer = setInterval(() => {
      this.queue.flushUnschedulableLeftover();
      if (this.cache.cleanupExpired()) this.queue.moveAllToActive('AssignedPodDelete');
    }, 30_000);
    const onAbort = (): void => {
      this.queue.close();
      for (const w of this.slotWaiters.splice(0)) w();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      let slice = performance.now();
      while (!signal.aborted) {
        if (this.inFlight >= this.maxInFlight) await new Promise<void>((r) => this.slotWaiters.push(r));
        if (signal.aborted) break;
        const q = await this.queue.pop();
        if (!q) break;
        this.scheduleOne(q);
        // popping a non-empty queue never leaves the microtask queue: yield now and then so informer events and
        // bind responses get in
        if (performance.now() - slice > 10) {
          await yieldToEventLoop();
          slice = performance.now();
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      clearInterval(backoffTimer);
      clearInterval(leftoverTimer);
      await this.idle();
    }
  }
}
