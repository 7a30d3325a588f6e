// The horizontal pod autoscaler controller: every --horizontal-pod-autoscaler-sync-period, for each HPA, reads the
// target's /scale (any kind that has one), its pods' resource metrics from metrics.k8s.io, computes the replicas the
// metrics ask for (replicas.ts), stabilizes and limits them (behavior.ts), writes the new scale with a
// SuccessfulRescale event, and the status (currentReplicas, desiredReplicas, currentMetrics, lastScaleTime and the
// AbleToScale, ScalingActive and ScalingLimited conditions with upstream's reasons).
import { findByKind, KINDS, type KindInfo } from '../../lib/api/kinds.js';
import { matchesLabels, parseLabelSelector } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isConflict, isNotFound, keyOf, Reconciler, splitKey, type Client, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { ControllerContext } from '../context.js';
import { computeReplicasForMetrics, type Condition } from './autoscale.js';
import { longestPeriodMs, normalizeWithBehavior, normalizeWithoutBehavior, ScaleHistory, type Behavior } from './behavior.js';
import { ResourceMetricsClient, type MetricsSource } from './metrics.js';
import { DEFAULT_CALCULATOR, type CalculatorOptions } from './replicas.js';

export const HPA = findByKind('autoscaling/v2', 'HorizontalPodAutoscaler')!;
const POD = findByKind('v1', 'Pod')!;

export interface AutoscalerOptions extends CalculatorOptions {
  /** --horizontal-pod-autoscaler-sync-period (15 s). */
  syncPeriodMs: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 min): the scale-down window of HPAs that don't set one. */
  downscaleStabilizationMs: number;
}

export const DEFAULT_AUTOSCALER: AutoscalerOptions = { ...DEFAULT_CALCULATOR, syncPeriodMs: 15_000, downscaleStabilizationMs: 300_000 };

/** What the controller does to the cluster, apart from reading its informers; the unit tests give fakes. */
export interface AutoscalerDeps {
  getScale(kind: KindInfo, namespace: string, name: string): Promise<KubeObject>;
  updateScale(kind: KindInfo, namespace: string, name: string, replicas: number): Promise<void>;
  updateStatus(hpa: KubeObject): Promise<void>;
  metrics: MetricsSource;
  events: Pick<EventRecorder, 'event'>;
  now(): number;
}

export function clientDeps(client: Client, events: EventRecorder): AutoscalerDeps {
  return {
    getScale: (kind, namespace, name) => client.getScale(kind, name, { namespace }),
    updateScale: async (kind, namespace, name, replicas) => void (await client.updateScale(kind, name, replicas, { namespace })),
    updateStatus: async (hpa) => void (await client.updateStatus(HPA, hpa)),
    metrics: new ResourceMetricsClient(client),
    events,
    now: () => Date.now(),
  };
}

/** The kind a scaleTargetRef names, if it is served with a /scale subresource. */
export function scaleKind(ref: { apiVersion?: string; kind?: string }): KindInfo | undefined {
  const k = ref.apiVersion ? findByKind(ref.apiVersion, String(ref.kind)) : KINDS.find((x) => x.kind === ref.kind && x.subresources.includes('scale'));
  return k?.subresources.includes('scale') ? k : undefined;
}

/** Sets a condition as upstream's setConditionInList: the transition time moves only when the status does. */
function setCondition(conditions: Array<Condition & { lastTransitionTime?: string }>, c: Condition, now: string): void {
  const existing = conditions.find((x) => x.type === c.type);
  if (!existing) {
    conditions.push({ ...c, lastTransitionTime: now });
    return;
  }
  if (existing.status !== c.status) existing.lastTransitionTime = now;
  existing.status = c.status;
  existing.reason = c.reason;
  existing.message = c.message;
}

export class HorizontalPodAutoscalerController extends Reconciler {
  private readonly hpas: Informer;
  private readonly pods: Informer;
  private readonly histories = new Map<string, ScaleHistory>();
  private readonly deps: AutoscalerDeps;

  constructor(ctx: ControllerContext, private readonly opts: AutoscalerOptions = DEFAULT_AUTOSCALER, deps?: AutoscalerDeps) {
    super('horizontal-pod-autoscaler');
    this.deps = deps ?? clientDeps(ctx.client, ctx.recorder('horizontal-pod-autoscaler'));
    this.hpas = ctx.informers.informerFor(HPA);
    this.pods = ctx.informers.informerFor(POD);
    if (!this.pods.hasIndex('namespace')) this.pods.addIndex('namespace', (p) => [p.metadata.namespace as string]);
    // a new HPA or a changed spec is looked at now; status writes (ours) wait for the next sync period
    this.hpas.onAdd((h) => this.enqueue(keyOf(h)))
      .onUpdate((o, h) => {
        if (o.metadata.generation !== h.metadata.generation) this.enqueue(keyOf(h));
      })
      .onDelete((h) => this.histories.delete(keyOf(h)));
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.hpas.start(), this.pods.start()]);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [namespace, name] = splitKey(key);
    const hpa = this.hpas.get(name, namespace);
    if (!hpa || hpa.metadata.deletionTimestamp) {
      this.histories.delete(key);
      return;
    }
    await this.reconcileAutoscaler(key, structuredClone(hpa));
    return { requeueAfter: this.opts.syncPeriodMs };
  }

  /** reconcileAutoscaler: one pass over one HPA (a copy, whose status it rewrites). */
  async reconcileAutoscaler(key: string, hpa: KubeObject): Promise<void> {
    const d = this.deps;
    const now = d.now();
    const nowText = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
    const old = JSON.stringify(hpa.status ?? {});
    const status = (hpa.status ??= {}) as Record<string, unknown>;
    const conditions = ((status.conditions as Condition[] | undefined) ?? []).map((c) => ({ ...c }));
    status.conditions = conditions;
    const set = (c: Condition) => setCondition(conditions, c, nowText);
    const spec = hpa.spec ?? {};
    const ref = (spec.scaleTargetRef ?? {}) as { apiVersion?: string; kind?: string; name?: string };
    const namespace = hpa.metadata.namespace as string;
    const reference = `${String(ref.kind)}/${String(ref.name)}`;
    const writeStatus = async () => {
      status.observedGeneration = hpa.metadata.generation;
      if (JSON.stringify(status) === old) return;
      try {
        await d.updateStatus(hpa);
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e; // a conflict: the next sync writes from the newer object
      }
    };

    // the target's scale
    const kind = scaleKind(ref);
    let scale: KubeObject;
    try {
      if (!kind) throw new Error(`no matches for kind "${String(ref.kind)}" in group "${(ref.apiVersion ?? '').split('/').slice(0, -1).join('/')}"`);
      scale = await d.getScale(kind, namespace, String(ref.name));
    } catch (e) {
      const message = (e as Error).message;
      set({ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${message}` });
      d.events.event(hpa, 'Warning', 'FailedGetScale', message);
      await writeStatus();
      return;
    }
    set({ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: 'the HPA controller was able to get the target\'s current scale' });
    const current = Number(scale.spec?.replicas ?? 0);
    const history = this.historyOf(key);
    history.recordInitial(current, now);
    const min = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
    const max = Number(spec.maxReplicas ?? 0);

    let desired = 0;
    let reason = '';
    let rescale = true;
    let currentMetrics: Array<Record<string, unknown>> | undefined;
    if (current === 0 && min !== 0) {
      desired = 0;
      rescale = false;
      set({ type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const selectorText = scale.status?.selector as string | undefined;
      let selector;
      if (!selectorText) {
        d.events.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
        set({ type: 'ScalingActive', status: 'False', reason: 'InvalidSelector', message: 'the HPA target\'s scale is missing a selector' });
      } else {
        try {
          selector = parseLabelSelector(selectorText);
        } catch (e) {
          d.events.event(hpa, 'Warning', 'InvalidSelector', (e as Error).message);
          set({ type: 'ScalingActive', status: 'False', reason: 'InvalidSelector', message: 'the HPA target\'s scale has an invalid selector' });
        }
      }
      if (!selector) {
        Object.assign(status, { currentReplicas: current });
        await writeStatus();
        return;
      }
      const sel = selector;
      const pods = this.pods.byIndex('namespace', namespace).filter((p) => matchesLabels(sel, p.metadata.labels ?? {}));
      const r = await computeReplicasForMetrics(hpa, current, selectorText as string, pods, d.metrics, now, this.opts);
      for (const [why, message] of r.warnings) d.events.event(hpa, 'Warning', why, message);
      set(r.scalingActive);
      currentMetrics = r.statuses;
      if (r.replicas === -1) {
        d.events.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', r.error as string);
        Object.assign(status, { currentReplicas: current, currentMetrics });
        await writeStatus();
        return;
      }
      desired = r.replicas;
      if (desired > current) reason = `${r.metricName} above target`;
      if (desired < current) reason = 'All metrics below target';
      const args = { current, desired, min, max, now, downscaleStabilizationMs: this.opts.downscaleStabilizationMs };
      const n = spec.behavior ? normalizeWithBehavior(history, spec.behavior as Behavior, args) : normalizeWithoutBehavior(history, args);
      set({ type: 'AbleToScale', status: 'True', ...n.ableToScale });
      set({ type: 'ScalingLimited', ...n.limited });
      desired = n.replicas;
      rescale = desired !== current;
    }

    if (rescale && desired !== current && kind) {
      try {
        await d.updateScale(kind, namespace, String(ref.name), desired);
      } catch (e) {
        const message = (e as Error).message;
        d.events.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${message}`);
        set({ type: 'AbleToScale', status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${message}` });
        Object.assign(status, { currentReplicas: current, ...(currentMetrics ? { currentMetrics } : {}) });
        await writeStatus();
        return;
      }
      set({ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` });
      d.events.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      history.recordScale(current, desired, now, longestPeriodMs(spec.behavior as Behavior | undefined));
      this.log.info('rescaled', { hpa: key, target: reference, from: current, to: desired, reason });
      status.lastScaleTime = nowText;
    } else rescale = false;
    status.currentReplicas = current;
    status.desiredReplicas = desired;
    if (currentMetrics) status.currentMetrics = currentMetrics;
    else delete status.currentMetrics;
    await writeStatus();
  }

  private historyOf(key: string): ScaleHistory {
    let h = this.histories.get(key);
    if (!h) this.histories.set(key, (h = new ScaleHistory()));
    return h;
  }
}

