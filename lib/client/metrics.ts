// A manager's metrics in Prometheus' text format (prom-client), under the names controller-runtime exports, so the
// dashboards and alerts written for Go controllers read these too: reconciles by result, errors, durations, the
// work queues' depth and retries, and whether this process leads. One registry per manager: two managers in one
// process (tests do it) never collide on a metric name.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How many keys a controller's queue holds now (read at scrape time). */
export type DepthSource = () => Array<{ controller: string; depth: number }>;

export class ControllerMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly retries: Counter<'name'>;
  readonly leader: Gauge<'name'>;

  constructor(depth: DepthSource, registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
    this.reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
    this.leader = new Gauge({ name: 'leader_election_master_status', help: 'Whether this process leads (1) or stands by (0)', labelNames: ['name'], registers });
    new Gauge({
      name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers,
      collect() {
        this.reset();
        for (const d of depth()) this.set({ name: d.controller }, d.depth);
      },
    });
  }

  /** The metrics in Prometheus' text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
