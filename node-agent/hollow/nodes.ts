// Hollow nodes: N simulated nodes in one process, the way kwok simulates them. Each registers a Node with capacity,
// renews its Lease in kube-node-lease every 10 s, and reports the pods bound to it Running and Ready without any
// container; a pod being deleted is finished off (deleted with grace 0) as a kubelet would after its containers
// stopped. Stop the process and the nodes go silent, exactly like a machine that died. A pod that may finish
// (restartPolicy Never or OnFailure) and carries the annotation hollow.flotilla.dev/exit-code is reported finished
// instead, with that exit code (Succeeded for 0, Failed otherwise): how Jobs are run on hollow nodes.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { Informer, isAlreadyExists, isConflict, isNotFound, type Client } from '../../lib/client/index.js';
import { RENEW_MS, renewNodeLease } from '../node/lease.js';
import { logger } from '../../lib/util/log.js';
import { rfc3339 } from '../../lib/api/time.js';

const log = logger('hollow-nodes');
const NODE = findByKind('v1', 'Node')!;
const POD = findByKind('v1', 'Pod')!;
/** Pod status writes in flight at once. */
const CONCURRENCY = 64;
/** A pod annotation: the exit code its containers finish with at once (pods that may finish only). */
export const EXIT_CODE_ANNOTATION = 'hollow.flotilla.dev/exit-code';

export interface HollowOptions {
  count: number;
  prefix?: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  /** How often each node renews its Lease (default 10 s, as the kubelet). */
  heartbeatMs?: number;
  /** Extra labels on every node. */
  labels?: Record<string, string>;
  /** The nodes' names, instead of <prefix>-0..count-1 (`flotilla agent --hollow` runs one, named as it joined). */
  names?: string[];
  /** Each node's own client (its identity, system:node:<name>); without it every node uses the shared client. */
  clientFor?: (node: string) => Client;
}

const now3339 = (): string => rfc3339();

export class HollowNodes {
  readonly names: string[];
  private readonly index = new Map<string, number>();
  private readonly pods: Informer;
  private readonly inflight = new Set<string>();
  private readonly pending: string[] = [];
  private readonly pendingSet = new Set<string>();
  private running = 0;
  private timers: NodeJS.Timeout[] = [];
  private podSeq = new Map<string, number>();
  private stopped = false;

  constructor(private readonly client: Client, private readonly o: HollowOptions) {
    const prefix = o.prefix ?? 'hollow-node';
    this.names = o.names ? [...o.names] : Array.from({ length: o.count }, (_, i) => `${prefix}-${i}`);
    this.names.forEach((n, i) => this.index.set(n, i));
    this.pods = new Informer(client, POD);
    this.pods.onAdd((p) => this.podChanged(p)).onUpdate((_o, p) => this.podChanged(p));
  }

  async start(): Promise<void> {
    await runLimited(this.names, 16, (n) => this.retrying(() => this.register(n)));
    await runLimited(this.names, 16, (n) => this.retrying(() => this.renewLease(n)));
    // spread the renewals over the period so 1,000 nodes don't all write at once
    const every = this.o.heartbeatMs ?? RENEW_MS;
    this.names.forEach((n, i) => {
      const first = setTimeout(() => {
        const t = setInterval(() => void this.renewLease(n).catch((e: Error) => log.warn('lease renewal failed', { node: n, error: e.message })), every);
        this.timers.push(t);
      }, Math.floor((every * i) / this.names.length));
      this.timers.push(first);
    });
    await this.pods.start();
    log.info('hollow nodes ready', { count: this.names.length });
  }

  /** Retries fn with back-off (an API server under load may answer 429/504) until it works or we stop. */
  private async retrying(fn: () => Promise<void>): Promise<void> {
    for (let delay = 200; !this.stopped; delay = Math.min(delay * 2, 5000)) {
      try {
        return await fn();
      } catch (e) {
        log.warn('node registration step failed; retrying', { error: (e as Error).message });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.pods.stop();
  }

  private nodeObject(name: string): KubeObject {
    const i = this.index.get(name) ?? 0;
    const capacity = { cpu: this.o.cpu ?? '32', memory: this.o.memory ?? '256Gi', pods: String(this.o.pods ?? 110), 'ephemeral-storage': '100Gi' };
    const t = now3339();
    const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: t,
      lastTransitionTime: t });
    return {
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'hollow', ...this.o.labels }, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
      spec: {},
      status: {
        capacity,
        allocatable: capacity,
        conditions: [
          cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
          cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        ],
        addresses: [
          { type: 'InternalIP', address: `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}` },
          { type: 'Hostname', address: name },
        ],
        nodeInfo: { machineID: '', systemUUID: '', bootID: '', kernelVersion: 'hollow', osImage: 'Flotilla hollow node', containerRuntimeVersion: 'hollow://1.0.0', kubeletVersion: 'v1.32.0-flotilla', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
        daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      },
    };
  }

  /** Creates the node, or takes over an existing one and reports it Ready again. */
  private async register(name: string): Promise<void> {
    const want = this.nodeObject(name);
    try {
      await this.as(name).create(NODE, want);
      const created = await this.as(name).get(NODE, name);
      await this.as(name).updateStatus(NODE, { ...created, status: want.status });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const cur = await this.as(name).get(NODE, name);
      await this.as(name).updateStatus(NODE, { ...cur, status: want.status });
    }
  }

  /** The client that acts as this node. */
  private as(node: string): Client {
    return this.o.clientFor?.(node) ?? this.client;
  }

  private async renewLease(name: string): Promise<void> {
    if (!this.stopped) await renewNodeLease(this.as(name), name);
  }


  private podChanged(p: KubeObject): void {
    const node = p.spec?.nodeName as string | undefined;
    if (!node || !this.index.has(node)) return;
    const phase = p.status?.phase;
    if (p.metadata.deletionTimestamp || phase !== 'Running' || !isReady(p)) this.schedule(`${p.metadata.namespace}/${p.metadata.name}`);
  }

  private schedule(key: string): void {
    if (this.pendingSet.has(key)) return;
    this.pendingSet.add(key);
    this.pending.push(key);
    this.pump();
  }

  private pump(): void {
    while (this.running < CONCURRENCY && this.pending.length && !this.stopped) {
      const key = this.pending.shift() as string;
      this.pendingSet.delete(key);
      if (this.inflight.has(key)) continue;
      this.inflight.add(key);
      this.running++;
      void this.syncPod(key)
        .catch((e: Error) => {
          log.debug('pod sync failed; retrying', { pod: key, error: e.message });
          setTimeout(() => this.schedule(key), 500).unref();
        })
        .finally(() => {
          this.inflight.delete(key);
          this.running--;
          this.pump();
        });
    }
  }

  /** Level-based: look at the pod as it is now and move it one step (finish deleting it, or report it Running). */
  private async syncPod(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const p = this.pods.get(name, namespace);
    if (!p || !this.index.has(p.spec?.nodeName)) return;
    if (p.metadata.deletionTimestamp) {
      try {
        await this.as(p.spec?.nodeName as string).delete(POD, name, { namespace, gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
      return;
    }
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return;
    const exit = p.metadata.annotations?.[EXIT_CODE_ANNOTATION];
    if (exit !== undefined && /^\d+$/.test(exit) && p.spec?.restartPolicy !== 'Always') {
      await this.client.patchStatus(POD, name, { status: this.finishedStatus(p, Number(exit)) }, 'merge', { namespace });
      return;
    }
    if (p.status?.phase === 'Running' && isReady(p)) return;
    await this.as(p.spec?.nodeName as string).patchStatus(POD, name, { status: this.runningStatus(p) }, 'merge', { namespace });
  }

  /** A pod whose containers all exited with `code`, as a kubelet reports it. */
  private finishedStatus(p: KubeObject, code: number): Record<string, unknown> {
    const running = this.runningStatus(p);
    const t = now3339();
    const cond = (type: string, status: string) => ({ type, status, lastProbeTime: null, lastTransitionTime: t, ...(status === 'False' ? { reason: 'PodCompleted' } : {}) });
    const reason = code === 0 ? 'Completed' : 'Error';
    return {
      ...running,
      phase: code === 0 ? 'Succeeded' : 'Failed',
      conditions: [cond('PodReadyToStartContainers', 'False'), cond('Initialized', 'True'), cond('Ready', 'False'), cond('ContainersReady', 'False'),
        cond('PodScheduled', 'True')],
      containerStatuses: (running.containerStatuses as Array<Record<string, unknown>>).map((c) => ({
        ...c, ready: false, started: false, state: { terminated: { exitCode: code, reason, startedAt: t, finishedAt: t, containerID: c.containerID } },
      })),
    };
  }

  private runningStatus(p: KubeObject): Record<string, unknown> {
    const node = p.spec.nodeName as string;
    const i = this.index.get(node) ?? 0;
    const seq = (this.podSeq.get(node) ?? 0) + 1;
    this.podSeq.set(node, seq);
    const t = now3339();
    const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: t });
    const containers = (p.spec.containers as Array<{ name: string; image: string }> | undefined) ?? [];
    return {
      phase: 'Running',
      conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
      hostIP: `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
      hostIPs: [{ ip: `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}` }],
      podIP: `10.${128 + (i >> 8)}.${i & 255}.${(seq % 250) + 2}`,
      podIPs: [{ ip: `10.${128 + (i >> 8)}.${i & 255}.${(seq % 250) + 2}` }],
      startTime: p.status?.startTime ?? t,
      qosClass: p.status?.qosClass,
      containerStatuses: containers.map((c) => ({
        name: c.name,
        state: { running: { startedAt: t } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: c.image,
        imageID: `hollow://${c.image}`,
        containerID: `hollow://${p.metadata.uid}/${c.name}`,
        started: true,
      })),
    };
  }
}

const isReady = (p: KubeObject): boolean => !!(p.status?.conditions as Array<{ type: string; status: string }> | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True');

async function runLimited<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}
