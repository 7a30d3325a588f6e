// The scheduler's Prometheus metrics, on their own registry so several schedulers (tests) don't collide.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueName } from './queue.js';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

export class SchedulerMetrics {
  readonly registry = new Registry();
  readonly attempts: Counter<'result' | 'profile'>;
  readonly attemptDuration: Histogram<'result' | 'profile'>;
  readonly pending: Gauge<'queue'>;

  /** `pendingCounts` is read at scrape time, so queue operations pay nothing for the gauge. */
  constructor(pendingCounts: () => Record<QueueName, number>) {
    this.attempts = new Counter({ name: 'scheduler_schedule_attempts_total', help: 'Number of attempts to schedule pods, by the result.', labelNames: ['result', 'profile'], registers: [this.registry] });
    this.attemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding decision, not the bind call).',
      labelNames: ['result', 'profile'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [this.registry],
    });
    this.pending = new Gauge({
      name: 'scheduler_pending_pods',
      help: 'Number of pending pods, by the queue type.',
      labelNames: ['queue'],
      registers: [this.registry],
      collect() {
        const c = pendingCounts();
        for (const q of ['active', 'backoff', 'unschedulable'] as const) this.set({ queue: q }, c[q]);
      },
    });
  }

  observe(result: AttemptResult, profile: string, seconds: number): void {
    this.attempts.inc({ result, profile });
    this.attemptDuration.observe({ result, profile }, seconds);
  }
}
