// Flotilla's scheduler: watches pods and nodes, places pods that have no node yet, binds them through
// pods/binding. See core.ts for the loop, algorithm.ts for one decision and plugins/ for the rules.
import type { Registry } from 'prom-client';
import { findByKind } from '../lib/api/kinds.js';
import type { KubeObject } from '../lib/api/types.js';
import { EventRecorder } from '../lib/client/events.js';
import { SharedInformerFactory } from '../lib/client/informer.js';
import type { Client } from '../lib/client/rest.js';
import { logger } from '../lib/util/log.js';
import { buildFrameworks, defaultSchedulerConfig, type SchedulerConfig } from './config.js';
import { SchedulerCore, type SchedulerApi } from './core.js';
import { rfc3339 } from '../lib/api/time.js';
import { SELECTED_NODE_ANNOTATION } from '../lib/api/storage.js';
import { delayedClaims, setVolumeCatalog } from './plugins/VolumeBinding.js';

export { defaultSchedulerConfig, loadSchedulerConfig, validateSchedulerConfig, buildFrameworks, SchedulerConfigError, type SchedulerConfig, type SchedulerProfile, type PluginRef, type PluginSet } from './config.js';
export { SchedulerCore, type SchedulerApi } from './core.js';
export { fitMessage, numFeasibleNodesToFind } from './algorithm.js';
export type { Framework, FilterPlugin, ScorePlugin, Plugin } from './framework.js';

const log = logger('scheduler');
const POD = findByKind('v1', 'Pod')!;
const NODE = findByKind('v1', 'Node')!;
const PVC = findByKind('v1', 'PersistentVolumeClaim')!;
const PV = findByKind('v1', 'PersistentVolume')!;
const STORAGE_CLASS = findByKind('storage.k8s.io/v1', 'StorageClass')!;
const PDB = findByKind('policy/v1', 'PodDisruptionBudget')!;

/** The real SchedulerApi: pods/binding, pods/status and Events through the shared client. */
export function clientApi(client: Client, component = 'default-scheduler'): SchedulerApi {
  const recorder = new EventRecorder(client, component);
  return {
    async bind(pod, node) {
      // WaitForFirstConsumer claims learn their node first, so the binder and provisioner serve them there
      for (const pvc of delayedClaims(pod)) {
        if (pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION] === node) continue;
        await client.patch(PVC, pvc.metadata.name as string, { metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: node } } }, 'merge', { namespace: pvc.metadata.namespace });
      }
      await client.bind(pod.metadata.namespace ?? 'default', pod.metadata.name as string, node);
    },
    async setUnschedulable(pod, message) {
      const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: rfc3339() };
      await client.patchStatus(POD, pod.metadata.name as string, { status: { conditions: [condition] } }, 'strategic', { namespace: pod.metadata.namespace });
    },
    event(pod, type, reason, message) {
      recorder.event({ ...pod, kind: 'Pod', apiVersion: 'v1' }, type, reason, message);
    },
    async preempt(victim, preemptor, node) {
      recorder.event({ ...victim, kind: 'Pod', apiVersion: 'v1' }, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata.uid as string} on node ${node}`);
      await client.delete(POD, victim.metadata.name as string, { namespace: victim.metadata.namespace, preconditions: { uid: victim.metadata.uid } });
    },
    async nominate(pod, node) {
      await client.patchStatus(POD, pod.metadata.name as string, { status: { nominatedNodeName: node } }, 'merge', { namespace: pod.metadata.namespace });
    },
  };
}

export class Scheduler {
  readonly metrics: Registry;
  readonly core: SchedulerCore;
  private readonly informers: SharedInformerFactory;

  constructor(client: Client, opts: { config?: SchedulerConfig; informers?: SharedInformerFactory } = {}) {
    const frameworks = buildFrameworks(opts.config ?? defaultSchedulerConfig());
    this.informers = opts.informers ?? new SharedInformerFactory(client);
    const budgets = this.informers.informerFor<KubeObject>(PDB);
    this.core = new SchedulerCore({ frameworks, api: clientApi(client), budgets: () => budgets.list() });
    this.metrics = this.core.metrics.registry;
  }

  /** Starts the pod and node informers, waits for them to sync, schedules until aborted, then stops them. */
  async run(signal: AbortSignal): Promise<void> {
    const pods = this.informers.informerFor<KubeObject>(POD);
    const nodes = this.informers.informerFor<KubeObject>(NODE);
    const c = this.core;
    // a factory someone else started already holds objects: the informers replay them to these handlers as adds
    nodes.onAdd((n) => c.onNodeAdd(n)).onUpdate((o, n) => c.onNodeUpdate(o, n)).onDelete((n) => c.onNodeDelete(n));
    pods.onAdd((p) => c.onPodAdd(p)).onUpdate((o, p) => c.onPodUpdate(o, p)).onDelete((p) => c.onPodDelete(p));
    const claims = this.informers.informerFor<KubeObject>(PVC);
    const volumes = this.informers.informerFor<KubeObject>(PV);
    const classes = this.informers.informerFor<KubeObject>(STORAGE_CLASS);
    const budgets = this.informers.informerFor<KubeObject>(PDB);
    const volumeChange = (): void => void c.queue.moveAllToActive('VolumeChange');
    for (const inf of [claims, volumes, classes]) inf.onAdd(volumeChange).onUpdate(volumeChange);
    setVolumeCatalog({ claim: (ns, n) => claims.get(n, ns), volume: (n) => volumes.get(n), storageClass: (n) => classes.get(n) });
    try {
      // nodes first, so the first pods already see every node
      await Promise.race([Promise.all([nodes.start(), claims.start(), volumes.start(), classes.start(), budgets.start()]), aborted(signal)]);
      await Promise.race([pods.start(), aborted(signal)]);
      if (signal.aborted) return;
      log.info('scheduler started', { nodes: c.cache.nodes().length, pending: c.queue.counts() });
      await c.run(signal);
    } finally {
      pods.stop();
      nodes.stop();
      for (const inf of [claims, volumes, classes, budgets]) inf.stop();
      setVolumeCatalog(undefined);
    }
  }
}

const aborted = (signal: AbortSignal): Promise<void> =>
  new Promise((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
