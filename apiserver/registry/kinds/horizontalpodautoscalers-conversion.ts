// autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscalers, as Kubernetes converts them: v1 knows only a CPU
// utilization target, so everything else v2 holds (other metrics, behavior, conditions, other current metrics)
// travels in the annotations Kubernetes uses for it, and comes back from them on the way to v2.
import type { KubeObject } from '../../../lib/api/types.js';

const ANN = 'autoscaling.alpha.kubernetes.io/';
export const METRICS_ANNOTATION = `${ANN}metrics`;
export const BEHAVIOR_ANNOTATION = `${ANN}behavior`;
export const CONDITIONS_ANNOTATION = `${ANN}conditions`;
export const CURRENT_METRICS_ANNOTATION = `${ANN}current-metrics`;

type Obj = Record<string, unknown>;

const isCpuUtilization = (m: Obj): boolean => {
  const r = m.resource as Obj | undefined;
  return m.type === 'Resource' && r?.name === 'cpu' && (r.target as Obj | undefined)?.type === 'Utilization';
};
const isCpuStatus = (m: Obj): boolean => m.type === 'Resource' && (m.resource as Obj | undefined)?.name === 'cpu';

function parseAnnotation(annotations: Record<string, string>, key: string): unknown {
  const text = annotations[key];
  delete annotations[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // a hand-edited annotation that isn't JSON carries nothing
  }
}

/** A v1 object as v2 (to store it). */
export function v1ToV2(v1: KubeObject): KubeObject {
  const metadata = { ...(v1.metadata ?? {}) };
  const annotations = { ...(metadata.annotations ?? {}) };
  const { targetCPUUtilizationPercentage: target, ...spec } = (v1.spec ?? {}) as Obj;
  const metrics: Obj[] = [];
  if (typeof target === 'number') metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } });
  const extra = parseAnnotation(annotations, METRICS_ANNOTATION);
  if (Array.isArray(extra)) metrics.push(...(extra as Obj[]).filter((m) => !(typeof target === 'number' && isCpuUtilization(m))));
  if (metrics.length) spec.metrics = metrics;
  const behavior = parseAnnotation(annotations, BEHAVIOR_ANNOTATION);
  if (behavior && typeof behavior === 'object') spec.behavior = behavior;
  let status: Obj | undefined;
  const conditions = parseAnnotation(annotations, CONDITIONS_ANNOTATION);
  const current = parseAnnotation(annotations, CURRENT_METRICS_ANNOTATION);
  if (v1.status) {
    const { currentCPUUtilizationPercentage: cpu, ...rest } = v1.status as Obj;
    status = { ...rest };
    const currentMetrics: Obj[] = [];
    if (typeof cpu === 'number') currentMetrics.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cpu } } });
    if (Array.isArray(current)) currentMetrics.push(...(current as Obj[]).filter((m) => !(typeof cpu === 'number' && isCpuStatus(m))));
    if (currentMetrics.length) status.currentMetrics = currentMetrics;
    if (Array.isArray(conditions)) status.conditions = conditions;
  }
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out: KubeObject = { ...v1, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata, spec };
  if (status) out.status = status;
  else delete out.status;
  return out;
}

/** A stored v2 object as v1. */
export function v2ToV1(v2: KubeObject): KubeObject {
  const metadata = { ...(v2.metadata ?? {}) };
  const annotations = { ...(metadata.annotations ?? {}) };
  const { metrics, behavior, ...spec } = (v2.spec ?? {}) as Obj;
  const list = (Array.isArray(metrics) ? metrics : []) as Obj[];
  const cpu = list.find(isCpuUtilization);
  if (cpu) spec.targetCPUUtilizationPercentage = ((cpu.resource as Obj).target as Obj).averageUtilization;
  const others = list.filter((m) => m !== cpu);
  if (others.length) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(behavior);
  let status: Obj | undefined;
  if (v2.status) {
    const { currentMetrics, conditions, ...rest } = v2.status as Obj;
    status = { currentReplicas: 0, desiredReplicas: 0, ...rest };
    const current = (Array.isArray(currentMetrics) ? currentMetrics : []) as Obj[];
    const cpuNow = current.find(isCpuStatus);
    const utilization = ((cpuNow?.resource as Obj | undefined)?.current as Obj | undefined)?.averageUtilization;
    if (typeof utilization === 'number') status.currentCPUUtilizationPercentage = utilization;
    const otherNow = current.filter((m) => m !== cpuNow);
    if (otherNow.length) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(otherNow);
    if (Array.isArray(conditions) && conditions.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);
  }
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  const out: KubeObject = { ...v2, apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec };
  if (status) out.status = status;
  return out;
}
