// Node lifecycle: watches each node's heartbeat (its Lease in kube-node-lease, and its Ready condition). A node
// silent for longer than the grace period (40 s) gets Ready=Unknown and the unreachable taints; a node reporting
// Ready=False gets the not-ready taints; a Ready node loses them. Pods on a node with a NoExecute taint they don't
// tolerate are evicted (deleted), at once or after their tolerationSeconds (300 s when the pod says nothing), so
// their ReplicaSets replace them on other nodes. A silent node's pods are marked not ready meanwhile.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isConflict, isNotFound, Reconciler, soonest, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';
import { evictionDelayMs, type Taint } from './taints.js';
import { rfc3339 } from '../../lib/api/time.js';

const NODE = findByKind('v1', 'Node')!;
const LEASE = findByKind('coordination.k8s.io/v1', 'Lease')!;
const POD = findByKind('v1', 'Pod')!;
export const LEASE_NAMESPACE = 'kube-node-lease';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

const now3339 = (): string => rfc3339();

export class NodeLifecycleController extends Reconciler {
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  /** When this controller last saw each node's heartbeat change, by its own clock (immune to node clock skew). */
  private readonly lastSeen = new Map<string, { beat: string; at: number }>();
  private ticker?: NodeJS.Timeout;
  private readonly recorder;

  constructor(private readonly ctx: ControllerContext) {
    super('node-lifecycle-controller');
    this.recorder = ctx.recorder('node-controller');
    this.nodes = ctx.informers.informerFor(NODE);
    this.leases = ctx.informers.informerFor(LEASE, LEASE_NAMESPACE);
    this.pods = ctx.informers.informerFor(POD);
    if (!this.pods.hasIndex('node')) this.pods.addIndex('node', (p) => (p.spec?.nodeName ? [p.spec.nodeName as string] : []));
    this.nodes.onAdd((n) => this.enqueue(n.metadata.name as string))
      .onUpdate((_o, n) => this.enqueue(n.metadata.name as string))
      .onDelete((n) => this.lastSeen.delete(n.metadata.name as string));
    // a pod landing on a tainted node must be looked at too
    this.pods.onAdd((p) => this.podChanged(p)).onUpdate((_o, p) => this.podChanged(p));
  }

  private podChanged(p: KubeObject): void {
    const node = p.spec?.nodeName as string | undefined;
    if (node && this.nodes.get(node)?.spec?.taints?.some((t: Taint) => t.effect === 'NoExecute')) this.enqueue(node);
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.nodes.start(), this.leases.start(), this.pods.start()]);
    this.ticker = setInterval(() => {
      for (const n of this.nodes.list()) this.enqueue(n.metadata.name as string);
    }, this.ctx.options.nodeMonitorPeriodMs);
    this.ticker.unref();
  }

  override async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => clearInterval(this.ticker), { once: true });
    await super.run(workers, signal);
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.nodes.get(name);
    if (!node) return;
    const { ready, recheckAfter } = await this.checkHeartbeat(node);
    await this.setTaints(node, ready);
    if (ready === 'Unknown') await this.markPodsNotReady(name);
    const nextEviction = await this.evictPods(name);
    return { requeueAfter: soonest(recheckAfter, nextEviction) };
  }

  /**
   * The node's Ready status after marking it Unknown if its heartbeat went silent, and when to look again if the
   * heartbeat may go silent before the next event.
   */
  private async checkHeartbeat(node: KubeObject): Promise<{ ready: string; recheckAfter?: number }> {
    const name = node.metadata.name as string;
    const conditions = (node.status?.conditions as Condition[] | undefined) ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    const lease = this.leases.get(name, LEASE_NAMESPACE);
    const beat = `${lease?.spec?.renewTime ?? ''}|${ready?.lastHeartbeatTime ?? ''}`;
    const seen = this.lastSeen.get(name);
    const now = Date.now();
    if (!seen || seen.beat !== beat) {
      this.lastSeen.set(name, { beat, at: now });
      return { ready: ready?.status ?? 'Unknown' };
    }
    const grace = this.ctx.options.nodeMonitorGracePeriodMs;
    if (now - seen.at <= grace) return { ready: ready?.status ?? 'Unknown', recheckAfter: grace - (now - seen.at) + 100 };
    if (ready?.status === 'Unknown') return { ready: 'Unknown' };
    this.log.info('node stopped posting status; marking it Unknown', { node: name, silentForMs: now - seen.at });
    const t = now3339();
    const next = (['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const).map((type) => {
      const c = conditions.find((x) => x.type === type);
      return { ...(c ?? { type }), type, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: c?.lastHeartbeatTime ?? t, lastTransitionTime: t };
    });
    const rest = conditions.filter((c) => !next.some((n) => n.type === c.type));
    await this.ctx.client.updateStatus(NODE, { ...node, status: { ...node.status, conditions: [...next, ...rest] } });
    this.recorder.event({ ...node, apiVersion: 'v1', kind: 'Node' }, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    return { ready: 'Unknown' };
  }

  private async setTaints(node: KubeObject, ready: string): Promise<void> {
    const taints: Taint[] = (node.spec?.taints as Taint[] | undefined) ?? [];
    const ours = (t: Taint) => (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE) && (t.effect === 'NoExecute' || t.effect === 'NoSchedule');
    const key = ready === 'True' ? undefined : ready === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE;
    const want: Taint[] = key ? [{ key, effect: 'NoSchedule' }, { key, effect: 'NoExecute', timeAdded: taints.find((t) => t.key === key && t.effect === 'NoExecute')?.timeAdded ?? now3339() }] : [];
    const have = taints.filter(ours);
    if (have.length === want.length && want.every((w) => have.some((h) => h.key === w.key && h.effect === w.effect))) return;
    const next = [...taints.filter((t) => !ours(t)), ...want];
    try {
      await this.ctx.client.update(NODE, { ...node, apiVersion: 'v1', kind: 'Node', spec: { ...node.spec, taints: next.length ? next : undefined } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * A node gone silent can't report its pods, so they are marked not ready (their Ready condition False, a
   * NodeNotReady warning), as Kubernetes' MarkPodsNotReady does: endpoints stop sending them traffic at once rather
   * than when the pods are evicted, minutes later by default. The node's agent sets them ready again when it is back.
   * Only a node this controller found silent: one that reports Ready=False itself still reports its pods.
   */
  private async markPodsNotReady(name: string): Promise<void> {
    for (const pod of this.pods.byIndex('node', name)) {
      const conditions = (pod.status?.conditions as Condition[] | undefined) ?? [];
      if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      const t = now3339();
      const next = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: t } : c));
      try {
        await this.ctx.client.updateStatus(POD, { ...pod, apiVersion: 'v1', kind: 'Pod', status: { ...pod.status, conditions: next } });
      } catch (e) {
        if (isNotFound(e) || isConflict(e)) continue; // gone, or changed: the next check looks again
        throw e;
      }
      this.recorder.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
  }

  /** Deletes the pods whose toleration time for the node's NoExecute taints ran out; returns when the next one's does. */
  private async evictPods(name: string): Promise<number | undefined> {
    const node = this.nodes.get(name);
    const taints = ((node?.spec?.taints as Taint[] | undefined) ?? []).filter((t) => t.effect === 'NoExecute');
    if (!taints.length) return undefined;
    let next = Infinity;
    for (const pod of this.pods.byIndex('node', name)) {
      if (pod.metadata.deletionTimestamp) continue;
      const delay = evictionDelayMs(pod, taints, this.ctx.options.defaultTolerationSeconds);
      if (delay === undefined) continue;
      if (delay > 0) {
        next = Math.min(next, delay);
        continue;
      }
      this.recorder.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
      try {
        await this.ctx.client.delete(POD, pod.metadata.name as string, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
    return next < Infinity ? next + 50 : undefined;
  }
}
