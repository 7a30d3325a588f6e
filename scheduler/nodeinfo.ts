// What the scheduler knows about one node, kept up to date incrementally as pods come and go so no filter or
// score ever walks every pod: summed requests, host ports in use, pods per controller, and pods with required
// anti-affinity. `generation` bumps on every change so per-node memos (see countPods) stay cheap and correct.
import type { KubeObject } from '../lib/api/types.js';
import { CPU, MEMORY, PODS, parseResourceList, podHostPorts, podRequests, type Resources } from './resources.js';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** The uid of the pod's controller (ReplicaSet, StatefulSet, Job...), if any. */
export function controllerUid(pod: KubeObject): string | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

export function hasRequiredAntiAffinity(pod: KubeObject): boolean {
  return (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
}

export class NodeInfo {
  node?: KubeObject;
  allocatable: Resources = new Map();
  /** Sum of the effective requests of every pod here (assumed ones included). */
  readonly requested: Resources = new Map();
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  readonly pods = new Map<string, KubeObject>();
  /** `protocol/port` -> host IP -> how many pods use it. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  readonly ownerCounts = new Map<string, number>();
  readonly antiAffinityPods = new Map<string, KubeObject>();
  generation = 0;
  private memo?: Map<string, { gen: number; n: number }>;

  constructor(readonly name: string) {}

  setNode(node: KubeObject): void {
    this.node = node;
    const st = node.status ?? {};
    this.allocatable = parseResourceList(st.allocatable ?? st.capacity); // memos count pods only: no generation bump
  }

  get labels(): Record<string, string> {
    return this.node?.metadata.labels ?? {};
  }

  /** The node's value for a topology key; kubernetes.io/hostname falls back to the node name. */
  topologyValue(key: string): string | undefined {
    const v = this.node?.metadata.labels?.[key];
    return v ?? (key === HOSTNAME_LABEL ? this.name : undefined);
  }

  allocatableOf(name: string): number {
    return this.allocatable.get(name) ?? 0;
  }

  addPod(key: string, pod: KubeObject): void {
    this.pods.set(key, pod);
    this.account(pod, 1);
    if (hasRequiredAntiAffinity(pod)) this.antiAffinityPods.set(key, pod);
  }

  removePod(key: string): KubeObject | undefined {
    const pod = this.pods.get(key);
    if (!pod) return undefined;
    this.pods.delete(key);
    this.antiAffinityPods.delete(key);
    this.account(pod, -1);
    return pod;
  }

  private account(pod: KubeObject, sign: 1 | -1): void {
    const r = podRequests(pod);
    for (const [k, v] of r.requests) bump(this.requested, k, sign * v);
    this.nonZeroMilliCPU += sign * r.nonZeroMilliCPU;
    this.nonZeroMemory += sign * r.nonZeroMemory;
    for (const p of podHostPorts(pod)) {
      const pk = `${p.protocol}/${p.port}`;
      let ips = this.usedPorts.get(pk);
      if (!ips) this.usedPorts.set(pk, (ips = new Map()));
      bump(ips, p.hostIP, sign);
      if (ips.size === 0) this.usedPorts.delete(pk);
    }
    const owner = controllerUid(pod);
    if (owner) bump(this.ownerCounts, owner, sign);
    this.generation++;
  }

  /** Whether hostIP:port/protocol is already taken (0.0.0.0 conflicts with every address). */
  portInUse(protocol: string, port: number, hostIP: string): boolean {
    const ips = this.usedPorts.get(`${protocol}/${port}`);
    if (!ips) return false;
    if (hostIP === '0.0.0.0') return true;
    return ips.has('0.0.0.0') || ips.has(hostIP);
  }

  /** Pods here matching `match`, memoized under `memoKey` until the node's pods change. */
  countPods(memoKey: string, match: (pod: KubeObject) => boolean): number {
    const m = (this.memo ??= new Map());
    const hit = m.get(memoKey);
    if (hit && hit.gen === this.generation) return hit.n;
    let n = 0;
    for (const p of this.pods.values()) if (match(p)) n++;
    if (m.size > 64) m.clear(); // a few live selectors at a time; don't grow without bound
    m.set(memoKey, { gen: this.generation, n });
    return n;
  }

  get podCount(): number {
    return this.pods.size;
  }

  /** cpu/memory in use for scoring, pods without requests counted at kube's defaults. */
  nonZeroRequested(name: string): number {
    return name === CPU ? this.nonZeroMilliCPU : name === MEMORY ? this.nonZeroMemory : (this.requested.get(name) ?? 0);
  }

  allowedPods(): number {
    return this.allocatableOf(PODS);
  }
}

function bump(m: Map<string, number>, k: string, d: number): void {
  const v = (m.get(k) ?? 0) + d;
  if (v === 0) m.delete(k);
  else m.set(k, v);
}
