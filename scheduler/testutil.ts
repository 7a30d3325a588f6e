// Fixtures for the scheduler's unit tests: nodes, pods and a fake API that records what the scheduler asked for.
import type { KubeObject } from '../lib/api/types.js';
import type { SchedulerApi } from './core.js';

export function node(name: string, o: { cpu?: string; memory?: string; pods?: number; labels?: Record<string, string>; taints?: unknown[]; unschedulable?: boolean; ready?: 'True' | 'False' | 'Unknown'; extra?: Record<string, string> } = {}): KubeObject {
  const allocatable = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110), 'ephemeral-storage': '100Gi', ...o.extra };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels }, resourceVersion: '1' },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable, capacity: allocatable, conditions: [{ type: 'Ready', status: o.ready ?? 'True' }] },
  };
}

let uid = 0;

export function pod(name: string, o: { cpu?: string; memory?: string; nodeName?: string; labels?: Record<string,
  string>; owner?: string; spec?: Record<string, unknown>; namespace?: string } = {}): KubeObject {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${++uid}`,
      labels: o.labels,
      resourceVersion: '1',
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `rs-${o.owner}`, controller: true }] } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests } }], ...(o.nodeName ? { nodeName: o.nodeName } : {}), ...o.spec },
    status: { phase: 'Pending' },
  };
}

interface PendingBind {
  pod: KubeObject;
  node: string;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** Binds complete only when the test says so (or at once with autoBind). */
export class FakeApi implements SchedulerApi {
  readonly binds: PendingBind[] = [];
  readonly statuses: Array<{ pod: string; message: string }> = [];
  readonly events: Array<{ pod: string; type: string; reason: string; message: string }> = [];
  constructor(private readonly autoBind = false) {}

  bind(p: KubeObject, nodeName: string): Promise<void> {
    if (this.autoBind) {
      this.binds.push({ pod: p, node: nodeName, resolve: () => {}, reject: () => {} });
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.binds.push({ pod: p, node: nodeName, resolve, reject }));
  }

  async setUnschedulable(p: KubeObject, message: string): Promise<void> {
    this.statuses.push({ pod: p.metadata.name as string, message });
  }

  event(p: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ pod: p.metadata.name as string, type, reason, message });
  }

  /** How many pods were bound to each node. */
  placement(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const b of this.binds) out[b.node] = (out[b.node] ?? 0) + 1;
    return out;
  }
}

/** The pod as the informer shows it once bound. */
export const bound = (p: KubeObject, nodeName: string): KubeObject => ({ ...p, metadata: { ...p.metadata, resourceVersion: '2' }, spec: { ...p.spec, nodeName } });
