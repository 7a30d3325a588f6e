// One HPA's metrics into one recommendation (computeReplicasForMetrics): each metric spec gives a replica count and
// a status entry; the largest count wins; a metric that can't be computed gives an empty status entry, a Warning
// event and, when every metric failed (or a failure could hide a larger count), ScalingActive=False and no
// recommendation. Only resource metrics (Resource, ContainerResource) have a source here; the others report that
// no custom or external metrics API is served, as Kubernetes does without one.
import { parseQuantity } from '../../lib/api/quantity.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { MetricsSource } from './metrics.js';
import { resourceReplicas, type CalculatorOptions } from './replicas.js';

type Obj = Record<string, unknown>;

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface MetricsResult {
  /** -1: no recommendation (the metrics are invalid). */
  replicas: number;
  /** What the largest count came from, e.g. `cpu resource utilization (percentage of request)`. */
  metricName: string;
  statuses: Obj[];
  scalingActive: Condition;
  /** Warning events (reason, message). */
  warnings: Array<[string, string]>;
  error?: string;
}

/**
 * A milli-value as the DecimalSI Quantity the status holds (resource.NewMilliQuantity): `250m`, `2`, `2M`,
 * `134217728` (bytes that are no whole multiple of 1000 keep every digit).
 */
export function milliQuantity(milli: number): string {
  if (milli === 0) return '0';
  if (milli % 1000 !== 0) return `${milli}m`;
  let n = milli / 1000;
  let i = 0;
  const suffixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  while (n % 1000 === 0 && i < suffixes.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n}${suffixes[i]}`;
}

async function resourceMetric(spec: Obj, kind: 'Resource' | 'ContainerResource', currentReplicas: number, namespace: string, selector: string,
  pods: KubeObject[], metrics: MetricsSource, now: number, o: CalculatorOptions): Promise<{ replicas: number; name: string; status: Obj }> {
  const field = kind === 'Resource' ? 'resource' : 'containerResource';
  const src = (spec[field] ?? {}) as Obj;
  const resource = String(src.name);
  const container = kind === 'ContainerResource' ? String(src.container) : undefined;
  const target = (src.target ?? {}) as Obj;
  const byValue = target.averageValue !== undefined;
  const what = byValue ? 'usage' : 'utilization';
  const prefix = kind === 'Resource' ? `failed to get ${resource} ${what}` : `failed to get ${resource} container metric value`;
  let samples;
  try {
    samples = await metrics.podSamples(namespace, selector, resource, container);
  } catch (e) {
    throw new Error(`${prefix}: unable to get metrics for resource ${resource}: ${(e as Error).message}`);
  }
  if (!byValue && typeof target.averageUtilization !== 'number') {
    throw new Error('invalid resource metric source: neither a utilization target nor a value target was set');
  }
  let rec;
  try {
    const averageMilli = byValue ? Math.round(Number(parseTarget(target.averageValue)) * 1000) : undefined;
    const utilization = byValue ? undefined : target.averageUtilization as number;
    rec = resourceReplicas(currentReplicas, { resource, container, utilization, averageMilli }, pods, samples, now, o);
  } catch (e) {
    throw new Error(`${prefix}: ${(e as Error).message}`);
  }
  const current: Obj = { averageValue: milliQuantity(rec.averageMilli) };
  if (!byValue) current.averageUtilization = rec.utilization;
  const status: Obj = { type: kind, [field]: { name: resource, ...(container !== undefined ? { container } : {}), current } };
  const name = kind === 'Resource'
    ? (byValue ? `${resource} resource` : `${resource} resource utilization (percentage of request)`)
    : (byValue ? `${resource} container resource` : `${resource} container resource utilization (percentage of request)`);
  return { replicas: rec.replicas, name, status };
}

const parseTarget = (q: unknown): number => parseQuantity(q) ?? 0;

const REASONS: Record<string, string> = {
  Resource: 'FailedGetResourceMetric', ContainerResource: 'FailedGetContainerResourceMetric', Pods: 'FailedGetPodsMetric',
  Object: 'FailedGetObjectMetric', External: 'FailedGetExternalMetric',
};

export async function computeReplicasForMetrics(hpa: KubeObject, currentReplicas: number, selector: string, pods: KubeObject[],
  metrics: MetricsSource, now: number, o: CalculatorOptions): Promise<MetricsResult> {
  const specs = (hpa.spec?.metrics ?? []) as Obj[];
  const namespace = hpa.metadata.namespace as string;
  const statuses: Obj[] = specs.map(() => ({ type: '' }));
  const warnings: Array<[string, string]> = [];
  let replicas = 0;
  let metricName = '';
  let invalid = 0;
  let firstError: string | undefined;
  let invalidCondition: Condition | undefined;
  for (const [i, spec] of specs.entries()) {
    const type = String(spec.type);
    try {
      let r;
      if (type === 'Resource' || type === 'ContainerResource') r = await resourceMetric(spec, type, currentReplicas, namespace, selector, pods, metrics, now, o);
      else if (type === 'Pods' || type === 'Object') throw new Error(`unable to get metric ${String((spec[type.toLowerCase()] as Obj | undefined)?.metric && ((spec[type.toLowerCase()] as Obj).metric as Obj).name)}: no custom metrics API (custom.metrics.k8s.io) registered`);
      else if (type === 'External') throw new Error(`unable to get external metric ${namespace}/${String(((spec.external as Obj | undefined)?.metric as Obj | undefined)?.name)}: no external metrics API (external.metrics.k8s.io) registered`);
      else throw new Error(`unknown metric source type "${type}"`);
      statuses[i] = r.status;
      if (r.replicas > replicas) {
        replicas = r.replicas;
        metricName = r.name;
      }
    } catch (e) {
      const message = (e as Error).message;
      const reason = REASONS[type] ?? 'InvalidMetricSourceType';
      warnings.push([reason, message]);
      invalid++;
      firstError ??= message;
      invalidCondition ??= { type: 'ScalingActive', status: 'False', reason, message: `the HPA was unable to compute the replica count: ${message}` };
    }
  }
  if (invalid >= specs.length || (invalid > 0 && replicas < currentReplicas)) {
    return { replicas: -1, metricName: '', statuses, warnings, scalingActive: invalidCondition as Condition,
      error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError}` };
  }
  return { replicas, metricName, statuses, warnings,
    scalingActive: { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${metricName}` } };
}
