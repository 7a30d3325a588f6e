// The DaemonSet controller: one pod per eligible node. Each sync brings the history up to date (the current
// template's ControllerRevision, numbered highest), claims the pods, creates the missing ones pinned to their node
// and deletes the ones that no longer belong (plan.ts: manage), then, once nothing is in flight, takes the next
// step of a RollingUpdate (plan.ts: rollout); OnDelete leaves old pods until someone deletes them. Expectations keep
// a lagging informer from making it create or delete the same pods twice. The scheduler binds the pods.
import { findByKind } from '../../lib/api/kinds.js';
import { labelSelectorFromObject, matchesLabels } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types.js';
import {
  claim, controllerRef, isAlreadyExists, isNotFound, keyOf, newControllerRef, Reconciler, splitKey, type Informer, type ReconcileResult,
} from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { ControllerContext } from '../context.js';
import { Expectations } from '../expectations.js';
import { msUntilAvailable } from '../pods.js';
import { hashOf, planHistory, revisionsToPrune, sameData } from './history.js';
import { counts, manage, rollout, updateBudget, type Changes, type NodeState } from './plan.js';
import { nodeEligibility, nodeOfPod, podForNode, REVISION_HASH_LABEL } from './placement.js';

const DS = findByKind('apps/v1', 'DaemonSet')!;
const POD = findByKind('v1', 'Pod')!;
const NODE = findByKind('v1', 'Node')!;
const REVISION = findByKind('apps/v1', 'ControllerRevision')!;
/** Pod creates or deletes in flight at once for one DaemonSet. */
const CONCURRENCY = 50;

export class DaemonSetController extends Reconciler {
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly revisions: Informer;
  private readonly recorder: EventRecorder;
  readonly expectations = new Expectations();

  constructor(private readonly ctx: ControllerContext) {
    super('daemonset-controller');
    this.recorder = ctx.recorder('daemonset-controller');
    this.sets = ctx.informers.informerFor(DS);
    this.pods = ctx.informers.informerFor(POD);
    this.nodes = ctx.informers.informerFor(NODE);
    this.revisions = ctx.informers.informerFor(REVISION);
    this.pods.indexByNamespace();
    this.revisions.indexByNamespace();
    this.sets.onAdd((ds) => this.enqueue(keyOf(ds))).onUpdate((_o, ds) => this.enqueue(keyOf(ds))).onDelete((ds) => {
      this.expectations.delete(keyOf(ds));
    });
    this.pods
      .onAdd((p) => {
        const ds = this.ownerOf(p);
        if (ds && !p.metadata.deletionTimestamp) this.expectations.creationObserved(keyOf(ds));
        this.podChanged(p);
      })
      .onUpdate((old, p) => {
        const before = this.ownerOf(old);
        if (before && before !== this.ownerOf(p)) this.enqueue(keyOf(before));
        this.podChanged(p);
      })
      .onDelete((p) => this.podChanged(p));
    // a node's labels, taints or readiness decide which DaemonSets belong on it
    this.nodes.onAdd(() => this.enqueueAll()).onUpdate((o, n) => {
      if (JSON.stringify([o.metadata.labels, o.spec]) !== JSON.stringify([n.metadata.labels, n.spec])) this.enqueueAll();
    }).onDelete(() => this.enqueueAll());
  }

  private enqueueAll(): void {
    for (const ds of this.sets.list()) this.enqueue(keyOf(ds));
  }

  private podChanged(p: KubeObject): void {
    const ds = this.ownerOf(p);
    if (ds) {
      const gone = p.metadata.deletionTimestamp || !this.pods.get(p.metadata.name as string, p.metadata.namespace);
      if (gone) this.expectations.deletionObserved(keyOf(ds), keyOf(p));
      this.enqueue(keyOf(ds));
    } else if (!controllerRef(p)) {
      for (const m of this.sets.list({ namespace: p.metadata.namespace })) if (matchesLabels(selectorOf(m), p.metadata.labels)) this.enqueue(keyOf(m));
    }
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.sets.start(), this.pods.start(), this.nodes.start(), this.revisions.start()]);
  }

  private ownerOf(p: KubeObject): KubeObject | undefined {
    const ref = controllerRef(p);
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const ds = this.sets.get(ref.name, p.metadata.namespace);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [namespace, name] = splitKey(key);
    const ds = this.sets.get(name, namespace);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const sel = selectorOf(ds);
    const match = (o: KubeObject): boolean => matchesLabels(sel, o.metadata.labels);
    const ns = ds.metadata.namespace as string;
    // read the expectations before the pods: a create observed in between must not be counted twice
    const settled = this.expectations.satisfied(key);
    const revisions = await claim({ client: this.ctx.client, owner: ds, ownerKind: DS, kind: REVISION, match, candidates: this.revisions.byIndex('namespace', ns) });
    const current = await this.currentRevision(ds, revisions);
    const hash = hashOf(current);
    const pods = await claim({ client: this.ctx.client, owner: ds, ownerKind: DS, kind: POD, match, candidates: this.pods.byIndex('namespace', ns) });
    const states = this.nodeStates(ds, pods);
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const budget = updateBudget(ds, states.filter((s) => s.shouldRun).length);
    const rolling = ds.spec?.updateStrategy?.type !== 'OnDelete';
    let error: unknown;
    if (settled) {
      let changes = manage(states, hash, rolling && budget.maxSurge > 0, minReady);
      changes.delete.push(...this.podsOnMissingNodes(pods));
      if (!changes.create.length && !changes.delete.length && rolling) changes = rollout(states, hash, budget, minReady);
      await this.apply(ds, key, changes, hash).catch((e: unknown) => (error = e));
    }
    await this.prune(ds, revisions, current, pods);
    await this.updateStatus(ds, states, hash, minReady);
    if (error !== undefined) throw error;
    const waits = pods.map((p) => msUntilAvailable(p, minReady)).filter((ms): ms is number => ms !== undefined);
    return waits.length ? { requeueAfter: Math.min(...waits) + 50 } : undefined;
  }

  private nodeStates(ds: KubeObject, pods: KubeObject[]): NodeState[] {
    const byNode = new Map<string, KubeObject[]>();
    for (const p of pods) {
      const node = nodeOfPod(p);
      if (node) byNode.set(node, [...(byNode.get(node) ?? []), p]);
    }
    return this.nodes.list().map((n) => ({ node: n.metadata.name as string, ...nodeEligibility(ds, n), pods: byNode.get(n.metadata.name as string) ?? [] }));
  }

  /** Pods for nodes that are gone (or were never named) can never run: they are deleted. */
  private podsOnMissingNodes(pods: KubeObject[]): KubeObject[] {
    return pods.filter((p) => {
      const node = nodeOfPod(p);
      return !p.metadata.deletionTimestamp && (!node || !this.nodes.get(node));
    });
  }

  /**
   * Deletes first, then (in a later sync, once the deletions are seen) creates: the expectations hold one kind of
   * change at a time, and a node's new pod waits for its old one to be gone anyway.
   */
  private async apply(ds: KubeObject, key: string, changes: Changes, hash: string): Promise<void> {
    if (changes.delete.length) {
      this.expectations.expectDeletions(key, changes.delete.map(keyOf));
      await limited(changes.delete, (p) => this.deletePod(ds, key, p));
    } else if (changes.create.length) {
      this.expectations.expectCreations(key, changes.create.length);
      await limited(changes.create, (node) => this.createPod(ds, key, node, hash));
    }
  }

  private async createPod(ds: KubeObject, key: string, node: string, hash: string): Promise<void> {
    const pod = podForNode(ds, node, hash);
    pod.metadata.ownerReferences = [newControllerRef(ds, 'apps/v1', 'DaemonSet')];
    try {
      const created = await this.ctx.client.create(POD, pod);
      this.recorder.event(typed(ds), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (e) {
      this.expectations.creationFailed(key);
      this.recorder.event(typed(ds), 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
      throw e;
    }
  }

  private async deletePod(ds: KubeObject, key: string, p: KubeObject): Promise<void> {
    try {
      await this.ctx.client.delete(POD, p.metadata.name as string, { namespace: p.metadata.namespace, preconditions: { uid: p.metadata.uid } });
      this.recorder.event(typed(ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
    } catch (e) {
      this.expectations.deletionFailed(key, keyOf(p));
      if (isNotFound(e)) return;
      this.recorder.event(typed(ds), 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
      throw e;
    }
  }

  /** The ControllerRevision of the current template, created or renumbered as needed. */
  private async currentRevision(ds: KubeObject, revisions: KubeObject[]): Promise<KubeObject> {
    const plan = planHistory(ds, revisions);
    const client = this.ctx.client;
    if (plan.kind === 'create') {
      const want: KubeObject = { ...plan.revision, metadata: { ...plan.revision.metadata, ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')] } };
      try {
        return await client.create(REVISION, want);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        const existing = await client.get(REVISION, want.metadata.name as string, { namespace: ds.metadata.namespace });
        if (sameData(existing.data, want.data) && controllerRef(existing)?.uid === ds.metadata.uid) return existing;
        // a hash collision: a different template has this name; the next hash mixes in a higher collisionCount
        await client.updateStatus(DS, { ...ds, status: { ...ds.status, collisionCount: (ds.status?.collisionCount ?? 0) + 1 } });
        throw new Error(`ControllerRevision ${want.metadata.name as string} exists with other data; collisionCount raised`);
      }
    }
    for (const d of plan.duplicates) await client.delete(REVISION, d.metadata.name as string, { namespace: d.metadata.namespace }).catch(ignoreNotFound);
    if (plan.kind === 'renumber') return client.update(REVISION, { ...plan.revision, revision: plan.to });
    return plan.revision;
  }

  private async prune(ds: KubeObject, revisions: KubeObject[], current: KubeObject, pods: KubeObject[]): Promise<void> {
    const inUse = new Set(pods.map((p) => p.metadata.labels?.[REVISION_HASH_LABEL] ?? ''));
    for (const r of revisionsToPrune(ds, revisions, current, inUse)) {
      await this.ctx.client.delete(REVISION, r.metadata.name as string, { namespace: r.metadata.namespace }).catch(ignoreNotFound);
    }
  }

  private async updateStatus(ds: KubeObject, states: NodeState[], hash: string, minReady: number): Promise<void> {
    const c = counts(states, hash, minReady);
    const status = { ...ds.status, ...c, observedGeneration: ds.metadata.generation };
    const before = (ds.status ?? {}) as Record<string, unknown>;
    if (Object.entries(status).every(([k, v]) => before[k] === v)) return;
    try {
      await this.ctx.client.updateStatus(DS, { ...ds, status });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

const selectorOf = (ds: KubeObject) => labelSelectorFromObject(ds.spec?.selector ?? {});
const typed = (ds: KubeObject): KubeObject => ({ ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' });

function ignoreNotFound(e: unknown): void {
  if (!isNotFound(e)) throw e;
}

/** Runs fn over items, CONCURRENCY at a time; every item is tried, then the first failure is thrown. */
async function limited<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let first: unknown;
  for (let i = 0; i < items.length; i += CONCURRENCY) {
    const results = await Promise.allSettled(items.slice(i, i + CONCURRENCY).map(fn));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && first === undefined) first = failed.reason;
  }
  if (first !== undefined) throw first;
}
