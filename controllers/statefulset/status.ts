// A StatefulSet's status from its pods, as upstream computes it: counts of created, ready, available, current and
// updated pods; once every replica is updated and ready, a rolling update is complete and the update revision
// becomes the current one.
import type { KubeObject } from '../../lib/api/types.js';
import { isPodAvailable, isPodReady } from '../pods.js';
import { replicasOf, revisionOfPod } from './pods.js';

export interface StatefulSetStatus {
  observedGeneration: number;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
}

export function computeStatus(set: KubeObject, pods: KubeObject[], current: string, update: string, collisionCount: number, now: number): StatefulSetStatus {
  const minReady = (set.spec?.minReadySeconds as number | undefined) ?? 0;
  const s: StatefulSetStatus = {
    observedGeneration: set.metadata.generation ?? 0, replicas: 0, readyReplicas: 0, availableReplicas: 0,
    currentReplicas: 0, updatedReplicas: 0, currentRevision: current, updateRevision: update, collisionCount,
  };
  for (const p of pods) {
    s.replicas++;
    if (p.status?.phase === 'Running' && isPodReady(p)) {
      s.readyReplicas++;
      if (isPodAvailable(p, minReady, now)) s.availableReplicas++;
    }
    if (p.metadata.deletionTimestamp) continue;
    const rev = revisionOfPod(p);
    if (rev === current) s.currentReplicas++;
    if (rev === update) s.updatedReplicas++;
  }
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const want = replicasOf(set);
  if (rolling && s.updatedReplicas === want && s.readyReplicas === want && s.replicas === want) {
    s.currentRevision = update;
    s.currentReplicas = s.updatedReplicas;
  }
  return s;
}

/** maxUnavailable of a rolling update as a number of pods: a percentage of replicas rounded up; at least 1. */
export function maxUnavailableOf(set: KubeObject): number {
  const v = set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable as number | string | undefined;
  if (typeof v === 'number') return Math.max(1, v);
  if (typeof v === 'string' && /^\d+%$/.test(v)) return Math.max(1, Math.ceil((Number(v.slice(0, -1)) * replicasOf(set)) / 100));
  return 1;
}
