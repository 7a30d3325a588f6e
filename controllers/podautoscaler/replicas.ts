// The replica calculator: how many replicas a resource metric asks for, the way Kubernetes' HPA computes it. Usage
// over the pods that have a sample, compared with the target (a utilization of the requests, or an average value);
// no change within the tolerance (10%); pods without a sample count as using the target on a scale-down and nothing
// on a scale-up; pods not yet ready (or whose CPU sample predates their readiness) count as using nothing on a
// scale-up and are left out otherwise; a result that would reverse the direction keeps the current count.
// Pure: the controller gives it the pods and the samples.
import { parseQuantity } from '../../lib/api/quantity.js';
import type { KubeObject } from '../../lib/api/types.js';

/** One pod's sample: the summed usage of its containers, in milli-units (millicores, milli-bytes). */
export interface PodSample {
  milli: number;
  timestamp: number;
  windowMs: number;
}

export interface CalculatorOptions {
  /** No change while |1 - usage/target| is at most this (--horizontal-pod-autoscaler-tolerance, 0.1). */
  tolerance: number;
  /** After a pod starts, its CPU samples count only if taken a window after it became ready (5 min). */
  cpuInitializationPeriodMs: number;
  /** A pod not ready that never was ready within this of its start is left out of CPU (30 s). */
  delayOfInitialReadinessStatusMs: number;
}

export const DEFAULT_CALCULATOR: CalculatorOptions = { tolerance: 0.1, cpuInitializationPeriodMs: 5 * 60_000, delayOfInitialReadinessStatusMs: 30_000 };

export interface ResourceTarget {
  resource: string;
  /** Percent of the requests (Utilization), or... */
  utilization?: number;
  /** ... an average value per pod in milli-units (AverageValue). */
  averageMilli?: number;
  /** Only this container's usage and requests (ContainerResource metrics). */
  container?: string;
}

export interface Recommendation {
  replicas: number;
  /** The current utilization in percent (Utilization targets). */
  utilization?: number;
  /** The current average per pod, milli-units. */
  averageMilli: number;
  timestamp: number;
}

const milli = (q: unknown): number | undefined => {
  const v = parseQuantity(q);
  return v === undefined ? undefined : Math.round(v * 1000);
};

type Container = { name?: string; resources?: { requests?: Record<string, unknown> } };

/** The pod's requests of the resource (summed over its containers, or the one named), milli-units. */
export function podRequest(pod: KubeObject, resource: string, container?: string): number {
  let total = 0;
  for (const c of (pod.spec?.containers ?? []) as Container[]) {
    if (container !== undefined && c.name !== container) continue;
    const r = milli(c.resources?.requests?.[resource]);
    if (r === undefined) throw new Error(`missing request for ${resource} in container ${c.name ?? ''} of Pod ${pod.metadata.name ?? ''}`);
    total += r;
  }
  return total;
}

type Condition = { type?: string; status?: string; lastTransitionTime?: string };

/** groupPods: ready pods with a sample, pods left out (unready), pods without a sample, pods going away. */
export function groupPods(pods: KubeObject[], samples: Map<string, PodSample>, resource: string, now: number, o: CalculatorOptions):
  { ready: number; unready: Set<string>; missing: Set<string>; ignored: Set<string> } {
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  let ready = 0;
  for (const pod of pods) {
    const name = pod.metadata.name as string;
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp || phase === 'Failed') {
      ignored.add(name);
      continue;
    }
    if (phase === 'Pending') {
      unready.add(name);
      continue;
    }
    const sample = samples.get(name);
    if (!sample) {
      missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const cond = ((pod.status?.conditions ?? []) as Condition[]).find((c) => c.type === 'Ready');
      const started = pod.status?.startTime ? Date.parse(pod.status.startTime as string) : undefined;
      let isUnready: boolean;
      if (!cond || started === undefined) isUnready = true;
      else {
        const transition = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : 0;
        if (started + o.cpuInitializationPeriodMs > now) {
          // still starting: a sample counts once a whole window of it was taken while the pod was ready
          isUnready = cond.status === 'False' || sample.timestamp < transition + sample.windowMs;
        } else {
          // past it: only a pod that has never been ready is left out
          isUnready = cond.status === 'False' && started + o.delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (isUnready) {
        unready.add(name);
        continue;
      }
    }
    ready++;
  }
  return { ready, unready, missing, ignored };
}

/** Usage over requests, as GetResourceUtilizationRatio computes it (integer percent, as upstream truncates). */
function utilizationRatio(samples: Map<string, number>, requests: Map<string, number>, target: number) {
  let used = 0;
  let requested = 0;
  let n = 0;
  for (const [name, v] of samples) {
    const r = requests.get(name);
    if (r === undefined) continue;
    used += v;
    requested += r;
    n++;
  }
  if (requested === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((used * 100) / requested);
  return { ratio: utilization / target, utilization, average: Math.trunc(used / n) };
}

function averageRatio(samples: Map<string, number>, target: number) {
  let used = 0;
  for (const v of samples.values()) used += v;
  const average = Math.trunc(used / samples.size);
  return { ratio: average / target, average };
}

/**
 * The replicas a resource metric recommends. Throws with upstream's messages ("no pods returned by selector while
 * calculating replica count", "did not receive metrics for any ready pods", "missing request for cpu ...").
 */
export function resourceReplicas(current: number, target: ResourceTarget, pods: KubeObject[], podSamples: Map<string, PodSample>, now: number,
  o: CalculatorOptions = DEFAULT_CALCULATOR): Recommendation {
  if (!pods.length) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, podSamples, target.resource, now, o);
  const samples = new Map<string, number>();
  let timestamp = 0;
  for (const [name, s] of podSamples) {
    if (g.ignored.has(name) || g.unready.has(name)) continue;
    if (!pods.some((p) => p.metadata.name === name)) continue;
    samples.set(name, s.milli);
    timestamp = timestamp || s.timestamp;
  }
  const byUtilization = target.utilization !== undefined;
  const requests = new Map<string, number>();
  if (byUtilization) for (const p of pods) requests.set(p.metadata.name as string, podRequest(p, target.resource, target.container));
  if (!samples.size) throw new Error('did not receive metrics for any ready pods');

  const measure = (m: Map<string, number>) => (byUtilization
    ? utilizationRatio(m, requests, target.utilization as number)
    : { ...averageRatio(m, target.averageMilli as number), utilization: undefined });
  const first = measure(samples);
  const result = (replicas: number): Recommendation => ({ replicas, utilization: first.utilization, averageMilli: first.average, timestamp });

  const rebalanceUnready = g.unready.size > 0 && first.ratio > 1;
  if (!rebalanceUnready && g.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= o.tolerance) return result(current);
    return result(Math.ceil(first.ratio * g.ready));
  }
  if (g.missing.size > 0) {
    // a pod without a sample is assumed at the target on a scale-down (100% of its request), idle on a scale-up
    for (const name of g.missing) {
      if (first.ratio < 1) samples.set(name, byUtilization ? (requests.get(name) ?? 0) : (target.averageMilli as number));
      else samples.set(name, 0);
    }
  }
  if (rebalanceUnready) for (const name of g.unready) samples.set(name, 0);
  const next = measure(samples);
  if (Math.abs(1 - next.ratio) <= o.tolerance || (first.ratio < 1 && next.ratio > 1) || (first.ratio > 1 && next.ratio < 1)) return result(current);
  const replicas = Math.ceil(next.ratio * samples.size);
  if ((next.ratio < 1 && replicas > current) || (next.ratio > 1 && replicas < current)) return result(current);
  return result(replicas);
}
