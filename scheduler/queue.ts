// The scheduling queue, after kube-scheduler's: activeQ (highest spec.priority first, then arrival), backoffQ
// (pods waiting out their per-pod backoff, 1 s doubling to 10 s, after a failed attempt) and the unschedulable
// pods, parked until a cluster change that could help them (per the plugins that rejected them) moves them back
// to activeQ at once, or until they have waited 5 minutes.
import type { KubeObject } from '../lib/api/types.js';
import { keyOf } from '../lib/client/informer.js';
import type { ClusterEvent } from './framework.js';
import { Heap } from './heap.js';

export interface QueuedPod {
  pod: KubeObject;
  key: string;
  priority: number;
  /** Arrival order, the tie-breaker within a priority. */
  seq: number;
  /** Scheduling attempts so far (incremented on pop). */
  attempts: number;
  backoffExpiry: number;
  /** Plugins that rejected the pod last time; empty means any change may help. */
  unschedulablePlugins: Set<string>;
  unschedulableSince: number;
}

export interface QueueOptions {
  now?: () => number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods are retried after this long even without a cluster change. */
  maxUnschedulableMs?: number;
  /** Which plugins' rejections a cluster event may undo (union over every profile). */
  pluginsFor?: (event: ClusterEvent) => ReadonlySet<string>;
}

export type QueueName = 'active' | 'backoff' | 'unschedulable';

const priorityOf = (pod: KubeObject): number => (typeof pod.spec?.priority === 'number' ? pod.spec.priority : 0);

/** Whether an update may change the scheduling outcome (not just status, which our own patches touch). */
function schedulingRelevantChange(old: KubeObject, cur: KubeObject): boolean {
  return JSON.stringify(old.spec) !== JSON.stringify(cur.spec) || JSON.stringify(old.metadata.labels) !== JSON.stringify(cur.metadata.labels);
}

export class SchedulingQueue {
  private readonly active = new Heap<QueuedPod>((q) => q.key, (a, b) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq));
  private readonly backoff = new Heap<QueuedPod>((q) => q.key, (a, b) => a.backoffExpiry < b.backoffExpiry);
  private readonly unschedulable = new Map<string, QueuedPod>();
  /** How many parked pods each plugin rejected ('' = rejected by no plugin in particular): lets events that
   * can't help anyone skip walking the parked pods. */
  private readonly parkedBy = new Map<string, number>();
  private waiters: Array<(q: QueuedPod | undefined) => void> = [];
  private seq = 0;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly opts: QueueOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** A new pod to schedule (or a re-add of one already queued, which just refreshes it). */
  add(pod: KubeObject): void {
    const key = keyOf(pod);
    const existing = this.find(key);
    if (existing) {
      existing.pod = pod;
      return;
    }
    this.pushActive({ pod, key, priority: priorityOf(pod), seq: this.seq++, attempts: 0, backoffExpiry: 0, unschedulablePlugins: new Set(),
      unschedulableSince: 0 });
  }

  update(old: KubeObject, pod: KubeObject): void {
    const key = keyOf(pod);
    const parked = this.unschedulable.get(key);
    if (parked) {
      parked.pod = pod;
      if (schedulingRelevantChange(old, pod)) {
        this.unpark(key);
        this.requeue(parked);
      }
      return;
    }
    const q = this.active.get(key) ?? this.backoff.get(key);
    if (q) {
      q.pod = pod;
      if (this.active.has(key)) {
        q.priority = priorityOf(pod);
        this.active.push(q);
      }
      return;
    }
    this.add(pod);
  }

  delete(pod: KubeObject): void {
    const key = keyOf(pod);
    this.active.delete(key);
    this.backoff.delete(key);
    this.unpark(key);
  }

  has(pod: KubeObject): boolean {
    return !!this.find(keyOf(pod));
  }

  /** Where a pod is queued, if anywhere. */
  whereIs(pod: KubeObject): QueueName | undefined {
    const key = keyOf(pod);
    return this.active.has(key) ? 'active' : this.backoff.has(key) ? 'backoff' : this.unschedulable.has(key) ? 'unschedulable' : undefined;
  }

  /** The next pod to schedule, without waiting. */
  tryPop(): QueuedPod | undefined {
    const q = this.active.pop();
    if (q) q.attempts++;
    return q;
  }

  /** The next pod to schedule; waits while activeQ is empty; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const q = this.tryPop();
    if (q) return Promise.resolve(q);
    return new Promise((r) => this.waiters.push(r));
  }

  backoffDuration(q: QueuedPod): number {
    const initial = this.opts.initialBackoffMs ?? 1000;
    const max = this.opts.maxBackoffMs ?? 10_000;
    return Math.min(max, initial * 2 ** Math.max(0, q.attempts - 1));
  }

  /** The pod fits nowhere: park it until a cluster change the rejecting plugins care about. */
  addUnschedulable(q: QueuedPod, plugins: Iterable<string>): void {
    if (this.closed) return;
    const now = this.now();
    q.unschedulablePlugins = new Set(plugins);
    q.backoffExpiry = now + this.backoffDuration(q);
    q.unschedulableSince = now;
    this.unpark(q.key);
    this.unschedulable.set(q.key, q);
    this.countParked(q, 1);
  }

  /** Something went wrong that isn't the pod's fault (API error): retry after its backoff. */
  addBackoff(q: QueuedPod): void {
    if (this.closed) return;
    q.backoffExpiry = this.now() + this.backoffDuration(q);
    this.backoff.push(q);
  }

  /** A cluster change: wakes the unschedulable pods it may help. Returns how many moved. */
  moveAllToActive(event: ClusterEvent): number {
    const helps = this.opts.pluginsFor?.(event);
    let moved = 0;
    if (!this.unschedulable.size) return 0; // the common case during a scale-up: one check per event
    if (helps && !this.parkedBy.get('') && ![...helps].some((p) => this.parkedBy.get(p))) return 0;
    for (const [key, q] of this.unschedulable) {
      if (helps && q.unschedulablePlugins.size && ![...q.unschedulablePlugins].some((p) => helps.has(p))) continue;
      this.unpark(key);
      this.pushActive(q);
      moved++;
    }
    return moved;
  }

  /** Moves pods whose backoff is over to activeQ (run every second). */
  flushBackoffCompleted(): void {
    const now = this.now();
    for (let q = this.backoff.peek(); q && q.backoffExpiry <= now; q = this.backoff.peek()) this.pushActive(this.backoff.pop() as QueuedPod);
  }

  /** Retries pods that sat unschedulable longer than the limit (5 minutes by default). */
  flushUnschedulableLeftover(): void {
    const now = this.now();
    const limit = this.opts.maxUnschedulableMs ?? 5 * 60_000;
    for (const [key, q] of this.unschedulable) {
      if (now - q.unschedulableSince <= limit) continue;
      this.unpark(key);
      this.requeue(q);
    }
  }

  counts(): Record<QueueName, number> {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private countParked(q: QueuedPod, d: 1 | -1): void {
    const names = q.unschedulablePlugins.size ? q.unschedulablePlugins : [''];
    for (const p of names) this.parkedBy.set(p, (this.parkedBy.get(p) ?? 0) + d);
  }

  private unpark(key: string): void {
    const q = this.unschedulable.get(key);
    if (!q) return;
    this.unschedulable.delete(key);
    this.countParked(q, -1);
  }

  private find(key: string): QueuedPod | undefined {
    return this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key);
  }

  /** Back to activeQ, or to backoffQ while its backoff still runs. */
  private requeue(q: QueuedPod): void {
    if (q.backoffExpiry > this.now()) this.backoff.push(q);
    else this.pushActive(q);
  }

  private pushActive(q: QueuedPod): void {
    if (this.closed) return;
    const w = this.waiters.shift();
    if (w) {
      q.attempts++;
      w(q);
    } else this.active.push(q);
  }
}
