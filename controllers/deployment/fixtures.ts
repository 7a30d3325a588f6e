// Test objects shaped like what the API server stores (defaults applied). Used only by the *.test.ts files.
import type { KubeObject } from '../../lib/api/types.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, REVISION, type DeploymentStatus, type IntOrString } from './types.js';

export const template = (image = 'nginx:1.25', labels: Record<string, string> = { app: 'web' }) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image, imagePullPolicy: 'IfNotPresent' }], restartPolicy: 'Always' },
});

export interface DeploymentOpts {
  replicas?: number;
  maxSurge?: IntOrString;
  maxUnavailable?: IntOrString;
  strategy?: 'RollingUpdate' | 'Recreate';
  generation?: number;
  status?: DeploymentStatus;
  annotations?: Record<string, string>;
  image?: string;
  paused?: boolean;
  progressDeadlineSeconds?: number | null;
  revisionHistoryLimit?: number;
}

export function deployment(o: DeploymentOpts = {}): KubeObject {
  const strategy = o.strategy === 'Recreate'
    ? { type: 'Recreate' }
    : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%' } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: o.generation ?? 1, annotations: o.annotations },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image),
      strategy,
      paused: o.paused,
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: o.progressDeadlineSeconds === undefined ? 600 : o.progressDeadlineSeconds,
    },
    status: o.status ?? {},
  };
}

export interface RSOpts {
  replicas?: number;
  /** status.replicas; defaults to spec replicas */
  current?: number;
  ready?: number;
  /** status.availableReplicas; defaults to spec replicas */
  available?: number;
  revision?: number;
  /** creation time in seconds since the epoch */
  created?: number;
  desired?: number;
  max?: number;
  image?: string;
  generation?: number;
  observedGeneration?: number;
  annotations?: Record<string, string>;
}

export function rs(name: string, o: RSOpts = {}): KubeObject {
  const replicas = o.replicas ?? 0;
  const annotations: Record<string, string> = { ...(o.annotations ?? {}) };
  if (o.revision !== undefined) annotations[REVISION] = String(o.revision);
  if (o.desired !== undefined) annotations[DESIRED_REPLICAS] = String(o.desired);
  if (o.max !== undefined) annotations[MAX_REPLICAS] = String(o.max);
  const hash = name.split('-').at(-1) as string;
  const t = template(o.image);
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      generation: o.generation ?? 1,
      creationTimestamp: new Date((o.created ?? 0) * 1000).toISOString(),
      annotations,
      labels: { app: 'web', 'pod-template-hash': hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }],
    },
    spec: { replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: { ...t, metadata: { labels: { ...t.metadata.labels, 'pod-template-hash': hash } } } },
    status: {
      replicas: o.current ?? replicas,
      readyReplicas: o.ready ?? o.available ?? replicas,
      availableReplicas: o.available ?? replicas,
      observedGeneration: o.observedGeneration ?? o.generation ?? 1,
    },
  };
}
