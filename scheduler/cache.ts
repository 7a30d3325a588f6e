// The scheduler's view of the cluster: one NodeInfo per node, fed by the node and pod informers, plus pods the
// scheduler has "assumed" onto a node before their binding is confirmed, so the next cycle already sees them.
// JavaScript runs one scheduling cycle to completion without interleaving, so the live cache doubles as the
// cycle's snapshot: nothing can change it mid-cycle.
import { keyOf } from '../lib/client/informer.js';
import type { KubeObject } from '../lib/api/types.js';
import { NodeInfo } from './nodeinfo.js';

/** How long an assumed pod whose binding succeeded may wait for the informer to confirm it. */
export const ASSUMED_TTL_MS = 30_000;

interface PodState {
  node: string;
  assumed: boolean;
  /** Set once the bind call returned: after this the assumption expires if the informer never confirms. */
  deadline?: number;
}

export interface Snapshot {
  /** Nodes with a Node object, in a stable order. */
  nodes(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Nodes holding pods with required anti-affinity (to honour existing pods' rules). */
  nodesWithAntiAffinityPods(): Iterable<NodeInfo>;
}

export class SchedulerCache implements Snapshot {
  private readonly infos = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private list: NodeInfo[] = [];
  private listDirty = false;

  constructor(private readonly now: () => number = Date.now) {}

  nodes(): readonly NodeInfo[] {
    if (this.listDirty) {
      this.list = [...this.infos.values()].filter((n) => n.node);
      this.listDirty = false;
    }
    return this.list;
  }

  get(name: string): NodeInfo | undefined {
    const n = this.infos.get(name);
    return n?.node ? n : undefined;
  }

  *nodesWithAntiAffinityPods(): Iterable<NodeInfo> {
    for (const n of this.nodes()) if (n.antiAffinityPods.size) yield n;
  }

  private info(name: string): NodeInfo {
    let n = this.infos.get(name);
    if (!n) this.infos.set(name, (n = new NodeInfo(name)));
    return n;
  }

  addNode(node: KubeObject): void {
    const n = this.info(node.metadata.name as string);
    if (!n.node) this.listDirty = true;
    n.setNode(node);
  }

  updateNode(node: KubeObject): void {
    this.addNode(node);
  }

  removeNode(node: KubeObject): void {
    const name = node.metadata.name as string;
    const n = this.infos.get(name);
    if (!n) return;
    // pods may still point at it until they are deleted; keep their accounting but hide the node
    if (n.podCount) n.node = undefined;
    else this.infos.delete(name);
    this.listDirty = true;
  }

  /** The scheduler decided: count the pod on its node right away. */
  assume(pod: KubeObject, node: string): void {
    const key = keyOf(pod);
    this.removeKey(key);
    this.info(node).addPod(key, pod);
    this.podStates.set(key, { node, assumed: true });
  }

  /** The bind call returned; start the clock on the informer confirming the assignment. */
  finishBinding(pod: KubeObject): void {
    const st = this.podStates.get(keyOf(pod));
    if (st?.assumed) st.deadline = this.now() + ASSUMED_TTL_MS;
  }

  /** The bind failed: undo the assumption. */
  forget(pod: KubeObject): void {
    const key = keyOf(pod);
    if (this.podStates.get(key)?.assumed) this.removeKey(key);
  }

  isAssumed(pod: KubeObject): boolean {
    return this.podStates.get(keyOf(pod))?.assumed ?? false;
  }

  /** A pod with spec.nodeName from the informer (added or changed); confirms an assumed pod. */
  addPod(pod: KubeObject): void {
    const key = keyOf(pod);
    const node = pod.spec?.nodeName as string;
    this.removeKey(key);
    this.info(node).addPod(key, pod);
    this.podStates.set(key, { node, assumed: false });
  }

  removePod(pod: KubeObject): void {
    this.removeKey(keyOf(pod));
  }

  hasPod(pod: KubeObject): boolean {
    return this.podStates.has(keyOf(pod));
  }

  /** Drops assumed pods whose bind returned long ago but never showed up through the informer. */
  cleanupExpired(): number {
    const now = this.now();
    let n = 0;
    for (const [key, st] of this.podStates) {
      if (st.assumed && st.deadline !== undefined && st.deadline <= now) {
        this.removeKey(key);
        n++;
      }
    }
    return n;
  }

  private removeKey(key: string): void {
    const st = this.podStates.get(key);
    if (!st) return;
    this.podStates.delete(key);
    const n = this.infos.get(st.node);
    n?.removePod(key);
    if (n && !n.node && !n.podCount) this.infos.delete(st.node);
  }
}
