// The Deployment controller: rolls a Deployment's pod template out through ReplicaSets named
// `<deployment>-<pod-template-hash>`, keeps old ones for rollback up to revisionHistoryLimit, and reports progress
// in the Deployment's status. It never touches pods (the ReplicaSet controller does); it reads them only for
// Recreate, which must not start new pods while old ones still run. Informer events only enqueue the
// deployment's key; DeploymentSync does the work from the cache's current state.
import { findByKind } from '../../lib/api/kinds.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelectorParsed } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types.js';
import { byControllerUid, claim, controllerRef, keyOf, Reconciler, splitKey, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';
import { DeploymentSync } from './sync.js';
import { isRollingUpdate } from './types.js';

const DEPLOY = findByKind('apps/v1', 'Deployment')!;
const RS = findByKind('apps/v1', 'ReplicaSet')!;
const POD = findByKind('v1', 'Pod')!;
const COMPONENT = 'deployment-controller';

export class DeploymentController extends Reconciler {
  private readonly deployments: Informer;
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly recorder;

  constructor(private readonly ctx: ControllerContext) {
    super(COMPONENT);
    this.recorder = ctx.recorder(COMPONENT);
    this.deployments = ctx.informers.informerFor(DEPLOY);
    this.sets = ctx.informers.informerFor(RS);
    this.pods = ctx.informers.informerFor(POD);
    // shared informers: another controller may have added the same index already
    if (!this.pods.hasIndex('controller')) this.pods.addIndex('controller', byControllerUid);

    const enqueueD = (d: KubeObject): void => this.enqueue(keyOf(d));
    this.deployments.onAdd(enqueueD).onUpdate((_old, d) => enqueueD(d)).onDelete(enqueueD);
    this.sets
      .onAdd((rs) => this.replicaSetChanged(rs))
      .onUpdate((old, rs) => {
        // a changed controller or labels concern the previous owner (release) and the candidates (adoption)
        if (controllerRef(old)?.uid !== controllerRef(rs)?.uid) this.replicaSetChanged(old);
        this.replicaSetChanged(rs);
      })
      .onDelete((rs) => {
        const d = this.ownerOf(rs);
        if (d) enqueueD(d);
      });
    // Recreate waits for old pods to be gone: their deletion is the only signal
    this.pods.onDelete((p) => {
      const ref = controllerRef(p);
      const rs = ref?.kind === 'ReplicaSet' ? this.sets.get(ref.name, p.metadata.namespace) : undefined;
      const d = rs && rs.metadata.uid === ref?.uid ? this.ownerOf(rs) : undefined;
      if (d && !isRollingUpdate(d)) enqueueD(d);
    });
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.deployments.start(), this.sets.start(), this.pods.start()]);
  }

  /** The Deployment controlling rs (same uid, not just the same name). */
  private ownerOf(rs: KubeObject): KubeObject | undefined {
    const ref = controllerRef(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.get(ref.name, rs.metadata.namespace);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  private replicaSetChanged(rs: KubeObject): void {
    const d = this.ownerOf(rs);
    if (d) return this.enqueue(keyOf(d));
    if (controllerRef(rs)) return;
    // an orphan: every deployment that would adopt it
    for (const c of this.deployments.list({ namespace: rs.metadata.namespace })) {
      const sel = selectorOf(c);
      if (sel && sel.length && matchesLabels(sel, rs.metadata.labels)) this.enqueue(keyOf(c));
    }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [namespace, name] = splitKey(key);
    const cached = this.deployments.get(name, namespace);
    if (!cached) return; // deleted: the garbage collector removes its ReplicaSets
    const d = structuredClone(cached);
    const sel = selectorOf(d);
    if (!sel) return this.log.warn('deployment has a missing or invalid selector; skipping', { key });
    if (sel.length === 0) return this.selectingAll(d);
    const rsList = await this.claimReplicaSets(d, sel);
    const work = new DeploymentSync(
      {
        client: this.ctx.client,
        recorder: this.recorder,
        log: this.log,
        cachedRS: (n, ns) => this.sets.get(n, ns),
        podsByRS: () => this.podsByRS(d, sel, rsList),
        now: () => Date.now(),
      },
      d,
      rsList,
    );
    await work.run();
    return { requeueAfter: work.requeueAfterMs };
  }

  /** A selector matching everything would claim every ReplicaSet in the namespace: refuse, as Kubernetes does. */
  private async selectingAll(d: KubeObject): Promise<void> {
    this.recorder.event({ ...d, apiVersion: 'apps/v1', kind: 'Deployment' }, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
    if ((d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)) return;
    await this.ctx.client.updateStatus(DEPLOY, { ...d, status: { ...(d.status ?? {}), observedGeneration: d.metadata.generation } });
  }

  /**
   * The deployment's ReplicaSets: those it controls that still match its selector, plus matching orphans it
   * adopts now (after a live re-check that this very deployment still exists). Controlled ones that stopped
   * matching are released (not deleted: the user relabelled them).
   */
  private claimReplicaSets(d: KubeObject, sel: LabelSelectorParsed): Promise<KubeObject[]> {
    const candidates = this.sets.list({ namespace: d.metadata.namespace });
    return claim({ client: this.ctx.client, owner: d, ownerKind: DEPLOY, kind: RS, match: (rs) => matchesLabels(sel, rs.metadata.labels), candidates });
  }

  /** Pods matching the deployment's selector, grouped by the uid of the ReplicaSet (of this deployment) that controls them. */
  private podsByRS(d: KubeObject, sel: LabelSelectorParsed, rsList: KubeObject[]): Map<string, KubeObject[]> {
    const out = new Map<string, KubeObject[]>();
    for (const rs of rsList) {
      const uid = rs.metadata.uid as string;
      out.set(uid, this.pods.byIndex('controller', uid).filter((p) => p.metadata.namespace === d.metadata.namespace && matchesLabels(sel, p.metadata.labels)));
    }
    return out;
  }
}

/** The parsed selector, or undefined when it is missing or invalid (validation should have refused both). */
function selectorOf(d: KubeObject): LabelSelectorParsed | undefined {
  if (!d.spec?.selector) return undefined;
  try {
    return labelSelectorFromObject(d.spec.selector);
  } catch {
    return undefined;
  }
}
