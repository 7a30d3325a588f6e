// Node IPAM (kube-controller-manager's range allocator, --allocate-node-cidrs): every Node without spec.podCIDRs gets
// the next free subnet of each cluster CIDR (spec.podCIDR is the first); a CIDR set meanwhile by someone else is never
// overwritten (the API server refuses the change). The API server keeps podCIDRs immutable once set, so the
// allocator's only state is which subnets the nodes hold: rebuilt from the node list when the controller starts (no
// CIDR is handed out twice after a restart), freed when a node is deleted. A node whose podCIDRs already lie in the
// range keeps them (marked taken); one whose CIDRs lie outside is left alone and logged. When the range is full the node
// gets a Warning event CIDRNotAvailable and is tried again with backoff, and at once when a node is deleted.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, isNotFound, Reconciler, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { ControllerContext } from '../context.js';
import { CidrSet } from './cidrset.js';
import type { NodeIpamConfig } from './config.js';

const NODE = findByKind('v1', 'Node')!;

/** spec.podCIDRs, else [spec.podCIDR] (an older writer), else []. */
export function podCIDRsOf(node: KubeObject): string[] {
  const cidrs = node.spec?.podCIDRs;
  if (Array.isArray(cidrs) && cidrs.length) return cidrs.filter((c): c is string => typeof c === 'string');
  return typeof node.spec?.podCIDR === 'string' && node.spec.podCIDR ? [node.spec.podCIDR] : [];
}

export class NodeIpamController extends Reconciler {
  private readonly nodes: Informer;
  private readonly sets: CidrSet[];
  private readonly recorder: EventRecorder;
  /** CIDRs written to a node whose update the informer has not shown yet: the node must not get a second set. */
  private readonly pending = new Map<string, string[]>();
  /** Nodes already logged for CIDRs outside the range (logged once, not on every update). */
  private readonly foreign = new Set<string>();

  constructor(private readonly ctx: ControllerContext, config: NodeIpamConfig) {
    super('node-ipam-controller');
    this.sets = config.clusterCIDRs.map((c, i) => new CidrSet(c, config.nodeCIDRMaskSizes[i] as number));
    this.recorder = ctx.recorder('cidrAllocator');
    this.nodes = ctx.informers.informerFor(NODE);
    this.nodes.onAdd((n) => this.enqueue(n.metadata.name as string))
      .onUpdate((_o, n) => this.enqueue(n.metadata.name as string))
      .onDelete((n) => this.nodeDeleted(n));
  }

  protected async sync(): Promise<void> {
    await this.nodes.start();
    // before any node is looked at: every CIDR a node holds is taken (what makes a restart safe)
    for (const n of this.nodes.list()) this.occupy(n);
    this.log.info('range CIDR allocator ready', { clusterCIDRs: this.sets.map((s) => s.cluster.text), nodeCIDRMaskSizes: this.sets.map((s) => s.maskSize),
      nodes: this.nodes.list().length, used: this.sets.map((s) => s.usedCount) });
  }

  /** Marks a node's CIDRs taken; true when it has some (in the range or not). */
  private occupy(node: KubeObject): boolean {
    const name = node.metadata.name as string;
    const cidrs = podCIDRsOf(node);
    if (!cidrs.length) return false;
    this.pending.delete(name);
    const outside = cidrs.filter((c) => !this.sets.some((s) => s.occupy(c)));
    if (outside.length && !this.foreign.has(name)) {
      this.foreign.add(name);
      this.log.warn('node has pod CIDRs outside the cluster CIDRs; leaving them alone', { node: name, podCIDRs: cidrs, clusterCIDRs: this.sets.map((s) => s.cluster.text) });
    }
    return true;
  }

  private nodeDeleted(node: KubeObject): void {
    const name = node.metadata.name as string;
    this.foreign.delete(name);
    const cidrs = [...new Set([...podCIDRsOf(node), ...(this.pending.get(name) ?? [])])];
    this.pending.delete(name);
    // a CIDR still held by another node (never by design; a hand-made node may) stays taken
    const held = new Set(this.nodes.list().flatMap(podCIDRsOf));
    for (const c of cidrs) if (!held.has(c)) this.sets.forEach((s) => s.release(c));
    if (cidrs.length) this.log.info('released the CIDRs of a deleted node', { node: name, podCIDRs: cidrs });
    // a node waiting for room gets it now rather than after its backoff
    for (const n of this.nodes.list()) if (!podCIDRsOf(n).length) this.enqueue(n.metadata.name as string);
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.nodes.get(name);
    if (!node || node.metadata.deletionTimestamp) return;
    if (this.occupy(node) || this.pending.has(name)) return;
    const cidrs: string[] = [];
    try {
      for (const s of this.sets) cidrs.push(s.allocateNext());
    } catch (e) {
      this.release(cidrs);
      this.recorder.event({ ...node, apiVersion: 'v1', kind: 'Node' }, 'Warning', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      throw new Error(`failed to allocate cidr from cluster cidr at idx:${cidrs.length}: ${(e as Error).message}`);
    }
    try {
      // no resourceVersion: a node changed meanwhile (its status, its taints) still takes the CIDRs, and one given
      // CIDRs meanwhile by another writer cannot be overwritten, since the API server refuses to change them (422)
      await this.ctx.client.patch(NODE, name, { spec: { podCIDR: cidrs[0], podCIDRs: cidrs } }, 'merge');
    } catch (e) {
      this.release(cidrs);
      if (isNotFound(e)) return;
      if (e instanceof ApiError && e.code === 422) {
        this.log.warn('node got pod CIDRs from another writer; giving ours back', { node: name, podCIDRs: cidrs, error: e.message });
        return { requeueAfter: 200 };
      }
      this.recorder.event({ ...node, apiVersion: 'v1', kind: 'Node' }, 'Warning', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
      throw e;
    }
    this.pending.set(name, cidrs);
    this.log.info('set node PodCIDR', { node: name, podCIDRs: cidrs });
  }

  private release(cidrs: string[]): void {
    cidrs.forEach((c, i) => this.sets[i]?.release(c));
  }
}
