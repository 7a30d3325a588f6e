// The pods of a Job: what the controller creates from the template (owned by the Job; in Indexed mode carrying the
// completion index in an annotation, a label, the hostname and the JOB_COMPLETION_INDEX variable through the
// downward API, as Kubernetes injects them), and how it reads their outcome.
import type { KubeObject } from '../../lib/api/types.js';
import { newControllerRef } from '../../lib/client/index.js';

export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const INDEX_ENV = 'JOB_COMPLETION_INDEX';
export const MAX_BACKOFF_MS = 360_000;
export const BASE_BACKOFF_MS = 10_000;

type Container = { name: string; env?: Array<{ name: string }>; state?: { terminated?: { exitCode?: number; finishedAt?: string } } };

export const isIndexed = (job: KubeObject): boolean => job.spec?.completionMode === 'Indexed';

/** The completion index of a pod of an Indexed Job, or undefined when it has none (or a malformed one). */
export function indexOf(pod: KubeObject): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** A new pod of the Job from its template; `index` for Indexed Jobs. */
export function podFromTemplate(job: KubeObject, index?: number): KubeObject {
  const t = structuredClone(job.spec?.template ?? {});
  const name = job.metadata.name as string;
  const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}) };
  const annotations: Record<string, string> = { ...(t.metadata?.annotations ?? {}) };
  const spec = t.spec ?? {};
  if (index !== undefined) {
    annotations[COMPLETION_INDEX] = String(index);
    labels[COMPLETION_INDEX] = String(index);
    spec.hostname ??= `${name}-${index}`;
    const env = { name: INDEX_ENV, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } };
    for (const list of [spec.containers, spec.initContainers] as Array<Container[] | undefined>) {
      for (const c of list ?? []) if (!c.env?.some((e) => e.name === INDEX_ENV)) c.env = [...(c.env ?? []), env];
    }
  }
  return {
    metadata: {
      generateName: index !== undefined ? `${name}-${index}-` : `${name}-`,
      namespace: job.metadata.namespace,
      labels,
      annotations,
      finalizers: t.metadata?.finalizers,
      ownerReferences: [newControllerRef(job, 'batch/v1', 'Job')],
    },
    spec,
  };
}

export const isSucceeded = (p: KubeObject): boolean => p.status?.phase === 'Succeeded';
export const isFailed = (p: KubeObject): boolean => p.status?.phase === 'Failed';

/** When a finished pod finished: its last container's finishedAt, else its Ready condition's change, else its creation. */
export function finishedAt(p: KubeObject): number {
  const ends = ((p.status?.containerStatuses ?? []) as Container[])
    .map((c) => Date.parse(c.state?.terminated?.finishedAt ?? ''))
    .filter((t) => !Number.isNaN(t));
  if (ends.length) return Math.max(...ends);
  const ready = (p.status?.conditions as Array<{ type: string; lastTransitionTime?: string }> | undefined)?.find((c) => c.type === 'Ready');
  return Date.parse(ready?.lastTransitionTime ?? '') || Date.parse(p.metadata.creationTimestamp ?? '') || 0;
}

/** The delay before the next pod after `failures` failed ones: 10 s doubling per failure, at most 6 minutes. */
export function backoffDelay(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(BASE_BACKOFF_MS * 2 ** Math.min(failures - 1, 30), MAX_BACKOFF_MS);
}

/** Indexes as Kubernetes writes completedIndexes: sorted intervals, "1,3-5,7". */
export function formatIntervals(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}
